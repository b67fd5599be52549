//! What `scan` reads: the given paths walked, and every file recognised by the areas that read
//! it. `scan` never looks inside a file itself: it reads the first bytes and asks each area in a
//! fixed order (`RECOGNISERS`); the first that knows the file names its kind.

use std::io::Read;
use std::path::{Path, PathBuf};

use kubeward_core::InputError;
use kubeward_core::recognize::{HEAD_BYTES, Head, InputKind};
use kubeward_inventory::LoadOptions;

/// One recognised input.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub kind: InputKind,
    pub path: PathBuf,
}

/// The areas, in the order they are asked. The order matters where their inputs look alike: a
/// saved report may quote audit events, a seccomp profile or an audit export can look like Azure
/// JSON, and most JSON names an `apiVersion` and a `kind`, so manifests come last.
const RECOGNISERS: &[fn(&Head) -> Option<InputKind>] = &[
    kubeward_node::recognize::of,
    kubeward_report::recognize::of,
    kubeward_audit::recognize::of,
    kubeward_profiles::recognize::of,
    kubeward_aks::recognize::of,
    kubeward_inventory::recognize::of,
];

/// Walk the paths and recognise every input. A file named directly that is none of the above is
/// an input error; one found in a folder is an input error when it is YAML or JSON that does not
/// parse (a broken manifest is not "something else"), and otherwise skipped: the skipped files
/// are gathered in `skipped`, so the report can say how many and which.
pub fn classify_counting(
    paths: &[PathBuf],
    errors: &mut Vec<InputError>,
    skipped: &mut Vec<PathBuf>,
) -> Vec<Input> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, errors, skipped);
        } else {
            match classify_file(p) {
                Ok(Some(i)) => out.push(i),
                Ok(None) => errors.push(InputError {
                    path: p.display().to_string(),
                    line: None,
                    message: "not recognised: neither manifests, a node root or report, AKS JSON, an audit log or policy, nor a seccomp/AppArmor profile".into(),
                }),
                Err(e) => errors.push(InputError { path: p.display().to_string(), line: None, message: e }),
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_node_root(dir: &Path) -> bool {
    kubeward_node::recognize::recognize_dir(dir).is_some()
}

fn walk(
    dir: &Path,
    out: &mut Vec<Input>,
    errors: &mut Vec<InputError>,
    skipped: &mut Vec<PathBuf>,
) {
    if is_node_root(dir) {
        out.push(Input {
            kind: InputKind::NodeRoot,
            path: dir.to_path_buf(),
        });
        return;
    }
    // Every file is looked at (recognised by content); symlinks are followed only inside `dir`,
    // and what cannot be walked or read (a link out of the tree, a FIFO) is an input error.
    let walked = kubeward_core::walk::walk_claiming(
        dir,
        &|_| true,
        &is_node_root,
        &kubeward_core::walk::WalkOptions {
            skip_dirs: &["target", "node_modules"],
            dedupe: false,
            ..Default::default()
        },
    );
    // A file reached by its name and through a link is one input: the first name recognised.
    let mut seen = std::collections::HashSet::new();
    errors.extend(walked.errors.into_iter().map(|e| InputError {
        path: e.path.display().to_string(),
        line: None,
        message: e.reason,
    }));
    for p in walked.files {
        if p.is_dir() {
            out.push(Input {
                kind: InputKind::NodeRoot,
                path: p,
            });
            continue;
        }
        match classify_file(&p) {
            Ok(Some(i)) => {
                if seen.insert(std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone())) {
                    out.push(i);
                }
            }
            Ok(None) => match unparsable_data(&p) {
                Some(errs) => errors.extend(errs),
                None => skipped.push(p),
            },
            Err(e) => errors.push(InputError {
                path: p.display().to_string(),
                line: None,
                message: e,
            }),
        }
    }
}

/// A YAML or JSON file that was not recognised because it does not parse: its parse errors (with
/// lines), so a broken manifest in a folder is reported, not skipped as "something else".
fn unparsable_data(path: &Path) -> Option<Vec<InputError>> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(ext.as_str(), "yaml" | "yml" | "json") {
        return None;
    }
    let head = read_head(path).ok()?;
    // Only a whole file can be judged; a large unrecognised one stays skipped (and counted).
    if head.len() >= HEAD_BYTES {
        return None;
    }
    let inv =
        kubeward_inventory::load_bytes(&path.display().to_string(), &head, &LoadOptions::default());
    (!inv.errors.is_empty()).then_some(inv.errors)
}

