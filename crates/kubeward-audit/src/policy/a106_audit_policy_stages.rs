//! The stages the policy omits, globally and for exec.

use kubeward_core::{Area, CheckDoc, CheckMeta, Evidence, Finding, Severity, Source, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A106",
    name: "audit-policy-stages",
    since: "0.1.0",
    aliases: &[],
    title: "Audit policy keeps the stages detections need",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "The policy-wide `omitStages` and those of the rules that level exec and secret requests: omitting ResponseComplete or Panic loses outcomes; omitting ResponseStarted together with ResponseComplete hides exec streams; keeping RequestReceived doubles the volume for little gain.",
        why: "Detections read the final stage (response code, decision) and the start of long-running streams; a policy that omits them records requests without outcomes.",
        fix: "Use `omitStages: [RequestReceived]` at policy level and do not omit ResponseStarted, ResponseComplete or Panic.",
        links: &["https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/#audit-policy"],
        bad: example_policy!(
            omit_stages: r#"["RequestReceived", "ResponseComplete"]"#;
            policy_rule!("Metadata"),
        ),
        good: example_policy!(policy_rule!("Metadata")),
    },
};

pub static CHECK: Check = Check { meta: &META, eval };

fn eval(l: &Linted) -> Finding {
    let global = &l.policy.omit_stages;
    let mut stage_ev = Vec::new();
    let mut status = Status::Pass;
    let has = |v: &[String], s: &str| v.iter().any(|x| x == s);
    for (stage, st) in [("ResponseComplete", Status::Fail), ("Panic", Status::Warn)] {
        if has(global, stage) {
            stage_ev.push(Evidence::observed(
                format!("omitStages has {stage}"),
                Source::file(l.file).with_key("omitStages"),
            ));
            status = status.min(st);
        }
    }
    let exec_probe = Probe {
        label: String::new(),
        verb: "get",
        group: "",
        resource: "pods",
        subresource: "exec",
        namespace: "default",
        as_sa: false,
    };
    if let (_, Some(i)) = level_of(l.policy, &exec_probe) {
        let eff: Vec<String> = global
            .iter()
            .chain(&l.policy.rules[i].value.omit_stages)
            .cloned()
            .collect();
        if has(&eff, "ResponseStarted") && has(&eff, "ResponseComplete") {
            stage_ev.push(Evidence::observed(
                "exec requests keep neither ResponseStarted nor ResponseComplete",
                l.rule_src(i),
            ));
            status = Status::Fail;
        }
    }
    let catch_all_keeps_received = l.policy.rules.iter().any(|r| {
        !has(global, "RequestReceived")
            && !has(&r.value.omit_stages, "RequestReceived")
            && r.value.level != "None"
    });
    if catch_all_keeps_received {
        stage_ev.push(
            Evidence::observed("RequestReceived is logged by at least one rule", Source::file(l.file).with_key("omitStages"))
                .with_expected("omitStages: [RequestReceived]")
                .with_note("every request is then logged twice; the final stage carries all the same fields and the outcome"),
        );
        if status == Status::Pass {
            status = Status::Info;
        }
    }
    let msg = match status {
        Status::Pass => {
            "The stages detections need are kept, RequestReceived is omitted".to_string()
        }
        Status::Info => {
            "The stages detections need are kept; RequestReceived is logged too (double volume)"
                .to_string()
        }
        _ => "Stages that detections need are omitted".to_string(),
    };
    let mut f = Finding::new(&META, status, l.res.clone(), msg);
    f.evidence = stage_ev;
    f
}
