//! Writes the benchmark's generated AKS audit log to a file, for timing the command line
//! against other tools by hand:
//!
//! `cargo run --release -p kubeward-audit --example audit-gen -- events|aks-records MIB FILE`
//!
//! `events`: JSON lines of `audit.k8s.io/v1` Events; `aks-records`: AKS resource-log records
//! (a storage account's `PT1H.json` lines). The output is the same for the same arguments.
//!
//! `audit-gen scan FILE [THREADS]` scans a file in-process (every rule) and prints the time:
//! a target for profilers, without the command line around it.

use std::io::{BufWriter, Write};

use kubeward_audit::synth::{Form, Traffic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cmd, file] = args.as_slice()
        && (cmd == "decode" || cmd == "rules")
    {
        let rules = cmd == "rules";
        let cfg = kubeward_audit::rules::Config::default();
        let enabled: Vec<_> = kubeward_audit::rules::CHECKS
            .iter()
            .filter(|r| (r.precondition)(&cfg).is_none())
            .collect();

        // Only the event decoder, line by line: the floor under the scan's time per event.
        let bytes = std::fs::read(file)?;
        let t = std::time::Instant::now();
        let mut n = 0u64;
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let s = std::str::from_utf8(line)?;
            let ev: kubeward_audit::event::Event = serde_json::from_str(s)?;
            n += u64::from(!ev.audit_id().is_empty());
            if rules {
                let view = kubeward_audit::event::EventView::new(&ev);
                for r in &enabled {
                    std::hint::black_box((r.eval)(&view, &cfg));
                }
            }
        }
        println!("{n} events decoded: {:.3} s", t.elapsed().as_secs_f64());
        if rules {
            // Each rule over every event, the events decoded once: the cost of each rule.
            let events: Vec<kubeward_audit::event::Event> = bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .filter_map(|l| serde_json::from_slice(l).ok())
                .collect();
            let mut costs = Vec::new();
            for r in &enabled {
                let t = std::time::Instant::now();
                for ev in &events {
                    let view = kubeward_audit::event::EventView::new(ev);
                    std::hint::black_box((r.eval)(&view, &cfg));
                }
                costs.push((t.elapsed(), r.meta.code));
            }
            costs.sort_by(|a, b| b.cmp(a));
            let total: f64 = costs.iter().map(|c| c.0.as_secs_f64()).sum();
            println!("all rules: {:.3} s", total);
            for (d, code) in costs.iter().take(15) {
                println!("{code} {:.1} ms", d.as_secs_f64() * 1e3);
            }
        }

        return Ok(());
    }
    if let [cmd, file, rest @ ..] = args.as_slice()
        && cmd == "scan"
    {
        let threads = rest.first().and_then(|t| t.parse().ok());
        let opts = kubeward_audit::scan::ScanOptions {
            threads,
            ..Default::default()
        };
        let t = std::time::Instant::now();
        let out =
            kubeward_audit::scan::scan(&[kubeward_audit::scan::Input::Path(file.into())], &opts);
        println!(
            "{} events, {} matches, {} parts, {} judged again: {:.3} s",
            out.stats.events,
            out.hits.iter().map(|h| h.total()).sum::<u64>(),
            out.files[0].parts,
            out.files[0].rejudged,
            t.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let [form, mib, path] = args.as_slice() else {
        return Err("usage: audit-gen events|aks-records MIB FILE".into());
    };
    let form = match form.as_str() {
        "events" => Form::Event,
        "aks-records" => Form::AksRecord,
        other => return Err(format!("unknown form {other:?}").into()),
    };
    let mib: u64 = mib.parse()?;
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut t = Traffic::new(2026, form);
    let bytes = t.write(&mut w, mib << 20)?;
    w.flush()?;
    println!(
        "{path}: {bytes} bytes, {} events, {:.0} bytes/event",
        t.events(),
        bytes as f64 / t.events().max(1) as f64
    );
    Ok(())
}
