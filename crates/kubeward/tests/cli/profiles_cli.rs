//! `kubeward seccomp`, `kubeward apparmor` and `kubeward profiles install` as a user runs them:
//! the real binary, its exit codes, clear errors on bad input, and the loop the install closes
//! (the names it prints are the ones `kubeward node` lists and the workload checks look for).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn kubeward() -> Command {
    Command::cargo_bin("kubeward").expect("binary")
}

fn run(args: &[&str], dir: &Path) -> Output {
    kubeward()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs")
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/profiles")
}

fn example(name: &str) -> String {
    examples().join(name).display().to_string()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", stdout(o), stderr(o)))
}

/// `(code, status)` of every finding that is not PASS.
fn not_passing(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] != "PASS")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn seccomp_lint_reports_every_walkthrough_defect_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &[
            "seccomp",
            "lint",
            &example("prevent-chmod.json"),
            "-o",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = json(&out);
    let bad = not_passing(&report);
    // singular `name` (S102, and the dropped key S101), `chmodat` (S103), allow by default (S105),
    // what that leaves open (S106), fchmod/fchmodat2 not denied (S109).
    for code in ["S101", "S102", "S103", "S105", "S106", "S109"] {
        assert!(
            bad.contains(&(code.to_string(), "FAIL".to_string())),
            "{code} missing: {bad:?}"
        );
    }
    for f in report["findings"].as_array().unwrap() {
        if f["status"] == "FAIL" {
            let src = &f["evidence"][0]["source"];
            assert!(
                src["file"]
                    .as_str()
                    .unwrap()
                    .ends_with("prevent-chmod.json"),
                "{f}"
            );
            assert!(src["line"].as_u64().is_some(), "every FAIL has a line: {f}");
        }
    }
}

