//! A file cut into parts scanned in parallel gives exactly what a scan from start to end gives:
//! the same statistics, matches, evidence (with lines), errors and report, whatever the cut
//! points, including requests whose stages lie in different parts, refusal bursts spanning
//! parts, shapes changing mid-file, and caps on groups, samples and errors.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use kubeward_audit::report::build_report;
use kubeward_audit::scan::{FileScan, ScanOptions, merge, scan_path_in_parts, scan_reader};
use kubeward_audit::synth::{Form, Traffic};
use proptest::prelude::*;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Everything a scan result holds, with hash maps in key order.
fn canon(f: &FileScan) -> String {
    let st = &f.stats;
    let sorted = |m: &std::collections::HashMap<String, u64>| {
        m.iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect::<BTreeMap<_, _>>()
    };
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        (
            st.events,
            &st.first,
            &st.last,
            st.denied,
            &st.shapes,
            &st.categories,
            st.read_events,
            st.request_bodies,
            st.response_bodies,
            st.bodies_skipped,
        ),
        (&st.body_writes, &st.malformed, st.non_audit_records),
        sorted(&st.users),
        sorted(&st.verbs),
        sorted(&st.denied_users),
        f.hits,
        (&f.errors, f.errors_not_listed, &f.fatal),
        (f.layout, f.gzip, &f.name),
    )
}

/// Scans `path` from start to end and in parts; asserts both agree; returns the parts' scan.
fn compare(path: &Path, opts: &ScanOptions) -> FileScan {
    let name = path.display().to_string();
    let whole = scan_reader(&name, std::fs::File::open(path).unwrap(), opts);
    let parts = scan_path_in_parts(path, opts);
    assert_eq!(whole.parts, 1);
    let (a, b) = (canon(&whole), canon(&parts));
    if a != b {
        // Show the first differing line, not two pages.
        let d = a
            .lines()
            .zip(b.lines())
            .find(|(x, y)| x != y)
            .map(|(x, y)| format!("whole: {x:.2000}\nparts: {y:.2000}"));
        panic!("{} parts differ from the whole scan:\n{d:?}", parts.parts);
    }
    let report = |f: FileScan| {
        let out = merge(vec![f], opts);
        serde_json::to_value(build_report(&out, opts)).unwrap()
    };
    let parts_copy = scan_path_in_parts(path, opts);
    assert_eq!(report(whole), report(parts_copy));
    parts
}

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap()
}

fn write_tmp(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(bytes).unwrap();
    f.flush().unwrap();
    f
}

#[test]
fn example_logs_give_the_same_result_in_parts() {
    for name in [
        "events.jsonl",
        "PT1H.json",
        "bad.jsonl",
        "azurediagnostics.json",
        "aksaudit.json",
        "eventhubs_body.json",
        "eventlist.json",
        "PT1H_records.json",
        "aksauditadmin.csv",
    ] {
        for part_bytes in [1, 100, 700, 5000] {
            let opts = ScanOptions {
                part_bytes,
                ..ScanOptions::default()
            };
            pool().install(|| compare(&data(name), &opts));
        }
    }
}

