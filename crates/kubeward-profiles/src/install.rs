//! Manifests that put profiles on every node, and the securityContext patches that use them.
//! kubeward prints them; it never applies anything.
//!
//! Two methods:
//! - `daemonset`: a ConfigMap with the profiles and a DaemonSet whose init containers write the
//!   seccomp files under `/var/lib/kubelet/seccomp/<dir>/` and load the AppArmor profiles with the
//!   node's own `apparmor_parser`. It re-runs on every new, reimaged or rebooted node.
//! - `spo`: Security Profiles Operator `SeccompProfile` resources (cluster-scoped, v1), which the
//!   operator writes to `/var/lib/kubelet/seccomp/operator/<name>.json` on every node.

use std::fmt::Write as _;

use crate::apparmor::AppArmorFile;
use crate::error::ProfileError;
use crate::seccomp::Profile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    DaemonSet,
    Spo,
}

#[derive(Debug, Clone)]
pub struct InstallOptions {
    pub method: Method,
    pub namespace: String,
    /// Directory under the kubelet's seccomp root (`localhostProfile: <dir>/<file>`).
    pub seccomp_dir: String,
    /// Image of the loader (needs `sh`, `cp`, `chroot`; the node provides apparmor_parser).
    pub image: String,
    /// `kind/name` of the workload to patch; a placeholder when absent.
    pub workload: Option<String>,
    /// Namespace of that workload.
    pub workload_namespace: Option<String>,
}

impl Default for InstallOptions {
    fn default() -> Self {
        InstallOptions {
            method: Method::DaemonSet,
            namespace: "kube-system".into(),
            seccomp_dir: "kubeward".into(),
            image: "mcr.microsoft.com/azurelinux/base/core:3.0".into(),
            workload: None,
            workload_namespace: None,
        }
    }
}

/// A seccomp profile to install: its file name on the node and its content (OCI JSON).
#[derive(Debug, Clone)]
pub struct SeccompInput {
    pub file_name: String,
    pub profile: Profile,
}

/// An AppArmor file to install: its file name and text, and the profile names it declares.
#[derive(Debug, Clone)]
pub struct AppArmorInput {
    pub file_name: String,
    pub text: String,
    pub profile_names: Vec<String>,
}

impl AppArmorInput {
    pub fn new(file_name: String, text: String, parsed: &AppArmorFile) -> AppArmorInput {
        AppArmorInput {
            file_name,
            text,
            profile_names: parsed.profiles.iter().map(|p| p.name.clone()).collect(),
        }
    }
}

/// What pods will reference, for the patches and for `kubeward node`/`workloads` verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    /// `seccompProfile.localhostProfile` (relative to /var/lib/kubelet/seccomp).
    Seccomp(String),
    /// `appArmorProfile.localhostProfile` (a loaded profile name).
    AppArmor(String),
}

/// A file name a ConfigMap key and a node file can both carry.
pub fn safe_file_name(name: &str) -> Result<String, ProfileError> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let ok = !base.is_empty()
        && base.len() <= 200
        && !base.starts_with('.')
        && base
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
    if ok {
        Ok(base.to_string())
    } else {
        Err(ProfileError::Usage(format!(
            "file name {base:?} cannot be used on the node: use letters, digits, `-`, `_` and `.`"
        )))
    }
}

/// DNS-1123 name for a Kubernetes object, from a file name (`prevent-chmod.json` -> `prevent-chmod`).
pub fn object_name(file_name: &str) -> String {
    let stem = file_name.strip_suffix(".json").unwrap_or(file_name);
    let mut s: String = stem
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s = s.trim_matches('-').to_string();
    s.truncate(63);
    if s.is_empty() { "profile".into() } else { s }
}

