//! Every input shape, written from its documented format, read into the same events.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;

use kubeward_audit::report::build_report;
use kubeward_audit::rules::CHECKS;
use kubeward_audit::scan::{FileScan, Input, ScanOptions, merge, scan, scan_reader};
use kubeward_core::Status;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn scan_file(name: &str) -> FileScan {
    let f = std::fs::File::open(data(name)).expect("test data");
    scan_reader(name, f, &ScanOptions::default())
}

fn hits(f: &FileScan, code: &str) -> u64 {
    let i = CHECKS
        .iter()
        .position(|r| r.meta.code == code)
        .expect("rule");
    f.hits[i].total()
}

fn status_of(files: Vec<FileScan>, code: &str) -> (Status, String) {
    let opts = ScanOptions::default();
    let out = merge(files, &opts);
    let r = build_report(&out, &opts);
    let f = r.findings.iter().find(|f| f.code == code).expect("finding");
    (f.status, f.message.to_string())
}

/// The five events of the fixtures: an exec (get form), a secret list by a workload, a
/// cluster-admin binding by masterclient, plus routine traffic.
fn assert_core_detections(f: &FileScan, with_reads: bool) {
    assert!(f.fatal.is_none(), "{:?}", f.fatal);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(hits(f, "A011"), 1, "cluster-admin binding");
    assert_eq!(hits(f, "A018"), 1, "masterclient");
    assert_eq!(hits(f, "A001"), u64::from(with_reads), "exec via get");
    assert_eq!(hits(f, "A016"), u64::from(with_reads), "secret list");
}

#[test]
fn json_lines_of_events() {
    let f = scan_file("events.jsonl");
    assert_eq!(f.stats.events, 5);
    assert_eq!(f.stats.shapes.get("audit.k8s.io Event"), Some(&5));
    assert_eq!(f.stats.first, "2026-11-20T10:00:01.001000Z");
    assert_eq!(f.stats.last, "2026-11-20T10:00:05.005000Z");
    assert_core_detections(&f, true);
}

#[test]
fn eventlist_webhook_batch() {
    let f = scan_file("eventlist.json");
    assert_eq!(f.stats.events, 5);
    assert_eq!(
        f.stats.shapes.get("audit.k8s.io EventList (webhook batch)"),
        Some(&5)
    );
    assert_core_detections(&f, true);
}

#[test]
fn storage_blob_json_lines_of_records() {
    let f = scan_file("PT1H.json");
    assert_eq!(f.stats.events, 5);
    assert_eq!(
        f.stats.non_audit_records, 1,
        "the kube-apiserver klog record is skipped"
    );
    assert_eq!(f.stats.categories.get("kube-audit"), Some(&5));
    assert_core_detections(&f, true);
    // Evidence points at the blob's line.
    let i = CHECKS.iter().position(|r| r.meta.code == "A011").unwrap();
    let s = &f.hits[i].groups["masterclient"].samples[0];
    assert_eq!(
        (s.line, s.audit_id.as_str()),
        (5, "7f3c1a2e-0000-4000-8000-000000000004")
    );
}

#[test]
fn storage_blob_records_document() {
    let f = scan_file("PT1H_records.json");
    assert_eq!(f.stats.events, 5);
    assert_eq!(f.stats.non_audit_records, 1);
    assert_core_detections(&f, true);
}

#[test]
fn event_hubs_body_of_kube_audit_admin() {
    let f = scan_file("eventhubs_body.json");
    assert_eq!(f.stats.events, 2, "get and list are not exported");
    assert_eq!(f.stats.categories.get("kube-audit-admin"), Some(&2));
    assert_core_detections(&f, false);
    let (st, msg) = status_of(vec![f], "A016");
    assert_eq!(st, Status::NotApplicable);
    assert!(msg.contains("kube-audit-admin"), "{msg}");
}

#[test]
fn log_analytics_azure_diagnostics() {
    let f = scan_file("azurediagnostics.json");
    assert_eq!(f.stats.events, 5);
    assert_eq!(
        f.stats
            .shapes
            .get("Log Analytics AzureDiagnostics row (log_s)"),
        Some(&5)
    );
    assert_core_detections(&f, true);
}

#[test]
fn log_analytics_aksaudit_json_with_text_and_object_columns() {
    let f = scan_file("aksaudit.json");
    assert_eq!(f.stats.events, 6);
    assert_eq!(f.stats.categories.get("AKSAudit"), Some(&6));
    assert_eq!(
        f.stats.bodies_skipped, 2,
        "RequestObject and ResponseObject too big"
    );
    assert_core_detections(&f, true);
    // Configmap bodies are never in AKS logs: the rule says it could not fire.
    let (st, msg) = status_of(vec![f], "A033");
    assert_eq!(st, Status::NotApplicable);
    assert!(msg.contains("Metadata"), "{msg}");
}

