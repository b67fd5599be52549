//! `kubeward scan`: every input recognised by its content, every area that applies, one report.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use kubeward_core::{InputError, InputInfo, Report};
use kubeward_inventory::{LoadOptions, load_paths};

use super::scan::ScanArgs;

/// What an input is, decided from its content (never from its name alone).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// A node's filesystem root (has `proc/` and kubelet files).
    NodeRoot(PathBuf),
    /// A saved `kubeward node -o json` report.
    NodeReport(PathBuf),
    /// Any other saved kubeward JSON report (its findings are carried over).
    SavedReport(PathBuf),
    /// `az aks show`, ARM, node pool list, diagnostic settings or role assignment JSON.
    Aks(PathBuf),
    /// Audit events in any shape kubeward reads.
    AuditLog(PathBuf),
    /// An audit `Policy`.
    AuditPolicy(PathBuf),
    /// A seccomp profile.
    Seccomp(PathBuf),
    /// An AppArmor profile.
    AppArmor(PathBuf),
    /// Kubernetes manifests or a snapshot.
    Manifests(PathBuf),
}

/// Bytes read to recognise a file.
const SNIFF_BYTES: usize = 64 * 1024;

/// Walk the paths and recognise every input. A file named directly that is none of the above is
/// an input error; one found in a folder is an input error when it is YAML or JSON that does not
/// parse (a broken manifest is not "something else"), and otherwise skipped: the skipped files
/// are gathered in `skipped`, so the report can say how many and which.
pub fn classify_counting(
    paths: &[PathBuf],
    errors: &mut Vec<InputError>,
    skipped: &mut Vec<PathBuf>,
) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, errors, skipped);
        } else {
            match classify_file(p) {
                Ok(Some(i)) => out.push(i),
                Ok(None) => errors.push(InputError {
                    path: p.display().to_string(),
                    line: None,
                    message: "not recognised: neither manifests, a node root or report, AKS JSON, an audit log or policy, nor a seccomp/AppArmor profile".into(),
                }),
                Err(e) => errors.push(InputError { path: p.display().to_string(), line: None, message: e }),
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_node_root(dir: &Path) -> bool {
    dir.join("proc").is_dir()
        && (dir.join("etc/default/kubelet").is_file()
            || dir.join("etc/kubernetes").is_dir()
            || dir.join("var/lib/kubelet").is_dir())
}

fn walk(
    dir: &Path,
    out: &mut Vec<Input>,
    errors: &mut Vec<InputError>,
    skipped: &mut Vec<PathBuf>,
) {
    if is_node_root(dir) {
        out.push(Input::NodeRoot(dir.to_path_buf()));
        return;
    }
    // Every file is looked at (recognised by content); symlinks are followed only inside `dir`,
    // and what cannot be walked or read (a link out of the tree, a FIFO) is an input error.
    let walked = kubeward_core::walk::walk_claiming(
        dir,
        &|_| true,
        &is_node_root,
        &kubeward_core::walk::WalkOptions {
            skip_dirs: &["target", "node_modules"],
            dedupe: false,
            ..Default::default()
        },
    );
    // A file reached by its name and through a link is one input: the first name recognised.
    let mut seen = std::collections::HashSet::new();
    errors.extend(walked.errors.into_iter().map(|e| InputError {
        path: e.path.display().to_string(),
        line: None,
        message: e.reason,
    }));
    for p in walked.files {
        if p.is_dir() {
            out.push(Input::NodeRoot(p));
            continue;
        }
        match classify_file(&p) {
            Ok(Some(i)) => {
                if seen.insert(std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone())) {
                    out.push(i);
                }
            }
            Ok(None) => match unparsable_data(&p) {
                Some(errs) => errors.extend(errs),
                None => skipped.push(p),
            },
            Err(e) => errors.push(InputError {
                path: p.display().to_string(),
                line: None,
                message: e,
            }),
        }
    }
}

/// A YAML or JSON file that was not recognised because it does not parse: its parse errors (with
/// lines), so a broken manifest in a folder is reported, not skipped as "something else".
fn unparsable_data(path: &Path) -> Option<Vec<InputError>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(ext.as_str(), "yaml" | "yml" | "json") {
        return None;
    }
    let head = sniff(path).ok()?;
    // Only a whole file can be judged; a large unrecognised one stays skipped (and counted).
    if head.len() >= SNIFF_BYTES {
        return None;
    }
    let inv =
        kubeward_inventory::load_bytes(&path.display().to_string(), &head, &LoadOptions::default());
    (!inv.errors.is_empty()).then_some(inv.errors)
}

