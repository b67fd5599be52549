//! Hostile names through every report command and every output format: the text on the terminal
//! (stdout and stderr) carries no raw control, bidi or format character; Markdown lets no HTML out;
//! JUnit is well-formed XML; SARIF and JSON parse and keep the text; HTML escapes it. Generated
//! command lines are run, with stub `az` and `kubectl` first on PATH: no injected command runs, and
//! the hostile name reaches the stub as one argument. Wrong-typed YAML 1.1 scalars and names
//! Kubernetes or Azure cannot hold are input errors.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// OSC title (ESC ] … BEL), clear screen (ESC [2J), a C1 CSI, a bidi override and isolate, a
/// zero-width space, backticks, command substitution, HTML, table pipes.
const HOSTILE: &str = "evil\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}\u{2066}\u{200b}`touch MARK1`$(touch MARK2)<img src=x onerror=alert(1)>|a|";
/// What a shell would run if it were not quoted, but no control character (Azure refuses those
/// at load): used where the name must reach a generated command.
const SHELLY: &str = "demo$(touch MARK3)`touch MARK4`;touch MARK5 'q\"<img src=x onerror=alert(1)>";

const FORMATS: [&str; 6] = ["text", "json", "junit", "sarif", "markdown", "html"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn kubeward(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kubeward").expect("kubeward binary");
    cmd.current_dir(dir).env_remove("NO_COLOR");
    cmd
}

struct Fixtures {
    dir: tempfile::TempDir,
}

impl Fixtures {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        let manifests = serde_json::json!({
            "apiVersion": "v1",
            "kind": "List",
            "items": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "metadata": {"name": "web", "namespace": "shop", "annotations": {"note": HOSTILE}},
                    "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"hostNetwork": true, "containers": [{
                            "name": HOSTILE,
                            "image": format!("nginx:{HOSTILE}"),
                            "securityContext": {"privileged": true, "capabilities": {"add": [HOSTILE]}}
                        }]}
                    }}
                },
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRole",
                    "metadata": {"name": HOSTILE},
                    "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
                },
                {
                    "apiVersion": "rbac.authorization.k8s.io/v1",
                    "kind": "ClusterRoleBinding",
                    "metadata": {"name": "b"},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": HOSTILE},
                    "subjects": [{"kind": "User", "name": HOSTILE, "apiGroup": "rbac.authorization.k8s.io"}]
                },
                {
                    "apiVersion": "networking.k8s.io/v1",
                    "kind": "NetworkPolicy",
                    "metadata": {"name": "allow", "namespace": "shop", "annotations": {"x": HOSTILE}},
                    "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}
                },
                {
                    "apiVersion": "policy.networking.k8s.io/v1alpha1",
                    "kind": "AdminNetworkPolicy",
                    "metadata": {"name": HOSTILE},
                    "spec": {"priority": 1, "subject": {"namespaces": {}}, "ingress": []}
                }
            ]
        });
        std::fs::write(p.join("m.json"), manifests.to_string()).unwrap();
        // A file name is input too, and this one does not parse: its input error names it.
        std::fs::write(p.join(bad_name()), "a: [\n").unwrap();

        let event = |verb: &str, resource: &str, sub: Option<&str>| {
            serde_json::json!({
                "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
                "auditID": format!("id-{verb}-{resource}"), "stage": "ResponseComplete",
                "requestURI": format!("/api/v1/namespaces/shop/{resource}/x"), "verb": verb,
                "user": {"username": HOSTILE, "groups": ["system:authenticated", HOSTILE]},
                "sourceIPs": ["203.0.113.9"], "userAgent": HOSTILE,
                "objectRef": {"resource": resource, "subresource": sub, "namespace": "shop", "name": HOSTILE, "apiVersion": "v1"},
                "responseStatus": {"code": 200},
                "requestReceivedTimestamp": "2026-11-20T09:00:00.000000Z",
                "stageTimestamp": "2026-11-20T09:00:00.100000Z"
            })
            .to_string()
        };
        let audit = [
            event("get", "secrets", None),
            event("create", "pods", Some("exec")),
            event("list", "secrets", None),
        ]
        .join("\n");
        std::fs::write(p.join("audit.jsonl"), audit + "\n").unwrap();

        let seccomp = serde_json::json!({
            "defaultAction": "SCMP_ACT_ALLOW",
            "syscalls": [{"names": [HOSTILE, "chmod"], "action": "SCMP_ACT_ERRNO"}]
        });
        std::fs::write(p.join("seccomp.json"), seccomp.to_string()).unwrap();
        let apparmor_name: String = HOSTILE.chars().filter(|c| !c.is_whitespace()).collect();
        std::fs::write(
            p.join("apparmor.profile"),
            format!("profile {apparmor_name} flags=(complain) {{\n  capability,\n  /** rw,\n}}\n"),
        )
        .unwrap();

        let mut aks: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root().join("examples/aks/aks-show.json")).unwrap(),
        )
        .unwrap();
        aks["name"] = SHELLY.into();
        aks["resourceGroup"] = format!("rg-{SHELLY}").into();
        aks["id"] = serde_json::Value::Null;
        std::fs::write(p.join("aks.json"), aks.to_string()).unwrap();
        Fixtures { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn bad_name() -> String {
    "bad\u{1b}]0;title\u{7}\u{202e}.yaml".to_string()
}

/// No raw control, bidi or format character on any line (newlines and tabs are the output's own);
/// kubeward's own colours (ESC [ … m) are allowed when `colour` is set.
fn assert_terminal_safe(what: &str, bytes: &[u8], colour: bool) {
    let text = String::from_utf8_lossy(bytes);
    let text = if colour {
        strip_own_colours(&text)
    } else {
        text.into_owned()
    };
    for line in text.lines() {
        let bad: Vec<char> = line
            .chars()
            .filter(|c| *c != '\t' && kubeward_core::escape::is_unsafe_char(*c))
            .collect();
        assert!(
            bad.is_empty(),
            "{what}: raw {bad:?} reached the terminal in {line:?}"
        );
    }
}

fn strip_own_colours(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let n = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[n..].starts_with('m') {
            rest = &after[n + 1..];
        } else {
            out.push_str("\u{1b}[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Markdown as GitHub reads it: the only HTML is kubeward's own `<details>`/`<summary>`, and no
/// input text turned into an image or a link.
fn assert_markdown_safe(what: &str, md: &str) {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    for event in Parser::new_ext(md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match &event {
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                assert!(
                    matches!(h, "<details><summary>Remediation</summary>" | "</details>"),
                    "{what}: HTML from input reached the Markdown: {h:?}"
                );
            }
            Event::Start(Tag::Image { .. } | Tag::Link { .. }) => {
                panic!("{what}: input text became markup: {event:?}")
            }
            _ => {}
        }
    }
}

fn check_format(what: &str, format: &str, out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_terminal_safe(&format!("{what} stderr"), &out.stderr, false);
    match format {
        "text" => assert_terminal_safe(what, &out.stdout, false),
        "json" | "sarif" => {
            let _: serde_json::Value = serde_json::from_str(&stdout)
                .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {stdout}"));
        }
        "junit" => {
            roxmltree::Document::parse(&stdout)
                .unwrap_or_else(|e| panic!("{what}: not XML ({e}): {stdout}"));
        }
        "markdown" => assert_markdown_safe(what, &stdout),
        "html" => {
            assert!(!stdout.contains("<img"), "{what}: raw HTML from input");
        }
        other => panic!("unknown format {other}"),
    }
}

/// Each report command with its inputs; every one takes `-o FORMAT`.
fn report_commands(bad: &str) -> Vec<Vec<String>> {
    let v = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["workloads", "m.json", bad]),
        v(&["pss", "m.json", bad]),
        v(&["netpol", "coverage", "m.json", bad]),
        v(&["audit", "scan", "audit.jsonl"]),
        v(&["seccomp", "lint", "seccomp.json"]),
        v(&["apparmor", "lint", "apparmor.profile"]),
        v(&["aks", "check", "aks.json"]),
        v(&["scan", "."]),
    ]
}

#[test]
fn every_report_command_in_every_format_keeps_hostile_names_inert() {
    let fx = Fixtures::new();
    let bad = bad_name();
    for args in report_commands(&bad) {
        for format in FORMATS {
            let out = kubeward(fx.path())
                .args(&args)
                .args(["-o", format])
                .output()
                .unwrap();
            let what = format!("kubeward {} -o {format}", args.join(" "));
            assert!(out.status.code().is_some_and(|c| c <= 2), "{what}: {out:?}");
            check_format(&what, format, &out);
        }
    }
    // Nothing ran: the names were never given to a shell.
    for m in ["MARK1", "MARK2", "MARK3", "MARK4", "MARK5"] {
        assert!(!fx.path().join(m).exists(), "{m} was created");
    }
}

#[test]
fn colour_on_a_terminal_still_escapes_input() {
    let fx = Fixtures::new();
    let out = kubeward(fx.path())
        .env("CLICOLOR_FORCE", "1")
        .args(["workloads", "m.json", &bad_name()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\u{1b}[1m"), "kubeward's own colours: {text}");
    assert_terminal_safe("workloads (colour)", &out.stdout, true);
    assert!(text.contains("\\u{1b}]0;pwned\\u{7}"), "{text}");
}

#[test]
fn commands_with_their_own_text_keep_hostile_names_inert() {
    let fx = Fixtures::new();
    let bad = bad_name();
    let runs: Vec<Vec<&str>> = vec![
        vec!["rbac", "summary", "m.json", &bad],
        vec!["rbac", "who-can", "get", "secrets", "m.json", &bad],
        vec!["netpol", "list", "m.json", &bad],
        vec!["netpol", "list", "-o", "md", "m.json"],
        vec!["netpol", "list", "-o", "csv", "m.json"],
        vec!["pss", "-o", "text", "m.json", &bad],
        vec!["workloads", "profiles", "m.json"],
        vec!["aks", "egress", "aks.json"],
        vec!["audit", "rbac", "--user", HOSTILE, "audit.jsonl"],
    ];
    for args in runs {
        let out = kubeward(fx.path()).args(&args).output().unwrap();
        let what = format!("kubeward {}", args.join(" "));
        assert!(out.status.code().is_some_and(|c| c <= 2), "{what}: {out:?}");
        assert_terminal_safe(&what, &out.stdout, false);
        assert_terminal_safe(&format!("{what} stderr"), &out.stderr, false);
    }
}

#[test]
fn a_saved_report_with_hostile_fields_renders_safely_in_every_format() {
    let fx = Fixtures::new();
    let out = kubeward(fx.path())
        .args(["workloads", "m.json", &bad_name(), "-o", "json"])
        .output()
        .unwrap();
    let mut report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    fn poison(v: &mut serde_json::Value, key: &str) {
        match v {
            // The schema version is checked before anything is read: leave it be.
            serde_json::Value::String(s)
                if !matches!(key, "status" | "severity" | "schema_version") =>
            {
                s.push_str(HOSTILE)
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|x| poison(x, key)),
            serde_json::Value::Object(m) => m.iter_mut().for_each(|(k, x)| poison(x, k)),
            _ => {}
        }
    }
    poison(&mut report, "");
    std::fs::write(fx.path().join("saved.json"), report.to_string()).unwrap();
    for format in FORMATS {
        let out = kubeward(fx.path())
            .args(["render", "saved.json", "-o", format])
            .output()
            .unwrap();
        let what = format!("kubeward render -o {format}");
        assert!(out.status.code().is_some_and(|c| c <= 2), "{what}: {out:?}");
        check_format(&what, format, &out);
    }
}

/// A directory with stub `az` and `kubectl` that write each argument on its own line (NUL
/// separated) to `argv.log`, so a test can see exactly which words they were given.
fn stub_path(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["az", "kubectl"] {
        let path = bin.join(tool);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nprintf '%s' '{tool}' >> \"$STUB_LOG\"\nfor a in \"$@\"; do printf '\\037%s' \"$a\" >> \"$STUB_LOG\"; done\nprintf '\\036' >> \"$STUB_LOG\"\n"
            ),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// The stubs' calls: each a list of words, the tool's name first.
fn stub_calls(log: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    text.split('\u{1e}')
        .filter(|c| !c.is_empty())
        .map(|c| c.split('\u{1f}').map(str::to_string).collect())
        .collect()
}

fn run_script(dir: &Path, script: &str) -> Vec<Vec<String>> {
    let log = dir.join("argv.log");
    let _ = std::fs::remove_file(&log);
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(dir)
        .env("PATH", stub_path(dir))
        .env("STUB_LOG", &log)
        .status()
        .unwrap();
    assert!(status.success(), "the script failed: {script}");
    stub_calls(&log)
}

fn assert_no_marks(dir: &Path) {
    for m in ["MARK1", "MARK2", "MARK3", "MARK4", "MARK5"] {
        assert!(!dir.join(m).exists(), "an injected command ran: {m} exists");
    }
}

#[test]
fn aks_remediation_commands_run_with_the_hostile_name_as_one_argument() {
    let fx = Fixtures::new();
    let out = kubeward(fx.path())
        .args(["aks", "check", "aks.json", "-o", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ran = 0;
    for f in report["findings"].as_array().unwrap() {
        let fix = f["remediation"].as_str().unwrap_or_default();
        if !fix.starts_with("az ") {
            continue;
        }
        assert!(
            !fix.contains(&format!(" {SHELLY}")),
            "unquoted name in {fix}"
        );
        // The first command; whole commands only (one with a placeholder still to fill in, such
        // as `<key-id>`, is not runnable as it is).
        let quoted_rg = kubeward_core::escape::shell(&format!("rg-{SHELLY}")).into_owned();
        let quoted = kubeward_core::escape::shell(SHELLY).into_owned();
        let Some(first) = first_command(fix, &[&quoted_rg, &quoted]) else {
            continue;
        };
        let names_in_it = first.contains(&quoted_rg) || first.contains(&quoted);
        if !names_in_it
            || first
                .replace(&quoted_rg, "")
                .replace(&quoted, "")
                .contains('<')
        {
            continue;
        }
        let calls = run_script(fx.path(), &first);
        assert_no_marks(fx.path());
        let words = &calls[0];
        assert_eq!(words[0], "az");
        if let Some(i) = words
            .iter()
            .position(|w| w == "-n" || w == "--cluster-name")
        {
            assert_eq!(words[i + 1], SHELLY, "{fix}: {words:?}");
        }
        if first.contains(&quoted_rg) {
            assert!(
                words.iter().any(|w| w == &format!("rg-{SHELLY}")),
                "{words:?}"
            );
        }
        ran += 1;
    }
    assert!(ran >= 3, "only {ran} remediation commands were run");
}

/// The fix up to its first `;` outside the quoted names (prose or a second command follows).
fn first_command(fix: &str, quoted: &[&str]) -> Option<String> {
    let mut masked = fix.to_string();
    for (i, q) in quoted.iter().enumerate() {
        masked = masked.replace(q, &format!("\u{0}{i}\u{0}"));
    }
    let mut first = masked.split(';').next()?.to_string();
    for (i, q) in quoted.iter().enumerate() {
        first = first.replace(&format!("\u{0}{i}\u{0}"), q);
    }
    Some(first)
}

#[test]
fn the_firewall_script_runs_with_hostile_names_and_runs_nothing_else() {
    let fx = Fixtures::new();
    let out = kubeward(fx.path())
        .args(["aks", "egress", "aks.json", "-o", "firewall-cli"])
        .args([
            "--firewall-name",
            SHELLY,
            "--firewall-resource-group",
            "fw-rg",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let script = String::from_utf8(out.stdout).unwrap();
    let commands = script.lines().filter(|l| !l.starts_with('#')).count();
    let calls = run_script(fx.path(), &script);
    assert_no_marks(fx.path());
    assert_eq!(calls.len(), commands, "one az call per command line");
    for words in &calls {
        assert_eq!(&words[..3], ["az", "network", "firewall"]);
        let f = words.iter().position(|w| w == "-f").unwrap();
        assert_eq!(words[f + 1], SHELLY);
        let c = words.iter().position(|w| w == "--collection-name").unwrap();
        assert!(
            words[c + 1].starts_with(&format!("aks-{SHELLY}-")),
            "{words:?}"
        );
    }
}

#[test]
fn azure_names_azure_cannot_hold_are_input_errors() {
    let fx = Fixtures::new();
    let mut aks: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path().join("aks.json")).unwrap())
            .unwrap();
    aks["name"] = "demo\ntouch MARK1\n# ".into();
    std::fs::write(fx.path().join("nl.json"), aks.to_string()).unwrap();
    for args in [
        vec!["aks", "egress", "nl.json", "-o", "firewall-cli"],
        vec!["aks", "check", "nl.json"],
    ] {
        let out = kubeward(fx.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(all.contains("nl.json"), "{all}");
        assert!(all.contains("Azure names hold no control"), "{all}");
        assert!(!all.contains("az network firewall"), "{all}");
        assert_terminal_safe("newline name", &out.stdout, false);
        assert_terminal_safe("newline name", &out.stderr, false);
    }
}

#[test]
fn yaml_11_scalars_are_input_errors_and_objects_stay_out_of_default() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: y\nspec:\n  template:\n    spec:\n      hostNetwork: true\n      containers: [{name: a, image: x}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: on\n  namespace: shop\nspec:\n  hostNetwork: true\n  containers: [{name: a, image: x}]\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: shop\n  labels: {tier: off}\nspec:\n  hostNetwork: true\n  containers:\n  - name: a\n    image: x\n    env: [{name: MASK, value: 0x1F}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: fine, namespace: shop}\nspec: {hostNetwork: true, containers: [{name: a, image: x}]}\n",
    )
    .unwrap();
    let out = kubeward(dir.path())
        .args(["workloads", "m.yaml", "-o", "json"])
        .output()
        .unwrap();
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors: Vec<String> = r["input_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{}:{} {}",
                e["path"].as_str().unwrap(),
                e["line"],
                e["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert!(errors[0].starts_with("m.yaml:5 metadata.namespace: Kubernetes expects a string here, but the value is the boolean true"), "{errors:?}");
    assert!(
        errors[0].contains("quote the value as written"),
        "{errors:?}"
    );
    assert!(
        errors[1].starts_with("m.yaml:15 metadata.name:"),
        "{errors:?}"
    );
    assert!(
        errors[2].starts_with("m.yaml:26 metadata.labels.tier:"),
        "{errors:?}"
    );
    assert!(
        errors[3].starts_with("m.yaml:32 spec.containers[0].env[0].value:")
            && errors[3].contains("the number 31"),
        "{errors:?}"
    );
    // Only the valid pod is judged; nothing was moved to `default`.
    let resources: Vec<String> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}/{}",
                f["resource"]["namespace"].as_str().unwrap_or("-"),
                f["resource"]["name"].as_str().unwrap_or("-")
            )
        })
        .collect();
    assert!(resources.iter().any(|r| r == "shop/fine"), "{resources:?}");
    assert!(
        !resources.iter().any(|r| r.starts_with("default/")
            || r.ends_with("/web")
            || r.ends_with("/p")
            || r.ends_with("/true")),
        "{resources:?}"
    );
    // The text report says the same, with file and line.
    let out = kubeward(dir.path())
        .args(["workloads", "m.yaml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("m.yaml:5: metadata.namespace: Kubernetes expects a string"),
        "{text}"
    );
}
