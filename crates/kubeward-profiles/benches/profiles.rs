//! Figures for the profile commands on generated inputs (run: `cargo bench -p kubeward-profiles`).
//! Prints timings; asserts nothing about speed.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use kubeward_profiles::apparmor;
use kubeward_profiles::seccomp::Profile;
use kubeward_profiles::seccomp::default::{ContainerdVersion, runtime_default};
use kubeward_profiles::seccomp::diff::diff;
use kubeward_profiles::seccomp::generate::{GenerateOptions, Observed, generate};
use kubeward_profiles::seccomp::lint::{lint, lint_files};
use kubeward_profiles::syscall_table::Arch;

fn time<T>(label: &str, runs: u32, mut f: impl FnMut() -> T) -> T {
    let start = Instant::now();
    let mut out = None;
    for _ in 0..runs {
        out = Some(f());
    }
    let per = start.elapsed() / runs;
    println!("{label:<60} {per:>12.2?} per run ({runs} runs)");
    out.unwrap()
}

fn main() {
    // The containerd default: the largest realistic profile (one ~310-name rule + 10 filtered).
    let default_text = runtime_default(ContainerdVersion::LATEST, Arch::X86_64).to_json_text();
    println!("containerd default profile: {} bytes", default_text.len());
    let p = time("parse containerd default profile", 200, || {
        Profile::parse("default.json", &default_text).unwrap()
    });
    time("lint containerd default profile (12 rules)", 50, || {
        lint(&p)
    });
    // The whole `seccomp lint` pipeline, as the CLI runs it: read the file from disk, then lint.
    let dir = tempfile::tempdir().unwrap();
    let default_file = dir.path().join("default.json");
    std::fs::write(&default_file, &default_text).unwrap();
    time(
        "seccomp lint pipeline: read + lint the default from a file",
        50,
        || lint_files(std::slice::from_ref(&default_file)),
    );
    let older = runtime_default("1.7.27".parse().unwrap(), Arch::X86_64);
    time("diff containerd 2.3 vs 1.7 defaults (x86_64)", 50, || {
        diff(&p, &older, Arch::X86_64)
    });

    // A long audit log: 200,000 SECCOMP records over 60 syscall numbers.
    let mut audit = String::new();
    for i in 0..200_000u32 {
        audit.push_str(&format!(
            "type=SECCOMP msg=audit(1700000000.{i}:{i}): auid=4294967295 uid=0 gid=0 ses=4294967295 pid={} comm=\"app\" exe=\"/app\" sig=0 arch=c000003e syscall={} compat=0 ip=0x7f code=0x7ffc0000\n",
            1000 + i % 50,
            i % 60
        ));
    }
    println!("audit log: {:.1} MiB", audit.len() as f64 / 1048576.0);
    let observed = time("read 200k audit SECCOMP records", 3, || {
        let mut o = Observed::default();
        o.read("audit.log", &audit, Arch::X86_64);
        o
    });
    let opts = GenerateOptions {
        arch: Arch::X86_64,
        base: None,
        runtime_startup: true,
        deny: Default::default(),
    };
    time(
        "generate allow-list profile from 60 observed syscalls",
        50,
        || generate(&observed, &opts),
    );

    // A long AppArmor profile: 5,000 file rules.
    let mut aa = String::from(
        "abi <abi/3.0>,\n#include <tunables/global>\nprofile big flags=(attach_disconnected) {\n  #include <abstractions/base>\n",
    );
    for i in 0..5_000 {
        aa.push_str(&format!(
            "  /srv/data/{i}/** r,\n  deny /srv/data/{i}/secret w,\n"
        ));
    }
    aa.push_str("}\n");
    let f = time("parse AppArmor profile with 10,000 rules", 5, || {
        apparmor::parse("big.profile", &aa)
    });
    time("lint AppArmor profile with 10,000 rules", 3, || {
        apparmor::lint::lint(&f, &Default::default())
    });
    let big_file = dir.path().join("big.profile");
    std::fs::write(&big_file, &aa).unwrap();
    time(
        "apparmor lint pipeline: read + parse + lint the 10,000-rule file",
        3,
        || apparmor::lint::lint_files(std::slice::from_ref(&big_file), &Default::default()),
    );
    // Worst case for the glob-driven rules: `file,` plus thousands of write and exec rules.
    let mut aa = String::from("profile wide flags=(attach_disconnected) {\n  file,\n");
    for i in 0..2_000 {
        aa.push_str(&format!(
            "  /srv/{i}/** rw,\n  /opt/{i}/bin/* ix,\n  deny /srv/{i}/x w,\n"
        ));
    }
    aa.push_str("}\n");
    let f = apparmor::parse("wide.profile", &aa);
    time(
        "lint AppArmor profile: file, + 2,000 rw + 2,000 ix + 2,000 deny",
        1,
        || apparmor::lint::lint(&f, &Default::default()),
    );
}
