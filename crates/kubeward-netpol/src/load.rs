//! Loading manifests for network analysis. Wraps the inventory loader and adds what the network
//! view needs beyond it: items of typed lists (`PodList`, `NamespaceList`…) that omit their own
//! `kind`/`apiVersion` (as `kubectl get -o yaml` output does) take them from the list.

use std::path::{Path, PathBuf};

use kubeward_inventory::Value;
use kubeward_inventory::{Inventory, LoadOptions, load_paths, load_str};

/// Load files, directories (recursively) or `-` (stdin).
pub fn load(paths: &[PathBuf]) -> Inventory {
    let opts = LoadOptions::default();
    let mut inv = Inventory::default();
    for p in paths {
        if p.as_os_str() == "-" {
            inv.merge(load_paths(std::slice::from_ref(p), &opts));
        } else if p.is_dir() {
            let (files, errors) = kubeward_inventory::manifest_files(p);
            inv.errors.extend(errors);
            for f in files {
                inv.merge(load_file(&f, &opts));
            }
        } else {
            inv.merge(load_file(p, &opts));
        }
    }
    inv
}

fn load_file(path: &Path, opts: &LoadOptions) -> Inventory {
    // Bounded, regular files only; a bigger JSON snapshot is streamed by the inventory loader.
    let text = kubeward_core::input::read_string(path, opts.max_file_bytes, "a manifest file").ok();
    let Some(text) = text else {
        // let the inventory report the problem in its own words
        return load_paths(&[path.to_path_buf()], opts);
    };
    let name = path.display().to_string();
    let mut inv = load_str(&name, &text, opts);
    if inv.errors.iter().any(|e| e.message.contains("tab")) {
        // Go's YAML reader (which most Kubernetes tooling uses) accepts a tab at the start of a
        // line inside a flow collection; retry with such tabs turned into spaces.
        let relaxed = untab_line_starts(&text);
        let retry = load_str(&name, &relaxed, opts);
        if retry.errors.is_empty() {
            inv = retry;
        }
    }
    if text.contains("List") {
        add_untyped_list_items(&mut inv, &name, &text);
    }
    inv
}

/// Items of `XxxList` documents without their own kind.
pub fn add_untyped_list_items(inv: &mut Inventory, name: &str, text: &str) {
    let trimmed = text.trim_start();
    let docs: Vec<Value> = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        match serde_json::from_str::<Value>(text) {
            Ok(v) => vec![v],
            Err(_) => return,
        }
    } else {
        let options = serde_saphyr::options! { legacy_octal_numbers: true };
        match serde_saphyr::from_multiple_with_options::<Value>(text, options) {
            Ok(v) => v,
            Err(_) => return,
        }
    };
    // (kind, apiVersion) of every list item that has no kind of its own, in file order
    let mut missing: Vec<(String, String)> = Vec::new();
    for doc in &docs {
        let Some(kind) = doc.get("kind").and_then(Value::as_str) else {
            continue;
        };
        let Some(item_kind) = kind.strip_suffix("List").filter(|k| !k.is_empty()) else {
            continue;
        };
        let api_version = doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or("v1");
        for item in doc
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if item.get("kind").and_then(Value::as_str).is_none() && item.is_object() {
                missing.push((item_kind.to_string(), api_version.to_string()));
            }
        }
    }
    if missing.is_empty() {
        return;
    }
    // the loader keeps such items with an empty kind: give them the list's item kind
    let mut next = missing.into_iter();
    for obj in inv
        .objects
        .iter_mut()
        .filter(|o| &*o.origin.file == name && o.kind.is_empty())
    {
        let Some((kind, api_version)) = next.next() else {
            break;
        };
        if let Some(m) = obj.value.as_object_mut() {
            m.insert("kind", Value::from(kind.as_str()));
            if !m.contains_key("apiVersion") {
                m.insert("apiVersion", Value::from(api_version.as_str()));
            }
        }
        obj.kind = kind;
        if obj.api_version.is_empty() {
            obj.api_version = api_version;
        }
    }
}

fn untab_line_starts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let lead = line.len() - line.trim_start_matches([' ', '\t']).len();
        out.push_str(&line[..lead].replace('\t', " "));
        out.push_str(&line[lead..]);
    }
    out
}
