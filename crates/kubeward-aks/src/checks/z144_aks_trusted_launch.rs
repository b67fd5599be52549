//! Node pools boot with Trusted Launch (Secure Boot and vTPM).

use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Severity, Status};

use super::{Check, Ctx, finding, per_pool};
use crate::model::{Cluster, Field, Pool};

pub static META: CheckMeta = CheckMeta {
    code: "Z144",
    name: "aks-trusted-launch",
    since: "0.1.0",
    aliases: &[],
    title: "Node pools use Trusted Launch (Secure Boot and vTPM)",
    area: Area::Aks,
    severity: Severity::Low,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "`securityProfile.enableSecureBoot` and `securityProfile.enableVtpm` of every node pool: both true passes; either false, or not set (AKS default: false, said with the finding), fails. NOT_APPLICABLE where the pool cannot use Trusted Launch and the input shows it: Windows pools, FIPS pools, Pod Sandboxing (Kata) pools, availability-set pools, and Arm64 sizes (a `p` among the size name's additive features, by Azure's VM naming convention: `Standard_D4ps_v5`). Trusted Launch also needs a Generation 2 VM size and no confidential VM size; kubeward has no VM size table, so such a pool is judged like any other: `az vm list-skus` tells whether a size supports it.",
        why: "Secure Boot lets only signed boot loaders, kernels and drivers start, which stops boot kits and rootkits that survive reimaging of the OS; the vTPM measures the boot chain so that Microsoft Defender for Cloud can attest that a node booted what it should. Microsoft Learn: \"Trusted launch for Azure Kubernetes Service (AKS)\".",
        fix: "az aks nodepool add -g <resource-group> --cluster-name <cluster> -n <new-pool> --enable-secure-boot --enable-vtpm ...; move the workloads, then az aks nodepool delete -g <resource-group> --cluster-name <cluster> -n <pool>   # a pool already on a Trusted Launch image (node image name with TL) only needs: az aks nodepool update -g <resource-group> --cluster-name <cluster> -n <pool> --enable-secure-boot --enable-vtpm",
        links: &[
            "https://learn.microsoft.com/azure/aks/use-trusted-launch",
            "https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions",
        ],
        bad: cluster!(pools [linux_pool!(r#""securityProfile": {"enableSecureBoot": false, "enableVtpm": false}"#)];),
        good: cluster!(pools [linux_pool!(r#""securityProfile": {"enableSecureBoot": true, "enableVtpm": true}"#)];),
    },
};

pub static CHECK: Check = Check::new(&META, evaluate);

/// Why a pool cannot use Trusted Launch, when its own fields say so.
fn not_capable(p: &Pool) -> Option<(String, Field<'_>)> {
    if p.is_windows() {
        return Some((
            "Windows node pool: AKS supports Trusted Launch on Linux pools only".into(),
            p.get("osType"),
        ));
    }
    let fips = p.get("enableFips");
    if fips.bool() == Some(true) {
        return Some((
            "FIPS node pool: Trusted Launch cannot be combined with FIPS images".into(),
            fips,
        ));
    }
    let runtime = p.get("workloadRuntime");
    if runtime
        .str()
        .is_some_and(|r| r.to_ascii_lowercase().contains("kata"))
    {
        return Some((
            format!(
                "Pod Sandboxing pool (workloadRuntime {}): Trusted Launch cannot be combined with it",
                runtime.display()
            ),
            runtime,
        ));
    }
    let size = p.get("vmSize");
    if size.str().is_some_and(is_arm64_size) {
        return Some((
            format!(
                "Arm64 VM size {}: Trusted Launch cannot be combined with Arm64 on AKS",
                size.display()
            ),
            size,
        ));
    }
    let ty = p.get("type");
    if ty
        .str()
        .is_some_and(|t| t.eq_ignore_ascii_case("AvailabilitySet"))
    {
        return Some((
            "availability-set pool: Trusted Launch needs virtual machine scale sets".into(),
            ty,
        ));
    }
    None
}

/// An Arm64 size by Azure's VM naming convention: the lowercase additive features after the vCPU
/// count include `p` (`Standard_D4ps_v5`, `Standard_E8pds_v5`, `Standard_B2pls_v2`).
fn is_arm64_size(size: &str) -> bool {
    let name = size.trim();
    let name = match name.get(..9) {
        Some(prefix) if prefix.eq_ignore_ascii_case("standard_") => &name[9..],
        _ => name,
    };
    let first = name.split('_').next().unwrap_or_default();
    let rest = first.trim_start_matches(|ch: char| ch.is_ascii_uppercase());
    let rest = rest.trim_start_matches(|ch: char| ch.is_ascii_digit() || ch == '-');
    !rest.is_empty() && rest.chars().all(|ch| ch.is_ascii_lowercase()) && rest.contains('p')
}

pub fn evaluate(c: &Cluster, _ctx: &Ctx) -> Vec<Finding> {
    per_pool(&META, c, |p| {
        let boot = p.get("securityProfile.enableSecureBoot");
        let vtpm = p.get("securityProfile.enableVtpm");
        let fields = [("Secure Boot", &boot), ("vTPM", &vtpm)];
        // A pool that reports both on passes; one that cannot have them is not failed for it.
        let all_on = fields.iter().all(|(_, f)| f.bool() == Some(true));
        if !all_on && let Some((why, field)) = not_capable(p) {
            return finding(&META, c, Some(p), Status::NotApplicable, why)
                .with_evidence(field.evidence(""));
        }
        let evidence = |f: Finding| {
            fields.iter().fold(f, |f, (_, field)| {
                let ev = field.evidence("true");
                f.with_evidence(if field.is_unset() {
                    ev.with_note("not set: AKS creates pools without Trusted Launch unless asked")
                } else {
                    ev
                })
            })
        };
        if fields.iter().any(|(_, f)| f.is_unresolved()) {
            return evidence(finding(
                &META,
                c,
                Some(p),
                Status::Manual,
                "Trusted Launch settings are unresolved ARM expressions",
            ));
        }
        if let Some((_, bad)) = fields
            .iter()
            .find(|(_, f)| !f.is_unset() && f.bool().is_none())
        {
            return finding(
                &META,
                c,
                Some(p),
                Status::Error,
                format!(
                    "{}: unexpected value {} (expected true or false)",
                    bad.path,
                    bad.display()
                ),
            )
            .with_evidence(bad.evidence("true"));
        }
        let off: Vec<String> = fields
            .iter()
            .filter(|(_, f)| f.bool() != Some(true))
            .map(|(what, f)| {
                if f.is_unset() {
                    format!("{what} not set (AKS default: off)")
                } else {
                    format!("{what} off")
                }
            })
            .collect();
        if off.is_empty() {
            evidence(finding(
                &META,
                c,
                Some(p),
                Status::Pass,
                "Trusted Launch: Secure Boot and vTPM on",
            ))
        } else {
            evidence(finding(
                &META,
                c,
                Some(p),
                Status::Fail,
                format!("Trusted Launch not fully on: {}", off.join(", ")),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{cl, statuses};
    use super::*;

    /// Item 13: Trusted Launch per pool; absent means off (and says so); pools that cannot have
    /// it are NOT_APPLICABLE.
    #[test]
    fn item13_trusted_launch_per_pool() {
        let json = cl(r#""agentPoolProfiles":[
              {"name":"on","securityProfile":{"enableSecureBoot":true,"enableVTPM":true}},
              {"name":"half","securityProfile":{"enableSecureBoot":true,"enableVtpm":false}},
              {"name":"unset","securityProfile":{"sshAccess":"Disabled"}},
              {"name":"nullprofile","securityProfile":null},
              {"name":"win","osType":"Windows"},
              {"name":"fips","enableFIPS":true},
              {"name":"kata","workloadRuntime":"KataMshvVmIsolation"},
              {"name":"avset","type":"AvailabilitySet"},
              {"name":"arm","vmSize":"Standard_D4ps_v5"},
              {"name":"bad","securityProfile":{"enableSecureBoot":"on"}}
            ]"#);
        assert_eq!(
            statuses(evaluate, &json),
            vec![
                Status::Pass,
                Status::Fail,
                Status::Fail,
                Status::Fail,
                Status::NotApplicable,
                Status::NotApplicable,
                Status::NotApplicable,
                Status::NotApplicable,
                Status::NotApplicable,
                Status::Error,
            ]
        );
        let c = super::super::testing::cluster(&json);
        let out = evaluate(&c, &super::super::testing::ctx());
        assert!(
            out[2].message.contains("not set (AKS default: off)"),
            "{}",
            out[2].message
        );
        assert!(out[2].evidence[0].note.is_some());
        assert!(out[1].message.contains("vTPM off"), "{}", out[1].message);
        assert!(
            !out[1].message.contains("Secure Boot"),
            "{}",
            out[1].message
        );
    }

    #[test]
    fn arm64_sizes_by_name() {
        for arm in [
            "Standard_D4ps_v5",
            "Standard_E8pds_v5",
            "standard_B2pls_v2",
            "Standard_D16plds_v6",
        ] {
            assert!(is_arm64_size(arm), "{arm}");
        }
        for x86 in [
            "Standard_D4ds_v5",
            "Standard_DS2_v2",
            "Standard_NC8as_T4_v3",
            "Standard_D8s_v5",
            "Standard_M128-64ms",
            "",
            "Standard_",
        ] {
            assert!(!is_arm64_size(x86), "{x86}");
        }
    }
}
