//! Documents that several checks' `bad` and `good` examples share, written once. Each macro
//! expands to a string literal, so an example stays a `concat!` of literals (a `&'static str` in the
//! check's `META`), the same text as if the documents were written out in every file.

/// A Deployment of namespace `shop` whose pods carry the label `app: <name>`: `(name, the pod
/// template's spec lines)`.
macro_rules! shop_deployment {
    ($app:literal, $pod_spec:literal) => {
        concat!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ",
            $app,
            ", namespace: shop}\nspec:\n  selector: {matchLabels: {app: ",
            $app,
            "}}\n  template:\n    metadata: {labels: {app: ",
            $app,
            "}}\n",
            $pod_spec
        )
    };
}
pub(crate) use shop_deployment;

/// The `web` Deployment of namespace `shop`, listening on 8080: the workload most examples protect.
macro_rules! web_deployment {
    () => {
        $crate::examples::shop_deployment!(
            "web",
            "    spec:\n      containers: [{name: web, image: shopacr.azurecr.io/web:1.4, ports: [{containerPort: 8080}]}]\n"
        )
    };
}
pub(crate) use web_deployment;

/// The `web` Deployment of namespace `shop`, with no declared ports.
macro_rules! web_deployment_no_ports {
    () => {
        $crate::examples::shop_deployment!(
            "web",
            "    spec: {containers: [{name: web, image: shopacr.azurecr.io/web:1.4}]}\n"
        )
    };
}
pub(crate) use web_deployment_no_ports;

/// The `db` Deployment of namespace `shop`, with a named port `pg`.
macro_rules! db_deployment {
    () => {
        $crate::examples::shop_deployment!(
            "db",
            "    spec: {containers: [{name: db, image: postgres:16, ports: [{containerPort: 5432, name: pg}]}]}\n"
        )
    };
}
pub(crate) use db_deployment;

/// A Cilium agent DaemonSet: the sign that the cluster runs Cilium as its policy engine.
macro_rules! cilium_daemonset {
    () => {
        "\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: cilium, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: cilium}}
  template:
    metadata: {labels: {k8s-app: cilium}}
    spec: {containers: [{name: cilium-agent, image: mcr.microsoft.com/oss/cilium/cilium:1.16.6}]}
"
    };
}
pub(crate) use cilium_daemonset;

/// The head of a Service `web` in namespace `shop` (its spec follows).
macro_rules! web_service_head {
    () => {
        "\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
"
    };
}
pub(crate) use web_service_head;

/// A public LoadBalancer Service in front of `web`.
macro_rules! web_load_balancer {
    () => {
        concat!(
            $crate::examples::web_service_head!(),
            "\
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 443, targetPort: 8080}]
"
        )
    };
}
pub(crate) use web_load_balancer;

/// The head of an Ingress `web` in namespace `shop` (annotations or its spec follow).
macro_rules! web_ingress_head {
    () => {
        "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
"
    };
}
pub(crate) use web_ingress_head;

/// The spec of the `web` Ingress: one host, no TLS.
macro_rules! web_ingress_rules {
    () => {
        "\
spec:
  ingressClassName: webapprouting.kubernetes.azure.com
  rules:
  - host: shop.contoso.com
    http:
      paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]
"
    };
}
pub(crate) use web_ingress_rules;

/// A policy that lets one office range reach `web`.
macro_rules! allow_office_policy {
    () => {
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-office, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}]}]
"
    };
}
pub(crate) use allow_office_policy;

/// Default-deny ingress for namespace `shop`.
macro_rules! default_deny_ingress {
    () => {
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress]
"
    };
}
pub(crate) use default_deny_ingress;

/// Default-deny in both directions for namespace `shop`.
macro_rules! default_deny_both {
    () => {
        "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
"
    };
}
pub(crate) use default_deny_both;

/// A namespace-wide egress policy of `shop` that allows everything but one address range:
/// `(policy name, CIDR to except)`.
macro_rules! deny_egress_to {
    ($name:literal, $except:literal) => {
        concat!(
            "\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ",
            $name,
            ", namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [",
            $except,
            "]}}]}]
"
        )
    };
}
pub(crate) use deny_egress_to;

/// The `web` and `db` Deployments of `shop` and a policy for `db`'s ingress whose rules (the
/// YAML list items under `ingress:`) are the argument.
macro_rules! db_ingress_bundle {
    ($rules:literal) => {
        concat!(
            $crate::examples::web_deployment_no_ports!(),
            "---\n",
            $crate::examples::db_deployment!(),
            "\
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-ingress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
",
            $rules
        )
    };
}
pub(crate) use db_ingress_bundle;

#[cfg(test)]
mod tests {
    /// The shared pieces put together read as the document written out.
    #[test]
    fn the_web_deployment_reads_as_written_out() {
        assert_eq!(
            web_deployment!(),
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: shopacr.azurecr.io/web:1.4, ports: [{containerPort: 8080}]}]
"
        );
        assert!(db_ingress_bundle!("").contains(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: shop}\n"
        ));
    }
}
