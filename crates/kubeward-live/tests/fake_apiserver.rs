//! The live source and the fleet scan against a fake API server on 127.0.0.1: TLS with a CA made
//! for the test, bearer tokens, pagination, a 403 for one kind, 404 for optional kinds, and the
//! fleet flow (Jobs created, pod logs read, Jobs deleted, a node that never finishes).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use kubeward_core::{Area, CheckDoc, CheckMeta, Finding, Report, Resource, Severity, Status};
use kubeward_live::fleet::{self, FleetOptions};
use kubeward_live::{ConnectOptions, KINDS, collect, connect};
use serde_json::{Value, json};

const TOKEN: &str = "fake-token-123";

#[derive(Default)]
struct State {
    requests: Vec<String>,
    jobs: BTreeMap<String, Value>,
    deleted: Vec<String>,
}

type Shared = Arc<Mutex<State>>;

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": message, "reason": reason, "code": code});
    (
        StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(body),
    )
        .into_response()
}

fn list(kind: &str, items: Vec<Value>, cont: Option<&str>) -> Response {
    let mut meta = json!({"resourceVersion": "1"});
    if let Some(c) = cont {
        meta["continue"] = json!(c);
    }
    axum::Json(json!({"kind": format!("{kind}List"), "apiVersion": "v1", "metadata": meta, "items": items})).into_response()
}

fn pod(name: &str, ns: &str) -> Value {
    json!({"metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
}

static TEST_CHECK: CheckMeta = CheckMeta {
    code: "N999",
    name: "test-node-check",
    title: "a node check",
    area: Area::Node,
    severity: Severity::High,
    references: &[],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "",
        why: "",
        fix: "",
        links: &[],
    },
};

fn node_report(node: &str, st: Status) -> String {
    let mut r = Report::new("node");
    r.push(Finding::new(
        &TEST_CHECK,
        st,
        Resource::new("Node", node),
        "m",
    ));
    r.finish();
    format!(
        "some log line\n{}",
        serde_json::to_string(&r).unwrap_or_default()
    )
}

fn query(uri: &Uri) -> BTreeMap<String, String> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("%3D", "=").replace("%2F", "/")))
        .collect()
}

