//! Audit logs: the stream reader (JSON lines, arrays, `records`/`items` wrappers, pretty-printed
//! JSON, CSV, gzip) and the whole scan behind it; audit policies.

use std::io::{self, Cursor, Read, Write};

use kubeward_audit::reader::{self, Layout, ReadProblem, Sink};
use kubeward_audit::scan::{FileScan, ScanOptions, merge, scan_reader};

use crate::line_count;
use crate::report::check_report;

/// Everything the reader handed out, in order.
#[derive(Debug, Default, PartialEq)]
struct Recorded {
    units: Vec<(Vec<u8>, u64)>,
    problems: Vec<(u64, ReadProblem, usize)>,
    containers: Vec<String>,
    rows: Vec<(Vec<String>, Vec<String>, u64)>,
}

impl Sink for Recorded {
    fn unit(&mut self, bytes: &[u8], line: u64) {
        self.units.push((bytes.to_vec(), line));
    }
    fn problem(&mut self, line: u64, problem: ReadProblem, bytes: usize) {
        self.problems.push((line, problem, bytes));
    }
    fn container(&mut self, key: &str) {
        self.containers.push(key.to_string());
    }
    fn csv_row(&mut self, headers: &[String], values: &csv::StringRecord, line: u64) {
        self.rows.push((
            headers.to_vec(),
            values.iter().map(str::to_string).collect(),
            line,
        ));
    }
}

/// A reader that returns at most `step` bytes per call, as a pipe may.
struct Drip<'a> {
    data: &'a [u8],
    step: usize,
}

impl Read for Drip<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fn stream(r: &mut dyn Read, max_unit: usize) -> (Layout, Recorded) {
    let mut rec = Recorded::default();
    let layout = reader::stream(r, max_unit, &mut rec).expect("reading from memory cannot fail");
    (layout, rec)
}

/// The reader cuts the same units whatever the sizes of the reads that feed it.
pub fn audit_stream(data: &[u8]) {
    // No unit of a fuzzed input reaches this cap: nothing may be dropped as oversize.
    let cap = data.len() + 1;
    let (layout, whole) = stream(&mut Cursor::new(data), cap);
    let step = data.len() % 13 + 1;
    let (drip_layout, dripped) = stream(&mut Drip { data, step }, cap);
    assert_eq!(layout, drip_layout, "layout depends on read sizes");
    assert_eq!(
        whole, dripped,
        "units depend on read sizes (reads of {step} bytes)"
    );

    let lines = line_count(data);
    let mut last = 0;
    for (bytes, line) in &whole.units {
        assert!(!bytes.is_empty(), "an empty unit");
        assert!(
            *line >= last && *line <= lines,
            "unit line {line} out of order or range"
        );
        last = *line;
    }
    for (_, _, line) in &whole.rows {
        assert!(*line <= lines, "CSV row line {line} past the end");
    }
    assert!(
        !whole.problems.iter().any(|p| p.1 == ReadProblem::Oversize),
        "a unit under the cap was dropped as oversize"
    );

    // A tiny cap: oversize units are skipped and counted, never a panic.
    let _ = stream(&mut Drip { data, step }, 16);
}

fn options() -> ScanOptions {
    ScanOptions {
        threads: Some(1),
        ..ScanOptions::default()
    }
}

/// The whole scan of one log; its gzip-compressed copy scans the same.
pub fn audit_scan(data: &[u8]) {
    let opts = options();
    let plain = scan_reader("fuzz.log", Cursor::new(data), &opts);
    if !data.starts_with(&[0x1f, 0x8b]) {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data).expect("compressing in memory");
        let packed = gz.finish().expect("compressing in memory");
        let unpacked = scan_reader("fuzz.log.gz", Cursor::new(packed), &opts);
        assert!(unpacked.gzip, "gzip input not recognised");
        same_scan(&plain, &unpacked);
    }
    let outcome = merge(vec![plain], &opts);
    check_report(kubeward_audit::report::build_report(&outcome, &opts));
}

fn same_scan(a: &FileScan, b: &FileScan) {
    assert_eq!(a.layout, b.layout, "layout differs once compressed");
    assert_eq!(
        a.stats.events, b.stats.events,
        "event count differs once compressed"
    );
    assert_eq!(a.stats.first, b.stats.first);
    assert_eq!(a.stats.last, b.stats.last);
    assert_eq!(a.errors, b.errors, "input errors differ once compressed");
    assert_eq!(a.fatal, b.fatal);
}

/// An audit policy file, linted.
pub fn audit_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_report(kubeward_audit::policy::lint("policy.yaml", text));
}
