//! CIS AKS 1.8.0 4.5.1: prefer using secrets as files over secrets as environment variables.

use kubeward_core::profile::{CIS_AKS_1_7, CIS_AKS_1_8};
use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity};
use kubeward_inventory::Value;

use super::pod_checks::per_pod;
use crate::Check;
use crate::ctx::{Ctx, container_label};

pub static META: CheckMeta = CheckMeta {
    code: "W450",
    name: "secrets-in-env-vars",
    since: "0.1.0",
    aliases: &[],
    title: "Secrets are mounted as files, not passed as environment variables",
    area: Area::Workloads,
    severity: Severity::Medium,
    references: &[
        RefStatic::cis_aks("1.8.0", "4.5.1"),
        RefStatic::cis_aks("1.7.0", "4.5.1"),
        RefStatic::mitre("T1552.007"),
    ],
    profiles: &[CIS_AKS_1_8, CIS_AKS_1_7],
    kubeward_own: false,
    doc: CheckDoc {
        what: "`env[].valueFrom.secretKeyRef` and `envFrom[].secretRef` in every init, regular and ephemeral container.",
        why: "Environment variables leak: they are inherited by every child process, printed by crash handlers and debug endpoints, visible in `/proc/PID/environ` to anything sharing the PID namespace, and never updated when the Secret rotates.",
        fix: "Mount the Secret as a volume (`volumes[].secret` plus a `volumeMount`, read-only) and read the file. On AKS the Secrets Store CSI driver with Azure Key Vault (`az aks enable-addons --addons azure-keyvault-secrets-provider`) mounts Key Vault secrets as files directly.",
        links: &[
            "https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-files-from-a-pod",
        ],
        bad: deployment_example!(
            container: [
                "env:",
                "- name: DB_PASSWORD",
                "  valueFrom:",
                "    secretKeyRef: {name: db, key: password}",
            ],
        ),
        good: deployment_example!(
            container: ["volumeMounts: [{name: db, mountPath: /etc/db, readOnly: true}]"],
            after: ["volumes:", "- name: db", "  secret: {secretName: db}"],
        ),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

pub fn evaluate(ctx: &Ctx<'_>) -> Vec<Finding> {
    per_pod(
        ctx,
        &META,
        |t| {
            let mut ev = Vec::new();
            for c in t.containers() {
                for (i, env) in c
                    .value
                    .get("env")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    if let Some(r) = env.pointer("/valueFrom/secretKeyRef") {
                        let name = env.get("name").and_then(Value::as_str).unwrap_or("?");
                        let secret = r.get("name").and_then(Value::as_str).unwrap_or("?");
                        let key = r.get("key").and_then(Value::as_str).unwrap_or("?");
                        ev.push(
                            Evidence::observed(
                                format!("{name} <- secret {secret} key {key}"),
                                t.object.source(
                                    &c.pointer(&format!("/env/{i}/valueFrom/secretKeyRef")),
                                ),
                            )
                            .with_expected("a secret volume mount")
                            .with_note(container_label(&c)),
                        );
                    }
                }
                for (i, env) in c
                    .value
                    .get("envFrom")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    if let Some(r) = env.get("secretRef") {
                        let secret = r.get("name").and_then(Value::as_str).unwrap_or("?");
                        ev.push(
                            Evidence::observed(
                                format!("every key of secret {secret}"),
                                t.object
                                    .source(&c.pointer(&format!("/envFrom/{i}/secretRef"))),
                            )
                            .with_expected("a secret volume mount")
                            .with_note(container_label(&c)),
                        );
                    }
                }
            }
            ev
        },
        "secrets passed as environment variables",
        "no secret is passed as an environment variable",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ctx::{ScanOptions, deployment, run_check};
    use kubeward_core::Status;

    #[test]
    fn secret_key_ref_and_env_from_fail() {
        let input = deployment(
            "d",
            "shop",
            "      containers:\n      - name: app\n        image: nginx\n        env:\n        - {name: PLAIN, value: x}\n        - name: DB_PASSWORD\n          valueFrom: {secretKeyRef: {name: db, key: password}}\n        envFrom:\n        - configMapRef: {name: cfg}\n        - secretRef: {name: api-keys}",
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Fail);
        assert_eq!(f[0].evidence.len(), 2);
        assert_eq!(
            f[0].evidence[0].source.key.as_deref(),
            Some("/spec/template/spec/containers/0/env/1/valueFrom/secretKeyRef")
        );
        assert_eq!(
            f[0].evidence[1].source.key.as_deref(),
            Some("/spec/template/spec/containers/0/envFrom/1/secretRef")
        );
    }

    #[test]
    fn config_maps_and_secret_volumes_pass() {
        let input = deployment(
            "d",
            "shop",
            "      volumes: [{name: s, secret: {secretName: db}}]\n      containers:\n      - name: app\n        image: nginx\n        env: [{name: LEVEL, valueFrom: {configMapKeyRef: {name: cfg, key: level}}}]\n        volumeMounts: [{name: s, mountPath: /etc/db, readOnly: true}]",
        );
        let f = run_check(&input, &ScanOptions::default(), evaluate);
        assert_eq!(f[0].status, Status::Pass);
    }
}
