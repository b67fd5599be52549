//! `kubeward audit follow` on files and stdin: appends, rotation and truncation, stopping
//! (--until-idle, SIGTERM), the webhook (failing then answering; never answering), metrics and
//! malformed lines. No wall-time assertion: waits are bounded only to turn a hang into a failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::follow::{HANG, a001, alerts_in, stderr_lines, wait_exit, wait_for};
use kubeward_audit::synth::{benign_event, event_hubs_body, exec_event};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
}

/// An exec into a production pod (rule A001), one audit log line.
fn exec(id: &str) -> String {
    exec_event(id) + "\n"
}

/// A benign read (no rule fires), one audit log line.
fn benign(id: &str) -> String {
    benign_event(id) + "\n"
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap();
    f.write_all(text.as_bytes()).unwrap();
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

fn read_all(rx: &Receiver<String>) -> String {
    rx.try_iter().collect::<Vec<_>>().join("\n")
}

#[test]
fn follows_a_file_across_appends_rotation_and_truncation() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.log");
    let out = dir.path().join("alerts.jsonl");
    append(&log, &(exec("a1") + &benign("b1")));
    let mut child = bin()
        .args(["audit", "follow"])
        .arg(&log)
        .arg("--alerts")
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let err = stderr_lines(&mut child);
    let read = || std::fs::read_to_string(&out).unwrap_or_default();
    wait_for("a1", || alerts_in(&read()).len() == 1);
    // Appended, with a line cut in two writes.
    let a2 = exec("a2");
    let (head, tail) = a2.split_at(100);
    append(&log, head);
    append(&log, &(tail.to_string() + &exec("a3")));
    wait_for("a2, a3", || alerts_in(&read()).len() == 3);
    // Rotation: renamed, one more line written to the old file, then a new file.
    std::fs::rename(&log, dir.path().join("audit.log.1")).unwrap();
    append(&dir.path().join("audit.log.1"), &exec("a4"));
    append(&log, &exec("c1"));
    wait_for("a4, c1", || alerts_in(&read()).len() == 5);
    // Truncation, then new lines.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&log)
        .unwrap()
        .set_len(0)
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    append(&log, &(exec("d1") + &exec("d2") + &exec("d3")));
    wait_for("d1..d3", || alerts_in(&read()).len() == 8);
    sigterm(&child);
    let status = wait_exit(&mut child);
    assert!(status.success(), "{status:?}: {}", read_all(&err));
    assert_eq!(
        alerts_in(&read()),
        a001(&["a1", "a2", "a3", "a4", "c1", "d1", "d2", "d3"])
    );
    let v: serde_json::Value = serde_json::from_str(read().lines().next().unwrap()).unwrap();
    assert_eq!(v["origin"]["kind"], "file");
    assert_eq!(v["origin"]["line"], 1);
    assert_eq!(v["origin"]["path"], log.display().to_string());
}

