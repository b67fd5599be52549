//! Hostile files and directories from the command line: FIFOs, endless devices, oversized
//! standard input, symlink loops and links out of the tree, a copied /proc pointing at another
//! one, and AKS node pools that belong to no cluster given.
//!
//! No run can hang the tests, and none is timed: every run has a CPU budget ([`CPU_SECONDS`],
//! enforced by the kernel through `prlimit`), so one that reads an endless input is killed
//! and the test fails; and every FIFO is watched by a writer ([`Fifo`]), so a command that
//! opened one would get end-of-file instead of blocking, and the test fails on that opening.

#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// CPU seconds a run may spend: far beyond what any of these runs needs, and reached only by a
/// run that keeps reading an endless input. A blocked run spends none: FIFOs are [`Fifo`]s.
const CPU_SECONDS: u32 = 60;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.all()))
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run kubeward; `stdin` is written by a thread (and may be cut short when kubeward stops
/// reading). Panics when the process has to be killed.
fn run(args: &[&str], stdin: Option<Box<dyn Read + Send>>) -> Run {
    let mut child = Command::new("prlimit")
        .arg(format!("--cpu={CPU_SECONDS}"))
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .current_dir(root())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kubeward");
    let feeder = stdin.map(|mut src| {
        let mut pipe = child.stdin.take().expect("stdin");
        std::thread::spawn(move || {
            // Broken pipe once kubeward stops reading: expected.
            let _ = std::io::copy(&mut src, &mut pipe);
        })
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = child.wait().expect("wait");
    // SIGXCPU (24): the CPU budget ran out, i.e. the run kept reading.
    assert_ne!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(24),
        "kubeward {args:?} spent its {CPU_SECONDS} s CPU budget: it did not stop reading"
    );
    if let Some(f) = feeder {
        let _ = f.join();
    }
    Run {
        code: status.code(),
        stdout: out_t.join().unwrap_or_default(),
        stderr: err_t.join().unwrap_or_default(),
    }
}

/// A FIFO with a writer always waiting on it: a command that opens it for reading is never
/// blocked (it reads end-of-file), and the opening is counted. [`Fifo::never_opened`] ends the
/// watch.
struct Fifo {
    path: PathBuf,
    opened: Arc<AtomicUsize>,
    done: Arc<AtomicBool>,
    writer: Option<std::thread::JoinHandle<()>>,
}

fn mkfifo(p: &Path) -> Fifo {
    let ok = Command::new("mkfifo")
        .arg(p)
        .status()
        .expect("mkfifo")
        .success();
    assert!(ok, "mkfifo {}", p.display());
    let opened = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let (path, o, d) = (p.to_path_buf(), Arc::clone(&opened), Arc::clone(&done));
    // Opening a FIFO for writing waits for a reader: each return is one reader's opening.
    let writer = std::thread::spawn(move || {
        while std::fs::OpenOptions::new().write(true).open(&path).is_ok() {
            if d.load(Ordering::SeqCst) {
                return;
            }
            o.fetch_add(1, Ordering::SeqCst);
        }
    });
    Fifo {
        path: p.to_path_buf(),
        opened,
        done,
        writer: Some(writer),
    }
}

impl Fifo {
    /// Release the writer (by being its last reader) and assert no command opened the FIFO.
    fn never_opened(mut self) {
        self.done.store(true, Ordering::SeqCst);
        drop(std::fs::File::open(&self.path).expect("open the FIFO to release its writer"));
        if let Some(w) = self.writer.take() {
            w.join().expect("writer thread");
        }
        assert_eq!(
            self.opened.load(Ordering::SeqCst),
            0,
            "{} was opened: a FIFO must be refused before it is opened",
            self.path.display()
        );
    }
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

#[test]
fn a_fifo_given_as_a_file_is_refused_by_every_command() {
    let d = tempfile::tempdir().unwrap();
    let fifo = d.path().join("input.json");
    let watch_json = mkfifo(&fifo);
    let yaml_fifo = d.path().join("input.yaml");
    let watch_yaml = mkfifo(&yaml_fifo);
    let f = s(&fifo);
    let good_log = "examples/audit/PT1H.json";
    let cases: Vec<Vec<&str>> = vec![
        vec!["workloads", s(&yaml_fifo)],
        vec!["pss", f],
        vec!["rbac", "who-can", "get", "secrets", f],
        vec!["netpol", "list", f],
        vec!["audit", "scan", f],
        vec!["audit", "policy", f],
        vec!["audit", "scan", "--secret-readers", f, good_log],
        vec!["aks", "check", f],
        vec!["seccomp", "lint", f],
        vec!["apparmor", "lint", f],
        vec!["render", f],
        vec!["report", "merge", f],
        vec!["scan", f],
        vec!["netpol", "generate", "--flows", f, "examples/cluster/shop"],
    ];
    for args in cases {
        // Exits by itself (`run` fails otherwise); `report merge` reports an unreadable node as
        // an ERROR finding, which fails a run only with --fail-on-error.
        let r = run(&args, None);
        assert!(r.code.is_some(), "{args:?}: killed by a signal");
        assert!(
            r.all().contains("FIFO"),
            "{args:?} should name the FIFO: {}",
            r.all()
        );
    }
    watch_json.never_opened();
    watch_yaml.never_opened();
}

#[test]
fn endless_devices_are_refused_not_read() {
    for args in [
        vec!["audit", "scan", "/dev/zero"],
        vec!["audit", "scan", "/dev/urandom"],
        vec!["render", "/dev/zero"],
        vec!["aks", "check", "/dev/zero"],
        vec![
            "report",
            "merge",
            "examples/cluster/node-reports/aks-nodepool1-vmss000000.jsonl",
            "/dev/zero",
        ],
        vec!["audit", "policy", "/dev/zero"],
        vec!["netpol", "list", "/dev/zero"],
        vec!["apparmor", "lint", "/dev/zero"],
        vec!["workloads", "/dev/zero"],
        vec!["seccomp", "lint", "/dev/zero"],
    ] {
        let r = run(&args, None);
        assert!(r.code.is_some(), "{args:?}: killed by a signal");
        assert!(
            r.all().contains("character device"),
            "{args:?}: {}",
            r.all()
        );
    }
}

/// Zero bytes, `n` of them, without holding them.
fn zeros(n: u64) -> Box<dyn Read + Send> {
    Box::new(std::io::repeat(0).take(n))
}

#[test]
fn oversized_standard_input_stops_at_the_limit() {
    // 256 MiB is the documented limit of an input held whole; 300 MiB are offered.
    let r = run(
        &["workloads", "-o", "json", "-"],
        Some(zeros(300 * 1024 * 1024)),
    );
    assert_eq!(r.code, Some(2), "{}", r.all());
    assert!(r.all().contains("256 MiB"), "{}", r.all());
    let r = run(&["render", "-"], Some(zeros(300 * 1024 * 1024)));
    assert_ne!(r.code, Some(0));
    assert!(r.all().contains("256 MiB limit"), "{}", r.all());
}

#[test]
fn audit_directories_with_loops_or_no_logs_do_not_hide_the_good_files() {
    let d = tempfile::tempdir().unwrap();
    let logs = d.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    std::fs::copy(
        root().join("examples/audit/PT1H.json"),
        logs.join("PT1H.json"),
    )
    .unwrap();
    std::os::unix::fs::symlink("b.json", logs.join("a.json")).unwrap();
    std::os::unix::fs::symlink("a.json", logs.join("b.json")).unwrap();
    // A link to / must not walk the machine's filesystem.
    std::os::unix::fs::symlink("/", logs.join("everything")).unwrap();
    let empty = d.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let r = run(&["audit", "scan", "-o", "json", s(&logs), s(&empty)], None);
    assert_eq!(
        r.code,
        Some(1),
        "FAIL findings of the good file: {}",
        r.all()
    );
    let report = r.json();
    let errors = report["input_errors"].as_array().expect("input errors");
    let said = |needle: &str| errors.iter().any(|e| e.to_string().contains(needle));
    assert!(said("symbolic link loop"), "{errors:?}");
    assert!(said("outside"), "{errors:?}");
    assert!(said("no audit log in this directory"), "{errors:?}");
    let findings = report["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["code"] == "A011" && f["status"] == "FAIL")
    );
}

#[test]
fn directory_walks_stay_inside_the_tree() {
    let d = tempfile::tempdir().unwrap();
    let tree = d.path().join("tree");
    let outside = d.path().join("outside");
    std::fs::create_dir_all(tree.join("apps")).unwrap();
    std::fs::create_dir(&outside).unwrap();
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  containers: [{{name: c, image: nginx}}]\n"
        )
    };
    std::fs::write(tree.join("apps/inside.yaml"), pod("inside")).unwrap();
    std::fs::write(tree.join("apps/real.txt"), pod("linked")).unwrap();
    std::fs::write(outside.join("secret.yaml"), pod("stranger")).unwrap();
    std::os::unix::fs::symlink("apps/real.txt", tree.join("linked.yaml")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.yaml"), tree.join("out.yaml")).unwrap();
    std::os::unix::fs::symlink(&outside, tree.join("outdir")).unwrap();
    std::os::unix::fs::symlink("/", tree.join("slash")).unwrap();
    std::os::unix::fs::symlink(&tree, tree.join("apps/loop")).unwrap();
    // A FIFO inside the tree is reported, never opened (scan used to skip it silently).
    let pipe = mkfifo(&tree.join("apps/pipe.yaml"));
    for cmd in ["workloads", "scan"] {
        let r = run(&[cmd, "-o", "json", s(&tree)], None);
        let report = r.json();
        let text = report.to_string();
        assert!(text.contains("inside"), "{cmd}: {}", r.all());
        assert!(
            text.contains("linked"),
            "{cmd}: the link inside the tree is followed"
        );
        assert!(
            !text.contains("stranger"),
            "{cmd}: a link out of the tree is not followed"
        );
        let errors = report["input_errors"].as_array().expect("input errors");
        assert!(
            errors.iter().any(
                |e| e["path"].as_str().is_some_and(|p| p.ends_with("pipe.yaml"))
                    && e["message"].as_str().is_some_and(|m| m.contains("FIFO"))
            ),
            "{cmd}: the FIFO is reported: {errors:?}"
        );
        for link in ["out.yaml", "outdir", "slash"] {
            assert!(
                errors
                    .iter()
                    .any(|e| e["path"].as_str().is_some_and(|p| p.ends_with(link))
                        && e["message"].as_str().is_some_and(|m| m.contains("outside"))),
                "{cmd}: {link} is reported: {errors:?}"
            );
        }
    }
    pipe.never_opened();
}

/// A node root whose /proc is a symlink to another proc directory (the host's, say): nothing
/// under the link is read, and a FIFO at a process's cmdline never blocks.
#[test]
fn node_root_proc_links_and_fifos() {
    let d = tempfile::tempdir().unwrap();
    let host_proc = d.path().join("host/proc/77");
    std::fs::create_dir_all(&host_proc).unwrap();
    std::fs::write(host_proc.join("comm"), "kubelet\n").unwrap();
    std::fs::write(
        host_proc.join("cmdline"),
        "/usr/local/bin/kubelet\0--anonymous-auth=true\0",
    )
    .unwrap();
    let node = d.path().join("node");
    std::fs::create_dir_all(node.join("etc/kubernetes")).unwrap();
    std::os::unix::fs::symlink(d.path().join("host/proc"), node.join("proc")).unwrap();
    let r = run(&["node", "--root", s(&node), "-o", "json"], None);
    assert_eq!(r.code, Some(2), "no kubelet on this node: {}", r.all());
    assert!(!r.all().contains("anonymous-auth"), "{}", r.all());

    let fifo_node = d.path().join("fifo-node");
    let p = fifo_node.join("proc/42");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("comm"), "kubelet\n").unwrap();
    let cmdline = mkfifo(&p.join("cmdline"));
    let r = run(&["node", "--root", s(&fifo_node), "-o", "json"], None);
    assert_eq!(r.code, Some(2), "{}", r.all());
    cmdline.never_opened();
}

#[test]
fn an_orphan_node_pool_is_reported_not_merged() {
    let d = tempfile::tempdir().unwrap();
    // A pool list without ids, with a pool named like the example's but hardened.
    let pools = d.path().join("pools.json");
    let mut f = std::fs::File::create(&pools).unwrap();
    f.write_all(br#"[{"name":"system","vmSize":"Standard_D4ds_v5","mode":"System","enableNodePublicIp":false,"enableEncryptionAtHost":true}]"#)
        .unwrap();
    let baseline = run(
        &["aks", "check", "-o", "json", "examples/aks/aks-show.json"],
        None,
    );
    let r = run(
        &[
            "aks",
            "check",
            "-o",
            "json",
            "examples/aks/aks-show.json",
            s(&pools),
        ],
        None,
    );
    let verdicts = |run: &Run| -> Vec<(String, String)> {
        run.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| (f["code"].to_string(), f["status"].to_string()))
            .collect()
    };
    assert_eq!(
        verdicts(&baseline),
        verdicts(&r),
        "the orphan changed no verdict"
    );
    let errors = r.json()["input_errors"].clone();
    assert!(
        errors.to_string().contains("node pool system not attached"),
        "{errors}"
    );
    for format in ["text", "markdown", "html", "sarif", "junit"] {
        let out = run(
            &[
                "aks",
                "check",
                "-o",
                format,
                "examples/aks/aks-show.json",
                s(&pools),
            ],
            None,
        );
        assert!(
            out.all().contains("not attached"),
            "{format}: {}",
            out.all()
        );
    }
}
