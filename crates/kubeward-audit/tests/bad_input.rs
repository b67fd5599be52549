//! Bad input is counted and reported with line numbers; the scan goes on and no valid event is lost.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::PathBuf;

use kubeward_audit::report::build_report;
use kubeward_audit::scan::{Input, ScanOptions, merge, scan_reader};

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[test]
fn broken_lines_are_reported_with_their_numbers() {
    let f = std::fs::File::open(data("bad.jsonl")).unwrap();
    let fs = scan_reader("bad.jsonl", f, &ScanOptions::default());
    assert_eq!(fs.stats.events, 3, "lines 1, 5 and 8 are valid");
    let lines: Vec<(u64, &str)> = fs
        .errors
        .iter()
        .map(|(l, m)| (l.unwrap_or(0), m.split(':').next().unwrap_or("")))
        .collect();
    assert_eq!(
        lines,
        vec![
            (2, "truncated"),
            (3, "not JSON"),
            (4, "wrong field type"),
            (7, "not an audit event")
        ]
    );
    assert_eq!(fs.stats.malformed.values().sum::<u64>(), 4);
    let opts = ScanOptions::default();
    let report = build_report(&merge(vec![fs], &opts), &opts);
    assert_eq!(report.input_errors.len(), 4);
    assert_eq!(report.input_errors[0].line, Some(2));
}

fn event_line(i: usize) -> String {
    format!(
        r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"id-{i}","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"list","user":{{"username":"u{i}"}},"sourceIPs":["10.0.0.1"],"objectRef":{{"resource":"pods","namespace":"default"}},"responseStatus":{{"code":200}},"stageTimestamp":"2026-11-20T10:00:00Z"}}"#
    )
}

#[test]
fn a_50_mb_line_is_skipped_and_the_next_events_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "{}", event_line(1)).unwrap();
    write!(
        f,
        r#"{{"kind":"Event","auditID":"huge","verb":"create","requestObject":{{"data":""#
    )
    .unwrap();
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..50 {
        f.write_all(&chunk).unwrap();
    }
    writeln!(f, r#""}}}}"#).unwrap();
    writeln!(f, "{}", event_line(3)).unwrap();
    drop(f);
    let out = kubeward_audit::scan::scan(&[Input::Path(path)], &ScanOptions::default());
    let fs = &out.files[0];
    assert_eq!(fs.stats.events, 2);
    assert_eq!(fs.stats.malformed.get("too long"), Some(&1));
    assert_eq!(fs.errors[0].0, Some(2));
}

#[test]
fn no_valid_event_is_lost_among_garbage() {
    // A deterministic mix of valid events and every kind of bad unit.
    let mut text = String::new();
    let mut valid = 0;
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..5_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        match seed % 6 {
            0 => text.push_str("{\"truncated\":\n"),
            1 => text.push_str("plain text log line\n"),
            2 => text.push_str("{\"verb\":[1,2],\"auditID\":\"x\"}\n"),
            3 => text.push_str("\n\r\n"),
            _ => {
                text.push_str(&event_line(i));
                text.push('\n');
                valid += 1;
            }
        }
    }
    let fs = scan_reader("mix.jsonl", text.as_bytes(), &ScanOptions::default());
    assert!(valid > 1_000);
    assert_eq!(fs.stats.events, valid);
    assert_eq!(fs.errors.len(), 20, "the list is capped");
    assert!(fs.errors_not_listed > 0);
}

#[test]
fn truncated_gzip_keeps_the_events_before_the_cut() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..2_000 {
        writeln!(enc, "{}", event_line(i)).unwrap();
    }
    let gz = enc.finish().unwrap();
    let cut = &gz[..gz.len() * 3 / 4];
    let fs = scan_reader("cut.jsonl.gz", cut, &ScanOptions::default());
    assert!(fs.fatal.is_some());
    assert!(fs.stats.events > 1_000, "{}", fs.stats.events);
}
