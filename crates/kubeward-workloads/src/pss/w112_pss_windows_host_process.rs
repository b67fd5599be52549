//! `windowsHostProcess` (baseline, v1.0+): no Windows HostProcess containers.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity};
use kubeward_inventory::Value;

use super::{Control, PodView, Violation, quoted};
use crate::Check;

pub static META: CheckMeta = CheckMeta {
    code: "W112",
    name: "pss-windows-host-process",
    since: "0.1.0",
    aliases: &[],
    title: "Pod Security: no Windows HostProcess containers",
    area: Area::Workloads,
    severity: Severity::High,
    references: &[RefStatic::pss("baseline/windowsHostProcess")],
    profiles: &[],
    kubeward_own: false,
    doc: CheckDoc {
        what: "securityContext.windowsOptions.hostProcess is unset or false on the pod and on every container.",
        why: "A HostProcess container runs directly on the Windows node as a host process, with the node's network and file system: the Windows equivalent of a privileged pod.",
        fix: "Remove `windowsOptions.hostProcess: true`; node-level Windows agents belong in a namespace labelled `pod-security.kubernetes.io/enforce=privileged`.",
        links: &["https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline"],
        bad: r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  os: {name: windows}
  hostNetwork: true
  securityContext:
    windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\SYSTEM"}
  containers:
  - name: agent
    image: mcr.microsoft.com/windows/nanoserver:ltsc2022
"#,
        good: r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  os: {name: windows}
  securityContext:
    windowsOptions: {runAsUserName: ContainerUser}
  containers:
  - name: agent
    image: mcr.microsoft.com/windows/nanoserver:ltsc2022
"#,
    },
};

pub static CHECK: Check =
    Check::pod_security(Control::baseline("windowsHostProcess", &META, check));

fn check(pod: &PodView<'_>, _minor: u32) -> Option<Violation> {
    let mut pointers = Vec::new();
    let pod_set = pod
        .sc("/windowsOptions/hostProcess")
        .and_then(Value::as_bool)
        == Some(true);
    if pod_set {
        pointers.push(pod.ptr("/securityContext/windowsOptions/hostProcess"));
    }
    let mut names = Vec::new();
    for c in &pod.containers {
        if c.sc("/windowsOptions/hostProcess").and_then(Value::as_bool) == Some(true) {
            names.push(c.name);
            pointers.push(c.ptr("/securityContext/windowsOptions/hostProcess"));
        }
    }
    if pointers.is_empty() {
        return None;
    }
    let who = match (pod_set, names.is_empty()) {
        (true, true) => "pod".to_string(),
        (true, false) => format!("pod and containers {}", quoted(&names)),
        (false, _) => super::containers_phrase(&names),
    };
    Some(Violation::new(
        "windowsHostProcess",
        "hostProcess",
        format!("{who} must not set securityContext.windowsOptions.hostProcess=true"),
        pointers,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{allowed, denied};

    #[test]
    fn vectors() {
        allowed(
            "windowsHostProcess",
            "securityContext: {windowsOptions: {hostProcess: false}}\ncontainers: [{name: a}]",
            35,
        );
        let v = denied(
            "windowsHostProcess",
            "securityContext: {windowsOptions: {hostProcess: true}}\ncontainers: [{name: a, securityContext: {windowsOptions: {hostProcess: true}}}]",
            0,
        );
        assert_eq!(v.pointers.len(), 2);
        assert!(v.detail.starts_with("pod and containers \"a\""));
    }
}
