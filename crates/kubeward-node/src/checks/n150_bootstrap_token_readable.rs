//! kubeward's own: the bootstrap kubeconfig's token is not readable by other local users.

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, RefStatic, Severity, Status};

use super::credential_files::{credential_finding, has_token, readable_by_others};
use super::{Check, Ctx};

pub static META: CheckMeta = CheckMeta {
    code: "N150",
    name: "bootstrap-token-readable",
    since: "0.1.0",
    aliases: &[],
    title: "The bootstrap kubeconfig's token is not readable by other users",
    area: Area::Node,
    severity: Severity::High,
    references: &[RefStatic::mitre("T1552.001")],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The file named by --bootstrap-kubeconfig (AKS: /var/lib/kubelet/bootstrap-kubeconfig): does it hold a \
bootstrap token, and can users other than root read it (other-readable, or group-readable by a non-root group)?",
        why: "A bootstrap token can create certificate signing requests as a node: any local user who reads it can \
obtain node credentials (and on many clusters read secrets of pods scheduled to that node).",
        fix: "On AKS the file is written by node provisioning and every node image upgrade rewrites it, so a \
chmod on one node does not last: upgrade the node image so it is written with the current modes \
(`az aks nodepool upgrade -g RG --cluster-name CLUSTER -n POOL --node-image-only`). Once TLS bootstrapping is complete the token is no longer needed; rotate bootstrap tokens by \
upgrading the cluster (`az aks upgrade`). Until then limit who can log on to nodes (disable SSH: \
`az aks nodepool update -g RG --cluster-name CLUSTER -n POOL --ssh-access disabled`).",
        links: &[
            "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/",
        ],
        bad: "kubelet --bootstrap-kubeconfig=/var/lib/kubelet/bootstrap-kubeconfig\n-rw-r--r-- root:root /var/lib/kubelet/bootstrap-kubeconfig\n    users:\n    - name: kubelet-bootstrap\n      user:\n        token: abcdef.0123456789abcdef",
        good: "kubelet --bootstrap-kubeconfig=/var/lib/kubelet/bootstrap-kubeconfig\n-rw------- root:root /var/lib/kubelet/bootstrap-kubeconfig\n    users:\n    - name: kubelet-bootstrap\n      user:\n        token: abcdef.0123456789abcdef",
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(c: &Ctx) -> Finding {
    credential_finding(
        c,
        &META,
        c.bootstrap_kubeconfig.clone(),
        "bootstrap kubeconfig",
        |text, st| match (has_token(text), readable_by_others(st)) {
            (true, true) => (
                Status::Fail,
                format!(
                    "the bootstrap kubeconfig holds a token and is readable by other users (mode {})",
                    st.mode_octal()
                ),
                None,
            ),
            (true, false) => (
                Status::Pass,
                "the bootstrap kubeconfig holds a token, readable by root only".into(),
                None,
            ),
            (false, _) => (
                Status::Pass,
                "the bootstrap kubeconfig holds no token".into(),
                None,
            ),
        },
    )
}
