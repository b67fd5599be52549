//! `kubeward scan`: every input recognised by its content, every area that applies, one report.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use kubeward_core::recognize::InputKind;
use kubeward_core::{InputError, InputInfo, Report, Resource, Status, Text};
use kubeward_inventory::{LoadOptions, load_paths};

use super::cluster::{ClusterArgs, live_inventory};
use super::inputs::{Input, classify_counting, skipped_fact};
use super::saved::{self, Schema};
use crate::output::OutputArgs;

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Inputs, recognised by content: manifest files and folders, snapshots, node roots, saved node
    /// reports, `az aks show` / diagnostic settings JSON, audit logs
    pub paths: Vec<PathBuf>,
    /// Also scan the live cluster (kubeconfig/context below, or in-cluster)
    #[arg(long)]
    pub cluster: bool,
    #[command(flatten)]
    pub cluster_args: ClusterArgs,
    /// Show findings about platform-managed objects (read from a cluster or a kubeward snapshot
    /// and labelled as maintained by AKS or Kubernetes) like any other: listed, and counted for
    /// the exit code
    #[arg(long)]
    pub include_system: bool,
    /// Judge AKS version support at this date (YYYY-MM-DD; default today)
    #[arg(long)]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub policy: super::policy::PolicyArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(args: ScanArgs) -> anyhow::Result<u8> {
    if args.paths.is_empty() && !args.cluster {
        anyhow::bail!(
            "give inputs (files or folders) and/or --cluster: kubeward scan [PATH…] [--cluster]"
        );
    }
    let as_of = match &args.as_of {
        Some(s) => kubeward_aks::versions::parse_date(s)
            .with_context(|| format!("--as-of {s:?} is not a date (YYYY-MM-DD)"))?,
        None => kubeward_aks::versions::today(),
    };
    let mut report = Report::new("scan");
    let mut skipped = Vec::new();
    let inputs = classify_counting(&args.paths, &mut report.input_errors, &mut skipped);
    if !skipped.is_empty() {
        report
            .facts
            .insert("skipped_files".into(), skipped_fact(&skipped));
        crate::eprintln_safe!(
            "note: {} file(s) in the given folders were not recognised and were skipped (listed in the report's facts, skipped_files)",
            skipped.len()
        );
    }

    let mut manifests = Vec::new();
    let mut node_facts = Vec::new();
    let mut aks_files = Vec::new();
    let mut audit_logs = Vec::new();
    for Input { kind, path: p } in inputs {
        match kind {
            InputKind::Manifests => manifests.push(p),
            InputKind::NodeRoot => {
                let outcome = kubeward_node::scan(&kubeward_node::ScanOptions::new(&p));
                absorb_node(
                    &mut report,
                    outcome.report,
                    &p.display().to_string(),
                    &mut node_facts,
                );
            }
            InputKind::NodeReport | InputKind::SavedReport => {
                match saved::read_report(&p, Schema::Any) {
                    Ok(saved) => absorb_node(
                        &mut report,
                        saved,
                        &p.display().to_string(),
                        &mut node_facts,
                    ),
                    Err(message) => report.input_errors.push(InputError {
                        path: p.display().to_string(),
                        line: None,
                        message,
                    }),
                }
            }
            InputKind::Aks => {
                match kubeward_aks::InputFile::read(&p.display().to_string(), false) {
                    Ok(f) => aks_files.push(f),
                    Err(e) => report.input_errors.push(e.to_input_error()),
                }
            }
            InputKind::AuditLog => audit_logs.push(kubeward_audit::scan::Input::Path(p)),
            InputKind::AuditPolicy => match kubeward_core::input::read_string(
                &p,
                kubeward_core::input::limits::LIST,
                "an audit Policy",
            ) {
                Ok(text) => report.absorb(kubeward_audit::policy::lint(
                    &p.display().to_string(),
                    &text,
                )),
                Err(e) => report.input_errors.push(InputError {
                    path: p.display().to_string(),
                    line: None,
                    message: e.to_string(),
                }),
            },
            InputKind::Seccomp => match kubeward_profiles::seccomp::Profile::read(&p) {
                Ok(profile) => {
                    report.inputs.push(InputInfo {
                        kind: "seccomp-profile".into(),
                        path: p.display().to_string(),
                        detail: None,
                    });
                    report.extend(kubeward_profiles::seccomp::lint::lint(&profile));
                }
                Err(e) => report.input_errors.push(e.to_input_error()),
            },
            InputKind::AppArmor => match kubeward_profiles::apparmor::AppArmorFile::read(&p) {
                Ok(parsed) => {
                    report.inputs.push(InputInfo {
                        kind: "apparmor-profile".into(),
                        path: p.display().to_string(),
                        detail: None,
                    });
                    report.extend(kubeward_profiles::apparmor::lint::lint(
                        &parsed,
                        &Default::default(),
                    ));
                }
                Err(e) => report.input_errors.push(e.to_input_error()),
            },
        }
    }

    // The AKS cluster bodies are read first: their networkProfile names the policy engine the
    // network analysis of the manifests applies.
    let aks_inv = (!aks_files.is_empty()).then(|| kubeward_aks::load(aks_files));
    // Kubernetes objects: manifests and snapshots, plus the live cluster when asked.
    let mut inv = if manifests.is_empty() {
        kubeward_inventory::Inventory::default()
    } else {
        load_paths(&manifests, &LoadOptions::default())
    };
    if args.cluster {
        inv.merge(live_inventory(&args.cluster_args)?);
    }
    if !inv.objects.is_empty() || !inv.errors.is_empty() || !args.policy.policy.is_empty() {
        report.inputs.extend(inv.inputs.iter().cloned());
        report.input_errors.extend(inv.errors.iter().cloned());
        let opts = kubeward_workloads::ScanOptions {
            include_system: args.include_system,
            nodes: node_facts.clone(),
        };
        // One scope rule for the workload and network-policy findings (see `scope`).
        let scope = kubeward_workloads::scope::Scope::of(&inv);
        let mut k8s = kubeward_workloads::scan(&inv, &opts);
        let fact = super::engine::detect(aks_inv.as_ref(), &node_facts, &inv);
        report
            .facts
            .insert("netpol".into(), super::workloads::engine_facts(&fact));
        let model = kubeward_netpol::Model::build(&inv);
        let analysis = kubeward_netpol::output::analyse(&model, &fact);
        let netpol = kubeward_netpol::output::findings(&inv, &analysis);
        k8s.extend(super::workloads::rolled_up_netpol(netpol));
        // Constraint violations: the cluster's own constraints (Gatekeeper, the Azure Policy
        // add-on) and `--policy`, over the same objects: what their audit would report.
        k8s.extend(super::policy::findings_for(&args.policy, &inv, &mut report));
        report
            .scope
            .extend(scope.apply(&mut k8s, args.include_system));
        report.append(k8s);
    }
    if let Some(aks_inv) = &aks_inv {
        report.absorb(kubeward_aks::report_for(
            aks_inv,
            &kubeward_aks::Ctx { as_of },
        ));
    }
    if !audit_logs.is_empty() {
        let opts = kubeward_audit::scan::ScanOptions::default();
        let outcome = kubeward_audit::scan::scan(&audit_logs, &opts);
        report.absorb(kubeward_audit::report::build_report(&outcome, &opts));
    }
    report.command = "scan".into();
    dedup_findings(&mut report);
    if report.inputs.is_empty() {
        crate::output::emit(report, &args.output)?;
        return Ok(kubeward_core::exit::EXIT_USAGE_OR_NO_INPUT as u8);
    }
    report
        .facts
        .insert("scan".into(), super::score::area_summary(&report));
    crate::output::emit(report, &args.output).context("cannot write the report")
}