#[test]
fn bad_profiles_are_clear_errors_and_do_not_hide_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("yaml.json"), "defaultAction: SCMP_ACT_ALLOW\n").unwrap();
    std::fs::write(
        d.join("deny.json"),
        "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [{\"names\": [\"read\"], \"action\": \"SCMP_ACT_DENY\"}]\n}\n",
    )
    .unwrap();
    // Sparse: 100 MB on paper, nothing on disk; the reader must stop at its bound.
    std::fs::File::create(d.join("huge.json"))
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let good = example("web-app.json");
    let out = run(
        &[
            "seccomp",
            "lint",
            "yaml.json",
            "deny.json",
            "huge.json",
            &good,
            "-o",
            "json",
        ],
        d,
    );
    // The clean file is still linted, but unreadable profiles fail the run.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("3 profile file(s) could not be read"),
        "{}",
        stderr(&out)
    );
    let report = json(&out);
    assert_eq!(report["inputs"].as_array().unwrap().len(), 1);
    assert!(not_passing(&report).is_empty(), "web-app.json is clean");
    let errors: Vec<(String, Option<u64>, String)> = report["input_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["line"].as_u64(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let find = |p: &str| errors.iter().find(|e| e.0 == p).expect(p).clone();
    let (_, line, msg) = find("yaml.json");
    assert_eq!(line, Some(1));
    assert!(msg.contains("not valid JSON"), "{msg}");
    let (_, line, msg) = find("deny.json");
    assert_eq!(line, Some(3));
    assert!(
        msg.contains("unknown seccomp action \"SCMP_ACT_DENY\"") && msg.contains("SCMP_ACT_ERRNO"),
        "{msg}"
    );
    let (_, _, msg) = find("huge.json");
    assert!(msg.contains("larger than 4194304 bytes"), "{msg}");

    // Only bad files: nothing was linted, a usage-level exit.
    let out = run(&["seccomp", "lint", "yaml.json"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no input could be read"));
    // `--fail-on never` is honoured.
    let out = run(
        &["seccomp", "lint", "deny.json", &good, "--fail-on", "never"],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn every_offered_containerd_default_lints_clean() {
    let dir = tempfile::tempdir().unwrap();
    for version in ["1.7.27", "1.7.34", "2.0.5", "2.0.11", "2.3.4"] {
        for arch in ["x86_64", "arm64"] {
            let out = run(
                &[
                    "seccomp",
                    "runtime-default",
                    "--containerd",
                    version,
                    "--arch",
                    arch,
                ],
                dir.path(),
            );
            assert!(out.status.success(), "{}", stderr(&out));
            let file = dir.path().join(format!("rd-{version}-{arch}.json"));
            std::fs::write(&file, &out.stdout).unwrap();
            let out = run(
                &["seccomp", "lint", file.to_str().unwrap(), "-o", "json"],
                dir.path(),
            );
            assert_eq!(out.status.code(), Some(0), "containerd {version} {arch}");
            let bad = not_passing(&json(&out));
            if version.starts_with("1.7") {
                // Its one real weakness, io_uring, is a warning.
                assert_eq!(
                    bad,
                    vec![("S106".into(), "WARN".into())],
                    "{version} {arch}"
                );
            } else {
                assert!(bad.is_empty(), "containerd {version} {arch}: {bad:?}");
            }
        }
    }
    let out = run(
        &["seccomp", "runtime-default", "--containerd", "1.6.9"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not modelled"), "{}", stderr(&out));
}

#[test]
fn generated_profiles_lint_clean_and_round_trip_through_diff() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        &[
            "seccomp",
            "generate",
            "--from",
            &example("web-app.strace"),
            "--output-file",
            "gen.json",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["seccomp", "lint", "gen.json", "-o", "json"], d);
    assert_eq!(out.status.code(), Some(0));
    assert!(not_passing(&json(&out)).is_empty());
    // Same effect as the committed example, and as itself.
    let out = run(
        &["seccomp", "diff", "gen.json", &example("web-app.json")],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("no difference"));

    // RuntimeDefault as a base, minus the chmod family: differs from the default by exactly those.
    let out = run(
        &[
            "seccomp",
            "generate",
            "--base",
            "runtime-default",
            "--containerd",
            "2.0.11",
            "--deny",
            "chmod,fchmod,fchmodat,fchmodat2",
            "--output-file",
            "nochmod.json",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["seccomp", "lint", "nochmod.json"], d);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = run(
        &[
            "seccomp",
            "diff",
            "nochmod.json",
            "--against",
            "runtime-default",
            "--containerd",
            "2.0.11",
            "-o",
            "json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1));
    let diff = json(&out);
    assert_eq!(
        diff["allowed_only_right"],
        serde_json::json!(["chmod", "fchmod", "fchmodat", "fchmodat2"])
    );
    assert_eq!(diff["allowed_only_left"], serde_json::json!([]));
    assert_eq!(diff["changed"], serde_json::json!([]));

    // Without --deny, the base alone is the default itself.
    let out = run(
        &[
            "seccomp",
            "generate",
            "--base",
            "runtime-default",
            "--containerd",
            "1.7.27",
            "--output-file",
            "base.json",
        ],
        d,
    );
    assert!(out.status.success());
    let out = run(
        &[
            "seccomp",
            "diff",
            "base.json",
            "--against",
            "runtime-default",
            "--containerd",
            "1.7.27",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn diff_of_containerd_versions_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(&["seccomp", "runtime-default", "--containerd", "1.7.27"], d);
    std::fs::write(d.join("rd17.json"), &out.stdout).unwrap();
    let out = run(
        &[
            "seccomp",
            "diff",
            "rd17.json",
            "--against",
            "runtime-default",
            "--containerd",
            "2.0.11",
            "-o",
            "json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1));
    let diff = json(&out);
    assert_eq!(
        diff["allowed_only_left"],
        serde_json::json!(["io_uring_enter", "io_uring_register", "io_uring_setup"])
    );
    assert!(
        diff["notes"].as_array().unwrap().len() >= 2,
        "assumptions are stated"
    );

    let out = run(&["seccomp", "diff", "rd17.json", "nothere.json"], d);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("nothere.json: cannot read"), "{err}");
    assert_eq!(
        err.matches("os error").count(),
        1,
        "reason printed once: {err}"
    );
    let out = run(&["seccomp", "diff", "rd17.json"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--against runtime-default"));
    let out = run(
        &[
            "seccomp",
            "diff",
            "rd17.json",
            "--against",
            "runtime-default",
            "--arch",
            "sparc",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown architecture"));
}

#[test]
fn apparmor_lint_and_generate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let walkthrough = example("deny-write.profile");
    let out = run(
        &[
            "apparmor",
            "lint",
            &walkthrough,
            "--expect-name",
            "k8s-apparmor-example-deny-write",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // The file name is not the profile name: exactly the mistake --expect-name is for.
    let out = run(
        &[
            "apparmor",
            "lint",
            &walkthrough,
            "--expect-name",
            "deny-write.profile",
            "-o",
            "json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(not_passing(&json(&out)).contains(&("S209".into(), "FAIL".into())));

    let out = run(
        &[
            "apparmor",
            "lint",
            &example("apparmor-mistakes.profile"),
            "-o",
            "json",
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(1));
    let bad = not_passing(&json(&out));
    for code in ["S201", "S203", "S205", "S206", "S207", "S208", "S210"] {
        assert!(
            bad.contains(&(code.to_string(), "FAIL".to_string())),
            "{code}: {bad:?}"
        );
    }

    let out = run(
        &[
            "apparmor",
            "generate",
            "--spec",
            &example("deny-write-etc.yaml"),
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        std::fs::read_to_string(examples().join("deny-write-etc.profile")).unwrap()
    );

    std::fs::File::create(d.join("huge.profile"))
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    let out = run(&["apparmor", "lint", "huge.profile"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stdout(&out).contains("larger than"), "{}", stdout(&out));
    std::fs::write(d.join("spec.yaml"), "name: [unclosed\n").unwrap();
    let out = run(&["apparmor", "generate", "--spec", "spec.yaml"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("spec.yaml"), "{}", stderr(&out));
}

/// The JSON of the `kubectl patch ... -p '<json>'` line the install prints.
fn printed_patch(manifests: &str) -> Value {
    let line = manifests
        .lines()
        .find(|l| l.starts_with("# kubectl patch "))
        .expect("a kubectl patch line");
    let start = line.find("-p '").unwrap() + 4;
    serde_json::from_str(line[start..].trim_end_matches('\'')).unwrap()
}

fn install(d: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "profiles".to_string(),
        "install".to_string(),
        "--seccomp".to_string(),
        example("web-app.json"),
        "--apparmor".to_string(),
        example("deny-write-etc.profile"),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    run(&refs, d)
}

#[test]
fn install_prints_valid_manifests_and_field_patches() {
    let dir = tempfile::tempdir().unwrap();
    let out = install(
        dir.path(),
        &[
            "--workload",
            "deployment/web",
            "--workload-namespace",
            "shop",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // Read the manifests the way kubeward reads any Kubernetes YAML.
    let inv = kubeward_inventory::load_str(
        "profiles.yaml",
        &text,
        &kubeward_inventory::LoadOptions::default(),
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let kinds: Vec<&str> = inv.objects.iter().map(|o| o.kind.as_str()).collect();
    assert_eq!(kinds, vec!["ConfigMap", "DaemonSet"]);
    let ds = &inv.objects[1].value;
    let pod = &ds["spec"]["template"]["spec"];
    assert_eq!(pod["tolerations"][0]["operator"], "Exists", "every node");
    let host_paths: Vec<&str> = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["hostPath"]["path"].as_str())
        .collect();
    assert!(host_paths.contains(&"/var/lib/kubelet/seccomp"));
    let init = pod["initContainers"].as_array().unwrap();
    let seccomp = init
        .iter()
        .find(|c| c["name"] == "install-seccomp")
        .unwrap();
    assert_eq!(seccomp["securityContext"]["capabilities"]["drop"][0], "ALL");
    assert!(seccomp["securityContext"]["privileged"].is_null());
    let apparmor = init.iter().find(|c| c["name"] == "load-apparmor").unwrap();
    assert_eq!(apparmor["securityContext"]["privileged"], true);
    let script = apparmor["command"][2].as_str().unwrap();
    assert!(script.contains("chroot /host \"$parser\" -r"), "{script}");
    // The privilege is explained where it is granted.
    assert!(
        text.contains("CAP_MAC_ADMIN")
            && text.contains("attempted to load a profile while confined")
    );
    // The ConfigMap carries the profile byte for byte (web-app.json is already in the OCI form
    // containerd reads, which is what the install writes).
    let data = &inv.objects[0].value["data"];
    assert_eq!(
        data["seccomp.web-app.json"].as_str().unwrap(),
        std::fs::read_to_string(examples().join("web-app.json")).unwrap()
    );

    // Fields, never the dead annotations.
    assert!(!text.contains("seccomp.security.alpha.kubernetes.io"));
    assert!(!text.contains("container.apparmor.security.beta.kubernetes.io"));
    let patch = printed_patch(&text);
    let sc = &patch["spec"]["template"]["spec"]["securityContext"];
    assert_eq!(
        sc["seccompProfile"],
        serde_json::json!({"type": "Localhost", "localhostProfile": "kubeward/web-app.json"})
    );
    assert_eq!(
        sc["appArmorProfile"],
        serde_json::json!({"type": "Localhost", "localhostProfile": "k8s-deny-write-etc"})
    );
    assert!(text.contains("# kubectl patch deployment/web -n shop --type strategic"));
}

#[test]
fn installed_names_are_what_node_lists_and_workloads_check() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = install(d, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let sc = printed_patch(&text)["spec"]["template"]["spec"]["securityContext"].clone();
    let seccomp_ref = sc["seccompProfile"]["localhostProfile"]
        .as_str()
        .unwrap()
        .to_string();
    let apparmor_ref = sc["appArmorProfile"]["localhostProfile"]
        .as_str()
        .unwrap()
        .to_string();

    // A node after the DaemonSet ran: the file where the init container writes it, and the
    // profile in the kernel's list of loaded profiles.
    let root = d.join("node");
    kubeward_node::example::materialize(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/aks-node"),
        &root,
    )
    .unwrap();
    let inv =
        kubeward_inventory::load_str("p.yaml", &text, &kubeward_inventory::LoadOptions::default());
    let content = inv.objects[0].value["data"]["seccomp.web-app.json"]
        .as_str()
        .unwrap()
        .to_string();
    let target = root.join("var/lib/kubelet/seccomp").join(&seccomp_ref);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, content).unwrap();
    let loaded = root.join("sys/kernel/security/apparmor/profiles");
    let mut list = std::fs::read_to_string(&loaded).unwrap();
    list.push_str(&format!("{apparmor_ref} (enforce)\n"));
    std::fs::write(&loaded, list).unwrap();

    let out = run(
        &[
            "node",
            "--root",
            root.to_str().unwrap(),
            "-o",
            "json=node.json",
            "--fail-on",
            "never",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("node.json")).unwrap()).unwrap();
    let lsm = &report["facts"]["node"]["lsm"];
    let files: Vec<&str> = lsm["seccomp"]["localhost_profiles"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(files.contains(&seccomp_ref.as_str()), "{files:?}");
    assert!(
        lsm["apparmor"]["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == apparmor_ref.as_str()),
        "{lsm}"
    );

    // Workloads: one uses the installed profiles, one names a profile no node has.
    let workloads = format!(
        "apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      securityContext: {sc}
      containers: [{{name: app, image: nginx:1.27}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api, namespace: shop}}
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec:
      securityContext:
        seccompProfile: {{type: Localhost, localhostProfile: kubeward/missing.json}}
        appArmorProfile: {{type: Localhost, localhostProfile: k8s-not-loaded}}
      containers: [{{name: app, image: nginx:1.27}}]
"
    );
    std::fs::write(d.join("deploy.yaml"), workloads).unwrap();
    let out = run(
        &[
            "workloads",
            "deploy.yaml",
            "--node-report",
            "node.json",
            "-o",
            "json",
            "--fail-on",
            "never",
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    let failing = |name: &str| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["name"] == name && f["status"] == "FAIL")
            .map(|f| f["resource"].to_string())
            .collect()
    };
    for check in [
        "seccomp-localhost-profile-missing",
        "apparmor-localhost-profile-missing",
    ] {
        let names = failing(check);
        assert_eq!(names.len(), 1, "{check}: {names:?}");
        assert!(
            names[0].contains("api") && !names[0].contains("web"),
            "{check}: {names:?}"
        );
    }
}

#[test]
fn spo_method_and_install_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = run(
        &[
            "profiles",
            "install",
            "--method",
            "spo",
            "--seccomp",
            &example("web-app.json"),
        ],
        d,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let inv = kubeward_inventory::load_str(
        "spo.yaml",
        &text,
        &kubeward_inventory::LoadOptions::default(),
    );
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    assert_eq!(inv.objects[0].kind, "SeccompProfile");
    assert_eq!(
        inv.objects[0].api_version,
        "security-profiles-operator.x-k8s.io/v1"
    );
    assert!(
        inv.objects[0].namespace.is_none(),
        "cluster-scoped since SPO 0.9"
    );
    assert_eq!(
        printed_patch(&text)["spec"]["template"]["spec"]["securityContext"]["seccompProfile"]["localhostProfile"],
        "operator/web-app.json"
    );

    let out = run(&["profiles", "install"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("nothing to install"),
        "{}",
        stderr(&out)
    );
    let out = run(
        &[
            "profiles",
            "install",
            "--method",
            "spo",
            "--apparmor",
            &example("deny-write-etc.profile"),
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("abstract"));
    let out = run(
        &[
            "profiles",
            "install",
            "--strict",
            "--seccomp",
            &example("prevent-chmod.json"),
        ],
        d,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--strict"), "{}", stderr(&out));
    assert!(out.stdout.is_empty(), "nothing printed under --strict");
}
