//! PASS findings rolled up per check and scope, so a 100,000-workload snapshot yields a report of
//! what is wrong rather than a million "fine" lines: per check, one PASS per namespace (resource
//! `Namespace/<ns>`) and one for cluster-scoped objects (`Cluster/cluster`), saying how many
//! objects passed and naming the first few. Every other status stays per resource.

use std::collections::HashMap;

use kubeward_core::{CheckMeta, Evidence, Finding, Resource, Source, Status};

/// How many passing objects an aggregated PASS names in its evidence.
pub const PASS_EXAMPLES: usize = 5;

/// Resource kinds that already stand for a whole scope: a single PASS about one of them is kept
/// as written (e.g. "namespace shop has 2 network policies", "none of the 40 bindings grants…").
const SCOPE_KINDS: &[&str] = &["Namespace", "Cluster", "RBAC"];

/// Namespaced kinds the workload checks report on; written without `metadata.namespace` they land
/// in `default` (kubectl's namespace when none is given), so their PASS is counted there.
const NAMESPACED_KINDS: &[&str] = &[
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicationController",
    "Rollout",
    "Service",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ConfigMap",
    "Secret",
    "NetworkPolicy",
    "CiliumNetworkPolicy",
    "Ingress",
    "PersistentVolumeClaim",
];

/// The scope a PASS is counted in: `Some(namespace)` or `None` for the cluster.
fn scope_of(resource: &Resource) -> Option<&str> {
    match resource.namespace.as_deref() {
        Some(ns) if !ns.is_empty() => Some(ns),
        _ if resource.kind == "Namespace" => Some(resource.name.as_str()),
        _ if NAMESPACED_KINDS.contains(&resource.kind.as_str()) => Some("default"),
        _ => None,
    }
}

fn scope_resource(scope: Option<&str>) -> Resource {
    match scope {
        Some(ns) => Resource::new("Namespace", ns),
        None => Resource::new("Cluster", "cluster"),
    }
}

struct Group {
    /// Position of the group's first PASS in the input (output order follows it).
    first: usize,
    count: usize,
    /// The first PASS findings, kept whole until the group is built.
    examples: Vec<Finding>,
}

/// A PASS about one object, as the checks emit it before [`aggregate_passes`] rolls it up. Its
/// static text is borrowed from `meta`, so 100,000 of them stay cheap.
pub fn pass(
    meta: &'static CheckMeta,
    resource: Resource,
    message: impl Into<kubeward_core::Text>,
) -> Finding {
    Finding::new(meta, Status::Pass, resource, message)
}

/// PASS findings being rolled up: per check code and scope, how many passed and the first
/// [`PASS_EXAMPLES`]. Each PASS is dropped as soon as it is counted, so a check over 100,000
/// workloads never holds 100,000 of them (nor the memory they would leave behind).
#[derive(Default)]
pub struct Rollup {
    groups: HashMap<(kubeward_core::Text, Option<String>), Group>,
    seen: usize,
}

impl Rollup {
    /// Count one PASS finding.
    pub fn add(&mut self, f: Finding) {
        let position = self.seen;
        self.seen += 1;
        let key = (f.code.clone(), scope_of(&f.resource).map(str::to_string));
        let g = self.groups.entry(key).or_insert_with(|| Group {
            first: position,
            count: 0,
            examples: Vec::new(),
        });
        g.count += 1;
        if g.examples.len() < PASS_EXAMPLES {
            g.examples.push(f);
        }
    }

    /// Fold in the PASS findings another worker counted after this one's (its positions follow).
    pub fn merge(&mut self, other: Rollup) {
        let offset = self.seen;
        self.seen += other.seen;
        for (key, mut theirs) in other.groups {
            theirs.first += offset;
            match self.groups.get_mut(&key) {
                Some(ours) => {
                    ours.count += theirs.count;
                    let room = PASS_EXAMPLES.saturating_sub(ours.examples.len());
                    ours.examples.extend(theirs.examples.into_iter().take(room));
                }
                None => {
                    self.groups.insert(key, theirs);
                }
            }
        }
    }

    /// The rolled-up PASS findings, in the order their first PASS came.
    pub fn finish(self, meta: impl Fn(&str) -> Option<&'static CheckMeta>) -> Vec<Finding> {
        let mut rolled: Vec<_> = self.groups.into_iter().collect();
        rolled.sort_by_key(|(_, g)| g.first);
        rolled
            .into_iter()
            .map(|((code, scope), g)| build(&code, scope.as_deref(), g, &meta))
            .collect()
    }
}