/// What `scan` says about the files of walked folders it did not recognise: how many, the first
/// of them, and how to have one reported.
fn skipped_fact(skipped: &[PathBuf]) -> serde_json::Value {
    const SHOWN: usize = 50;
    serde_json::json!({
        "count": skipped.len(),
        "why": "not recognised by content as manifests, a node root or report, AKS JSON, an audit log or policy, or a seccomp/AppArmor profile",
        "files": skipped.iter().take(SHOWN).map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "more": skipped.len().saturating_sub(SHOWN),
        "how_to_see": "name a file on the command line to have it reported as an input error",
    })
}

fn sniff(path: &Path) -> Result<Vec<u8>, String> {
    // Regular files only: a FIFO would block the scan, a device never end.
    let file = kubeward_core::input::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(SNIFF_BYTES);
    file.take(SNIFF_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.starts_with(&[0x1f, 0x8b]) {
        // Compressed: only audit logs come gzipped; look inside to be sure.
        let mut inner = Vec::with_capacity(SNIFF_BYTES);
        let _ = flate2::read::GzDecoder::new(&buf[..])
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut inner);
        return Ok(inner);
    }
    Ok(buf)
}

/// Recognise one file by its first bytes.
pub fn classify_file(path: &Path) -> Result<Option<Input>, String> {
    let head = sniff(path)?;
    let text = String::from_utf8_lossy(&head);
    let t = text.trim_start_matches('\u{feff}').trim_start();
    let p = path.to_path_buf();
    let has = |needle: &str| t.contains(needle);
    let compact: String = t
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(SNIFF_BYTES)
        .collect();
    let chas = |needle: &str| compact.contains(needle);

    if t.starts_with('{') || t.starts_with('[') {
        if chas("\"schema_version\":") && chas("\"findings\":") {
            return Ok(Some(
                if has("\"kubelet_found\"") || chas("\"command\":\"node\"") {
                    Input::NodeReport(p)
                } else {
                    Input::SavedReport(p)
                },
            ));
        }
        if has("audit.k8s.io") && (chas("\"kind\":\"Event\"") || chas("\"kind\":\"EventList\"")) {
            if chas("\"kind\":\"Policy\"") {
                return Ok(Some(Input::AuditPolicy(p)));
            }
            return Ok(Some(Input::AuditLog(p)));
        }
        if (has("kube-audit") && chas("\"records\":"))
            || (chas("\"category\":\"kube-audit") && chas("\"properties\":{\"log\":"))
            || has("\"log_s\"")
            || has("\"AuditId\"")
            || has("PT1H")
        {
            return Ok(Some(Input::AuditLog(p)));
        }
        if chas("\"defaultAction\":") {
            return Ok(Some(Input::Seccomp(p)));
        }
        let lower = compact.to_ascii_lowercase();
        if lower.contains("microsoft.containerservice")
            || lower.contains("\"agentpoolprofiles\":")
            || (lower.contains("\"orchestratorversion\":") && lower.contains("\"vmsize\":"))
            || (lower.contains("\"logs\":")
                && lower.contains("\"category")
                && (lower.contains("workspaceid")
                    || lower.contains("storageaccountid")
                    || lower.contains("eventhub")))
            || (lower.contains("\"roledefinitionname\":") && lower.contains("\"principalid\":"))
        {
            return Ok(Some(Input::Aks(p)));
        }
        if chas("\"apiVersion\":") && chas("\"kind\":") {
            return Ok(Some(Input::Manifests(p)));
        }
        return Ok(None);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "csv" && (has("AuditId") || has("log_s")) {
        return Ok(Some(Input::AuditLog(p)));
    }
    if t.lines()
        .take(5)
        .any(|l| l.trim_start().starts_with('{') && l.contains("audit.k8s.io"))
    {
        return Ok(Some(Input::AuditLog(p)));
    }
    if matches!(ext.as_str(), "yaml" | "yml") {
        if has("audit.k8s.io") && t.lines().any(|l| l.trim() == "kind: Policy") {
            return Ok(Some(Input::AuditPolicy(p)));
        }
        if has("apiVersion") && has("kind") {
            return Ok(Some(Input::Manifests(p)));
        }
        return Ok(None);
    }
    // AppArmor profiles have no fixed extension: recognise the language.
    if t.lines().any(|l| {
        let l = l.trim_start();
        (l.starts_with("profile ") || l.starts_with('/')) && l.trim_end().ends_with('{')
    }) && (has("#include")
        || has("include <")
        || has("capability")
        || has("deny ")
        || has("file,"))
    {
        return Ok(Some(Input::AppArmor(p)));
    }
    Ok(None)
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
    for input in inputs {
        match input {
            Input::Manifests(p) => manifests.push(p),
            Input::NodeRoot(root) => {
                let outcome = kubeward_node::scan(&kubeward_node::ScanOptions::new(&root));
                absorb_node(
                    &mut report,
                    outcome.report,
                    &root.display().to_string(),
                    &mut node_facts,
                );
            }
            Input::NodeReport(p) | Input::SavedReport(p) => match read_report(&p) {
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
            },
            Input::Aks(p) => match kubeward_aks::InputFile::read(&p.display().to_string(), false) {
                Ok(f) => aks_files.push(f),
                Err(e) => report.input_errors.push(e.to_input_error()),
            },
            Input::AuditLog(p) => audit_logs.push(kubeward_audit::scan::Input::Path(p)),
            Input::AuditPolicy(p) => match kubeward_core::input::read_string(
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
            Input::Seccomp(p) => match kubeward_profiles::seccomp::Profile::read(&p) {
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
            Input::AppArmor(p) => match kubeward_profiles::apparmor::AppArmorFile::read(&p) {
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
        inv.merge(super::scan::live_inventory(&args.cluster_args)?);
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
        let engine = fact.engine;
        let model = kubeward_netpol::Model::build(&inv);
        let analysis = kubeward_netpol::Analysis::new(
            &model,
            kubeward_netpol::Options {
                engine,
                basis: fact.basis,
                ..Default::default()
            },
        );
        let mut netpol = kubeward_netpol::coverage::findings(&inv, &analysis);
        netpol.extend(kubeward_netpol::exposure::findings_with(
            &inv,
            &analysis,
            &kubeward_netpol::exposure::ExposureOptions { engine },
        ));
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

/// The same finding reached through two areas (e.g. exposure in workloads and netpol) is kept once.
fn dedup_findings(report: &mut Report) {
    let mut seen = std::collections::BTreeSet::new();
    report.findings.retain(|f| {
        let key = serde_json::to_string(f).unwrap_or_default();
        seen.insert(key)
    });
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

fn read_report(path: &Path) -> Result<Report, String> {
    let text = super::saved::read_text(path)?;
    let report = serde_json::from_str::<Report>(&text)
        .map_err(|e| format!("not a kubeward JSON report (line {}): {e}", e.line()))?;
    report.register_dynamic_checks();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    #[test]
    fn inputs_are_recognised_by_content_not_name() {
        let d = tempfile::tempdir().expect("tempdir");
        let dir = d.path();
        let cases = [
            (
                "a.txt",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
                None,
            ),
            (
                "pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
                Some("Manifests"),
            ),
            (
                "cluster.json",
                "{\"id\": \"/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c\", \"properties\": {}}",
                Some("Aks"),
            ),
            (
                "diag.json",
                "[{\"name\": \"d\", \"logs\": [{\"category\": \"kube-audit\", \"enabled\": true}], \"workspaceId\": \"w\"}]",
                Some("Aks"),
            ),
            (
                "events.log",
                "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"get\"}\n",
                Some("AuditLog"),
            ),
            (
                "PT1H.json",
                "{\"records\": [{\"category\": \"kube-audit\", \"properties\": {\"log\": \"{}\"}}]}",
                Some("AuditLog"),
            ),
            (
                "policy.yaml",
                "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n",
                Some("AuditPolicy"),
            ),
            (
                "profile.json",
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": []}",
                Some("Seccomp"),
            ),
            (
                "k8s-deny-write",
                "#include <tunables/global>\nprofile k8s-deny-write flags=(attach_disconnected) {\n  file,\n  deny /** w,\n}\n",
                Some("AppArmor"),
            ),
            ("notes.md", "# hello\n", None),
        ];
        for (name, text, want) in cases {
            let p = write(dir, name, text);
            let got = classify_file(&p)
                .expect("readable")
                .map(|i| format!("{i:?}").split('(').next().unwrap_or("").to_string());
            assert_eq!(got.as_deref(), want, "{name}");
        }
    }

    #[test]
    fn a_node_root_is_one_input_and_not_walked() {
        let d = tempfile::tempdir().expect("tempdir");
        let root = d.path().join("node");
        write(&root, "proc/1/cmdline", "kubelet");
        write(&root, "etc/default/kubelet", "KUBELET_FLAGS=");
        write(
            &root,
            "etc/kubernetes/manifest.yaml",
            "apiVersion: v1\nkind: Pod\n",
        );
        let mut errors = Vec::new();
        let inputs = classify_counting(&[d.path().to_path_buf()], &mut errors, &mut Vec::new());
        assert_eq!(inputs, vec![Input::NodeRoot(root)]);
        assert!(errors.is_empty());
    }
}
