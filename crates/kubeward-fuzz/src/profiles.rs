//! Seccomp JSON profiles and AppArmor profiles.

use kubeward_core::Report;
use kubeward_profiles::apparmor::{self, lint::LintOptions};
use kubeward_profiles::seccomp::{Profile, diff::diff, lint::lint};

use crate::report::check_report;

/// A seccomp profile: linted; written back as JSON it reads back to the same JSON; compared with
/// itself it shows no difference on any architecture.
pub fn seccomp(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(p) = Profile::parse("fuzz.json", text) else {
        return;
    };
    let mut report = Report::new("seccomp lint");
    report.extend(lint(&p));
    check_report(report);

    let written = p.to_json_text();
    let back = Profile::parse("written.json", &written)
        .unwrap_or_else(|e| panic!("a profile written back does not read back: {e}\n{written}"));
    assert_eq!(
        written,
        back.to_json_text(),
        "the written profile changed on reading"
    );

    for arch in p.effective_arches() {
        let d = diff(&p, &p, arch);
        assert!(
            d.is_empty(),
            "a profile differs from itself: {}",
            d.to_text()
        );
    }
}

/// An AppArmor profile file: parsed and linted.
pub fn apparmor(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = apparmor::parse("fuzz.profile", text);
    let _ = f.all_profiles();
    let opts = LintOptions {
        expected_name: Some("k8s-fuzz".into()),
    };
    let mut report = Report::new("apparmor lint");
    report.extend(apparmor::lint::lint(&f, &opts));
    check_report(report);
}
