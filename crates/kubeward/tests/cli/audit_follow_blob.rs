//! `kubeward audit follow` on a storage container, against Azurite (Microsoft's storage
//! emulator, installed by scripts/install-test-deps.sh into .ci/node_modules) started on
//! 127.0.0.1 with a port of its choosing and in-memory storage. Blobs are written in AKS's
//! layout (hourly append blobs of resource-log records); the follower is a real process.
//!
//! Without Azurite the tests print a note and pass, except under CI (`CI` set), where they
//! fail. No wall-time assertion: waits are bounded only to turn a hang into a failure.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::channel;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::follow::{HANG, a001, alerts_in, stderr_lines, wait_exit, wait_for};
use kubeward_follow::blob::auth;

/// The emulator's account and key, as published in its documentation.
const ACCOUNT: &str = "devstoreaccount1";
const KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const CONTAINER: &str = "insights-logs-kube-audit";
const CLUSTER: &str = "/SUBSCRIPTIONS/8F0C2D6E-3B1A-4C5D-9E7F-1A2B3C4D5E6F/RESOURCEGROUPS/RG-SHOP-PROD/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/AKS-SHOP-PROD";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
}

/// The emulator, stopped when dropped.
struct Azurite {
    child: Child,
    endpoint: String,
    _dir: tempfile::TempDir,
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn azurite_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KUBEWARD_AZURITE_BLOB") {
        return Some(p.into()).filter(|p: &PathBuf| p.exists());
    }
    let local =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/node_modules/.bin/azurite-blob");
    if local.exists() {
        return Some(local);
    }
    let on_path = Command::new("azurite-blob")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    on_path.then(|| "azurite-blob".into())
}

/// Starts the emulator, or returns None (with a note) when it is not installed outside CI.
fn azurite() -> Option<Azurite> {
    let Some(bin) = azurite_bin() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "azurite-blob is not installed (scripts/install-test-deps.sh installs it into .ci/node_modules)"
        );
        eprintln!(
            "note: azurite-blob not found; storage follower tests skipped (run scripts/install-test-deps.sh)"
        );
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--blobHost",
            "127.0.0.1",
            "--blobPort",
            "0",
            "--inMemoryPersistence",
            "--extentMemoryLimit",
            "256",
            "--skipApiVersionCheck",
            "--loose",
            "--disableTelemetry",
            "--silent",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(i) = l.find("listens on ") {
                let _ = tx.send(l[i + "listens on ".len()..].trim().to_string());
            }
        }
    });
    let Ok(url) = rx.recv_timeout(HANG) else {
        let _ = child.kill();
        panic!("azurite did not start");
    };
    Some(Azurite {
        child,
        endpoint: format!("{}/{ACCOUNT}", url.trim_end_matches('/')),
        _dir: dir,
    })
}

/// A Shared Key-signed write (the follower only reads; the test writes the blobs).
fn put(url: &str, headers: &[(&str, &str)], body: Vec<u8>) {
    let url = reqwest::Url::parse(url).unwrap();
    let date = auth::http_date(time::OffsetDateTime::now_utc());
    let len = body.len().to_string();
    let mut hs: Vec<(&str, &str)> = vec![
        ("x-ms-date", &date),
        ("x-ms-version", auth::API_VERSION),
        ("content-length", &len),
    ];
    hs.extend_from_slice(headers);
    let key = B64.decode(KEY).unwrap();
    let a = auth::shared_key_authorization(ACCOUNT, &key, "PUT", &url, &hs);
    let mut req = reqwest::blocking::Client::new().put(url.clone());
    for (k, v) in &hs {
        req = req.header(*k, *v);
    }
    let resp = req.header("authorization", a).body(body).send().unwrap();
    assert!(
        resp.status().is_success(),
        "PUT {url}: {} {}",
        resp.status(),
        resp.text().unwrap_or_default()
    );
}

fn blob_url(az: &Azurite, name: &str) -> String {
    format!(
        "{}/{CONTAINER}/{}",
        az.endpoint,
        auth::percent_encode(name, true)
    )
}

fn create_container(az: &Azurite) {
    put(
        &format!("{}/{CONTAINER}?restype=container", az.endpoint),
        &[],
        Vec::new(),
    );
}

fn create_append_blob(az: &Azurite, name: &str) {
    put(
        &blob_url(az, name),
        &[("x-ms-blob-type", "AppendBlob")],
        Vec::new(),
    );
}

