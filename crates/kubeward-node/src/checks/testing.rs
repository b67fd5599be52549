//! Test-only: turn a check's `doc.bad` / `doc.good` into a node root and run the real scan on it.
//!
//! An example is a few lines, each one of:
//! - `-rw-r--r-- root:root /path`: a file with that mode and owner (`ls -l` style), empty unless
//!   indented lines follow with its content;
//! - `/path: value`, or `/path:` followed by indented lines: a file and its content;
//! - anything else (`kubelet --anonymous-auth=false`): a running process and its command line.
//!   When an example names no process, a kubelet with no flags runs.

use std::path::Path;

use kubeward_core::{Area, CheckMeta, Finding, Status};

use crate::example::{ModeEntry, apply_modes};
use crate::{ScanOptions, scan};

/// The pids the AKS example node uses, so an example can name `/proc/2371/status` for the kubelet.
fn pid_of(program: &str, index: usize) -> u32 {
    match program {
        "systemd" | "init" => 1,
        "containerd" => 812,
        "kubelet" => 2371,
        "kube-proxy" => 3105,
        _ => 4000 + u32::try_from(index).unwrap_or(0),
    }
}

/// Owners by name, as `ls -l` shows them.
fn id_of(name: &str) -> u32 {
    match name {
        "root" => 0,
        "azureuser" => 1000,
        "nobody" | "nogroup" => 65534,
        n => n.parse().unwrap_or_else(|_| panic!("unknown user {n:?}")),
    }
}

/// `-rw-r--r--` → 0o644 (`s`/`t` bits are not needed by any example).
fn parse_mode(s: &str) -> u32 {
    assert!(s.len() == 10 && s.starts_with('-'), "bad mode {s:?}");
    s[1..].chars().fold(0, |acc, c| {
        assert!("rwx-".contains(c), "bad mode {s:?}");
        (acc << 1) | u32::from(c != '-')
    })
}

fn dedent(block: &[&str]) -> String {
    let indent = block
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    block
        .iter()
        .map(|l| format!("{}\n", l.get(indent..).unwrap_or("")))
        .collect()
}

