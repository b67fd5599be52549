//! The one scope rule of every command that reads Kubernetes objects (`workloads`, `pss`, `rbac`,
//! `netpol coverage`, `scan`): what counts as platform-managed, and how its findings are marked.
//!
//! - Offline inputs (manifest files, folders, stdin) are never set apart: whoever writes them
//!   chooses every label, owner and namespace.
//! - Objects read from a cluster (`--cluster`, or a `kubeward snapshot` file) are platform-managed
//!   only on evidence that AKS or Kubernetes maintains them: AKS's managed label, the addon-manager
//!   label, Kubernetes' bootstrap RBAC label, or an owner (`ownerReferences`, resolved within the
//!   inputs) that is itself platform-managed. A name or a namespace alone never counts.
//!
//! Platform-managed objects are still judged. Their findings are marked `platform_managed` and
//! never fail the run; `--include-system` leaves them unmarked, like any other finding.

use std::collections::{BTreeMap, HashMap, HashSet};

use kubeward_core::{AreaScope, Finding, Resource, Status};
use kubeward_inventory::{Inventory, Object, Value};

/// The flag that shows platform-managed findings like any other.
pub const SHOWN_BY: &str = "--include-system";

/// Owner chains longer than this are not followed (Pod → ReplicaSet → Deployment is two hops).
const MAX_OWNER_HOPS: usize = 8;
/// Owner references read per object (bounds hostile input).
const MAX_OWNER_REFS: usize = 64;

/// Why an object is platform-managed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// `kubernetes.azure.com/managedby: aks`.
    AksManaged,
    /// `addonmanager.kubernetes.io/mode` (any value): reconciled by the add-on manager.
    AddonManager,
    /// `kubernetes.io/bootstrapping: rbac-defaults`: Kubernetes' default RBAC.
    BootstrapRbac,
    /// An owner reference to a platform-managed object.
    PlatformOwner,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::AksManaged => "label kubernetes.azure.com/managedby=aks",
            Reason::AddonManager => "label addonmanager.kubernetes.io/mode",
            Reason::BootstrapRbac => "label kubernetes.io/bootstrapping=rbac-defaults",
            Reason::PlatformOwner => "owned by a platform-managed object",
        }
    }
}

/// The reason an object's own labels give, if it was read from a cluster.
pub fn label_reason(obj: &Object) -> Option<Reason> {
    if !obj.origin.provenance.is_from_cluster() {
        return None;
    }
    if obj.label("kubernetes.azure.com/managedby") == Some("aks") {
        Some(Reason::AksManaged)
    } else if obj.label("addonmanager.kubernetes.io/mode").is_some() {
        Some(Reason::AddonManager)
    } else if obj.label("kubernetes.io/bootstrapping") == Some("rbac-defaults") {
        Some(Reason::BootstrapRbac)
    } else {
        None
    }
}

/// The platform-managed objects of an inventory.
#[derive(Debug, Default)]
pub struct Scope {
    managed: HashMap<Resource, Reason>,
}

impl Scope {
    pub fn of(inv: &Inventory) -> Scope {
        let live: Vec<&Object> = inv
            .objects
            .iter()
            .filter(|o| o.origin.provenance.is_from_cluster())
            .collect();
        // Per object, by position in `live`; resources are built only for the managed ones.
        let mut reasons: Vec<Option<Reason>> = live.iter().map(|o| label_reason(o)).collect();
        let mut managed_uids: HashSet<&str> = live
            .iter()
            .zip(&reasons)
            .filter(|(_, r)| r.is_some())
            .filter_map(|(o, _)| uid(o))
            .collect();
        // Owners: by uid (always set on objects from the API server), each round one hop further.
        for _ in 0..MAX_OWNER_HOPS {
            let mut added = false;
            for (o, reason) in live.iter().zip(reasons.iter_mut()) {
                if reason.is_none() && owner_uids(o).any(|u| managed_uids.contains(u)) {
                    *reason = Some(Reason::PlatformOwner);
                    if let Some(uid) = uid(o) {
                        managed_uids.insert(uid);
                    }
                    added = true;
                }
            }
            if !added || managed_uids.is_empty() {
                break;
            }
        }
        let managed: HashMap<Resource, Reason> = live
            .iter()
            .zip(reasons)
            .filter_map(|(o, r)| r.map(|r| (o.resource(), r)))
            .collect();
        Scope { managed }
    }

    /// Why `resource` is platform-managed, if it is.
    pub fn reason(&self, resource: &Resource) -> Option<Reason> {
        self.managed.get(resource).copied()
    }

    /// Is this object platform-managed?
    pub fn is_managed(&self, obj: &Object) -> bool {
        label_reason(obj).is_some() || self.managed.contains_key(&obj.resource())
    }

    /// How many objects are platform-managed.
    pub fn len(&self) -> usize {
        self.managed.len()
    }

    pub fn is_empty(&self) -> bool {
        self.managed.is_empty()
    }