#[test]
fn portal_csv_export_of_aksauditadmin() {
    let f = scan_file("aksauditadmin.csv");
    assert_eq!(f.stats.events, 2, "{:?}", f.errors);
    assert_eq!(f.stats.categories.get("AKSAuditAdmin"), Some(&2));
    assert_eq!(f.stats.first, "2026-11-20T10:00:04.004Z");
    assert_core_detections(&f, false);
    let (st, _) = status_of(vec![f], "A015");
    assert_eq!(st, Status::NotApplicable);
}

#[test]
fn gzip_is_read_transparently() {
    let plain = std::fs::read(data("PT1H.json")).unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(&plain).unwrap();
    let gz = enc.finish().unwrap();
    let f = scan_reader("PT1H.json.gz", &gz[..], &ScanOptions::default());
    assert!(f.gzip);
    assert_eq!(f.stats.events, 5);
    assert_core_detections(&f, true);
}

#[test]
fn files_in_parallel_merge_in_input_order() {
    let inputs: Vec<Input> = [
        "events.jsonl",
        "PT1H.json",
        "does-not-exist.json",
        "aksaudit.json",
    ]
    .iter()
    .map(|n| Input::Path(data(n)))
    .collect();
    let opts = ScanOptions {
        threads: Some(2),
        ..Default::default()
    };
    let out = scan(&inputs, &opts);
    assert_eq!(out.stats.events, 16);
    assert!(out.files[2].fatal.is_some());
    let i = CHECKS.iter().position(|r| r.meta.code == "A011").unwrap();
    let g = &out.hits[i].groups["masterclient"];
    assert_eq!(g.count, 3);
    assert!(g.samples[0].file.ends_with("events.jsonl"));
    let report = build_report(&out, &opts);
    assert!(
        report
            .input_errors
            .iter()
            .any(|e| e.path.ends_with("does-not-exist.json"))
    );
}

#[test]
fn coverage_verdicts_name_what_the_source_lacks() {
    // A Metadata-level log without reads: body rules and read rules cannot fire.
    let line = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"m1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"alice@contoso.com"},"sourceIPs":["203.0.113.7"],"objectRef":{"resource":"pods","namespace":"default","apiVersion":"v1"},"responseStatus":{"code":201},"stageTimestamp":"2026-11-20T10:00:00Z"}"#;
    let f = scan_reader("metadata.jsonl", line.as_bytes(), &ScanOptions::default());
    let opts = ScanOptions::default();
    let r = build_report(&merge(vec![f], &opts), &opts);
    let find = |code: &str| r.findings.iter().find(|f| f.code == code).unwrap();
    let privileged = find("A005");
    assert_eq!(privileged.status, Status::NotApplicable);
    assert!(
        privileged.message.contains("Metadata level"),
        "{}",
        privileged.message
    );
    let secrets = find("A016");
    assert_eq!(secrets.status, Status::NotApplicable);
    assert!(
        secrets.message.contains("get, list or watch"),
        "{}",
        secrets.message
    );
    let exec = find("A001");
    assert_eq!(
        exec.status,
        Status::Info,
        "SPDY exec would still show: only part is invisible"
    );
    assert_eq!(
        find("A024").status,
        Status::Info,
        "kubelet API reads through nodes/proxy are gets"
    );
    assert_eq!(find("A025").status, Status::Pass);
    assert_eq!(find("A037").status, Status::NotApplicable);
}

fn scan_text(name: &str, text: &str) -> FileScan {
    scan_reader(name, text.as_bytes(), &ScanOptions::default())
}