async fn handle(
    state: Shared,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if auth != format!("Bearer {TOKEN}") {
        return status(401, "Unauthorized", "no or wrong bearer token");
    }
    let path = uri.path().to_string();
    let q = query(&uri);
    state
        .lock()
        .map(|mut s| {
            s.requests
                .push(format!("{method} {path}?{}", uri.query().unwrap_or("")))
        })
        .unwrap_or(());
    match (method.clone(), path.as_str()) {
        (Method::GET, "/api/v1/pods") => match q.get("continue").map(String::as_str) {
            None => list(
                "Pod",
                vec![pod("a", "default"), pod("b", "default")],
                Some("page-2"),
            ),
            Some("page-2") => list("Pod", vec![pod("c", "prod")], None),
            Some(_) => status(410, "Expired", "bad continue token"),
        },
        (Method::GET, "/apis/rbac.authorization.k8s.io/v1/roles") => status(
            403,
            "Forbidden",
            "roles.rbac.authorization.k8s.io is forbidden: User cannot list",
        ),
        (Method::GET, "/api/v1/secrets") => {
            // A metadata-only request must ask for PartialObjectMetadata.
            let accept = headers
                .get("accept")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            assert!(
                accept.contains("PartialObjectMetadata"),
                "secrets listed with data: {accept}"
            );
            axum::Json(json!({"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": {},
                "items": [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": {"name": "db", "namespace": "prod"}}]}))
                .into_response()
        }
        (Method::GET, "/api/v1/nodes") => list(
            "Node",
            vec![
                json!({"metadata": {"name": "node-a", "labels": {"kubernetes.io/os": "linux"}}}),
                json!({"metadata": {"name": "node-b", "labels": {"kubernetes.io/os": "linux"}}}),
                json!({"metadata": {"name": "node-stuck", "labels": {"kubernetes.io/os": "linux"}}}),
                json!({"metadata": {"name": "win-1", "labels": {"kubernetes.io/os": "windows"}}}),
            ],
            None,
        ),
        (Method::POST, "/apis/batch/v1/namespaces/kubeward/jobs") => {
            let Ok(job) = serde_json::from_slice::<Value>(&body) else {
                return status(400, "BadRequest", "not JSON");
            };
            let name = job
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            if let Ok(mut s) = state.lock() {
                s.jobs.insert(name, job.clone());
            }
            (StatusCode::CREATED, axum::Json(job)).into_response()
        }
        (Method::GET, "/apis/batch/v1/namespaces/kubeward/jobs") => {
            let jobs: Vec<Value> = state
                .lock()
                .map(|s| s.jobs.values().cloned().collect())
                .unwrap_or_default();
            let items = jobs
                .into_iter()
                .map(|mut j| {
                    let node = j
                        .pointer("/spec/template/spec/nodeName")
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    if node != "node-stuck" {
                        j["status"] = json!({"succeeded": 1});
                    }
                    j
                })
                .collect();
            list("Job", items, None)
        }
        (Method::GET, "/api/v1/namespaces/kubeward/pods") => {
            let job = q
                .get("labelSelector")
                .and_then(|s| s.strip_prefix("job-name="))
                .unwrap_or("")
                .to_string();
            list(
                "Pod",
                vec![json!({"metadata": {"name": format!("{job}-pod"), "namespace": "kubeward"}})],
                None,
            )
        }
        (Method::DELETE, p) if p.starts_with("/apis/batch/v1/namespaces/kubeward/jobs/") => {
            let name = p.rsplit('/').next().unwrap_or("").to_string();
            if let Ok(mut s) = state.lock() {
                s.deleted.push(name);
            }
            status(200, "", "deleted")
        }
        (Method::GET, p)
            if p.starts_with("/api/v1/namespaces/kubeward/pods/") && p.ends_with("/log") =>
        {
            let pod_name = p
                .trim_end_matches("/log")
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string();
            let job = pod_name.trim_end_matches("-pod").to_string();
            let node = state
                .lock()
                .ok()
                .and_then(|s| s.jobs.get(&job).cloned())
                .and_then(|j| {
                    j.pointer("/spec/template/spec/nodeName")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_default();
            let st = if node == "node-b" {
                Status::Fail
            } else {
                Status::Pass
            };
            node_report(&node, st).into_response()
        }
        (Method::GET, p) => {
            // Optional APIs (CRDs, alpha groups) are not served by this cluster.
            let optional = [
                "policy.networking.k8s.io",
                "crd.projectcalico.org",
                "cilium.io",
                "argoproj.io",
                "route.openshift.io",
            ];
            if optional
                .iter()
                .any(|g| p.starts_with(&format!("/apis/{g}/")))
            {
                status(
                    404,
                    "NotFound",
                    "the server could not find the requested resource",
                )
            } else {
                list("Thing", vec![], None)
            }
        }
        _ => status(405, "MethodNotAllowed", "unexpected call"),
    }
}

struct Fake {
    state: Shared,
    kubeconfig: tempfile::NamedTempFile,
    handle: axum_server::Handle<SocketAddr>,
}

async fn start(token: &str) -> Fake {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("ca params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "kubeward test CA");
    let ca_key = rcgen::KeyPair::generate().expect("ca key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("ca cert");
    let mut server_params =
        rcgen::CertificateParams::new(Vec::<String>::new()).expect("server params");
    server_params.subject_alt_names =
        vec![rcgen::SanType::IpAddress("127.0.0.1".parse().expect("ip"))];
    let server_key = rcgen::KeyPair::generate().expect("server key");
    let server_cert = server_params
        .signed_by(&server_key, &ca)
        .expect("server cert");

    let state: Shared = Arc::default();
    let s2 = state.clone();
    let app = axum::Router::new().fallback(move |m: Method, u: Uri, h: HeaderMap, b: Bytes| {
        let s = s2.clone();
        async move { handle(s, m, u, h, b).await }
    });
    let tls = axum_server::tls_rustls::RustlsConfig::from_pem(
        server_cert.pem().into_bytes(),
        server_key.serialize_pem().into_bytes(),
    )
    .await
    .expect("tls config");
    let handle = axum_server::Handle::new();
    let server = axum_server::bind_rustls("127.0.0.1:0".parse::<SocketAddr>().expect("addr"), tls)
        .handle(handle.clone());
    tokio::spawn(async move { server.serve(app.into_make_service()).await });
    let addr = tokio::time::timeout(Duration::from_secs(10), handle.listening())
        .await
        .ok()
        .flatten()
        .expect("server listening");

    let ca_b64 = base64::engine::general_purpose::STANDARD.encode(ca.pem());
    let kubeconfig = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: https://{addr}\n    certificate-authority-data: {ca_b64}\nusers:\n- name: u\n  user:\n    token: {token}\ncontexts:\n- name: fake\n  context: {{cluster: fake, user: u}}\ncurrent-context: fake\n"
    );
    let file = tempfile::NamedTempFile::new().expect("tempfile");
    std::fs::write(file.path(), kubeconfig).expect("write kubeconfig");
    Fake {
        state,
        kubeconfig: file,
        handle,
    }
}

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
        timeout: Duration::from_millis(1500),
        poll: Duration::from_millis(100),
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
            .is_err_and(|e| e.contains("did not finish")),
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
