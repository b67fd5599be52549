//! The good example profiles in examples/profiles are what kubeward generates today, and they lint
//! clean. (Regenerate them with the commands in docs/aks-apparmor-seccomp-walkthrough.md.)
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::PathBuf;

use kubeward_core::Status;
use kubeward_profiles::apparmor;
use kubeward_profiles::seccomp::default::runtime_default;
use kubeward_profiles::seccomp::diff::diff;
use kubeward_profiles::seccomp::generate::{GenerateOptions, Observed, generate};
use kubeward_profiles::seccomp::{Profile, lint::lint};
use kubeward_profiles::syscall_table::Arch;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/profiles")
        .join(name)
}

fn read(name: &str) -> String {
    std::fs::read_to_string(example(name)).unwrap()
}

fn opts() -> GenerateOptions {
    GenerateOptions {
        arch: Arch::X86_64,
        base: None,
        runtime_startup: true,
        deny: BTreeSet::new(),
    }
}

#[test]
fn web_app_profile_is_generated_from_its_trace_and_lints_clean() {
    let mut o = Observed::default();
    o.read("web-app.strace", &read("web-app.strace"), Arch::X86_64);
    let (p, _) = generate(&o, &opts());
    assert_eq!(
        p.to_json_text(),
        read("web-app.json"),
        "examples/profiles/web-app.json is stale"
    );
    let file = Profile::read(&example("web-app.json")).unwrap();
    assert!(lint(&file).iter().all(|f| f.status == Status::Pass));
    assert!(diff(&p, &file, Arch::X86_64).is_empty());
}

#[test]
fn fixed_prevent_chmod_is_runtime_default_minus_the_chmod_family() {
    let v = "2.0.11".parse().unwrap();
    let deny = ["chmod", "fchmod", "fchmodat", "fchmodat2"]
        .map(String::from)
        .into_iter()
        .collect();
    let (p, _) = generate(
        &Observed::default(),
        &GenerateOptions {
            base: Some(v),
            deny,
            ..opts()
        },
    );
    assert_eq!(
        p.to_json_text(),
        read("prevent-chmod-fixed.json"),
        "prevent-chmod-fixed.json is stale"
    );
    let file = Profile::read(&example("prevent-chmod-fixed.json")).unwrap();
    assert!(lint(&file).iter().all(|f| f.status == Status::Pass));
    let d = diff(&file, &runtime_default(v, Arch::X86_64), Arch::X86_64);
    assert_eq!(
        d.allowed_only_right,
        vec!["chmod", "fchmod", "fchmodat", "fchmodat2"]
    );
    assert!(d.allowed_only_left.is_empty() && d.changed.is_empty() && d.default_action.is_none());
}

#[test]
fn generated_apparmor_example_matches_its_spec_and_lints_clean() {
    let spec = apparmor::generate::Spec::parse("deny-write-etc.yaml", &read("deny-write-etc.yaml"))
        .unwrap();
    assert_eq!(
        apparmor::generate::render(&spec),
        read("deny-write-etc.profile")
    );
    let f = apparmor::AppArmorFile::read(&example("deny-write-etc.profile")).unwrap();
    let opts = apparmor::lint::LintOptions {
        expected_name: Some("k8s-deny-write-etc".into()),
    };
    let bad: Vec<_> = apparmor::lint::lint(&f, &opts)
        .into_iter()
        .filter(|x| matches!(x.status, Status::Fail | Status::Warn))
        .map(|x| x.message)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}