#[test]
fn a_large_file_is_cut_into_parts_on_the_default_path() {
    // 3 MB of generated traffic with 256 KiB parts: the count follows from the sizes alone.
    let mut buf = Vec::new();
    Traffic::new(11, Form::Event)
        .write(&mut buf, 3 << 20)
        .unwrap();
    let f = write_tmp(&buf);
    let opts = ScanOptions {
        part_bytes: 256 << 10,
        threads: Some(2),
        ..ScanOptions::default()
    };
    let out = kubeward_audit::scan::scan(
        &[kubeward_audit::scan::Input::Path(f.path().to_path_buf())],
        &opts,
    );
    // Each part after the first starts after the first newline at least 256 KiB past the
    // previous start.
    let mut expected = 1;
    let mut start = 0;
    while let Some(nl) = buf
        .get(start + (256 << 10)..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
    {
        let next = start + (256 << 10) + nl + 1;
        if next >= buf.len() {
            break;
        }
        expected += 1;
        start = next;
    }
    assert_eq!(out.files[0].parts, expected);
    assert!(expected >= 12, "{expected}");
    // One thread: read from start to end.
    let one = ScanOptions {
        threads: Some(1),
        ..opts
    };
    let out = kubeward_audit::scan::scan(
        &[kubeward_audit::scan::Input::Path(f.path().to_path_buf())],
        &one,
    );
    assert_eq!(out.files[0].parts, 1);
}

#[test]
fn generated_traffic_in_both_aks_forms_gives_the_same_result_in_parts() {
    for form in [Form::Event, Form::AksRecord] {
        let mut buf = Vec::new();
        Traffic::new(5, form).write(&mut buf, 6 << 20).unwrap();
        let f = write_tmp(&buf);
        for part_bytes in [64 << 10, 1 << 20] {
            let opts = ScanOptions {
                part_bytes,
                ..ScanOptions::default()
            };
            let parts = pool().install(|| compare(f.path(), &opts));
            assert!(parts.parts > 5, "{}", parts.parts);
            // Watches and execs complete parts after they started: the merge judged those
            // completions again with the state of the whole file.
            assert!(parts.rejudged > 0, "{form:?} {part_bytes}");
            assert!(parts.stats.events > 3_000);
        }
    }
}

#[test]
fn a_part_decodes_with_the_shape_the_file_had_where_it_starts() {
    // After an AKS record the scanner reads the next unit as a record first; after an event,
    // as an event. This unit (an auditID and a `properties` object) is read differently by each.
    let items = [
        Item::Record { id: 1, user: 1 },
        Item::Junk(3),
        Item::Record { id: 2, user: 1 },
        Item::Blank,
        Item::Junk(3),
        Item::Stage {
            id: 3,
            stage: "ResponseComplete",
            stream: false,
            user: 2,
            code: Some(200),
        },
        Item::Junk(3),
    ];
    let f = write_tmp(&render(&items, &mut 0));
    for part_bytes in [1, 10, 400] {
        let opts = ScanOptions {
            part_bytes,
            ..ScanOptions::default()
        };
        let parts = pool().install(|| compare(f.path(), &opts));
        assert_eq!(parts.stats.events, 4);
        assert_eq!(parts.stats.malformed.get("not an audit event"), Some(&2));
    }
}

/// One line of a test log.
#[derive(Debug, Clone)]
enum Item {
    /// An event of request `id` at `stage` ("" drops the field).
    Stage {
        id: u8,
        stage: &'static str,
        stream: bool,
        user: u8,
        code: Option<u16>,
    },
    /// A refusal from one of two addresses at second `t`.
    Refusal {
        ip: u8,
        t: u16,
        user: u8,
    },
    /// The same event wrapped in an AKS resource-log record.
    Record {
        id: u8,
        user: u8,
    },
    /// A line that is not an event.
    Junk(u8),
    Blank,
    Long,
}

fn item() -> impl Strategy<Value = Item> {
    prop_oneof![
        6 => (
            0u8..12,
            prop::sample::select(vec![
                "RequestReceived",
                "ResponseStarted",
                "ResponseComplete",
                "Panic",
                "",
            ]),
            any::<bool>(),
            0u8..40,
            prop::option::of(prop::sample::select(vec![101u16, 200, 403, 401])),
        )
            .prop_map(|(id, stage, stream, user, code)| Item::Stage {
                id,
                stage,
                stream,
                user,
                code,
            }),
        3 => (0u8..2, 0u16..200, 0u8..40).prop_map(|(ip, t, user)| Item::Refusal { ip, t, user }),
        1 => (0u8..12, 0u8..40).prop_map(|(id, user)| Item::Record { id, user }),
        2 => (0u8..5).prop_map(Item::Junk),
        1 => Just(Item::Blank),
        1 => Just(Item::Long),
    ]
}

fn render(items: &[Item], refusal_clock: &mut u32) -> Vec<u8> {
    let event = |id: u8, stage: &str, stream: bool, user: u8, code: Option<u16>| {
        let mut ev = serde_json::json!({
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
            "auditID": format!("req-{id}"),
            "verb": if stream { "create" } else { "get" },
            "requestURI": "/api/v1/namespaces/shop/pods/web/exec?command=cat&command=%2Fetc%2Fshadow",
            "user": {"username": if user.is_multiple_of(7) { "masterclient".to_string() } else { format!("user{user}@contoso.com") },
                     "groups": ["system:masters", "system:authenticated"]},
            "sourceIPs": ["203.0.113.7"],
            "objectRef": if stream {
                serde_json::json!({"resource": "pods", "namespace": "shop", "name": "web", "subresource": "exec"})
            } else {
                serde_json::json!({"resource": "secrets", "namespace": "shop", "name": "db"})
            },
            "stageTimestamp": format!("2026-11-20T10:00:{:02}.000000Z", id % 60),
        });
        let o = ev.as_object_mut().unwrap();
        if !stage.is_empty() {
            o.insert("stage".into(), stage.into());
        }
        if let Some(c) = code {
            o.insert("responseStatus".into(), serde_json::json!({"code": c}));
        }
        ev.to_string()
    };
    let mut out = Vec::new();
    for it in items {
        let line = match it {
            Item::Stage {
                id,
                stage,
                stream,
                user,
                code,
            } => event(*id, stage, *stream, *user, *code),
            Item::Refusal { ip, t, user } => {
                // Time moves forward with jumps, so bursts start and end anywhere.
                *refusal_clock += u32::from(*t) / 20;
                let s = *refusal_clock;
                serde_json::json!({
                    "auditID": format!("ref-{s}-{user}"), "stage": "ResponseComplete", "verb": "list",
                    "user": {"username": format!("probe{user}")},
                    "sourceIPs": [format!("198.51.100.{ip}")],
                    "objectRef": {"resource": "secrets", "namespace": "kube-system"},
                    "responseStatus": {"code": 403},
                    "annotations": {"authorization.k8s.io/decision": "forbid"},
                    "stageTimestamp": format!("2026-11-20T{:02}:{:02}:{:02}.000000Z", s / 3600 % 24, s / 60 % 60, s % 60),
                })
                .to_string()
            }
            Item::Record { id, user } => serde_json::json!({
                "category": "kube-audit",
                "operationName": "Microsoft.ContainerService/managedClusters/diagnosticLogs/Read",
                "properties": {"log": event(*id, "ResponseComplete", true, *user, Some(101))},
                "time": "2026-11-20T10:00:00Z",
            })
            .to_string(),
            Item::Junk(k) => match k {
                0 => "not json".into(),
                1 => "{\"auditID\":".into(),
                2 => "{\"category\":\"kube-apiserver\",\"properties\":{}}".into(),
                // Decoded by the hint: an event after events, a record without a log after
                // records.
                3 => "{\"auditID\":\"odd\",\"verb\":\"get\",\"properties\":{}}".into(),
                _ => "{\"something\":1}\r".into(),
            },
            Item::Blank => "  ".into(),
            Item::Long => format!("{{\"auditID\":\"long\",\"pad\":\"{}\"}}", "x".repeat(700)),
        };
        out.extend(line.as_bytes());
        out.push(b'\n');
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever the log and the cut points, the parts give the whole scan's result, with caps
    /// small enough to be reached (groups, samples, errors, line length).
    #[test]
    fn parts_equal_the_whole_scan(
        items in prop::collection::vec(item(), 1..400),
        part_bytes in prop_oneof![1u64..64, 64u64..3_000],
        samples in 1usize..4,
        max_groups in 1usize..6,
        max_errors in 0usize..4,
        no_newline_at_end in any::<bool>(),
    ) {
        let mut clock = 0;
        let mut bytes = render(&items, &mut clock);
        if no_newline_at_end {
            bytes.pop();
        }
        let f = write_tmp(&bytes);
        let opts = ScanOptions {
            part_bytes,
            samples,
            max_groups,
            max_errors,
            max_unit: 600,
            ..ScanOptions::default()
        };
        pool().install(|| compare(f.path(), &opts));
    }
}
