//! The live source and the fleet scan against a fake API server on 127.0.0.1: TLS with a CA made
//! for the test, bearer tokens, pagination, a 403 for one kind, 404 for optional kinds, and the
//! fleet flow (Jobs created, pod logs read, Jobs deleted, a node that never finishes).

mod support;

use std::time::Duration;

use kubeward_live::fleet::{self, FleetOptions};
use kubeward_live::{ConnectOptions, KINDS, collect, connect};
use serde_json::{Value, json};
use support::fake::{TOKEN, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_every_kind_with_pagination_tls_and_token_and_reports_forbidden_kinds() {
    let fake = start(TOKEN).await;
    let opts = ConnectOptions {
        kubeconfig: Some(fake.kubeconfig.path().to_path_buf()),
        context: None,
    };
    let (client, name) = connect(&opts).await.expect("connect");
    let collected = tokio::time::timeout(Duration::from_secs(30), collect(&client, &name, KINDS))
        .await
        .expect("in time");

    // Pagination: three pods from two pages, the second asked for with the continue token.
    let pods: Vec<&str> = collected
        .objects
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .filter_map(|o| o.pointer("/metadata/name").and_then(Value::as_str))
        .collect();
    assert_eq!(pods, vec!["a", "b", "c"]);
    let requests = fake
        .state
        .lock()
        .map(|s| s.requests.clone())
        .unwrap_or_default();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("GET /api/v1/pods?") && r.contains("continue=page-2")),
        "{requests:?}"
    );
    assert!(
        requests
            .iter()
            .all(|r| !r.starts_with("POST") && !r.starts_with("DELETE")),
        "a scan only reads"
    );

    // The 403 is reported with what it prevented; the 404s of optional APIs are not errors.
    assert_eq!(collected.not_listed.len(), 1, "{:?}", collected.not_listed);
    assert_eq!(collected.not_listed[0].spec.plural, "roles");
    assert_eq!(collected.not_listed[0].status, 403);
    assert!(
        collected
            .not_served
            .iter()
            .any(|k| k.kind == "AdminNetworkPolicy")
    );

    // Secrets arrive as metadata only, stamped with their kind.
    let secret = collected
        .objects
        .iter()
        .find(|o| o["kind"] == "Secret")
        .expect("secret listed");
    assert!(secret.get("data").is_none());

    // A snapshot loads back as the same objects, with nothing secret in it.
    let snapshot = serde_json::to_string(&collected.snapshot()).expect("snapshot serialises");
    let reloaded = kubeward_inventory::load_str(
        "snapshot.json",
        &snapshot,
        &kubeward_inventory::LoadOptions::default(),
    );
    assert!(reloaded.errors.is_empty(), "{:?}", reloaded.errors);
    assert_eq!(reloaded.objects.len(), collected.objects.len());
    assert!(
        reloaded
            .objects
            .iter()
            .any(|o| o.kind == "Secret" && o.value.get("data").is_none())
    );

    let inv = collected.into_inventory();
    assert_eq!(inv.errors.len(), 1);
    assert!(
        inv.errors[0].message.contains("forbidden by RBAC"),
        "{}",
        inv.errors[0].message
    );
    assert!(
        inv.errors[0].message.contains("RBAC analysis"),
        "{}",
        inv.errors[0].message
    );
    assert!(
        inv.objects
            .iter()
            .any(|o| o.kind == "Pod" && o.namespace.as_deref() == Some("prod"))
    );
    fake.handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn constraint_kinds_are_discovered_at_run_time_and_listed_with_their_templates() {
    let fake = start(TOKEN).await;
    let opts = ConnectOptions {
        kubeconfig: Some(fake.kubeconfig.path().to_path_buf()),
        context: None,
    };
    let (client, name) = connect(&opts).await.expect("connect");
    let collected = tokio::time::timeout(
        Duration::from_secs(30),
        kubeward_live::collect_cluster(&client, &name),
    )
    .await
    .expect("in time");
    let kinds = |kind: &str| -> Vec<String> {
        collected
            .objects
            .iter()
            .filter(|o| o["kind"] == kind)
            .filter_map(|o| o.pointer("/metadata/name").and_then(Value::as_str))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(kinds("ConstraintTemplate"), ["k8strustedregistry"]);
    assert_eq!(kinds("K8sTrustedRegistry"), ["only-our-registries"]);
    let constraint = collected
        .objects
        .iter()
        .find(|o| o["kind"] == "K8sTrustedRegistry")
        .expect("constraint");
    assert_eq!(
        constraint["apiVersion"],
        "constraints.gatekeeper.sh/v1beta1"
    );
    // The status subresource is not a kind; the only kind not listed is still the forbidden one.
    let requests = fake
        .state
        .lock()
        .map(|s| s.requests.clone())
        .unwrap_or_default();
    assert!(
        !requests
            .iter()
            .any(|r| r.contains("k8strustedregistry/status")),
        "{requests:?}"
    );
    assert_eq!(collected.not_listed.len(), 1, "{:?}", collected.not_listed);
    assert_eq!(collected.not_listed[0].spec.plural, "roles");
    fake.handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_an_error_not_an_empty_cluster() {
    let fake = start("not-the-token").await;
    let opts = ConnectOptions {
        kubeconfig: Some(fake.kubeconfig.path().to_path_buf()),
        context: None,
    };
    let (client, name) = connect(&opts).await.expect("connect");
    let collected = collect(&client, &name, &KINDS[..3]).await;
    assert!(collected.objects.is_empty());
    assert_eq!(collected.not_listed.len(), 3);
    assert!(collected.not_listed.iter().all(|n| n.status == 401));
    fake.handle.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_creates_reads_and_deletes_its_jobs_and_reports_the_stuck_node() {
    let fake = start(TOKEN).await;
    let opts = ConnectOptions {
        kubeconfig: Some(fake.kubeconfig.path().to_path_buf()),
        context: None,
    };
    let (client, _) = connect(&opts).await.expect("connect");
    let fleet_opts = FleetOptions {
        namespace: "kubeward".into(),
        image: "kubeward:test".into(),
        // The stuck node is told by a count of looks, not by the clock: the other Jobs finish at
        // the first look however slow the machine, the stuck one never does.
        timeout: Duration::from_secs(3600),
        poll: Duration::from_millis(20),
        max_polls: Some(3),
        node_args: vec![],
        run_id: "t1".into(),
    };
    let outcomes = fleet::run(&client, &fleet_opts, &|_| {})
        .await
        .expect("fleet run");
    let state = fake
        .state
        .lock()
        .map(|s| (s.jobs.clone(), s.deleted.clone()))
        .expect("state");
    // One Job per Linux node (the Windows node is skipped), each deleted afterwards.
    assert_eq!(state.0.len(), 3);
    let mut deleted = state.1.clone();
    deleted.sort();
    assert_eq!(deleted, state.0.keys().cloned().collect::<Vec<_>>());
    for job in state.0.values() {
        assert_eq!(
            job.pointer("/spec/template/spec/hostPID"),
            Some(&json!(true))
        );
        assert_eq!(
            job.pointer("/metadata/labels/app.kubernetes.io~1managed-by"),
            Some(&json!("kubeward"))
        );
    }

    assert_eq!(outcomes.len(), 3);
    let stuck = outcomes
        .iter()
        .find(|o| o.node == "node-stuck")
        .expect("stuck node reported");
    assert!(
        stuck
            .result
            .as_ref()
            .is_err_and(|e| e.to_string().contains("did not finish")),
        "{:?}",
        stuck.result
    );

    let mut merged = fleet::merge(outcomes);
    merged.finish();
    let incomplete: Vec<_> = merged
        .findings
        .iter()
        .filter(|f| f.code == "K201")
        .collect();
    assert_eq!(incomplete.len(), 1);
    assert_eq!(incomplete[0].resource.name, "node-stuck");
    let differ: Vec<_> = merged
        .findings
        .iter()
        .filter(|f| f.code == "K202")
        .collect();
    assert_eq!(differ.len(), 1, "node-a passes and node-b fails N999");
    assert!(
        differ[0].message.contains("FAIL on node-b")
            && differ[0].message.contains("PASS on node-a"),
        "{}",
        differ[0].message
    );
    fake.handle.shutdown();
}
