//! Workload posture: Pod Security Standards, CIS AKS section 4, RBAC, effective seccomp/AppArmor.
//!
//! [`scan`] runs every workload check over an [`Inventory`]; [`rbac`] answers who-can questions;
//! [`profiles`] computes the seccomp and AppArmor profile each container really runs with.

/// The examples' workload: a Deployment `web` in namespace `shop` (or `namespace`) whose pod
/// template runs the one container `web` (image `myacr.azurecr.io/shop/web:1.4.2`). Each line
/// given is indented to its place: `metadata` lines in the pod template's metadata after its
/// labels, `spec` lines in the pod spec before `containers`, `container` lines in the container,
/// `after` lines in the pod spec after `containers`.
macro_rules! deployment_example {
    (namespace: $ns:literal $(, $($key:ident: $lines:tt),*)? $(,)?) => {
        deployment_example!(@in $ns; $($($key: $lines,)*)?)
    };
    ($($key:ident: $lines:tt),* $(,)?) => {
        deployment_example!(@in "shop"; $($key: $lines,)*)
    };
    (@in $ns:literal;
        $(metadata: [$($m:literal),* $(,)?],)?
        $(spec: [$($s:literal),* $(,)?],)?
        $(container: [$($c:literal),* $(,)?],)?
        $(after: [$($a:literal),* $(,)?],)?
    ) => {
        concat!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: ",
            $ns,
            "\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n",
            $($("      ", $m, "\n",)*)?
            "    spec:\n",
            $($("      ", $s, "\n",)*)?
            "      containers:\n      - name: web\n        image: myacr.azurecr.io/shop/web:1.4.2\n",
            $($("        ", $c, "\n",)*)?
            $($("      ", $a, "\n",)*)?
        )
    };
}

/// The Pod Security controls' example: a bare Pod `web` in namespace `shop` running the one
/// container `web` (image `myacr.azurecr.io/shop/web:1.4.2`). Each line given is indented to
/// its place: `spec` lines in the pod spec before `containers`, `container` lines in the
/// container, `after` lines in the pod spec after `containers`.
macro_rules! pod_example {
    ($($key:ident: $lines:tt),* $(,)?) => {
        pod_example!(@in $($key: $lines,)*)
    };
    (@in
        $(spec: [$($s:literal),* $(,)?],)?
        $(container: [$($c:literal),* $(,)?],)?
        $(after: [$($a:literal),* $(,)?],)?
    ) => {
        concat!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\nspec:\n",
            $($("  ", $s, "\n",)*)?
            "  containers:\n  - name: web\n    image: myacr.azurecr.io/shop/web:1.4.2\n",
            $($("    ", $c, "\n",)*)?
            $($("  ", $a, "\n",)*)?
        )
    };
}

pub mod aggregate;
pub mod cis;
pub mod ctx;
pub mod pipeline;
pub mod profiles;
pub mod pss;
pub mod rbac;
pub mod scope;

use kubeward_core::{CheckMeta, Finding};
use kubeward_inventory::{Inventory, Object, PodTemplate};

pub use ctx::{Ctx, ScanOptions};

/// One workload check: its metadata and how it is evaluated.
pub struct Check {
    pub meta: &'static CheckMeta,
    pub eval: Eval,
    /// What an RBAC binding check looks for (any verb listed, on the resource), so `rbac
    /// summary` answers the same question; empty for other checks.
    pub permissions: &'static [rbac::danger::Permission],
}

impl Check {
    /// A check evaluated over the inputs.
    pub const fn new(meta: &'static CheckMeta, eval: fn(&Ctx<'_>) -> Vec<Finding>) -> Check {
        Check {
            meta,
            eval: Eval::Inventory(eval),
            permissions: &[],
        }
    }

    /// An RBAC binding check: what it looks for, and its evaluation.
    pub const fn rbac(
        meta: &'static CheckMeta,
        permissions: &'static [rbac::danger::Permission],
        eval: fn(&Ctx<'_>) -> Vec<Finding>,
    ) -> Check {
        Check {
            meta,
            eval: Eval::Inventory(eval),
            permissions,
        }
    }

    /// A Pod Security control (its metadata is the control's).
    pub const fn pod_security(control: pss::Control) -> Check {
        Check {
            meta: control.meta,
            eval: Eval::PodSecurity(control),
            permissions: &[],
        }
    }
}

