//! Shared test helpers: materialise a node-root fixture (copy + MODES) and look findings up.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use kubeward_core::{Finding, Report, Status};
use kubeward_node::{ScanOptions, example, scan};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn aks_example_src() -> PathBuf {
    repo_root().join("examples/aks-node")
}

pub fn kubeadm_fixture_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubeadm-node")
}

/// A materialised fixture; `as_root` says whether owners were applied.
pub struct Node {
    pub dir: tempfile::TempDir,
    pub as_root: bool,
}

impl Node {
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn path(&self, node_path: &str) -> PathBuf {
        self.dir.path().join(node_path.trim_start_matches('/'))
    }
    pub fn scan(&self) -> Report {
        let mut r = scan(&ScanOptions::new(self.root())).report;
        r.finish();
        r
    }
    pub fn scan_with(&self, profile: &str) -> Report {
        let mut o = ScanOptions::new(self.root());
        o.benchmark = kubeward_core::profile::find(profile);
        assert!(o.benchmark.is_some(), "unknown profile {profile}");
        let mut r = scan(&o).report;
        r.finish();
        r
    }
    /// Replace a node file's content (keeping or setting a mode).
    pub fn write(&self, node_path: &str, content: &[u8]) {
        let p = self.path(node_path);
        let _ = std::fs::remove_file(&p);
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
    }
    pub fn chmod(&self, node_path: &str, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(self.path(node_path), std::fs::Permissions::from_mode(mode))
            .unwrap();
    }
    /// Rewrite the kubelet's argv (NUL-separated) in the fixture's /proc.
    pub fn set_kubelet_argv(&self, pid: u32, argv: &[&str]) {
        let mut raw = argv.join("\0").into_bytes();
        raw.push(0);
        std::fs::write(self.path(&format!("/proc/{pid}/cmdline")), raw).unwrap();
    }
}

pub fn materialize(src: &Path) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let as_root = example::materialize(src, dir.path()).unwrap();
    Node { dir, as_root }
}

pub fn aks_node() -> Node {
    materialize(&aks_example_src())
}

pub fn kubeadm_node() -> Node {
    materialize(&kubeadm_fixture_src())
}

pub const AKS_KUBELET_PID: u32 = 2371;
pub const KUBEADM_KUBELET_PID: u32 = 700;

pub fn finding<'a>(r: &'a Report, code: &str) -> &'a Finding {
    let hits: Vec<&Finding> = r.findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(
        hits.len(),
        1,
        "expected exactly one {code} finding, got {}",
        hits.len()
    );
    hits[0]
}

pub fn status(r: &Report, code: &str) -> Status {
    finding(r, code).status
}