/// What `scan` says about the files of walked folders it did not recognise: how many, the first
/// of them, and how to have one reported.
pub fn skipped_fact(skipped: &[PathBuf]) -> serde_json::Value {
    const SHOWN: usize = 50;
    serde_json::json!({
        "count": skipped.len(),
        "why": "not recognised by content as manifests, a node root or report, AKS JSON, an audit log or policy, or a seccomp/AppArmor profile",
        "files": skipped.iter().take(SHOWN).map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "more": skipped.len().saturating_sub(SHOWN),
        "how_to_see": "name a file on the command line to have it reported as an input error",
    })
}

/// The first bytes of a file, decompressed when it is gzip.
fn read_head(path: &Path) -> Result<Vec<u8>, String> {
    // Regular files only: a FIFO would block the scan, a device never end.
    let file = kubeward_core::input::open(path).map_err(|e| e.to_string())?;
    let mut buf = Vec::with_capacity(HEAD_BYTES);
    file.take(HEAD_BYTES as u64)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.starts_with(&[0x1f, 0x8b]) {
        // Compressed: only audit logs come gzipped; look inside to be sure.
        let mut inner = Vec::with_capacity(HEAD_BYTES);
        let _ = flate2::read::GzDecoder::new(&buf[..])
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut inner);
        return Ok(inner);
    }
    Ok(buf)
}

/// Recognise one file: the first area that knows it.
pub fn classify_file(path: &Path) -> Result<Option<Input>, String> {
    let bytes = read_head(path)?;
    let head = Head::new(&bytes, path);
    Ok(RECOGNISERS
        .iter()
        .find_map(|of| of(&head))
        .map(|kind| Input {
            kind,
            path: path.to_path_buf(),
        }))
}

#[cfg(test)]
mod tests {
    use super::*;

    mod old {
        use super::super::{HEAD_BYTES, InputKind, read_head};
        use std::path::Path;

        fn sniff(path: &Path) -> Result<Vec<u8>, String> {
            read_head(path)
        }
        const SNIFF_BYTES: usize = HEAD_BYTES;

        pub fn is_node_root(dir: &Path) -> bool {
            dir.join("proc").is_dir()
                && (dir.join("etc/default/kubelet").is_file()
                    || dir.join("etc/kubernetes").is_dir()
                    || dir.join("var/lib/kubelet").is_dir())
        }

