//! RBAC writes simulated against the policy: logged, and with their bodies.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A103",
    name: "audit-policy-rbac-changes-not-logged",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy logs RBAC changes with their bodies",
    area: Area::Audit,
    severity: Severity::High,
    // kubeward's own criterion (bodies), finer than CIS 3.2.2: no CIS reference, so its WARN is
    // never read as a CIS verdict.
    references: &[RefStatic::mitre("T1098.006")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Simulates create/update/patch/delete of roles, clusterroles, rolebindings and clusterrolebindings: FAIL when any is logged at None, WARN when writes are logged only at Metadata (the role rules and binding subjects are then missing, so cluster-admin and wildcard grants cannot be detected).",
        why: "RBAC changes are privilege escalation and persistence; their bodies say what was granted to whom.",
        fix: "Log rbac.authorization.k8s.io writes at RequestResponse: `- level: RequestResponse` with `verbs: [create, update, patch, delete]` and `resources: [{group: rbac.authorization.k8s.io}]`.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: example_policy!(policy_rule!("Metadata")),
        good: example_policy!(
            policy_rule!("RequestResponse", verbs: r#"["create", "update", "patch", "delete"]"#, "rbac.authorization.k8s.io"),
            policy_rule!("Metadata"),
        ),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    let mut rbac = Vec::new();
    for r in ["roles", "rolebindings"] {
        rbac.extend(probes(
            &["create", "update", "patch", "delete"],
            "rbac.authorization.k8s.io",
            r,
            &[""],
            &["default"],
        ));
    }
    for r in ["clusterroles", "clusterrolebindings"] {
        rbac.extend(probes(
            &["create", "update", "patch", "delete"],
            "rbac.authorization.k8s.io",
            r,
            &[""],
            &[""],
        ));
    }
    coverage(
        l,
        &META,
        rbac.into_iter().filter(|p| p.verb != "delete").collect(),
        true,
        false,
    )
}
