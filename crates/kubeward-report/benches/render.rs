//! Rendering time of every format for a large generated report (findings spread over areas,
//! statuses, namespaces, with evidence). Prints one line per format:
//!   cargo bench -p kubeward-report --bench render [-- FINDINGS]      (default 20000)

use std::time::Instant;

use kubeward_core::{
    Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Registry, Report, Resource, Severity,
    Source, Status,
};
use kubeward_report::{Format, RenderOptions, render};

static REFS: [RefStatic; 1] = [RefStatic::cis_aks("1.8.0", "4.2.1")];

const fn meta(code: &'static str, name: &'static str, area: Area, severity: Severity) -> CheckMeta {
    CheckMeta {
        since: "0.1.0",
        aliases: &[],
        code,
        name,
        title: "A generated check for the rendering benchmark",
        area,
        severity,
        references: &REFS,
        profiles: &["cis-aks-1.8"],
        kubeward_own: false,
        doc: CheckDoc {
            bad: "",
            good: "",
            what: "What the generated check looks at.",
            why: "Why it matters, in a sentence or two of realistic length for a report.",
            fix: "Set the field in the manifest and apply it:\n  kubectl apply -f deployment.yaml",
            links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/"],
        },
    }
}

static CHECKS: [CheckMeta; 6] = [
    meta("N901", "bench-node", Area::Node, Severity::High),
    meta(
        "W901",
        "bench-workload",
        Area::Workloads,
        Severity::Critical,
    ),
    meta(
        "W902",
        "bench-workload-2",
        Area::Workloads,
        Severity::Medium,
    ),
    meta("P901", "bench-netpol", Area::Netpol, Severity::Medium),
    meta("Z901", "bench-aks", Area::Aks, Severity::Low),
    meta("S901", "bench-profile", Area::Profiles, Severity::Info),
];

fn generate(n: usize) -> Report {
    let mut r = Report::new("bench");
    for i in 0..n {
        let check = &CHECKS[i % CHECKS.len()];
        let status = Status::ALL[(i / CHECKS.len()) % Status::ALL.len()];
        let ns = format!("team-{}", i % 40);
        r.push(
            Finding::new(
                check,
                status,
                Resource::namespaced("Deployment", ns.clone(), format!("app-{i}")),
                format!("container `app` of app-{i} runs with a setting the check rejects"),
            )
            .with_evidence(
                Evidence::observed(
                    "true",
                    Source::file(format!("manifests/{ns}/app-{i}.yaml"))
                        .with_line(20 + (i % 50) as u32)
                        .with_key("spec.template.spec.containers[0].securityContext.privileged"),
                )
                .with_expected("false"),
            ),
        );
    }
    r.finish();
    r
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(20_000);
    let refs: Vec<&'static CheckMeta> = CHECKS.iter().collect();
    let registry = Registry::new().with(&refs);
    let report = generate(n);
    println!("rendering a report of {n} findings");
    for format in Format::ALL {
        for verbose in [false, true] {
            if verbose && !matches!(format, Format::Text | Format::Markdown) {
                continue;
            }
            let options = RenderOptions {
                color: false,
                verbose,
                ..Default::default()
            };
            let start = Instant::now();
            let out = match render(&report, format, &registry, &options) {
                Ok(s) => s,
                Err(e) => {
                    println!("{format:<9} error: {e}");
                    continue;
                }
            };
            let elapsed = start.elapsed();
            println!(
                "{:<18} {:>8.1} ms  {:>8.1} MiB",
                format!("{format}{}", if verbose { " --verbose" } else { "" }),
                elapsed.as_secs_f64() * 1000.0,
                out.len() as f64 / (1024.0 * 1024.0)
            );
        }
    }
}