fn append_block(az: &Azurite, name: &str, text: &str) {
    put(
        &format!("{}?comp=appendblock", blob_url(az, name)),
        &[],
        text.as_bytes().to_vec(),
    );
}

fn block_blob(az: &Azurite, name: &str, text: &str) {
    put(
        &blob_url(az, name),
        &[("x-ms-blob-type", "BlockBlob")],
        text.as_bytes().to_vec(),
    );
}

/// A service SAS for the container (read + list), signed with the account key; `sig` may be
/// replaced to make a wrong one.
fn container_sas(az: &Azurite) -> String {
    let (sp, se, spr, sv, sr) = (
        "rl",
        "2099-01-01T00:00:00Z",
        "https,http",
        auth::API_VERSION,
        "c",
    );
    let sts =
        format!("{sp}\n\n{se}\n/blob/{ACCOUNT}/{CONTAINER}\n\n\n{spr}\n{sv}\n{sr}\n\n\n\n\n\n\n");
    let sig = auth::sign(&B64.decode(KEY).unwrap(), &sts);
    format!(
        "{}/{CONTAINER}?sv={sv}&sr={sr}&sp={sp}&se={}&spr={}&sig={}",
        az.endpoint,
        auth::percent_encode(se, false),
        auth::percent_encode(spr, false),
        auth::percent_encode(&sig, false)
    )
}

fn hour_path(t: time::OffsetDateTime) -> String {
    format!(
        "resourceId={CLUSTER}/y={:04}/m={:02}/d={:02}/h={:02}/m=00/PT1H.json",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour()
    )
}

/// An AKS resource-log record (one JSON line) holding an exec into prod/web-1 (rule A001).
fn exec(id: &str) -> String {
    record(&exec_event(id))
}

fn exec_event(id: &str) -> serde_json::Value {
    serde_json::json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id,
        "stage": "ResponseStarted",
        "requestURI": "/api/v1/namespaces/prod/pods/web-1/exec?command=sh&container=web&stdin=true&tty=true",
        "verb": "create",
        "user": {"username": "alice@example.com", "groups": ["system:authenticated"]},
        "sourceIPs": ["203.0.113.7"],
        "objectRef": {"resource": "pods", "namespace": "prod", "name": "web-1", "apiVersion": "v1", "subresource": "exec"},
        "responseStatus": {"metadata": {}, "code": 101},
        "requestReceivedTimestamp": "2026-12-07T02:10:00.000000Z",
        "stageTimestamp": "2026-12-07T02:10:00.100000Z",
        "annotations": {"authorization.k8s.io/decision": "allow"}
    })
}

/// A benign list (no rule fires).
fn benign(id: &str) -> String {
    let event = serde_json::json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata", "auditID": id,
        "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/prod/configmaps", "verb": "list",
        "user": {"username": "system:serviceaccount:prod:web"}, "sourceIPs": ["10.224.0.5"],
        "objectRef": {"resource": "configmaps", "namespace": "prod", "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 200},
        "stageTimestamp": "2026-12-07T02:10:01.000000Z",
        "annotations": {"authorization.k8s.io/decision": "allow"}
    });
    record(&event)
}

fn record_value(event: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
        "category": "kube-audit",
        "resourceId": CLUSTER,
        "time": "2026-12-07T02:10:00.1000000Z",
        "properties": {"log": event.to_string(), "stream": "stdout", "pod": "kube-apiserver-6b8f9c7d5-x2x9z"}
    })
}

fn record(event: &serde_json::Value) -> String {
    record_value(event).to_string() + "\n"
}

/// The checkpoint's offset for a blob.
fn checkpointed(cp: &Path, blob: &str) -> Option<u64> {
    let text = std::fs::read_to_string(cp).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["blobs"][blob]["offset"].as_u64()
}

fn follow_sas_cmd(sas_url: &str, cp: &Path, alerts: &Path, extra: &[&str]) -> Command {
    let mut c = bin();
    c.args([
        "audit",
        "follow",
        "--storage-container-url-env",
        "KW_TEST_SAS_URL",
    ])
    .arg("--checkpoint")
    .arg(cp)
    .arg("--alerts")
    .arg(alerts)
    .args(["--poll-interval", "200ms"])
    .args(extra)
    .env("KW_TEST_SAS_URL", sas_url)
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    if !extra.contains(&"--commit-interval") {
        c.args(["--commit-interval", "200ms"]);
    }
    c
}

