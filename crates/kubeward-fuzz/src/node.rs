//! The kubelet: its command line (`/proc/<pid>/cmdline`) and its configuration file, read through a
//! whole node scan of a scratch node root, so discovery, the effective configuration and every
//! node check see the fuzzed input.

use std::cell::RefCell;
use std::path::Path;

use kubeward_node::argv::Argv;

use crate::report::check_report;

const PID: &str = "4242";
const CONFIG: &str = "etc/kubernetes/kubelet.yaml";
const PROGRAM: &[u8] = b"/usr/local/bin/kubelet\0";
const CONFIG_ARGS: &[u8] =
    b"--config=/etc/kubernetes/kubelet.yaml\0--kubeconfig=/var/lib/kubelet/kubeconfig\0";
/// The configuration the argv harness's kubelet finds when its flags name `--config`.
const DEFAULT_CONFIG: &[u8] = b"apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: false\nreadOnlyPort: 0\n";

thread_local! {
    /// One scratch node root per thread (the replay test runs harnesses on several threads).
    static ROOT: RefCell<Option<tempfile::TempDir>> = const { RefCell::new(None) };
}

fn write(root: &Path, rel: &str, bytes: &[u8]) {
    let path = root.join(rel);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("scratch node root");
    }
    std::fs::write(path, bytes).expect("scratch node root");
}

/// Scan a node root whose kubelet runs with `cmdline` and whose config file holds `config`.
fn scan_node(cmdline: &[u8], config: &[u8]) {
    ROOT.with(|cell| {
        let mut slot = cell.borrow_mut();
        let dir = match slot.as_ref() {
            Some(d) => d,
            None => slot.insert(
                tempfile::Builder::new()
                    .prefix("kubeward-fuzz-node")
                    .tempdir()
                    .expect("scratch node root"),
            ),
        };
        let root = dir.path();
        write(root, &format!("proc/{PID}/comm"), b"kubelet\n");
        write(root, &format!("proc/{PID}/cmdline"), cmdline);
        write(root, CONFIG, config);
        let outcome = kubeward_node::scan(&kubeward_node::ScanOptions::new(root));
        assert!(
            outcome.kubelet_found,
            "the scratch root's kubelet was not found"
        );
        check_report(outcome.report);
    });
}

/// A kubelet configuration file (YAML or JSON) given by `--config`.
pub fn kubelet_config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = kubeward_node::kubelet::parse_config_text(text);
    }
    let mut cmdline = PROGRAM.to_vec();
    cmdline.extend_from_slice(CONFIG_ARGS);
    scan_node(&cmdline, data);
}

/// The kubelet's arguments (NUL-separated, as in `/proc/<pid>/cmdline`, program name omitted).
pub fn kubelet_argv(data: &[u8]) {
    let argv = Argv::from_cmdline(data);
    let words = data.split(|b| *b == 0).count();
    let mut occurrences = 0;
    for (name, f) in &argv.flags {
        assert!(
            f.index < words,
            "--{name}: index {} past {words} words",
            f.index
        );
        assert!(f.occurrences >= 1);
        occurrences += f.occurrences;
    }
    assert!(
        occurrences < words.max(1),
        "more flag occurrences than words"
    );
    for (gate, (_, index)) in &argv.feature_gates {
        assert!(*index < words, "feature gate {gate}: index past the words");
    }
    assert!(!argv.program_name().contains('/'));

    let mut cmdline = PROGRAM.to_vec();
    cmdline.extend_from_slice(data);
    scan_node(&cmdline, DEFAULT_CONFIG);
}
