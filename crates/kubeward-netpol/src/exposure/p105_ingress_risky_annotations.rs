//! P105: Ingress annotations that inject configuration into the controller (ingress-nginx
//! snippets and similar).

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, RefStatic, Severity, Status};

use super::{CVE_2021_25742, CVE_2025_1974};
use crate::check::{Check, Ctx};
use crate::examples::{web_ingress_head, web_ingress_rules};

pub static META: CheckMeta = CheckMeta {
    code: "P105",
    name: "ingress-risky-annotations",
    since: "0.1.0",
    aliases: &[],
    title: "Ingresses do not inject raw controller configuration",
    area: Area::Netpol,
    severity: Severity::High,
    references: &[
        CVE_2021_25742,
        CVE_2025_1974,
        RefStatic::new("CVE", "", "CVE-2025-1097"),
        RefStatic::new("CVE", "", "CVE-2025-1098"),
        RefStatic::new("CVE", "", "CVE-2025-24514"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Ingress annotations of ingress-nginx (also used by the AKS application routing add-on) that pass raw NGINX configuration or Lua: `configuration-snippet`, `server-snippet`, `auth-snippet`, `stream-snippet`, `modsecurity-snippet`, `location-snippet`, `http-snippet`; and values of `auth-url`, `auth-tls-match-cn`, `mirror-target` and `mirror-host` carrying NGINX configuration syntax (quotes, `;`, `{`, `}`, `#`, line breaks), the injection used by CVE-2025-24514, CVE-2025-1097 and CVE-2025-1098.",
        why: "Snippet annotations let anyone who can create an Ingress run arbitrary configuration in the controller, which can read every Secret in the cluster (CVE-2021-25742); the admission-controller flaws of 2025 (IngressNightmare, CVE-2025-1974) turned such configuration into unauthenticated remote code execution.",
        fix: "Remove the snippet annotations and express the behaviour with supported annotations or Gateway API; keep allow-snippet-annotations: \"false\" in the controller ConfigMap (the default since ingress-nginx 1.9) and upgrade the controller (AKS application routing add-on is patched by AKS; self-managed ingress-nginx: 1.11.5/1.12.1 or later).",
        links: &[
            "https://github.com/kubernetes/ingress-nginx/issues/7837",
            "https://kubernetes.io/blog/2025/03/24/ingress-nginx-cve-2025-1974/",
        ],
        bad: concat!(
            web_ingress_head!(),
            "  annotations:
    nginx.ingress.kubernetes.io/configuration-snippet: |
      more_set_headers \"X-Frame-Options: DENY\";
",
            web_ingress_rules!()
        ),
        good: concat!(
            web_ingress_head!(),
            "  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
",
            web_ingress_rules!()
        ),
    },
};

pub static CHECK: Check = Check::exposure(&META, evaluate);

const RISKY_SUFFIXES: &[&str] = &[
    "configuration-snippet",
    "server-snippet",
    "auth-snippet",
    "stream-snippet",
    "modsecurity-snippet",
    "location-snippet",
    "http-snippet",
];

/// Annotations whose values ingress-nginx copied into its configuration unescaped.
const VALUE_INJECTION_SUFFIXES: &[&str] = &[
    "auth-url",
    "auth-tls-match-cn",
    "mirror-target",
    "mirror-host",
];

fn carries_config_syntax(value: &str) -> bool {
    value.contains(['"', '\'', ';', '{', '}', '#', '\n', '\r'])
}

pub fn evaluate(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for ing in ctx.inv.objects.iter().filter(|o| o.kind == "Ingress") {
        let before = out.len();
        for (k, v) in ing.annotations() {
            let Some((prefix, name)) = k.split_once('/') else {
                continue;
            };
            if !prefix.contains("ingress") {
                continue;
            }
            let pointer = format!("/metadata/annotations/{}", k.replace('/', "~1"));
            if VALUE_INJECTION_SUFFIXES.contains(&name) && carries_config_syntax(v) {
                out.push(
                    Finding::new(
                        &META,
                        Status::Fail,
                        ing.resource(),
                        format!(
                            "annotation {k} carries NGINX configuration syntax that unpatched ingress-nginx copies into its configuration"
                        ),
                    )
                    .with_evidence(
                        Evidence::observed(v.chars().take(80).collect::<String>(), ing.source(&pointer))
                            .with_expected("a plain URL, host or certificate subject pattern"),
                    ),
                );
                continue;
            }
            if !RISKY_SUFFIXES.contains(&name) {
                continue;
            }
            let first_line = v
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(80)
                .collect::<String>();
            out.push(
                Finding::new(
                    &META,
                    Status::Fail,
                    ing.resource(),
                    format!("annotation {k} injects raw controller configuration"),
                )
                .with_evidence(
                    Evidence::observed(
                        first_line,
                        ing.source(&format!("/metadata/annotations/{}", k.replace('/', "~1"))),
                    )
                    .with_expected("no snippet annotations"),
                ),
            );
        }
        if out.len() == before {
            out.push(Finding::new(
                &META,
                Status::Pass,
                ing.resource(),
                "no annotation injects controller configuration",
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::{run, statuses};
    use super::*;
    use crate::engine::Engine;

    #[test]
    fn snippet_fails() {
        let y = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: bad\n  annotations:\n    nginx.ingress.kubernetes.io/configuration-snippet: |\n      more_set_headers \"X: y\";\n    nginx.ingress.kubernetes.io/rewrite-target: /\nspec: {}\n";
        let f = run(y, Engine::Default, evaluate);
        assert_eq!(statuses(&f), vec![("bad".into(), Status::Fail)]);
        assert!(f[0].message.contains("configuration-snippet"));
    }

    #[test]
    fn injected_values_fail_and_plain_values_pass() {
        let ing = |k: &str, v: &str| {
            format!(
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  annotations:\n    nginx.ingress.kubernetes.io/{k}: '{v}'\nspec: {{}}\n"
            )
        };
        let f = run(
            &ing("auth-tls-match-cn", "CN=x\"}; load_module evil.so; #"),
            Engine::Default,
            evaluate,
        );
        assert_eq!(statuses(&f), vec![("i".into(), Status::Fail)]);
        assert!(
            f[0].message.contains("auth-tls-match-cn"),
            "{}",
            f[0].message
        );
        let f = run(
            &ing("auth-url", "https://auth.example.com/check"),
            Engine::Default,
            evaluate,
        );
        assert_eq!(statuses(&f), vec![("i".into(), Status::Pass)]);
    }
}