        /// The classifier `scan` had before each area recognised its own inputs, kept to prove the
        /// areas recognise exactly what it did.
        pub fn classify_file(path: &Path) -> Result<Option<InputKind>, String> {
            let head = sniff(path)?;
            let text = String::from_utf8_lossy(&head);
            let t = text.trim_start_matches('\u{feff}').trim_start();
            let has = |needle: &str| t.contains(needle);
            let compact: String = t
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(SNIFF_BYTES)
                .collect();
            let chas = |needle: &str| compact.contains(needle);

            if t.starts_with('{') || t.starts_with('[') {
                if chas("\"schema_version\":") && chas("\"findings\":") {
                    return Ok(Some(
                        if has("\"kubelet_found\"") || chas("\"command\":\"node\"") {
                            InputKind::NodeReport
                        } else {
                            InputKind::SavedReport
                        },
                    ));
                }
                if has("audit.k8s.io")
                    && (chas("\"kind\":\"Event\"") || chas("\"kind\":\"EventList\""))
                {
                    if chas("\"kind\":\"Policy\"") {
                        return Ok(Some(InputKind::AuditPolicy));
                    }
                    return Ok(Some(InputKind::AuditLog));
                }
                if (has("kube-audit") && chas("\"records\":"))
                    || (chas("\"category\":\"kube-audit") && chas("\"properties\":{\"log\":"))
                    || has("\"log_s\"")
                    || has("\"AuditId\"")
                    || has("PT1H")
                {
                    return Ok(Some(InputKind::AuditLog));
                }
                if chas("\"defaultAction\":") {
                    return Ok(Some(InputKind::Seccomp));
                }
                let lower = compact.to_ascii_lowercase();
                if lower.contains("microsoft.containerservice")
                    || lower.contains("\"agentpoolprofiles\":")
                    || (lower.contains("\"orchestratorversion\":") && lower.contains("\"vmsize\":"))
                    || (lower.contains("\"logs\":")
                        && lower.contains("\"category")
                        && (lower.contains("workspaceid")
                            || lower.contains("storageaccountid")
                            || lower.contains("eventhub")))
                    || (lower.contains("\"roledefinitionname\":")
                        && lower.contains("\"principalid\":"))
                {
                    return Ok(Some(InputKind::Aks));
                }
                if chas("\"apiVersion\":") && chas("\"kind\":") {
                    return Ok(Some(InputKind::Manifests));
                }
                return Ok(None);
            }
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or("")
                .to_ascii_lowercase();
            if ext == "csv" && (has("AuditId") || has("log_s")) {
                return Ok(Some(InputKind::AuditLog));
            }
            if t.lines()
                .take(5)
                .any(|l| l.trim_start().starts_with('{') && l.contains("audit.k8s.io"))
            {
                return Ok(Some(InputKind::AuditLog));
            }
            if matches!(ext.as_str(), "yaml" | "yml") {
                if has("audit.k8s.io") && t.lines().any(|l| l.trim() == "kind: Policy") {
                    return Ok(Some(InputKind::AuditPolicy));
                }
                if has("apiVersion") && has("kind") {
                    return Ok(Some(InputKind::Manifests));
                }
                return Ok(None);
            }
            // AppArmor profiles have no fixed extension: recognise the language.
            if t.lines().any(|l| {
                let l = l.trim_start();
                (l.starts_with("profile ") || l.starts_with('/')) && l.trim_end().ends_with('{')
            }) && (has("#include")
                || has("include <")
                || has("capability")
                || has("deny ")
                || has("file,"))
            {
                return Ok(Some(InputKind::AppArmor));
            }
            Ok(None)
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    #[test]
    fn inputs_are_recognised_by_content_not_name() {
        let d = tempfile::tempdir().expect("tempdir");
        let dir = d.path();
        let cases = [
            (
                "a.txt",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
                None,
            ),
            (
                "pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n",
                Some("Manifests"),
            ),
            (
                "cluster.json",
                "{\"id\": \"/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c\", \"properties\": {}}",
                Some("Aks"),
            ),
            (
                "diag.json",
                "[{\"name\": \"d\", \"logs\": [{\"category\": \"kube-audit\", \"enabled\": true}], \"workspaceId\": \"w\"}]",
                Some("Aks"),
            ),
            (
                "events.log",
                "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"verb\":\"get\"}\n",
                Some("AuditLog"),
            ),
            (
                "PT1H.json",
                "{\"records\": [{\"category\": \"kube-audit\", \"properties\": {\"log\": \"{}\"}}]}",
                Some("AuditLog"),
            ),
            (
                "policy.yaml",
                "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []\n",
                Some("AuditPolicy"),
            ),
            (
                "profile.json",
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": []}",
                Some("Seccomp"),
            ),
            (
                "k8s-deny-write",
                "#include <tunables/global>\nprofile k8s-deny-write flags=(attach_disconnected) {\n  file,\n  deny /** w,\n}\n",
                Some("AppArmor"),
            ),
            ("notes.md", "# hello\n", None),
        ];
        for (name, text, want) in cases {
            let p = write(dir, name, text);
            let got = classify_file(&p)
                .expect("readable")
                .map(|i| format!("{:?}", i.kind));
            assert_eq!(got.as_deref(), want, "{name}");
            let before = old::classify_file(&p).expect("readable");
            assert_eq!(before.map(|k| format!("{k:?}")).as_deref(), want, "{name}");
        }
    }

    /// Inputs that look like several kinds at once, under several names: the areas, asked in
    /// their order, decide as the old classifier did.
    #[test]
    fn look_alikes_are_decided_as_before() {
        let d = tempfile::tempdir().expect("tempdir");
        let texts = [
            r#"{"schema_version":"2","command":"scan","findings":[{"kind":"Event","x":"audit.k8s.io"}]}"#,
            r#"{"schema_version":"2","findings":[],"kubelet_found":true}"#,
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"Policy","rules":[]}"#,
            r#"{"apiVersion":"audit.k8s.io/v1","kind":"EventList","items":[{"kind":"Policy"}]}"#,
            r#"{"defaultAction":"SCMP_ACT_LOG","id":"Microsoft.ContainerService/x"}"#,
            r#"{"records":[{"category":"kube-audit","properties":{"log":"{}"}}],"apiVersion":"v1","kind":"X"}"#,
            r#"[{"name":"p","properties":{"orchestratorVersion":"1.30","vmSize":"x"}}]"#,
            r#"{"principalId":"p","roleDefinitionName":"Owner","apiVersion":"v1","kind":"R"}"#,
            "apiVersion: audit.k8s.io/v1\nkind: Policy\n",
            "junk\n{\"apiVersion\":\"audit.k8s.io/v1\",\"kind\":\"Event\"}\n",
            "TimeGenerated,AuditId,log_s\n1,2,3\n",
            "profile p {\n  capability,\n}\napiVersion: v1\nkind: Pod\n",
            "/usr/bin/x {\n  deny /** w,\n}\n",
            "\u{feff}  apiVersion: v1\nkind: ConfigMap\n",
            "",
        ];
        for (i, text) in texts.iter().enumerate() {
            for ext in ["json", "yaml", "yml", "csv", "log", "txt", ""] {
                let name = if ext.is_empty() {
                    format!("f{i}")
                } else {
                    format!("f{i}.{ext}")
                };
                let p = write(d.path(), &name, text);
                let new = classify_file(&p).expect("readable").map(|i| i.kind);
                assert_eq!(new, old::classify_file(&p).expect("readable"), "{name}");
            }
        }
    }

