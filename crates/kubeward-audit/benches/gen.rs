//! Writes the benchmark's generated AKS audit log to a file, for timing the command line
//! against other tools by hand:
//!
//! `cargo run --release -p kubeward-audit --example audit-gen -- events|aks-records MIB FILE`
//!
//! `events`: JSON lines of `audit.k8s.io/v1` Events; `aks-records`: AKS resource-log records
//! (a storage account's `PT1H.json` lines). The output is the same for the same arguments.

use std::io::{BufWriter, Write};

use kubeward_audit::synth::{Form, Traffic};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