    /// [`Scope::apply`] to a report's findings, its per-area statement added to the report.
    pub fn mark(&self, report: &mut kubeward_core::Report, include_system: bool) {
        let areas = self.apply(&mut report.findings, include_system);
        report.scope.extend(areas);
    }

    /// Mark the findings about platform-managed objects (unless `include_system`) and say, per
    /// area, how many objects and findings that concerns and why. Areas without any have no entry.
    pub fn apply(&self, findings: &mut [Finding], include_system: bool) -> Vec<AreaScope> {
        if self.managed.is_empty() {
            return Vec::new();
        }
        let mut areas: BTreeMap<String, (AreaScope, HashSet<Resource>)> = BTreeMap::new();
        for f in findings.iter_mut() {
            let Some(reason) = self.reason(&f.resource) else {
                continue;
            };
            let (scope, seen) = areas.entry(f.area.to_string()).or_insert_with(|| {
                (
                    AreaScope {
                        area: f.area.to_string(),
                        shown_by: SHOWN_BY.to_string(),
                        included: include_system,
                        ..Default::default()
                    },
                    HashSet::new(),
                )
            });
            if seen.insert(f.resource.clone()) {
                scope.objects += 1;
                *scope
                    .reasons
                    .entry(reason.as_str().to_string())
                    .or_default() += 1;
            }
            scope.findings += 1;
            if f.status == Status::Fail {
                scope.failing += 1;
            }
            if !include_system {
                f.platform_managed = true;
            }
        }
        areas.into_values().map(|(s, _)| s).collect()
    }
}

fn uid(o: &Object) -> Option<&str> {
    o.value.pointer("/metadata/uid").and_then(Value::as_str)
}

fn owner_uids(o: &Object) -> impl Iterator<Item = &str> {
    o.value
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .take(MAX_OWNER_REFS)
        .filter_map(|r| r.get("uid").and_then(Value::as_str))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kubeward_inventory::{LoadOptions, Provenance, load_str};

    const OBJECTS: &str = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: kube-proxy, namespace: kube-system, uid: u1, labels: {addonmanager.kubernetes.io/mode: Reconcile}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: kube-proxy-x, namespace: kube-system, uid: u2, ownerReferences: [{kind: DaemonSet, name: kube-proxy, uid: u1, controller: true}]}\n---\napiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: calico-node, namespace: kube-system, uid: u3}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:coredns', labels: {kubernetes.io/bootstrapping: rbac-defaults}}\n";

    fn inventory(provenance: Provenance) -> Inventory {
        let mut inv = load_str("t.yaml", OBJECTS, &LoadOptions::default());
        for o in &mut inv.objects {
            o.origin.provenance = provenance;
        }
        inv
    }

    #[test]
    fn offline_inputs_set_nothing_apart_whatever_their_labels() {
        let scope = Scope::of(&inventory(Provenance::Offline));
        assert!(scope.is_empty());
    }

    #[test]
    fn cluster_objects_by_label_and_by_owner_but_never_by_name_or_namespace() {
        let inv = inventory(Provenance::Snapshot);
        let scope = Scope::of(&inv);
        let reason = |name: &str| {
            let o = inv.objects.iter().find(|o| o.name == name).expect("object");
            scope.reason(&o.resource())
        };
        assert_eq!(reason("kube-proxy"), Some(Reason::AddonManager));
        assert_eq!(reason("kube-proxy-x"), Some(Reason::PlatformOwner));
        assert_eq!(reason("system:coredns"), Some(Reason::BootstrapRbac));
        // A calico- name in kube-system, without a label: the user's object.
        assert_eq!(reason("calico-node"), None);
        assert_eq!(scope.len(), 3);
    }

    #[test]
    fn apply_marks_and_counts_per_area() {
        use kubeward_core::{Area, CheckMeta, Severity};
        static META: CheckMeta =
            CheckMeta::fixture("W999", "test-check", "t", Area::Workloads, Severity::High);
        let inv = inventory(Provenance::Live);
        let scope = Scope::of(&inv);
        let mut findings: Vec<Finding> = inv
            .objects
            .iter()
            .map(|o| Finding::new(&META, Status::Fail, o.resource(), "x"))
            .collect();
        let areas = scope.apply(&mut findings, false);
        assert_eq!(areas.len(), 1);
        assert_eq!(
            (areas[0].objects, areas[0].findings, areas[0].failing),
            (3, 3, 3)
        );
        assert_eq!(
            areas[0].reasons.get("owned by a platform-managed object"),
            Some(&1)
        );
        let marked: Vec<&str> = findings
            .iter()
            .filter(|f| f.platform_managed)
            .map(|f| f.resource.name.as_str())
            .collect();
        assert_eq!(marked, vec!["kube-proxy", "kube-proxy-x", "system:coredns"]);
        // --include-system: counted in the scope, but nothing marked.
        let mut again: Vec<Finding> = findings
            .iter()
            .cloned()
            .map(|mut f| {
                f.platform_managed = false;
                f
            })
            .collect();
        let areas = scope.apply(&mut again, true);
        assert!(areas[0].included);
        assert!(again.iter().all(|f| !f.platform_managed));
    }
}