    #[test]
    fn a_node_root_is_one_input_and_not_walked() {
        let d = tempfile::tempdir().expect("tempdir");
        let root = d.path().join("node");
        write(&root, "proc/1/cmdline", "kubelet");
        write(&root, "etc/default/kubelet", "KUBELET_FLAGS=");
        write(
            &root,
            "etc/kubernetes/manifest.yaml",
            "apiVersion: v1\nkind: Pod\n",
        );
        let mut errors = Vec::new();
        let inputs = classify_counting(&[d.path().to_path_buf()], &mut errors, &mut Vec::new());
        assert_eq!(
            inputs,
            vec![Input {
                kind: InputKind::NodeRoot,
                path: root
            }]
        );
        assert!(errors.is_empty());
    }

    /// Every file of the examples and of the crates' test folders is recognised as the old
    /// classifier did, and every folder is a node root exactly when it was.
    #[test]
    fn the_areas_recognise_what_the_old_classifier_did() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut dirs = vec![root.join("examples")];
        for krate in std::fs::read_dir(root.join("crates")).expect("crates") {
            dirs.push(krate.expect("entry").path().join("tests"));
        }
        let (mut files, mut compared) = (Vec::new(), 0);
        while let Some(d) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            assert_eq!(is_node_root(&d), old::is_node_root(&d), "{}", d.display());
            for e in entries.flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.is_file() {
                    files.push(p);
                }
            }
        }
        for p in files {
            let new = classify_file(&p).map(|i| i.map(|i| i.kind));
            assert_eq!(new, old::classify_file(&p), "{}", p.display());
            compared += 1;
        }
        assert!(compared > 100, "only {compared} files compared");
    }
}