/// Item 4 (issue 13): a record whose `properties.log` a pipeline already parsed into an object
/// is read like the JSON-text form, in a blob of records and in an Event Hubs body.
#[test]
fn item4_record_with_log_as_an_object() {
    let event = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"5d1e0c9a-0000-4000-8000-0000000000a1","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/shop/pods/web/exec?command=sh","verb":"create","user":{"username":"masterclient","groups":["system:masters"]},"sourceIPs":["198.51.100.20"],"objectRef":{"resource":"pods","namespace":"shop","name":"web","subresource":"exec","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":403},"stageTimestamp":"2026-11-21T08:00:00Z"}"#;
    let as_object = format!(
        r#"{{"operationName":"Microsoft.ContainerService/managedClusters/diagnosticLogs/Read","category":"kube-audit","resourceId":"/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C1","time":"2026-11-21T08:00:00Z","properties":{{"log":{event},"stream":"stdout","pod":"kube-apiserver-1"}}}}"#
    );
    let as_text = format!(
        r#"{{"category":"kube-audit","properties":{{"log":{},"stream":"stdout"}}}}"#,
        serde_json::to_string(event).unwrap()
    );
    for text in [
        format!("{as_object}\n{as_text}\n"),
        format!(r#"{{"records":[{as_object},{as_text}]}}"#),
    ] {
        let f = scan_text("blob.json", &text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.stats.events, 2);
        assert_eq!(f.stats.categories.get("kube-audit"), Some(&2));
        assert_eq!(hits(&f, "A018"), 2);
        assert_eq!(hits(&f, "A001"), 2);
    }
    // The same in a Log Analytics AzureDiagnostics row whose log_s was parsed already.
    let row =
        format!(r#"[{{"Category":"kube-audit","log_s":{event},"pod_s":"kube-apiserver-1"}}]"#);
    let f = scan_text("rows.json", &row);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!((f.stats.events, hits(&f, "A018")), (1, 1));
    // A log that is neither text nor an object is still an input error.
    let f = scan_text(
        "bad.json",
        r#"{"category":"kube-audit","properties":{"log":42}}"#,
    );
    assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
    assert!(f.errors[0].1.contains("wrong field type"), "{:?}", f.errors);
}

/// Item 4 (issue 13): records of other logs mixed with audit records (control-plane categories,
/// Activity log events in their export, REST and Log Analytics shapes, AKSControlPlane rows)
/// are skipped and counted, not reported as input errors.
#[test]
fn item4_other_logs_are_skipped_and_counted() {
    let audit = r#"{"category":"kube-audit","properties":{"log":"{\"auditID\":\"a-1\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":\"alice\"},\"objectRef\":{\"resource\":\"pods\"},\"responseStatus\":{\"code\":200}}"}}"#;
    let others = [
        // Control-plane categories of the same diagnostic setting, klog text in properties.log.
        r#"{"category":"kube-apiserver","properties":{"log":"I1121 08:00:00.000000 1 controller.go:10] synced","stream":"stderr"}}"#,
        r#"{"category":"cluster-autoscaler","properties":{"log":"scale-up not needed","stream":"stderr"}}"#,
        r#"{"category":"guard","properties":{"log":"authorized user alice","stream":"stdout"}}"#,
        // Activity log, as its diagnostic setting exports it.
        r#"{"time":"2026-11-21T08:00:00Z","resourceId":"/SUBSCRIPTIONS/0000/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C1","operationName":"MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/LISTCLUSTERADMINCREDENTIAL/ACTION","category":"Administrative","resultType":"Success","callerIpAddress":"198.51.100.7","properties":{"statusCode":"OK"}}"#,
        // Activity log, as the REST API and `az monitor activity-log list` return it.
        r#"{"caller":"ops@contoso.com","channels":"Operation","category":{"value":"Administrative","localizedValue":"Administrative"},"eventDataId":"e-1","operationName":{"value":"Microsoft.ContainerService/managedClusters/write","localizedValue":"Create or Update Managed Cluster"},"properties":{"statusCode":"Created"},"status":{"value":"Succeeded"}}"#,
        // Activity log and control-plane rows exported from Log Analytics.
        r#"{"TimeGenerated":"2026-11-21T08:00:00Z","OperationNameValue":"MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/WRITE","OperationName":"Create or Update Managed Cluster","CategoryValue":"Administrative","Category":"Administrative","Properties":"{}","Type":"AzureActivity"}"#,
        r#"{"TimeGenerated":"2026-11-21T08:00:00Z","Category":"kube-scheduler","Message":"Successfully bound pod","Level":"info","Type":"AKSControlPlane"}"#,
    ];
    let mut text = String::from(audit);
    for o in others {
        text.push('\n');
        text.push_str(o);
    }
    let f = scan_text("mixed.json", &text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.stats.events, 1);
    assert_eq!(f.stats.non_audit_records, others.len() as u64);
    // The same in an Event Hubs body.
    let f = scan_text(
        "hub.json",
        &format!(r#"{{"records":[{audit},{}]}}"#, others[..5].join(",")),
    );
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!((f.stats.events, f.stats.non_audit_records), (1, 5));
    // A CSV export of the AzureActivity table.
    let csv = "TimeGenerated,CategoryValue,OperationNameValue,Caller\n2026-11-21T08:00:00Z,Administrative,MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/WRITE,ops@contoso.com\n";
    let f = scan_text("activity.csv", csv);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.stats.non_audit_records, 1);
    // A record that claims the audit category but holds no event stays an input error.
    let f = scan_text("bad.json", r#"{"Category":"kube-audit","Message":"x"}"#);
    assert_eq!(f.errors.len(), 1, "{:?}", f.errors);
}