/// How a check is evaluated.
pub enum Eval {
    /// Over the inputs (workloads, bindings, namespaces…): its findings.
    Inventory(fn(&Ctx<'_>) -> Vec<Finding>),
    /// A Pod Security control, judged per pod at a policy version by the Pod Security evaluator
    /// ([`pss::evaluate_levels`]); its findings come out of the W100 verdict's run.
    PodSecurity(pss::Control),
}

/// Every check of this area, in run order: CIS section 4, effective profiles, Pod Security.
pub fn all_checks() -> impl Iterator<Item = &'static Check> {
    cis::CHECKS
        .iter()
        .chain(profiles::CHECKS)
        .chain(pss::CHECKS)
        .copied()
}

/// Every check of this area, for the registry.
pub fn checks() -> Vec<&'static CheckMeta> {
    all_checks().map(|c| c.meta).collect()
}

/// Pod Security Standards as part of the workload report, at a fixed default: `baseline:latest`
/// violations FAIL, one finding per violated control (what every namespace should at least
/// enforce), with a W100 verdict per workload (PASS verdicts are rolled up per namespace). What
/// only `restricted:latest` adds (the hardening target) is ONE W100 WARN per workload listing
/// each violated restricted control, its reason and its fields: on a big cluster those controls
/// fail on nearly every workload and largely repeat the CIS findings, so a finding per control
/// would bury the report. `kubeward pss` evaluates any level and version, one finding per
/// control, and reads namespace labels.
///
/// Each pod's controls run once for both levels ([`pss::evaluate_levels`]).
pub fn pss_findings(inv: &Inventory, _opts: &ScanOptions) -> Vec<Finding> {
    use rayon::prelude::*;
    // Workloads whose controlling owner is in the inputs too are covered by the owner's verdict.
    // Every object is judged; platform-managed ones are marked afterwards (see `scope`).
    let subjects: Vec<&Object> = pss::subjects(inv);
    // PASS verdicts are counted as they come (see `aggregate::Sink`), each worker its own.
    subjects
        .par_iter()
        .with_min_len(256)
        .fold(aggregate::Sink::default, |mut sink, o| {
            for f in pss_object_findings(o) {
                sink.push(f);
            }
            sink
        })
        .reduce(aggregate::Sink::default, |mut a, b| {
            a.merge(b);
            a
        })
        .into_findings()
}

const PSS_BASELINE_AT: &str = "baseline:latest";
const PSS_RESTRICTED_AT: &str = "restricted:latest";
/// Evidence values longer than this are cut: a finding names the field, it does not dump it.
const MAX_OBSERVED: usize = 200;