fn follow_sas(sas_url: &str, cp: &Path, alerts: &Path, extra: &[&str]) -> Follower {
    Follower(follow_sas_cmd(sas_url, cp, alerts, extra).spawn().unwrap())
}

/// A follower process, killed if the test fails before it exits.
struct Follower(Child);

impl Drop for Follower {
    fn drop(&mut self) {
        // No signal once it was waited for.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::ops::Deref for Follower {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Follower {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

#[test]
fn follows_hourly_blobs_appends_and_a_restart_from_the_checkpoint() {
    let Some(az) = azurite() else { return };
    create_container(&az);
    let now = time::OffsetDateTime::now_utc();
    // An hour long past (complete): JSON lines with a malformed line among them.
    let past = hour_path(time::macros::datetime!(2026-01-05 03:00 UTC));
    create_append_blob(&az, &past);
    append_block(&az, &past, &(exec("p1") + &benign("b1")));
    append_block(
        &az,
        &past,
        &("this is not JSON\n".to_string() + &exec("p2")),
    );
    // The older form: one {"records": [...]} document, in another past hour.
    let old = hour_path(time::macros::datetime!(2026-01-05 04:00 UTC));
    let doc = serde_json::json!({"records": [record_value(&exec_event("r1"))]});
    block_blob(&az, &old, &serde_json::to_string_pretty(&doc).unwrap());
    // The current hour's blob, growing; its second line arrives in two appends.
    let cur = hour_path(now);
    create_append_blob(&az, &cur);
    let c2 = exec("c2");
    let (head, tail) = c2.split_at(150);
    append_block(&az, &cur, &(exec("c1") + head));

    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("checkpoint.json");
    let out = dir.path().join("alerts.jsonl");
    let sas = container_sas(&az);
    let mut child = follow_sas(&sas, &cp, &out, &[]);
    let err = stderr_lines(&mut child);
    let read = || std::fs::read_to_string(&out).unwrap_or_default();
    wait_for("p1, p2, r1, c1", || alerts_in(&read()).len() == 4);
    append_block(&az, &cur, &(tail.to_string() + &benign("b2") + &exec("c3")));
    wait_for("c2, c3", || alerts_in(&read()).len() == 6);
    // Once the checkpoint covers the whole blob, kill -9: nothing in flight.
    let cur_len = (exec("c1") + &c2 + &benign("b2") + &exec("c3")).len() as u64;
    wait_for("the checkpoint", || {
        checkpointed(&cp, &cur) == Some(cur_len)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    let first_err: String = err.try_iter().collect::<Vec<_>>().join("\n");
    assert!(
        first_err.contains(&format!(
            "malformed input at blob {CONTAINER}/{past} line 3"
        )),
        "{first_err}"
    );

    // Written while the follower is down, then more after it restarted.
    append_block(&az, &cur, &(exec("c4") + &exec("c5")));
    let mut child = follow_sas(&sas, &cp, &out, &["--until-idle", "3"]);
    let err = stderr_lines(&mut child);
    wait_for("c4, c5", || alerts_in(&read()).len() == 8);
    append_block(&az, &cur, &exec("c6"));
    let status = wait_exit(&mut child);
    let second_err: String = err.try_iter().collect::<Vec<_>>().join("\n");
    assert!(status.success(), "{second_err}");
    // Every attack once, none twice; nothing from the first run read again (no malformed line).
    assert_eq!(
        alerts_in(&read()),
        a001(&["p1", "p2", "r1", "c1", "c2", "c3", "c4", "c5", "c6"])
    );
    assert!(!second_err.contains("malformed input"), "{second_err}");
    // Where each came from: container, blob, byte offset and line of the record.
    let lines: Vec<serde_json::Value> = read()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_id = |id: &str| lines.iter().find(|v| v["audit_id"] == id).unwrap().clone();
    let c2_alert = by_id("c2");
    assert_eq!(c2_alert["origin"]["kind"], "blob");
    assert_eq!(c2_alert["origin"]["container"], CONTAINER);
    assert_eq!(c2_alert["origin"]["blob"], cur.as_str());
    assert_eq!(c2_alert["origin"]["line"], 2);
    assert_eq!(c2_alert["origin"]["offset"], exec("c1").len());
    assert_eq!(c2_alert["cluster"], CLUSTER);
    assert_eq!(by_id("p2")["origin"]["line"], 4);
    assert_eq!(by_id("r1")["origin"]["blob"], old.as_str());
    // The SAS never shows.
    let sig = sas.rsplit_once("sig=").unwrap().1;
    assert!(!first_err.contains(sig) && !second_err.contains(sig));
}

/// Killed after alerting what it read but before committing it: the restart reads it again
/// (at-least-once). Nothing is lost; what is alerted twice is exactly the uncommitted window.
#[test]
fn a_kill_before_the_commit_redelivers_only_the_uncommitted_window() {
    let Some(az) = azurite() else { return };
    create_container(&az);
    let cur = hour_path(time::OffsetDateTime::now_utc());
    create_append_blob(&az, &cur);
    append_block(&az, &cur, &(exec("u1") + &exec("u2")));
    let dir = tempfile::tempdir().unwrap();
    let cp = dir.path().join("checkpoint.json");
    let out = dir.path().join("alerts.jsonl");
    let sas = container_sas(&az);
    let read = || std::fs::read_to_string(&out).unwrap_or_default();
    let committed = (exec("u1") + &exec("u2")).len() as u64;
    // First run: read and committed.
    let mut child = follow_sas(&sas, &cp, &out, &[]);
    wait_for("u1, u2 committed", || {
        checkpointed(&cp, &cur) == Some(committed)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    // Second run commits only after an hour: u3 is alerted, then the process is killed.
    append_block(&az, &cur, &exec("u3"));
    let mut child = bin()
        .args([
            "audit",
            "follow",
            "--storage-container-url-env",
            "KW_TEST_SAS_URL",
        ])
        .arg("--checkpoint")
        .arg(&cp)
        .arg("--alerts")
        .arg(&out)
        .args(["--poll-interval", "200ms", "--commit-interval", "1h"])
        .env("KW_TEST_SAS_URL", &sas)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("u3", || alerts_in(&read()).len() == 3);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(checkpointed(&cp, &cur), Some(committed));
    // Third run: u3 again (uncommitted), u4 new; u1 and u2 not again.
    append_block(&az, &cur, &exec("u4"));
    let mut child = follow_sas(&sas, &cp, &out, &["--until-idle", "2"]);
    let status = wait_exit(&mut child);
    assert!(status.success());
    let mut want = a001(&["u1", "u2", "u3", "u4"]);
    want.insert(("A001".into(), "u3".into()), 2);
    assert_eq!(alerts_in(&read()), want);
    let all = (exec("u1") + &exec("u2") + &exec("u3") + &exec("u4")).len() as u64;
    assert_eq!(checkpointed(&cp, &cur), Some(all));
}

#[test]
fn a_wrong_sas_or_key_exits_2_without_showing_it() {
    let Some(az) = azurite() else { return };
    create_container(&az);
    let dir = tempfile::tempdir().unwrap();
    let good = container_sas(&az);
    let (base, _) = good.rsplit_once("sig=").unwrap();
    let forged = B64.encode([7u8; 32]);
    let bad = format!("{base}sig={}", auth::percent_encode(&forged, false));
    let out = follow_sas_cmd(
        &bad,
        &dir.path().join("cp.json"),
        &dir.path().join("a.jsonl"),
        &[],
    )
    .output()
    .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("authentication failed"), "{err}");
    assert!(err.contains("SAS"), "{err}");
    assert!(!err.contains(&forged) && !err.contains("sig="), "{err}");

    // A connection string with a wrong key, then the right one (Shared Key).
    let wrong_key = B64.encode([9u8; 64]);
    let conn = |key: &str| {
        format!(
            "DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={key};BlobEndpoint={};",
            az.endpoint
        )
    };
    let out = bin()
        .args([
            "audit",
            "follow",
            "--storage-connection-string-env",
            "KW_TEST_CONN",
            "--container",
            CONTAINER,
        ])
        .env("KW_TEST_CONN", conn(&wrong_key))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("authentication failed") && err.contains("AccountKey"),
        "{err}"
    );
    assert!(!err.contains(&wrong_key), "{err}");

    let name = hour_path(time::macros::datetime!(2026-02-01 10:00 UTC));
    create_append_blob(&az, &name);
    append_block(&az, &name, &(exec("k1") + &benign("k2")));
    // Another cluster's blob, outside --prefix: not read.
    let other = name.replace("AKS-SHOP-PROD", "AKS-OTHER");
    create_append_blob(&az, &other);
    append_block(&az, &other, &exec("x1"));
    let prefix = format!("resourceId={CLUSTER}/");
    let alerts = dir.path().join("shared-key.jsonl");
    let out = bin()
        .args([
            "audit",
            "follow",
            "--storage-connection-string-env",
            "KW_TEST_CONN",
            "--container",
            CONTAINER,
        ])
        .args([
            "--poll-interval",
            "200ms",
            "--until-idle",
            "2",
            "--prefix",
            &prefix,
        ])
        .arg("--alerts")
        .arg(&alerts)
        .env("KW_TEST_CONN", conn(KEY))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        alerts_in(&std::fs::read_to_string(&alerts).unwrap()),
        a001(&["k1"])
    );
    // A container that does not exist: exit 2, named.
    let out = bin()
        .args([
            "audit",
            "follow",
            "--storage-connection-string-env",
            "KW_TEST_CONN",
            "--container",
            "nope",
        ])
        .env("KW_TEST_CONN", conn(KEY))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("nope") && err.contains("not found"), "{err}");
}

/// deploy/audit-follow.yaml: kubeward's own workload and network checks find nothing to fail or
/// warn about, the pods are locked down as documented, and the arguments are ones the follower
/// takes (parsed up to the missing secret file: no cluster here).
#[test]
fn the_deployment_passes_kubeward_and_its_arguments_parse() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/audit-follow.yaml");
    let out = bin()
        .args(["workloads", "-o", "json"])
        .arg(&path)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bad: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| !matches!(f["status"].as_str(), Some("PASS" | "INFO" | "N/A")))
        .map(|f| format!("{} {} {}", f["status"], f["code"], f["message"]))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");