/// Where a check puts its findings: PASS ones are counted at once (see [`Rollup`]), the others
/// kept, trimmed to size, their short text shared.
#[derive(Default)]
pub struct Sink {
    kept: Vec<Finding>,
    passes: Rollup,
}

impl Sink {
    pub fn push(&mut self, mut f: Finding) {
        if f.status == Status::Pass {
            self.passes.add(f);
        } else {
            f.compact();
            self.kept.push(f);
        }
    }

    /// Fold in what another worker collected after this one (parallel checks).
    pub fn merge(&mut self, other: Sink) {
        self.kept.reserve_exact(other.kept.len());
        self.kept.extend(other.kept);
        self.passes.merge(other.passes);
    }

    /// The kept findings, then the rolled-up PASS findings (metadata by check code).
    pub fn into_findings(self) -> Vec<Finding> {
        let mut kept = self.kept;
        let rolled = self.passes.finish(crate::check_meta);
        kept.reserve_exact(rolled.len());
        kept.extend(rolled);
        kept
    }
}

/// Every finding of `findings` through a [`Sink`]: PASS ones rolled up and placed after the
/// others, which keep their order.
pub fn rolled_up(findings: impl IntoIterator<Item = Finding>) -> Vec<Finding> {
    let mut sink = Sink::default();
    for f in findings {
        sink.push(f);
    }
    sink.into_findings()
}

/// Roll the PASS findings of `findings` up per check code and scope; others pass through in order.
/// `meta` gives a check's metadata by code (the aggregated finding carries its references);
/// without it the first PASS of the group serves as the template.
pub fn aggregate_passes(
    findings: Vec<Finding>,
    meta: impl Fn(&str) -> Option<&'static CheckMeta>,
) -> Vec<Finding> {
    let mut findings = findings;
    let mut passes = Rollup::default();
    // PASS findings are taken out in place, so the others are neither moved nor copied (a check
    // over 100,000 workloads would otherwise hold its findings twice).
    for f in findings.extract_if(.., |f| f.status == Status::Pass) {
        passes.add(f);
    }
    // Every check's findings come through here as soon as the check is done: the room their
    // evidence grew into is given back before the next check runs.
    for f in &mut findings {
        f.compact();
    }
    let rolled = passes.finish(&meta);
    findings.shrink_to(findings.len() + rolled.len());
    findings.extend(rolled);
    findings
}

fn build(
    code: &str,
    scope: Option<&str>,
    mut g: Group,
    meta: &impl Fn(&str) -> Option<&'static CheckMeta>,
) -> Finding {
    let resource = scope_resource(scope);
    if g.count == 1 && SCOPE_KINDS.contains(&g.examples[0].resource.kind.as_str()) {
        let only = g.examples.remove(0);
        let mut f = match meta(code) {
            Some(m) => Finding::new(m, Status::Pass, only.resource, only.message),
            None => only.clone(),
        };
        f.evidence = only.evidence;
        f.remediation = kubeward_core::Text::default();
        return f;
    }
    let plural = if g.count == 1 { "" } else { "s" };
    let what = match scope {
        Some(ns) => format!("{} object{plural} in namespace {ns}", g.count),
        None => format!("{} cluster-scoped object{plural}", g.count),
    };
    let message = format!(
        "{what} passed{}",
        if g.count > g.examples.len() {
            format!(" (the first {} named in the evidence)", g.examples.len())
        } else {
            String::new()
        }
    );
    let mut f = match meta(code) {
        Some(m) => Finding::new(m, Status::Pass, resource, message),
        None => {
            let mut t = g.examples[0].clone();
            t.resource = resource;
            t.message = message.into();
            t.evidence.clear();
            t
        }
    };
    // A PASS needs no remediation text.
    f.remediation = kubeward_core::Text::default();
    f.evidence = g.examples.into_iter().map(example).collect();
    f
}

/// One passing object: which object, where (file, line, field path), and what the check said.
fn example(f: Finding) -> Evidence {
    let source = f
        .evidence
        .into_iter()
        .next()
        .map_or_else(Source::default, |e| e.source);
    Evidence::observed(f.resource.display(), source).with_note(f.message)
}

