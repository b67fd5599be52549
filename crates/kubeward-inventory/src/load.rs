//! File, directory and stdin loading. YAML (multi-document) and JSON; `*List` kinds flattened.

use std::io::Read;
use std::path::{Path, PathBuf};

use kubeward_core::{InputError, InputInfo};
use serde_json::Value;

use crate::object::{Inventory, Object, Origin};

/// Bounds on untrusted input.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Largest file read, in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting accepted.
    pub max_depth: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: 256 * 1024 * 1024,
            max_depth: 128,
        }
    }
}

/// Load every path: files, directories (recursively: `.yaml`, `.yml`, `.json`), or `-` for stdin.
pub fn load_paths(paths: &[PathBuf], opts: &LoadOptions) -> Inventory {
    let mut inv = Inventory::default();
    for p in paths {
        if p.as_os_str() == "-" {
            let mut text = String::new();
            match std::io::stdin()
                .take(opts.max_file_bytes + 1)
                .read_to_string(&mut text)
            {
                Ok(_) => inv.merge(load_str("<stdin>", &text, opts)),
                Err(e) => inv
                    .errors
                    .push(err("<stdin>", None, format!("cannot read stdin: {e}"))),
            }
        } else if p.is_dir() {
            for entry in walkdir::WalkDir::new(p)
                .sort_by_file_name()
                .follow_links(false)
            {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_manifest(e.path()) => {
                        inv.merge(load_file(e.path(), opts))
                    }
                    Ok(_) => {}
                    Err(e) => inv
                        .errors
                        .push(err(&p.display().to_string(), None, e.to_string())),
                }
            }
        } else {
            inv.merge(load_file(p, opts));
        }
    }
    inv
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn load_file(path: &Path, opts: &LoadOptions) -> Inventory {
    let name = path.display().to_string();
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            return Inventory {
                errors: vec![err(&name, None, e.to_string())],
                ..Default::default()
            };
        }
    };
    if meta.len() > opts.max_file_bytes {
        return Inventory {
            errors: vec![err(
                &name,
                None,
                format!(
                    "file is {} bytes, over the {} byte limit",
                    meta.len(),
                    opts.max_file_bytes
                ),
            )],
            ..Default::default()
        };
    }
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => load_str(&name, &text, opts),
            Err(e) => Inventory {
                errors: vec![err(&name, None, format!("not UTF-8: {e}"))],
                ..Default::default()
            },
        },
        Err(e) => Inventory {
            errors: vec![err(&name, None, e.to_string())],
            ..Default::default()
        },
    }
}

fn err(path: &str, line: Option<u32>, message: String) -> InputError {
    InputError {
        path: path.to_string(),
        line,
        message,
    }
}

/// Load objects from text (JSON or YAML, multi-document).
pub fn load_str(name: &str, text: &str, _opts: &LoadOptions) -> Inventory {
    let mut inv = Inventory {
        inputs: vec![InputInfo {
            kind: "manifests".into(),
            path: name.to_string(),
            detail: None,
        }],
        ..Default::default()
    };
    let trimmed = text.trim_start();
    let docs: Vec<Value> = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => vec![v],
            Err(e) => {
                inv.errors.push(err(
                    name,
                    Some(e.line() as u32),
                    format!("invalid JSON: {e}"),
                ));
                return inv;
            }
        }
    } else {
        let options = serde_saphyr::options! { legacy_octal_numbers: true };
        match serde_saphyr::from_multiple_with_options::<Value>(text, options) {
            Ok(v) => v,
            Err(e) => {
                inv.errors
                    .push(err(name, None, format!("invalid YAML: {e}")));
                return inv;
            }
        }
    };
    for (index, doc) in docs.into_iter().enumerate() {
        push_object(&mut inv, name, index, doc);
    }
    inv
}

fn push_object(inv: &mut Inventory, file: &str, index: usize, doc: Value) {
    let Some(kind) = doc.get("kind").and_then(Value::as_str).map(str::to_string) else {
        return;
    };
    if kind.ends_with("List") {
        if let Some(Value::Array(items)) = doc.get("items").cloned() {
            for item in items {
                push_object(inv, file, index, item);
            }
        }
        return;
    }
    let api_version = doc
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let name = doc
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let namespace = doc
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .map(str::to_string);
    inv.objects.push(Object {
        api_version,
        kind,
        name,
        namespace,
        value: doc,
        origin: Origin {
            file: file.to_string(),
            line: None,
            index,
        },
    });
}