fn write(root: &Path, node_path: &str, content: &[u8]) {
    let p = root.join(node_path.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// Build the node described by `example` under `root`. Returns `false` when the example needs
/// owners that this user cannot set (only root can chown).
pub fn build(example: &str, root: &Path) -> bool {
    let lines: Vec<&str> = example.lines().collect();
    let mut processes: Vec<Vec<&str>> = Vec::new();
    let mut files: Vec<(&str, String)> = Vec::new();
    let mut modes: Vec<ModeEntry> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        let start = i;
        while i < lines.len() && lines[i].starts_with(char::is_whitespace) {
            i += 1;
        }
        let content = dedent(&lines[start..i]);
        if line.starts_with('/') {
            let (path, value) = line.split_once(':').unwrap();
            let value = value.trim();
            let text = if value.is_empty() {
                content
            } else {
                format!("{value}\n")
            };
            files.push((path, text));
        } else if line.starts_with('-') {
            let words: Vec<&str> = line.split_whitespace().collect();
            let [mode, owner, path] = words[..] else {
                panic!("expected `mode user:group path`: {line:?}");
            };
            let (u, g) = owner.split_once(':').unwrap();
            files.push((path, content));
            modes.push(ModeEntry {
                path: path.trim_start_matches('/').to_string(),
                mode: parse_mode(mode),
                owner: Some((id_of(u), id_of(g))),
            });
        } else {
            processes.push(line.split_whitespace().collect());
        }
    }
    if processes.is_empty() {
        processes.push(vec!["kubelet"]);
    }
    write(
        root,
        "/etc/hostname",
        b"aks-nodepool1-12345678-vmss000000\n",
    );
    for (n, argv) in processes.iter().enumerate() {
        let comm = argv[0].rsplit('/').next().unwrap();
        let pid = pid_of(comm, n);
        let mut cmdline = argv.join("\0").into_bytes();
        cmdline.push(0);
        write(
            root,
            &format!("/proc/{pid}/comm"),
            format!("{comm}\n").as_bytes(),
        );
        write(root, &format!("/proc/{pid}/cmdline"), &cmdline);
        write(
            root,
            &format!("/proc/{pid}/status"),
            format!("Name:\t{comm}\nPid:\t{pid}\nSeccomp:\t2\nSeccomp_filters:\t1\n").as_bytes(),
        );
        if comm == "kube-proxy" {
            // kube-proxy's files are read through its root; here it shares the node's.
            std::os::unix::fs::symlink("/", root.join(format!("proc/{pid}/root"))).unwrap();
        }
    }
    for (path, content) in &files {
        write(root, path, content.as_bytes());
    }
    let as_root = apply_modes(root, &modes).unwrap();
    as_root || modes.iter().all(|m| m.owner == Some((0, 0)))
}

/// The findings of `meta`'s code when the node described by `example` is scanned with the first
/// benchmark the check belongs to (detected when it belongs to none); `None` when the example
/// cannot be built by this user.
pub fn run(meta: &CheckMeta, example: &str) -> Option<Vec<Finding>> {
    let dir = tempfile::tempdir().unwrap();
    if !build(example, dir.path()) {
        return None;
    }
    let mut opts = ScanOptions::new(dir.path());
    opts.benchmark = meta
        .profiles
        .first()
        .and_then(|id| kubeward_core::profile::find(id));
    let outcome = scan(&opts);
    Some(
        outcome
            .report
            .findings
            .into_iter()
            .filter(|f| f.code == meta.code)
            .collect(),
    )
}

/// `doc.bad` gives a failing finding (FAIL, or WARN for the checks that warn) and `doc.good` one
/// that is neither failing nor an error. K100, the scan's statement that no kubelet runs, is
/// reported for its bad example and absent for its good one.
pub fn assert_examples(meta: &CheckMeta) {
    let failing = |s: Status| matches!(s, Status::Fail | Status::Warn);
    if let Some(bad) = run(meta, meta.doc.bad) {
        if meta.area == Area::General {
            assert_eq!(bad.len(), 1, "{}: bad example not reported", meta.code);
        } else {
            assert!(
                bad.len() == 1 && failing(bad[0].status),
                "{}: bad example gives {:?}",
                meta.code,
                bad.iter()
                    .map(|f| (f.status, f.message.to_string()))
                    .collect::<Vec<_>>()
            );
        }
    } else {
        eprintln!("{}: bad example skipped (owners need root)", meta.code);
    }
    if let Some(good) = run(meta, meta.doc.good) {
        if meta.area == Area::General {
            assert!(good.is_empty(), "{}: good example reported", meta.code);
        } else {
            assert!(
                good.len() == 1 && !failing(good[0].status) && good[0].status != Status::Error,
                "{}: good example gives {:?}",
                meta.code,
                good.iter()
                    .map(|f| (f.status, f.message.to_string()))
                    .collect::<Vec<_>>()
            );
        }
    } else {
        eprintln!("{}: good example skipped (owners need root)", meta.code);
    }
}

mod tests {
    use super::*;

    #[test]
    fn modes_read_like_ls() {
        assert_eq!(parse_mode("-rw-r--r--"), 0o644);
        assert_eq!(parse_mode("-rw-------"), 0o600);
        assert_eq!(parse_mode("-rwxrwxrwx"), 0o777);
    }

    #[test]
    fn a_swapped_example_is_caught() {
        let mut meta = crate::checks::n123_kubelet_read_only_port::META;
        std::mem::swap(&mut meta.doc.bad, &mut meta.doc.good);
        assert!(std::panic::catch_unwind(|| assert_examples(&meta)).is_err());
    }
}