/// YAML literal block for `text`, indented by `indent` spaces, with explicit indentation and
/// chomping so any content survives (leading spaces, no or several trailing newlines).
fn block(text: &str, indent: usize) -> String {
    let chomp = if !text.ends_with('\n') {
        "-"
    } else if text.ends_with("\n\n") {
        "+"
    } else {
        ""
    };
    let pad = " ".repeat(indent);
    let mut s = format!("|2{chomp}\n");
    for line in text.trim_end_matches('\n').split('\n') {
        if line.is_empty() {
            s.push('\n');
        } else {
            let _ = writeln!(s, "{pad}{line}");
        }
    }
    if chomp == "+" {
        for _ in 0..(text.len() - text.trim_end_matches('\n').len() - 1) {
            s.push('\n');
        }
    }
    s
}

fn json_inline(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Everything to print: manifests, then patches.
pub fn render(
    seccomp: &[SeccompInput],
    apparmor: &[AppArmorInput],
    opts: &InstallOptions,
) -> Result<(String, Vec<Reference>), ProfileError> {
    if seccomp.is_empty() && apparmor.is_empty() {
        return Err(ProfileError::Usage(
            "nothing to install: give --seccomp FILE and/or --apparmor FILE".into(),
        ));
    }
    refuse_clashes(seccomp, apparmor)?;
    let mut refs = Vec::new();
    let mut out = String::new();
    out.push_str(
        "# Generated by kubeward profiles install. Review, then apply with kubectl apply -f.\n",
    );
    out.push_str("# kubeward never applies anything itself.\n");
    match opts.method {
        Method::DaemonSet => {
            for s in seccomp {
                refs.push(Reference::Seccomp(format!(
                    "{}/{}",
                    opts.seccomp_dir, s.file_name
                )));
            }
            for a in apparmor {
                refs.extend(a.profile_names.iter().cloned().map(Reference::AppArmor));
            }
            daemonset(&mut out, seccomp, apparmor, opts)?;
        }
        Method::Spo => {
            if !apparmor.is_empty() {
                return Err(ProfileError::Usage(
                    "the Security Profiles Operator's AppArmorProfile takes its own abstract form (spec.abstract: filesystem, executable, network, capability), not profile text; install AppArmor text profiles with --method daemonset".into(),
                ));
            }
            for s in seccomp {
                let name = object_name(&s.file_name);
                refs.push(Reference::Seccomp(format!("operator/{name}.json")));
                spo_seccomp(&mut out, &name, &s.file_name, &s.profile)?;
            }
        }
    }
    patches(&mut out, &refs, opts);
    Ok((out, refs))
}

/// Two inputs that would land on the same node file, or two AppArmor profiles with one name
/// (the second load silently replaces the first), are refused rather than printed.
fn refuse_clashes(
    seccomp: &[SeccompInput],
    apparmor: &[AppArmorInput],
) -> Result<(), ProfileError> {
    let mut files = std::collections::BTreeSet::new();
    for name in seccomp.iter().map(|s| &s.file_name) {
        if !files.insert(name) {
            return Err(ProfileError::Usage(format!(
                "two seccomp files are named {name}: both would be written to the same node file; rename one"
            )));
        }
    }
    let mut files = std::collections::BTreeSet::new();
    let mut profiles = std::collections::BTreeMap::new();
    for a in apparmor {
        if !files.insert(&a.file_name) {
            return Err(ProfileError::Usage(format!(
                "two AppArmor files are named {}: rename one",
                a.file_name
            )));
        }
        for p in &a.profile_names {
            if let Some(first) = profiles.insert(p, &a.file_name) {
                return Err(ProfileError::Usage(format!(
                    "AppArmor profile {p} is declared in {first} and {}: loading the second replaces the first on every node",
                    a.file_name
                )));
            }
        }
    }
    Ok(())
}

fn daemonset(
    out: &mut String,
    seccomp: &[SeccompInput],
    apparmor: &[AppArmorInput],
    opts: &InstallOptions,
) -> Result<(), ProfileError> {
    let ns = &opts.namespace;
    let dir = safe_file_name(&opts.seccomp_dir)?;
    let _ = write!(
        out,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kubeward-profiles\n  namespace: {ns}\n  labels:\n    app.kubernetes.io/name: kubeward-profile-loader\ndata:\n"
    );
    let mut seccomp_items = String::new();
    let mut apparmor_items = String::new();
    for s in seccomp {
        let key = format!("seccomp.{}", s.file_name);
        let _ = write!(out, "  {key}: {}", block(&s.profile.to_json_text(), 4));
        let _ = write!(
            seccomp_items,
            "              - key: {key}\n                path: {}\n",
            s.file_name
        );
    }
    for a in apparmor {
        let key = format!("apparmor.{}", a.file_name);
        let _ = write!(out, "  {key}: {}", block(&a.text, 4));
        let _ = write!(
            apparmor_items,
            "              - key: {key}\n                path: {}\n",
            a.file_name
        );
    }
    let image = &opts.image;
    let _ = write!(
        out,
        r#"---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kubeward-profile-loader
  namespace: {ns}
  labels:
    app.kubernetes.io/name: kubeward-profile-loader
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: kubeward-profile-loader
  updateStrategy:
    type: RollingUpdate
  template:
    metadata:
      labels:
        app.kubernetes.io/name: kubeward-profile-loader
      annotations:
        # A digest of the profiles: applying changed profiles changes the pod template,
        # so the DaemonSet rolls out and every node gets the new version.
        kubeward.io/profiles-digest: "{digest}"
    spec:
      # Every Linux node, tainted pools included: a pod can land anywhere.
      nodeSelector:
        kubernetes.io/os: linux
      tolerations:
        - operator: Exists
      automountServiceAccountToken: false
      initContainers:
"#,
        digest = digest(seccomp, apparmor)
    );
    if !seccomp.is_empty() {
        let _ = write!(
            out,
            r#"        # Writes the seccomp files. Root (uid 0) owns /var/lib/kubelet/seccomp, so the
        # container runs as root, but with no capability, no privilege escalation and
        # a read-only root filesystem; its only host access is that one directory.
        - name: install-seccomp
          image: {image}
          command:
            - /bin/sh
            - -c
            - |
              set -eu
              mkdir -p /host-seccomp/{dir}
              for f in /profiles/seccomp/*; do
                name=$(basename "$f")
                # Write then rename: the kubelet never reads a half-written file.
                cp "$f" "/host-seccomp/{dir}/.$name.tmp"
                mv "/host-seccomp/{dir}/.$name.tmp" "/host-seccomp/{dir}/$name"
                echo "seccomp profile {dir}/$name installed on $NODE_NAME"
              done
          env:
            - name: NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          securityContext:
            runAsUser: 0
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - name: seccomp-profiles
              mountPath: /profiles/seccomp
              readOnly: true
            - name: kubelet-seccomp
              mountPath: /host-seccomp
"#
        );
    }
    if !apparmor.is_empty() {
        let _ = write!(
            out,
            r#"        # Loads the AppArmor profiles into the node's kernel. This needs privileged: true:
        # loading policy writes to securityfs (/sys/kernel/security/apparmor), which needs
        # CAP_MAC_ADMIN and an unconfined process (the runtime's default AppArmor profile
        # denies writes there: "attempted to load a profile while confined?"). It runs the
        # node's own apparmor_parser through chroot so the parser, its ABI and the
        # tunables/abstractions the profile includes match the node image. The host root is
        # mounted read-only; only /etc/apparmor.d (persistent copies, reloaded at boot) and
        # securityfs are writable. Nodes without AppArmor (e.g. older Azure Linux 3 images)
        # are skipped with a message, not failed.
        - name: load-apparmor
          image: {image}
          command:
            - /bin/sh
            - -c
            - |
              set -eu
              if [ ! -d /host/sys/kernel/security/apparmor ]; then
                echo "AppArmor is not enabled on $NODE_NAME: profiles not loaded; keep pods that need them off this node"
                exit 0
              fi
              parser=""
              for p in /usr/sbin/apparmor_parser /sbin/apparmor_parser; do
                if [ -x "/host$p" ]; then parser="$p"; break; fi
              done
              if [ -z "$parser" ]; then
                echo "apparmor_parser is not installed on $NODE_NAME: profiles not loaded"
                exit 0
              fi
              for f in /profiles/apparmor/*; do
                name=$(basename "$f")
                cp "$f" "/host/etc/apparmor.d/kubeward.$name"
                chroot /host "$parser" -r "/etc/apparmor.d/kubeward.$name"
                echo "AppArmor file $name loaded on $NODE_NAME"
              done
          env:
            - name: NODE_NAME
              valueFrom:
                fieldRef:
                  fieldPath: spec.nodeName
          securityContext:
            privileged: true
          volumeMounts:
            - name: apparmor-profiles
              mountPath: /profiles/apparmor
              readOnly: true
            - name: host-root
              mountPath: /host
              readOnly: true
            - name: host-apparmor-d
              mountPath: /host/etc/apparmor.d
            - name: host-securityfs
              mountPath: /host/sys/kernel/security
"#
        );
    }
    let _ = write!(
        out,
        r#"      containers:
        # Keeps the pod Running so the DaemonSet shows which nodes are done; no privileges.
        - name: done
          image: {image}
          command: ["/bin/sh", "-c", "exec sleep infinity"]
          securityContext:
            runAsUser: 65534
            runAsNonRoot: true
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
            seccompProfile:
              type: RuntimeDefault
          resources:
            requests:
              cpu: 1m
              memory: 8Mi
            limits:
              memory: 32Mi
      volumes:
"#
    );
    if !seccomp.is_empty() {
        let _ = write!(
            out,
            "        - name: seccomp-profiles\n          configMap:\n            name: kubeward-profiles\n            items:\n{seccomp_items}        - name: kubelet-seccomp\n          hostPath:\n            path: /var/lib/kubelet/seccomp\n            type: DirectoryOrCreate\n"
        );
    }
    if !apparmor.is_empty() {
        let _ = write!(
            out,
            "        - name: apparmor-profiles\n          configMap:\n            name: kubeward-profiles\n            items:\n{apparmor_items}        - name: host-root\n          hostPath:\n            path: /\n            type: Directory\n        - name: host-apparmor-d\n          hostPath:\n            path: /etc/apparmor.d\n            type: DirectoryOrCreate\n        - name: host-securityfs\n          hostPath:\n            path: /sys/kernel/security\n            type: Directory\n"
        );
    }
    Ok(())
}

/// FNV-1a over every file name and content: stable across runs and platforms, no extra crate.
fn digest(seccomp: &[SeccompInput], apparmor: &[AppArmorInput]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator so ("ab", "c") and ("a", "bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for s in seccomp {
        feed(s.file_name.as_bytes());
        feed(s.profile.to_json_text().as_bytes());
    }
    for a in apparmor {
        feed(a.file_name.as_bytes());
        feed(a.text.as_bytes());
    }
    format!("{h:016x}")
}

/// The SPO v1 `SeccompProfile` spec has the OCI fields minus `defaultErrnoRet`, a shorter
/// architecture enum and a fixed listener directory; kubectl's strict field validation rejects
/// anything else, so translate what is equivalent and refuse what is not.
fn spo_spec(file_name: &str, p: &Profile) -> Result<serde_json::Value, ProfileError> {
    let refuse = |why: String| {
        ProfileError::Usage(format!(
            "{file_name}: the Security Profiles Operator's SeccompProfile cannot hold this profile: {why}; use --method daemonset"
        ))
    };
    let mut spec = p.to_json();
    if let Some(o) = spec.as_object_mut() {
        match p.default_errno_ret {
            // EPERM is what the runtime returns when the field is absent.
            None | Some(1) => {
                o.remove("defaultErrnoRet");
            }
            Some(e) => {
                return Err(refuse(format!(
                    "defaultErrnoRet {e} has no SeccompProfile field"
                )));
            }
        }
    }
    for (a, _) in &p.architectures {
        if matches!(
            a,
            crate::syscall_table::Arch::Loongarch64
                | crate::syscall_table::Arch::M68k
                | crate::syscall_table::Arch::Sh
                | crate::syscall_table::Arch::Sheb
        ) {
            return Err(refuse(format!(
                "architecture {} is not in its enum",
                a.scmp_name()
            )));
        }
    }
    if let Some(l) = &p.listener_path {
        let dir = "/var/run/security-profiles-operator/";
        let ok = l.strip_prefix(dir).is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
        });
        if !ok {
            return Err(refuse(format!(
                "listenerPath {l:?} must be a socket directly under {dir}"
            )));
        }
    }
    Ok(spec)
}

fn spo_seccomp(
    out: &mut String,
    name: &str,
    file_name: &str,
    p: &Profile,
) -> Result<(), ProfileError> {
    let spec = spo_spec(file_name, p)?;
    let _ = write!(
        out,
        "---\n# The operator writes this to /var/lib/kubelet/seccomp/operator/{name}.json on every node.\napiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nmetadata:\n  name: {name}\nspec: {}\n",
        json_inline(&spec)
    );
    Ok(())
}

fn patches(out: &mut String, refs: &[Reference], opts: &InstallOptions) {
    use kubeward_core::escape::{shell, shell_comment};
    // Given names are shell-quoted in the command; the placeholders stay readable as they are.
    let workload = opts
        .workload
        .as_deref()
        .map_or_else(|| "deployment/<name>".into(), |w| shell(w).into_owned());
    let ns = opts
        .workload_namespace
        .as_deref()
        .map_or_else(|| "<namespace>".into(), |n| shell(n).into_owned());
    let _ = write!(
        out,
        "\n# --- Use the profiles: securityContext fields (the seccomp and AppArmor annotations do\n# nothing on supported AKS versions). Pod-level fields apply to every container without its own.\n"
    );
    let mut pod_sc = serde_json::Map::new();
    for r in refs {
        match r {
            Reference::Seccomp(path) if !pod_sc.contains_key("seccompProfile") => {
                pod_sc.insert(
                    "seccompProfile".into(),
                    serde_json::json!({"type": "Localhost", "localhostProfile": path}),
                );
            }
            Reference::AppArmor(name) if !pod_sc.contains_key("appArmorProfile") => {
                pod_sc.insert(
                    "appArmorProfile".into(),
                    serde_json::json!({"type": "Localhost", "localhostProfile": name}),
                );
            }
            _ => {}
        }
    }
    for r in refs {
        let line = match r {
            Reference::Seccomp(p) => {
                let p = shell_comment(p);
                format!("#   seccomp:  localhostProfile: {p}  (file /var/lib/kubelet/seccomp/{p})")
            }
            Reference::AppArmor(n) => {
                let n = shell_comment(n);
                format!("#   AppArmor: localhostProfile: {n}  (loaded profile name)")
            }
        };
        let _ = writeln!(out, "{line}");
    }
    let patch = serde_json::json!({"spec": {"template": {"spec": {"securityContext": serde_json::Value::Object(pod_sc.clone())}}}});
    let _ = write!(
        out,
        "#\n# kubectl patch {workload} -n {ns} --type strategic -p {}\n#\n# or as strategic-merge YAML (kubectl patch ... --patch-file patch.yaml):\n",
        shell_comment(&shell(&json_inline(&patch)))
    );
    let _ = writeln!(
        out,
        "# spec:\n#   template:\n#     spec:\n#       securityContext:"
    );
    for (k, v) in &pod_sc {
        let _ = writeln!(out, "#         {k}:");
        if let Some(o) = v.as_object() {
            for (kk, vv) in o {
                let _ = writeln!(
                    out,
                    "#           {}: {}",
                    shell_comment(kk),
                    shell_comment(vv.as_str().unwrap_or_default())
                );
            }
        }
    }
    if refs.iter().any(|r| matches!(r, Reference::AppArmor(_))) {
        let _ = write!(
            out,
            "#\n# AppArmor needs Kubernetes 1.30+ for the field, and a node with AppArmor: a pod asking for\n# any AppArmor profile is rejected on a node without it. Keep such pods on pools that have it,\n# e.g. with a nodeAffinity on kubernetes.azure.com/os-sku: Ubuntu.\n"
        );
    }
    let _ = write!(
        out,
        "#\n# Verify: kubeward node (on each node) lists the Localhost seccomp files and loaded AppArmor\n# profiles; kubeward workloads --node-report ... names pods that reference a profile a node lacks.\n"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seccomp_input() -> SeccompInput {
        SeccompInput {
            file_name: "prevent-chmod.json".into(),
            profile: Profile::parse(
                "p",
                r#"{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
            )
            .unwrap(),
        }
    }

    fn apparmor_input() -> AppArmorInput {
        let text = "#include <tunables/global>\n\nprofile k8s-deny-write flags=(attach_disconnected) {\n  file,\n    deny /** w,\n}\n".to_string();
        let parsed = crate::apparmor::parse("deny-write", &text);
        AppArmorInput::new("deny-write".into(), text, &parsed)
    }

    #[test]
    fn daemonset_manifests_are_valid_yaml_and_carry_the_profiles() {
        let (text, refs) = render(
            &[seccomp_input()],
            &[apparmor_input()],
            &InstallOptions::default(),
        )
        .unwrap();
        assert_eq!(
            refs,
            vec![
                Reference::Seccomp("kubeward/prevent-chmod.json".into()),
                Reference::AppArmor("k8s-deny-write".into())
            ]
        );
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
        assert_eq!(docs.len(), 2, "{text}");
        assert_eq!(docs[0]["kind"], "ConfigMap");
        // Profiles survive the YAML round trip byte for byte.
        assert_eq!(
            docs[0]["data"]["apparmor.deny-write"],
            apparmor_input().text
        );
        let seccomp_text = docs[0]["data"]["seccomp.prevent-chmod.json"]
            .as_str()
            .unwrap();
        assert!(Profile::parse("x", seccomp_text).is_ok());
        let ds = &docs[1];
        assert_eq!(ds["kind"], "DaemonSet");
        let init = ds["spec"]["template"]["spec"]["initContainers"]
            .as_array()
            .unwrap();
        assert_eq!(
            init[0]["securityContext"]["privileged"],
            serde_json::Value::Null
        );
        assert_eq!(init[0]["securityContext"]["capabilities"]["drop"][0], "ALL");
        assert_eq!(init[1]["securityContext"]["privileged"], true);
        let vols = ds["spec"]["template"]["spec"]["volumes"]
            .as_array()
            .unwrap();
        let paths: Vec<&str> = vols
            .iter()
            .filter_map(|v| v["hostPath"]["path"].as_str())
            .collect();
        assert_eq!(
            paths,
            vec![
                "/var/lib/kubelet/seccomp",
                "/",
                "/etc/apparmor.d",
                "/sys/kernel/security"
            ]
        );
        assert!(text.contains(r#"--type strategic -p '{"spec":{"template":{"spec":{"securityContext":{"seccompProfile":{"type":"Localhost","localhostProfile":"kubeward/prevent-chmod.json"},"appArmorProfile":{"type":"Localhost","localhostProfile":"k8s-deny-write"}}}}}}'"#), "{text}");
        assert!(!text.contains("seccomp.security.alpha.kubernetes.io"));
    }

    #[test]
    fn changed_profile_content_changes_the_pod_template() {
        let template_annotation = |text: &str| -> String {
            let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text).unwrap();
            docs[1]["spec"]["template"]["metadata"]["annotations"]["kubeward.io/profiles-digest"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let opts = InstallOptions::default();
        let (a, _) = render(&[seccomp_input()], &[], &opts).unwrap();
        let (again, _) = render(&[seccomp_input()], &[], &opts).unwrap();
        let mut changed = seccomp_input();
        changed.profile.rules[0].names[0].text = "write".into();
        let (b, _) = render(&[changed], &[], &opts).unwrap();
        assert_eq!(template_annotation(&a), template_annotation(&again));
        assert_ne!(template_annotation(&a), template_annotation(&b));
    }

    #[test]
    fn seccomp_only_has_no_privileged_container() {
        let (text, _) = render(&[seccomp_input()], &[], &InstallOptions::default()).unwrap();
        assert!(!text.contains("privileged: true"));
        assert!(!text.contains("host-root"));
    }

    #[test]
    fn spo_method() {
        let opts = InstallOptions {
            method: Method::Spo,
            ..Default::default()
        };
        let (text, refs) = render(&[seccomp_input()], &[], &opts).unwrap();
        assert_eq!(
            refs,
            vec![Reference::Seccomp("operator/prevent-chmod.json".into())]
        );
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
        assert_eq!(docs[0]["kind"], "SeccompProfile");
        assert_eq!(docs[0]["spec"]["defaultAction"], "SCMP_ACT_ERRNO");
        assert!(docs[0]["metadata"].get("namespace").is_none());
        let e = render(&[], &[apparmor_input()], &opts).unwrap_err();
        assert!(e.to_string().contains("abstract"));
    }

    #[test]
    fn spo_spec_has_only_fields_the_crd_knows() {
        let opts = InstallOptions {
            method: Method::Spo,
            ..Default::default()
        };
        let input = |text: &str| SeccompInput {
            file_name: "p.json".into(),
            profile: Profile::parse("p", text).unwrap(),
        };
        // EPERM is the default: the field is dropped, not sent to a CRD that has no such field.
        let (text, _) = render(
            &[input(
                r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}"#,
            )],
            &[],
            &opts,
        )
        .unwrap();
        let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(&text).unwrap();
        assert!(docs[0]["spec"].get("defaultErrnoRet").is_none(), "{text}");
        for (bad, why) in [
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38}"#,
                "defaultErrnoRet 38",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_LOONGARCH64"]}"#,
                "SCMP_ARCH_LOONGARCH64",
            ),
            (
                r#"{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/agent.sock"}"#,
                "listenerPath",
            ),
        ] {
            let e = render(&[input(bad)], &[], &opts).unwrap_err().to_string();
            assert!(e.contains(why) && e.contains("--method daemonset"), "{e}");
        }
    }

    #[test]
    fn clashing_names_are_refused() {
        let opts = InstallOptions::default();
        let e = render(&[seccomp_input(), seccomp_input()], &[], &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("two seccomp files are named prevent-chmod.json"),
            "{e}"
        );
        let mut other = apparmor_input();
        other.file_name = "deny-write-copy".into();
        let e = render(&[], &[apparmor_input(), other], &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("k8s-deny-write is declared in deny-write and deny-write-copy"),
            "{e}"
        );
    }

    #[test]
    fn names_and_blocks() {
        assert_eq!(object_name("My_Profile.json"), "my-profile");
        assert!(safe_file_name("../etc/passwd").is_ok());
        assert_eq!(safe_file_name("../etc/passwd").unwrap(), "passwd");
        assert!(safe_file_name("a b").is_err());
        assert!(safe_file_name(".hidden").is_err());
        assert!(render(&[], &[], &InstallOptions::default()).is_err());
        let doc = format!("k: {}", block("  leading\n\n\n", 2));
        let v: serde_json::Value = serde_saphyr::from_str(&doc).unwrap();
        assert_eq!(v["k"], "  leading\n\n\n");
        let doc = format!("k: {}", block("no newline", 2));
        let v: serde_json::Value = serde_saphyr::from_str(&doc).unwrap();
        assert_eq!(v["k"], "no newline");
    }
}