/// The same finding reached through two areas (e.g. exposure in workloads and netpol) is kept
/// once: findings equal in every field, the first kept. Candidates are grouped by what tells
/// findings apart first (check, resource, item, status) and compared whole only within a group.
fn dedup_findings(report: &mut Report) {
    let keep: Vec<bool> = {
        let findings = &report.findings;
        let mut groups: HashMap<(&Text, &Resource, Option<&Text>, Status), Vec<usize>> =
            HashMap::new();
        (0..findings.len())
            .map(|i| {
                let f = &findings[i];
                let group = groups
                    .entry((&f.code, &f.resource, f.item.as_ref(), f.status))
                    .or_default();
                let seen = group.iter().any(|&j| findings[j] == *f);
                if !seen {
                    group.push(i);
                }
                !seen
            })
            .collect()
    };
    let mut keep = keep.into_iter();
    report.findings.retain(|_| keep.next().unwrap_or(true));
}

/// A node's report joins the scan: its findings, its facts under `node/<name>` (several nodes
/// can be scanned at once) and its NodeFacts for the workload profile checks.
fn absorb_node(
    report: &mut Report,
    mut node: Report,
    origin: &str,
    facts: &mut Vec<kubeward_node::NodeFacts>,
) {
    if let Some(v) = node.facts.remove(kubeward_node::facts::FACTS_KEY)
        && let Ok(f) = serde_json::from_value::<kubeward_node::NodeFacts>(v.clone())
    {
        let name = if f.name.is_empty() {
            origin.to_string()
        } else {
            f.name.clone()
        };
        report.facts.insert(format!("node/{name}"), v);
        facts.push(f);
    }
    if node.inputs.is_empty() {
        node.inputs.push(InputInfo {
            kind: "node-report".into(),
            path: origin.to_string(),
            detail: None,
        });
    }
    report.absorb(node);
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_core::{Area, CheckMeta, Finding, Severity};

    static META: CheckMeta = CheckMeta::fixture("K901", "t", "t", Area::Workloads, Severity::High);

    /// What `scan` did before: findings equal as JSON are one.
    fn dedup_by_json(findings: &mut Vec<Finding>) {
        let mut seen = std::collections::BTreeSet::new();
        findings.retain(|f| seen.insert(serde_json::to_string(f).unwrap_or_default()));
    }

    #[test]
    fn the_same_findings_are_removed_as_by_their_json() {
        let pod = |name: &str| Resource::new("Pod", name);
        let base = Finding::new(&META, Status::Fail, pod("a"), "exposed");
        let mut item = base.clone();
        item.item = Some("port 80".into());
        let findings = vec![
            base.clone(),
            Finding::new(&META, Status::Fail, pod("a"), "exposed"),
            // Same check, resource and status, other words: both kept.
            Finding::new(&META, Status::Fail, pod("a"), "exposed on 443"),
            Finding::new(&META, Status::Pass, pod("a"), "exposed"),
            Finding::new(&META, Status::Fail, pod("b"), "exposed"),
            item.clone(),
            item,
            base.clone().with_severity(Severity::Low),
            base,
        ];
        let mut want = findings.clone();
        dedup_by_json(&mut want);
        let mut report = Report::new("scan");
        report.findings = findings;
        dedup_findings(&mut report);
        assert_eq!(report.findings, want);
        assert_eq!(report.findings.len(), 6);
    }
}