    let text = std::fs::read_to_string(&path).unwrap();
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
    let deployments: Vec<&serde_json::Value> =
        docs.iter().filter(|d| d["kind"] == "Deployment").collect();
    assert_eq!(deployments.len(), 2);
    let eventhubs = deployments
        .iter()
        .find(|d| d["metadata"]["name"] == "audit-follow-eventhubs")
        .unwrap();
    assert_eq!(eventhubs["spec"]["replicas"], 2);
    for d in &deployments {
        let pod = &d["spec"]["template"]["spec"];
        assert_eq!(pod["automountServiceAccountToken"], false);
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
        assert_eq!(
            pod["securityContext"]["seccompProfile"]["type"],
            "RuntimeDefault"
        );
        let c = &pod["containers"][0];
        assert_eq!(c["securityContext"]["readOnlyRootFilesystem"], true);
        assert_eq!(c["securityContext"]["capabilities"]["drop"][0], "ALL");
        assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
        assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
        let args: Vec<String> = c["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                a.as_str()
                    .unwrap()
                    .replace("/var/run/secrets/kubeward/", "/nonexistent/")
            })
            .collect();
        assert!(
            !args
                .iter()
                .any(|a| a.contains("sig=") || a.contains("SharedAccessKey"))
        );
        // Every argument is known (clap stops at the first it does not know, before --help).
        let out = bin().args(&args).arg("--help").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if args.iter().any(|a| a.starts_with("--storage")) {
            // The storage source stops at the missing secret, before any network.
            let out = bin().args(&args).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{err}");
            assert!(err.contains("/nonexistent/"), "{err}");
        }
    }
    let policy = docs
        .iter()
        .find(|d| d["kind"] == "NetworkPolicy" && d["metadata"]["name"] == "audit-follow")
        .unwrap();
    assert_eq!(policy["spec"]["ingress"][0]["ports"][0]["port"], 9090);
}

/// Entra ID is asked for explicitly, and without the workload identity variables the follower
/// says which are missing (exit 2, before any network).
#[test]
fn entra_id_needs_its_flag_and_the_workload_identity() {
    let out = bin()
        .args([
            "audit",
            "follow",
            "--storage-account-url",
            "https://acct.blob.core.windows.net",
        ])
        .args(["--container", CONTAINER])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--storage-entra-id"), "{err}");
    let out = bin()
        .args([
            "audit",
            "follow",
            "--storage-account-url",
            "https://acct.blob.core.windows.net",
        ])
        .args(["--storage-entra-id", "--container", CONTAINER])
        .env_remove("AZURE_FEDERATED_TOKEN_FILE")
        .env_remove("AZURE_CLIENT_ID")
        .env_remove("AZURE_TENANT_ID")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("AZURE_CLIENT_ID") && err.contains("workload identity"),
        "{err}"
    );
}
