//! A fake Kubernetes API server on 127.0.0.1 for tests: TLS with a CA made for the test, bearer
//! tokens, paginated lists, a 403 for Roles, 404 for optional APIs, and enough of Jobs, pods and
//! logs for the fleet flow. Shared by the live-source tests and the CLI tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use kubeward_core::{Area, CheckMeta, Finding, Report, Resource, Severity, Status};
use serde_json::{Value, json};

pub const TOKEN: &str = "fake-token-123";

#[derive(Default)]
pub struct State {
    pub requests: Vec<String>,
    pub jobs: BTreeMap<String, Value>,
    pub deleted: Vec<String>,
}

pub type Shared = Arc<Mutex<State>>;

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

static TEST_CHECK: CheckMeta = CheckMeta::fixture(
    "N999",
    "test-node-check",
    "a node check",
    Area::Node,
    Severity::High,
);

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

/// The worked example's template and constraint, as a cluster with Gatekeeper (or the Azure
/// Policy add-on) serves them: the constraint allows two registries, so the three `nginx` pods
/// violate it.
fn example(name: &str) -> Value {
    let text = match name {
        "template" => include_str!("../../../../examples/policy/template.yaml"),
        _ => include_str!("../../../../examples/policy/constraint.yaml"),
    };
    serde_saphyr::from_str(text).unwrap()
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
        (Method::GET, "/apis/templates.gatekeeper.sh/v1/constrainttemplates") => {
            list("ConstraintTemplate", vec![example("template")], None)
        }
        // Discovery of the run-time constraint kinds: one kind and its status subresource.
        (Method::GET, "/apis/constraints.gatekeeper.sh/v1beta1") => axum::Json(json!({
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": "constraints.gatekeeper.sh/v1beta1",
            "resources": [
                {"name": "k8strustedregistry", "singularName": "k8strustedregistry", "namespaced": false,
                 "kind": "K8sTrustedRegistry", "verbs": ["delete", "get", "list", "patch", "update", "watch"]},
                {"name": "k8strustedregistry/status", "singularName": "", "namespaced": false,
                 "kind": "K8sTrustedRegistry", "verbs": ["get", "patch", "update"]}
            ]}))
        .into_response(),
        (Method::GET, "/apis/constraints.gatekeeper.sh/v1beta1/k8strustedregistry") => {
            list("K8sTrustedRegistry", vec![example("constraint")], None)
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

pub struct Fake {
    pub state: Shared,
    pub kubeconfig: tempfile::NamedTempFile,
    pub handle: axum_server::Handle<SocketAddr>,
}

pub async fn start(token: &str) -> Fake {
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