/// For tests: the evidence a rolled-up PASS gives for the object `kind/namespace/name` (its
/// message is the note, its first evidence's source the source), if that object passed.
#[cfg(test)]
pub(crate) fn passed<'a>(findings: &'a [Finding], object: &str) -> Option<&'a Evidence> {
    findings
        .iter()
        .filter(|f| f.status == Status::Pass)
        .flat_map(|f| &f.evidence)
        .find(|e| e.observed.as_deref() == Some(object))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_core::{Area, RefStatic, Severity};

    static META: CheckMeta = CheckMeta {
        references: &[RefStatic::cis_aks("1.8.0", "4.2.1")],
        kubeward_own: false,
        ..CheckMeta::fixture(
            "W999",
            "test-check",
            "Test",
            Area::Workloads,
            Severity::High,
        )
    };

    fn pass(kind: &str, ns: Option<&str>, name: &str) -> Finding {
        let resource = match ns {
            Some(ns) => Resource::namespaced(kind, ns, name),
            None => Resource::new(kind, name),
        };
        Finding::new(&META, Status::Pass, resource, "fine").with_evidence(Evidence::observed(
            "ok",
            Source::file("x.yaml").with_key("/spec/template/spec"),
        ))
    }

    fn by_code(code: &str) -> Option<&'static CheckMeta> {
        (code == META.code).then_some(&META)
    }

    #[test]
    fn passes_roll_up_per_namespace_and_failures_stay() {
        let mut input: Vec<Finding> = (0..7)
            .map(|i| pass("Deployment", Some("shop"), &format!("d{i}")))
            .collect();
        input.push(pass("Deployment", Some("web"), "w"));
        let mut fail = pass("Deployment", Some("shop"), "bad");
        fail.status = Status::Fail;
        input.push(fail);
        let out = aggregate_passes(input, by_code);
        assert_eq!(out.len(), 3, "{out:#?}");
        // Failures first, as they came; then one PASS per namespace, in order of first PASS.
        assert_eq!(out[0].status, Status::Fail);
        assert_eq!(out[0].resource.name, "bad");
        let shop = &out[1];
        assert_eq!(shop.resource, Resource::new("Namespace", "shop"));
        assert_eq!(shop.status, Status::Pass);
        assert!(
            shop.message
                .starts_with("7 objects in namespace shop passed")
        );
        assert_eq!(shop.evidence.len(), PASS_EXAMPLES);
        assert_eq!(
            shop.evidence[0].observed.as_deref(),
            Some("Deployment/shop/d0")
        );
        assert_eq!(
            shop.evidence[0].source.key.as_deref(),
            Some("/spec/template/spec")
        );
        assert_eq!(shop.references.len(), 1, "metadata comes from the check");
        assert!(shop.remediation.is_empty());
        assert_eq!(out[2].resource, Resource::new("Namespace", "web"));
        assert!(
            out[2]
                .message
                .starts_with("1 object in namespace web passed")
        );
    }

    #[test]
    fn cluster_scoped_and_unwritten_namespaces() {
        let input = vec![
            pass("ClusterRole", None, "a"),
            pass("ClusterRole", None, "b"),
            pass("Deployment", None, "no-ns"),
            pass("Namespace", None, "shop"),
            pass("RBAC", None, "bindings"),
        ];
        let out = aggregate_passes(input, |_| None);
        let names: Vec<String> = out.iter().map(|f| f.resource.display()).collect();
        assert_eq!(
            names,
            ["Cluster/cluster", "Namespace/default", "Namespace/shop"],
            "{out:#?}"
        );
        assert!(
            out[0]
                .message
                .starts_with("3 cluster-scoped objects passed")
        );
        // A namespace-level PASS alone in its scope keeps its own words.
        assert_eq!(out[2].message, "fine");
    }

    #[test]
    fn light_passes_get_the_check_metadata_back() {
        let light =
            |ns: &str, name: &str| super::pass(&META, Resource::namespaced("Pod", ns, name), "ok");
        let out = aggregate_passes(vec![light("a", "p1"), light("a", "p2")], by_code);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].title, "Test");
        assert_eq!(out[0].name, "test-check");
        assert_eq!(out[0].references.len(), 1);
        assert_eq!(out[0].evidence[1].observed.as_deref(), Some("Pod/a/p2"));
        let single = super::pass(&META, Resource::new("Namespace", "a"), "has a policy");
        let out = aggregate_passes(vec![single], by_code);
        assert_eq!(out[0].message, "has a policy");
        assert_eq!(out[0].title, "Test", "a kept PASS is completed too");
    }
}