fn pss_object_findings(obj: &Object) -> Vec<Finding> {
    use kubeward_core::{Evidence, Status};
    let Some(t) = PodTemplate::of(obj) else {
        return Vec::new();
    };
    if t.spec.is_null() {
        return vec![
            Finding::new(
                &pss::VERDICT_META,
                Status::NotApplicable,
                obj.resource(),
                "no pod spec in this object (a Rollout with workloadRef is evaluated through the Deployment it names)",
            )
            .with_evidence(Evidence::observed("absent", obj.source(t.spec_pointer))),
        ];
    }
    let view = pss::PodView::of(&t);
    let (baseline, restricted) = pss::evaluate_levels(&view, pss::Version::Latest);
    let resource = obj.resource();
    let mut out = Vec::with_capacity(2 + baseline.len());
    if baseline.is_empty() {
        out.push(
            aggregate::pass(
                &pss::VERDICT_META,
                resource.clone(),
                format!("allowed at {PSS_BASELINE_AT}"),
            )
            .with_evidence(Evidence::observed(
                "no violation",
                obj.source(t.spec_pointer),
            )),
        );
    } else {
        let checks: Vec<&str> = baseline.iter().map(|v| v.check).collect();
        let reasons: Vec<String> = baseline.iter().map(|v| v.message()).collect();
        out.push(
            Finding::new(
                &pss::VERDICT_META,
                Status::Fail,
                resource.clone(),
                format!("denied at {PSS_BASELINE_AT}: {}", reasons.join(", ")),
            )
            .with_evidence(
                Evidence::observed(checks.join(", "), obj.source(t.spec_pointer))
                    .with_expected(format!("no violation of {PSS_BASELINE_AT}")),
            ),
        );
    }
    for v in &baseline {
        out.extend(violation_finding(
            obj,
            &resource,
            v,
            Status::Fail,
            PSS_BASELINE_AT,
        ));
    }
    let restricted_only: Vec<&pss::Violation> = restricted
        .iter()
        .filter(|r| !baseline.iter().any(|b| b.check == r.check))
        .collect();
    if !restricted_only.is_empty() {
        out.push(restricted_warning(
            obj,
            resource,
            t.spec_pointer,
            &restricted_only,
            !baseline.is_empty(),
        ));
    }
    out
}

/// What every restricted-only WARN with the same violated controls shares: its remediation
/// (the fix of each control) and its references (the verdict's, then each control's own, so SARIF
/// and the benchmark columns name every one). There are a handful of restricted controls, so at
/// most a few dozen such sets exist in a run; each is built once and borrowed by every workload
/// with that set, instead of a kilobyte of copies per workload.
struct RestrictedShared {
    remediation: &'static str,
    references: &'static [kubeward_core::Reference],
}