#[test]
fn stdin_is_read_to_its_end_and_malformed_lines_are_reported() {
    let mut child = bin()
        .args(["audit", "follow", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let text =
        exec("s1") + "{\"auditID\": \"broken\", \n" + &benign("s2") + &exec("s3") + &exec("s1");
    std::thread::spawn(move || input.write_all(text.as_bytes()));
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let status = wait_exit(&mut child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{stderr}");
    // s1 again is a redelivery: alerted once.
    assert_eq!(alerts_in(&stdout), a001(&["s1", "s3"]));
    assert!(
        stderr.contains("malformed input at (stdin):2: truncated"),
        "{stderr}"
    );
    assert!(
        stderr.contains("1 redeliveries skipped, 1 malformed"),
        "{stderr}"
    );
}

#[test]
fn until_idle_exits_zero_and_reports_file_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    append(&log, &(exec("i1") + "not json\n" + &exec("i2")));
    let missing = dir.path().join("not-yet.log");
    let o = bin()
        .args(["audit", "follow", "--until-idle", "1"])
        .arg(&log)
        .arg(&missing)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert_eq!(
        alerts_in(&String::from_utf8_lossy(&o.stdout)),
        a001(&["i1", "i2"])
    );
    assert!(
        stderr.contains(&format!("malformed input at {}:2: not JSON", log.display())),
        "{stderr}"
    );
    assert!(stderr.contains("no new data for --until-idle"), "{stderr}");
}

#[test]
fn bad_configuration_exits_2() {
    let o = bin().args(["audit", "follow"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nothing to follow"));
    let o = bin()
        .args(["audit", "follow", "--kafka", "127.0.0.1:9", "--topic", "t"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--group"));
    let o = bin()
        .args(["audit", "follow", "x.log", "--webhook", "ftp://example"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn sigterm_exits_zero_after_writing_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    let out = dir.path().join("alerts.jsonl");
    append(&log, &(exec("t1") + &exec("t2")));
    let mut child = bin()
        .args(["audit", "follow"])
        .arg(&log)
        .arg("--alerts")
        .arg(&out)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = stderr_lines(&mut child);
    let read = || std::fs::read_to_string(&out).unwrap_or_default();
    wait_for("t1, t2", || alerts_in(&read()).len() == 2);
    sigterm(&child);
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(0));
    assert!(read_all(&err).contains("stopped by a signal"));
    assert_eq!(alerts_in(&read()), a001(&["t1", "t2"]));
}

/// A webhook receiver: answers 500 to the first `fail` requests, then 200; keeps the bodies.
type Shared<T> = Arc<Mutex<T>>;

fn webhook_server(fail: usize) -> (String, Shared<Vec<String>>, Shared<usize>) {
    use axum::http::StatusCode;
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let calls = Arc::new(Mutex::new(0usize));
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let (b, c) = (bodies.clone(), calls.clone());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/hook",
                axum::routing::post(move |body: String| async move {
                    let n = {
                        let mut c = c.lock().unwrap();
                        *c += 1;
                        *c
                    };
                    if n <= fail {
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    b.lock().unwrap().push(body);
                    StatusCode::OK
                }),
            );
            let l = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(l, app).await.unwrap();
        });
    });
    (format!("http://{addr}/hook"), bodies, calls)
}

#[test]
fn webhook_that_fails_first_gets_every_alert() {
    let (url, bodies, calls) = webhook_server(2);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    append(
        &log,
        &(exec("w1") + &benign("x") + &exec("w2") + &exec("w3")),
    );
    let o = bin()
        .args(["audit", "follow", "--until-idle", "1", "--webhook", &url])
        .arg(&log)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let mut got = BTreeMap::new();
    for body in bodies.lock().unwrap().iter() {
        let v: Vec<serde_json::Value> = serde_json::from_str(body).unwrap();
        for a in v {
            *got.entry((
                a["code"].as_str().unwrap().to_string(),
                a["audit_id"].as_str().unwrap().to_string(),
            ))
            .or_insert(0) += 1;
        }
    }
    assert_eq!(got, a001(&["w1", "w2", "w3"]), "{stderr}");
    assert!(*calls.lock().unwrap() >= 3);
    assert!(
        stderr.contains("webhook: 3 sent, 0 dropped (queue full), 0 dropped (failed)"),
        "{stderr}"
    );
}

#[test]
fn webhook_that_never_answers_does_not_stop_reading() {
    // Accepts connections and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut held: Vec<TcpStream> = Vec::new();
        for s in listener.incoming().map_while(Result::ok) {
            held.push(s);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    let ids: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
    append(&log, &ids.iter().map(|i| exec(i)).collect::<String>());
    let o = bin()
        .args([
            "audit",
            "follow",
            "--until-idle",
            "1",
            "--webhook-queue",
            "2",
            "--webhook",
        ])
        .arg(format!("http://{addr}/hook"))
        .arg(&log)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(alerts_in(&String::from_utf8_lossy(&o.stdout)), a001(&refs));
    // Every alert is accounted for: none sent, most dropped for a full queue, the rest at exit.
    let tail = stderr.split("webhook: ").nth(1).expect("webhook summary");
    let nums: Vec<u64> = tail
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(nums[0], 0, "{stderr}");
    assert!(nums[1] >= 30, "{stderr}");
    assert_eq!(nums[1] + nums[2], 40, "{stderr}");
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(HANG)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (code, body)
}

/// `name{labels} value` lines of a Prometheus text exposition.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(' ')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect()
}

#[test]
fn metrics_are_served_and_count_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("a.log");
    append(
        &log,
        &(exec("m1") + &benign("m2") + "{oops\n" + &exec("m3") + &exec("m1")),
    );
    let mut child = bin()
        .args(["audit", "follow", "--metrics", "127.0.0.1:0"])
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = stderr_lines(&mut child);
    let first = err.recv_timeout(HANG).expect("the metrics address");
    let addr = first
        .strip_prefix("metrics on http://")
        .and_then(|s| s.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("{first}"))
        .to_string();
    let mut m = BTreeMap::new();
    wait_for("the events in the metrics", || {
        m = samples(&http_get(&addr, "/metrics").1);
        m.get("kubeward_follow_events_total") == Some(&3.0)
    });
    assert_eq!(m["kubeward_follow_units_total"], 5.0);
    assert_eq!(m["kubeward_follow_duplicates_total"], 1.0);
    assert_eq!(m["kubeward_follow_malformed_total"], 1.0);
    assert_eq!(
        m["kubeward_follow_alerts_total{code=\"A001\",name=\"pod-exec\"}"],
        2.0
    );
    assert_eq!(
        m[&format!("kubeward_follow_lag{{part=\"{}\"}}", log.display())],
        0.0
    );
    assert_eq!(
        m["kubeward_follow_alerts_dropped_total{reason=\"queue_full\"}"],
        0.0
    );
    assert_eq!(http_get(&addr, "/healthz").0, 200);
    assert_eq!(http_get(&addr, "/readyz").0, 200);
    sigterm(&child);
    assert!(wait_exit(&mut child).success());
}

#[test]
fn event_hubs_bodies_on_stdin_carry_the_cluster() {
    let cluster = "/SUBSCRIPTIONS/00000000-0000-0000-0000-000000000000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS1";
    let body = event_hubs_body(&[exec_event("h1"), exec_event("h2")], cluster) + "\n";
    let o = assert_cmd::Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(["audit", "follow", "-"])
        .write_stdin(body)
        .timeout(HANG)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(alerts_in(&out), a001(&["h1", "h2"]));
    for l in out.lines() {
        let v: serde_json::Value = serde_json::from_str(l).unwrap();
        assert_eq!(v["cluster"], cluster);
        assert_eq!(v["origin"], serde_json::json!({"kind": "stdin", "line": 1}));
        assert_eq!(v["object_name"], "web-7c9d");
    }
}
