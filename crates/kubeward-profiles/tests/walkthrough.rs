//! The Microsoft Learn secure-container-access walkthrough's sample profiles (reconstructed in
//! examples/profiles from the documented facts): every documented defect is reported, each in
//! its own test. Also: bad input gives a clear error, from real files.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use kubeward_core::{Finding, Status};
use kubeward_profiles::apparmor;
use kubeward_profiles::error::ProfileError;
use kubeward_profiles::seccomp::{Profile, lint::lint};

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/profiles")
        .join(name)
}

fn lint_example(name: &str) -> Vec<Finding> {
    lint(&Profile::read(&example(name)).unwrap())
}

fn failing<'a>(f: &'a [Finding], code: &str) -> Vec<&'a Finding> {
    f.iter()
        .filter(|f| f.code == code && f.status == Status::Fail)
        .collect()
}

#[test]
fn singular_name_rules_deny_nothing_under_containerd() {
    let f = lint_example("prevent-chmod.json");
    let s102 = failing(&f, "S102");
    assert_eq!(s102.len(), 3, "one per rule");
    assert!(s102[0].message.contains("`chmod`") && s102[0].message.contains("never applied"));
    assert_eq!(s102[0].evidence[0].source.line, Some(5));
    // The dropped key is also reported as a key containerd does not read.
    assert_eq!(failing(&f, "S101").len(), 3);
    // And the profile as a whole denies nothing at all.
    let s105 = failing(&f, "S105");
    assert!(
        s105[0].message.contains("denies nothing at all"),
        "{}",
        s105[0].message
    );
}

#[test]
fn chmodat_is_not_a_syscall() {
    for file in ["prevent-chmod.json", "prevent-chmod-names.json"] {
        let f = lint_example(file);
        let s103 = failing(&f, "S103");
        assert_eq!(s103.len(), 1, "{file}");
        assert!(s103[0].message.contains("`chmodat`"), "{}", s103[0].message);
        assert!(
            s103[0].message.contains("fchmodat2"),
            "hint names the real syscalls"
        );
    }
}

#[test]
fn fchmod_and_fchmodat2_are_not_denied() {
    for file in ["prevent-chmod.json", "prevent-chmod-names.json"] {
        let f = lint_example(file);
        let s109 = failing(&f, "S109");
        assert_eq!(s109.len(), 1, "{file}");
        assert!(
            s109[0]
                .message
                .contains("but fchmod, fchmodat2 still allowed"),
            "{}",
            s109[0].message
        );
    }
}

#[test]
fn allow_by_default_deny_list_is_weak() {
    let f = lint_example("prevent-chmod-names.json");
    let s105 = failing(&f, "S105");
    assert_eq!(s105.len(), 1);
    assert!(s105[0].message.contains("SCMP_ACT_ALLOW"));
    assert!(
        s105[0].message.contains("denies only 2 syscall(s)"),
        "{}",
        s105[0].message
    );
    // What stays open by default includes the dangerous ones.
    let s106 = failing(&f, "S106");
    assert!(s106[0].message.contains("mount") && s106[0].message.contains("bpf"));
}

#[test]
fn profile_on_one_node_is_fixed_by_installing_on_every_node() {
    // The walkthrough writes the file on one node by hand; the install manifests run on every
    // Linux node, whatever its taints, and reference the profile by field, not annotation.
    use kubeward_profiles::install::{InstallOptions, SeccompInput, render};
    let profile = Profile::read(&example("prevent-chmod-names.json")).unwrap();
    let (text, _) = render(
        &[SeccompInput {
            file_name: "prevent-chmod.json".into(),
            profile,
        }],
        &[],
        &InstallOptions::default(),
    )
    .unwrap();
    assert!(text.contains("kind: DaemonSet"));
    assert!(text.contains("- operator: Exists"));
    assert!(text.contains(r#""localhostProfile":"kubeward/prevent-chmod.json""#));
    assert!(!text.contains("seccomp.security.alpha.kubernetes.io"));
}

#[test]
fn walkthrough_apparmor_profile_parses_and_only_has_advice() {
    let f = apparmor::AppArmorFile::read(&example("deny-write.profile")).unwrap();
    assert!(f.errors.is_empty());
    let findings = apparmor::lint::lint(
        &f,
        &apparmor::lint::LintOptions {
            expected_name: Some("k8s-apparmor-example-deny-write".into()),
        },
    );
    let fails: Vec<_> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert!(fails.is_empty(), "{fails:#?}");
    // It still lets /proc/kcore be read, and its deny rule is quiet.
    assert!(
        findings
            .iter()
            .any(|f| f.code == "S211" && f.status == Status::Warn)
    );
    assert!(
        findings
            .iter()
            .any(|f| f.code == "S208" && f.status == Status::Info)
    );
}

#[test]
fn apparmor_example_with_mistakes_reports_each() {
    let f = apparmor::AppArmorFile::read(&example("apparmor-mistakes.profile")).unwrap();
    let findings = apparmor::lint::lint(&f, &apparmor::lint::LintOptions::default());
    let codes = |code: &str| failing(&findings, code).len();
    assert!(
        codes("S201") >= 3,
        "syntax: unknown permission, CAP_ name, missing comma, extra brace"
    );
    for code in ["S203", "S205", "S206", "S207", "S208", "S210"] {
        assert!(codes(code) >= 1, "{code} missing");
    }
    let syntax: Vec<String> = failing(&findings, "S201")
        .iter()
        .map(|f| f.message.to_string())
        .collect();
    assert!(
        syntax
            .iter()
            .any(|m| m.starts_with("line 19:") && m.contains("unknown file permission `q`")),
        "{syntax:#?}"
    );
    assert!(
        syntax
            .iter()
            .any(|m| m.starts_with("line 18:") && m.contains("write `net_admin`")),
        "{syntax:#?}"
    );
    assert!(
        syntax
            .iter()
            .any(|m| m.starts_with("line 20:") && m.contains("not terminated by `,`")),
        "{syntax:#?}"
    );
    assert!(
        syntax
            .iter()
            .any(|m| m.starts_with("line 22:") && m.contains("closes nothing")),
        "{syntax:#?}"
    );
}

fn temp_file(name: &str, content: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, content).unwrap();
    (dir, p)
}

#[test]
fn not_json_is_a_clear_error() {
    let (_d, p) = temp_file("p.json", b"defaultAction: SCMP_ACT_ALLOW\n");
    let e = Profile::read(&p).unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, ProfileError::Syntax { line: 1, .. }));
    assert!(msg.contains("p.json:1:1: not valid JSON"), "{msg}");
}

#[test]
fn a_100_mb_profile_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let e = Profile::read(&p).unwrap_err();
    assert!(matches!(e, ProfileError::TooLarge { .. }));
    assert!(
        e.to_string().contains("huge.json: the file is larger than"),
        "{e}"
    );
}

#[test]
fn unknown_actions_are_clear_errors() {
    let (_d, p) = temp_file(
        "p.json",
        b"{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [\n    {\"names\": [\"chmod\"], \"action\": \"SCMP_ACT_DENY\"}\n  ]\n}\n",
    );
    let e = Profile::read(&p).unwrap_err().to_string();
    assert!(
        e.contains("p.json:4: unknown seccomp action \"SCMP_ACT_DENY\""),
        "{e}"
    );
    assert!(e.contains("SCMP_ACT_ERRNO"), "lists the valid actions: {e}");
}