fn restricted_shared(controls: &[&'static pss::Control]) -> &'static RestrictedShared {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Table = HashMap<Vec<&'static str>, &'static RestrictedShared>;
    static TABLE: OnceLock<Mutex<Table>> = OnceLock::new();
    let key: Vec<&'static str> = controls.iter().map(|c| c.id).collect();
    let table = TABLE.get_or_init(Default::default);
    let mut table = table
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    table.entry(key).or_insert_with(|| {
        let fixes: Vec<String> = controls
            .iter()
            .map(|c| format!("{} ({}): {}", c.id, c.meta.code, c.meta.doc.fix))
            .collect();
        let mut references: Vec<kubeward_core::Reference> = pss::VERDICT_META
            .references
            .iter()
            .map(kubeward_core::Reference::from)
            .collect();
        for r in controls.iter().flat_map(|c| c.meta.references) {
            let r = kubeward_core::Reference::from(r);
            if !references.contains(&r) {
                references.push(r);
            }
        }
        // Leaked on purpose: bounded by the combinations of restricted controls (see above).
        Box::leak(Box::new(RestrictedShared {
            remediation: Box::leak(
                format!(
                    "Fix each control listed, then label the namespace `pod-security.kubernetes.io/enforce=restricted`. {}",
                    fixes.join(" ")
                )
                .into_boxed_str(),
            ),
            references: Box::leak(references.into_boxed_slice()),
        }))
    })
}

/// The one WARN for what `restricted:latest` adds to baseline: the reasons in the message, and
/// per violated control each offending field (value, file, line, pointer) with the control and
/// its full reason as the note.
fn restricted_warning(
    obj: &Object,
    resource: kubeward_core::Resource,
    spec_pointer: &str,
    violations: &[&pss::Violation],
    baseline_denied: bool,
) -> Finding {
    use kubeward_core::{Evidence, Status};
    let reasons: Vec<&str> = violations.iter().map(|v| v.reason.as_str()).collect();
    let mut message = format!(
        "would be denied at {PSS_RESTRICTED_AT}: {}",
        reasons.join(", ")
    );
    if baseline_denied {
        message.push_str(&format!(" (besides its {PSS_BASELINE_AT} violations)"));
    }
    let mut f = Finding::new(&pss::VERDICT_META, Status::Warn, resource, message);
    let controls: Vec<&'static pss::Control> = violations
        .iter()
        .filter_map(|v| pss::control(v.check))
        .collect();
    let shared = restricted_shared(&controls);
    f.remediation = kubeward_core::Text::borrowed(shared.remediation);
    f.references = std::borrow::Cow::Borrowed(shared.references);
    let pieces = violations.iter().map(|v| v.pointers.len().max(1)).sum();
    f.evidence.reserve_exact(pieces);
    for v in violations {
        // The control's full reason goes on its first piece of evidence; the following pieces
        // of the same control name it only (a workload can have a dozen such fields, and this
        // WARN is on most workloads of a large cluster).
        let note = format!("{} ({}): {}", v.check, v.code, v.message());
        if v.pointers.is_empty() {
            f.evidence
                .push(Evidence::observed(v.check, obj.source(spec_pointer)).with_note(note));
            continue;
        }
        let mut note = Some(note);
        for p in &v.pointers {
            let observed: kubeward_core::Text = match obj.value.pointer(p) {
                Some(value) => short(value.to_string()).into(),
                None => "absent".into(),
            };
            let this_note = note
                .take()
                .map_or(kubeward_core::Text::borrowed(v.check), Into::into);
            f.evidence
                .push(Evidence::observed(observed, obj.source(p)).with_note(this_note));
        }
    }
    f
}

fn violation_finding(
    obj: &Object,
    resource: &kubeward_core::Resource,
    v: &pss::Violation,
    status: kubeward_core::Status,
    at: &str,
) -> Option<Finding> {
    use kubeward_core::Evidence;
    let c = pss::control(v.check)?;
    let mut f = Finding::new(
        c.meta,
        status,
        resource.clone(),
        format!("{} — {at}", v.message()),
    );
    for p in &v.pointers {
        let observed = match obj.value.pointer(p) {
            Some(value) => short(value.to_string()),
            None => "absent".to_string(),
        };
        f.evidence
            .push(Evidence::observed(observed, obj.source(p)).with_note(v.detail.clone()));
    }
    Some(f)
}

/// `s` cut to [`MAX_OBSERVED`] bytes (on a character boundary), marked when cut.
fn short(mut s: String) -> String {
    if s.len() > MAX_OBSERVED {
        let mut end = MAX_OBSERVED;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

/// Run every workload check: CIS section 4, profiles, and Pod Security Standards ([`pss_findings`]).
///
/// Checks run in parallel; PASS findings are rolled up per check and namespace
/// ([`aggregate::aggregate_passes`]) as each check finishes, so the full per-workload PASS list
/// of a big snapshot never sits in memory. The output order is fixed (check order, then input
/// order), whatever the scheduling.
pub fn scan(inv: &Inventory, opts: &ScanOptions) -> Vec<Finding> {
    scan_ctx(&Ctx::new(inv, opts))
}

/// [`scan`] with a context the caller already built (it resolves RBAC and lists workloads once).
pub fn scan_ctx(ctx: &Ctx<'_>) -> Vec<Finding> {
    scan_ctx_after(ctx, Vec::new())
}

/// [`scan_ctx`], its findings appended to `before` in the same single allocation (a caller
/// with findings of its own avoids a second copy of hundreds of thousands of findings).
pub fn scan_ctx_after(ctx: &Ctx<'_>, before: Vec<Finding>) -> Vec<Finding> {
    use rayon::prelude::*;
    // The Pod Security checks roll their PASS verdicts up per namespace themselves; the others'
    // are rolled up here as each check finishes.
    let evals = |checks: &'static [&'static Check]| -> Vec<fn(&Ctx<'_>) -> Vec<Finding>> {
        checks
            .iter()
            .filter_map(|c| match c.eval {
                Eval::Inventory(eval) => Some(eval),
                Eval::PodSecurity(_) => None,
            })
            .collect()
    };
    let rolled_up_here: Vec<_> = [cis::CHECKS, profiles::CHECKS]
        .into_iter()
        .flat_map(evals)
        .collect();
    let (mut parts, pss): (Vec<Vec<Finding>>, Vec<Finding>) = rayon::join(
        || {
            rolled_up_here
                .par_iter()
                .map(|eval| aggregate::aggregate_passes(eval(ctx), check_meta))
                .collect()
        },
        || {
            evals(pss::CHECKS)
                .into_iter()
                .flat_map(|eval| eval(ctx))
                .collect()
        },
    );
    parts.push(pss);
    // One exact allocation, each part freed as it is moved (a flattening collect would grow by
    // doubling while every part is still alive).
    let mut all = before;
    all.reserve_exact(parts.iter().map(Vec::len).sum());
    for part in parts {
        all.extend(part);
    }
    all
}

/// A check of this area by code.
pub fn check_meta(code: &str) -> Option<&'static CheckMeta> {
    static BY_CODE: std::sync::OnceLock<
        std::collections::HashMap<&'static str, &'static CheckMeta>,
    > = std::sync::OnceLock::new();
    BY_CODE
        .get_or_init(|| checks().into_iter().map(|m| (m.code, m)).collect())
        .get(code)
        .copied()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_check_file_is_registered_and_named_after_its_check() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for (folder, checks) in [
            ("cis", super::cis::CHECKS),
            ("profiles", super::profiles::CHECKS),
            ("pss", super::pss::CHECKS),
        ] {
            let metas: Vec<_> = checks.iter().map(|c| c.meta).collect();
            if let Err(e) = kubeward_core::registry::check_files(&dir.join(folder), &metas) {
                panic!("{folder}: {e:?}");
            }
        }
    }

    /// The status a check's bad example must get: FAIL, or what the check reports instead.
    fn failing_status(code: &str) -> kubeward_core::Status {
        use kubeward_core::Status;
        match code {
            // Deprecated annotations still work or do nothing: a warning, not a failure.
            "W473" | "W474" => Status::Warn,
            // Without an enforce label, Azure Policy may still deny such pods: checked by hand.
            "W425" => Status::Manual,
            _ => Status::Fail,
        }
    }

    /// An example through what the CLI runs: `kubeward pss` for a Pod Security control (at its
    /// level), `kubeward workloads` for every other check. The effective-profile checks about
    /// what nodes have get a node report: one node with AppArmor and one profile of each kind
    /// loaded (none of the examples'), and for W472 one without AppArmor.
    fn run_example(check: &super::Check, yaml: &str) -> Vec<kubeward_core::Finding> {
        let inv = crate::ctx::test_inventory(yaml);
        if let super::Eval::PodSecurity(control) = &check.eval {
            return super::pss::findings(&inv, control.level, super::pss::Version::Latest);
        }
        let mut opts = super::pipeline::Options::default();
        match check.meta.code {
            "W470" | "W471" => {
                opts.scan.nodes = vec![crate::profiles::test_node(
                    "aks-nodepool1-0",
                    None,
                    Some(true),
                )];
            }
            "W472" => {
                opts.scan.nodes = vec![crate::profiles::test_node(
                    "aks-nodepool1-0",
                    None,
                    Some(false),
                )];
            }
            _ => {}
        }
        let mut report = kubeward_core::Report::new("workloads");
        super::pipeline::run(&inv, &opts, &mut report, Vec::new());
        report.findings
    }

    #[test]
    fn bad_examples_fail_and_good_ones_do_not() {
        use kubeward_core::Status;
        let mut wrong = Vec::new();
        for check in super::all_checks() {
            let code = check.meta.code;
            let failing = failing_status(code);
            let statuses = |yaml: &str| -> Vec<Status> {
                run_example(check, yaml)
                    .iter()
                    .filter(|f| f.code == code)
                    .map(|f| f.status)
                    .collect()
            };
            let bad = statuses(check.meta.doc.bad);
            if !bad.contains(&failing) {
                wrong.push(format!("{code} bad: {bad:?}"));
            }
            let good = statuses(check.meta.doc.good);
            if good
                .iter()
                .any(|s| *s == failing || matches!(s, Status::Fail | Status::Warn))
            {
                wrong.push(format!("{code} good: {good:?}"));
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    /// What the example macros write, in full: each line in its place (`explain` and SARIF show
    /// these texts, so they must not shift).
    #[test]
    fn example_macros_expand_to_whole_documents() {
        assert_eq!(
            deployment_example!(
                namespace: "default",
                metadata: ["annotations: {a: b}"],
                spec: ["hostPID: true"],
                container: ["securityContext:", "  privileged: true"],
                after: ["volumes: []"],
            ),
            r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      annotations: {a: b}
    spec:
      hostPID: true
      containers:
      - name: web
        image: myacr.azurecr.io/shop/web:1.4.2
        securityContext:
          privileged: true
      volumes: []
"#
        );
        assert_eq!(
            pod_example!(spec: ["hostIPC: true"], container: ["ports: []"], after: ["volumes: []"]),
            r#"apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
spec:
  hostIPC: true
  containers:
  - name: web
    image: myacr.azurecr.io/shop/web:1.4.2
    ports: []
  volumes: []
"#
        );
    }

    #[test]
    fn lists_are_in_code_order() {
        for checks in [
            super::cis::CHECKS,
            super::profiles::CHECKS,
            super::pss::CHECKS,
        ] {
            assert!(checks.windows(2).all(|w| w[0].meta.code < w[1].meta.code));
        }
    }

    #[test]
    fn check_codes_and_names_are_unique_and_well_formed() {
        let reg = kubeward_core::Registry::new().with(&super::checks());
        if let Err(e) = reg.validate() {
            panic!("{e:?}");
        }
        assert!(super::checks().iter().all(|c| c.code.starts_with('W')));
    }

    #[test]
    fn pss_baseline_fails_and_restricted_only_warns() {
        let inv = crate::ctx::test_inventory(&crate::ctx::deployment(
            "d",
            "shop",
            "      hostNetwork: true\n      containers: [{name: app, image: nginx}]",
        ));
        let f = super::pss_findings(&inv, &super::ScanOptions::default());
        let verdicts: Vec<_> = f.iter().filter(|f| f.code == "W100").collect();
        assert_eq!(
            verdicts.len(),
            2,
            "a baseline verdict and a restricted warning"
        );
        assert_eq!(verdicts[0].status, kubeward_core::Status::Fail);
        assert!(verdicts[0].message.starts_with("denied at baseline:latest"));
        // Restricted-only controls: one warning for the workload, none per control.
        let warns: Vec<_> = f
            .iter()
            .filter(|f| f.status == kubeward_core::Status::Warn)
            .collect();
        assert_eq!(warns.len(), 1, "{warns:#?}");
        assert_eq!(warns[0].code, "W100");
        assert!(
            warns[0]
                .message
                .contains("would be denied at restricted:latest")
        );
        assert!(warns[0].message.contains("runAsNonRoot != true"));
        assert!(
            !warns[0].message.contains("host namespaces"),
            "baseline is not repeated"
        );
        let keys: Vec<_> = warns[0]
            .evidence
            .iter()
            .filter_map(|e| e.source.key.as_deref())
            .collect();
        assert!(
            keys.contains(&"/spec/template/spec/containers/0/securityContext/runAsNonRoot"),
            "{keys:?}"
        );
        assert!(warns[0].evidence.iter().all(|e| e.source.line.is_some()));
        assert!(warns[0].evidence.iter().any(|e| {
            e.note
                .as_deref()
                .is_some_and(|n| n.starts_with("runAsNonRoot (W115)"))
        }));
        // hostNetwork is baseline: reported once, as a failure.
        let host: Vec<_> = f
            .iter()
            .filter(|f| f.message.contains("hostNetwork") && f.code != "W100")
            .collect();
        assert_eq!(host.len(), 1, "{host:#?}");
        assert_eq!(host[0].status, kubeward_core::Status::Fail);
    }
}
