//! File, directory and stdin loading. YAML (multi-document) and JSON (streamed); `*List` kinds
//! flattened. Files are loaded in parallel; the result is in a stable order (paths as given,
//! directory entries sorted by name).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::LoadError;
use crate::json;
use crate::object::{FieldLines, Inventory, Object, Origin, Provenance};
use crate::value::Value;
use crate::yaml;
use kubeward_core::{InputError, InputInfo};
use rayon::prelude::*;

/// Bounds on untrusted input. Every dimension is limited so hostile input gives an error, never
/// a crash or an unbounded allocation.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Largest input held whole (a YAML file or stream), in bytes: well under a machine's memory.
    pub max_file_bytes: u64,
    /// Largest JSON input, streamed: its text is never held whole, its decoded objects are (a
    /// `kubectl get -A -o json` snapshot of 100k objects is about 400 MB).
    pub max_stream_bytes: u64,
    /// Largest single document: one YAML document, one JSON object, or one item of a JSON List.
    pub max_document_bytes: usize,
    /// Deepest nesting of mappings and sequences accepted in one document.
    pub max_depth: usize,
    /// Most YAML nodes in one document (after alias replay).
    pub max_yaml_nodes: usize,
    /// Most YAML aliases (and anchors) in one document.
    pub max_yaml_aliases: usize,
    /// Most YAML events replayed from aliases in one document: what an alias bomb ("billion
    /// laughs") multiplies. Each replayed event becomes at most one node, so this bounds the
    /// memory an alias can make (tens of MB), whatever the time taken.
    pub max_yaml_alias_replays: usize,
    /// JSON inputs up to this size get a per-field line index (YAML always has one); bigger
    /// ones (cluster snapshots) only know each object's start line, to save memory.
    pub json_field_lines_max_bytes: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_file_bytes: kubeward_core::input::limits::TEXT,
            max_stream_bytes: kubeward_core::input::limits::SNAPSHOT,
            max_document_bytes: 64 * 1024 * 1024,
            max_depth: 128,
            max_yaml_nodes: 4_000_000,
            max_yaml_aliases: 10_000,
            max_yaml_alias_replays: 100_000,
            json_field_lines_max_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Load every path: files, directories (recursively: `.yaml`, `.yml`, `.json`; hidden
/// directories skipped), or `-` for stdin.
pub fn load_paths(paths: &[PathBuf], opts: &LoadOptions) -> Inventory {
    enum Input {
        Stdin,
        File(PathBuf),
        Error(InputError),
    }
    let mut inputs = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if p.is_dir() {
            let (files, errors) = manifest_files(p);
            inputs.extend(files.into_iter().map(Input::File));
            inputs.extend(errors.into_iter().map(Input::Error));
        } else {
            inputs.push(Input::File(p.clone()));
        }
    }
    let load_all = move || -> Vec<Inventory> {
        inputs
            .into_par_iter()
            .map(|input| match input {
                Input::Stdin => load_stdin(opts),
                Input::File(p) => load_file(&p, opts),
                Input::Error(e) => Inventory {
                    errors: vec![e],
                    ..Default::default()
                },
            })
            .collect()
    };
    // Files load on the decoding pool itself, so YAML documents decode in place instead of
    // being handed to it one file at a time.
    let parts = match yaml_pool() {
        Some(pool) => pool.install(load_all),
        None => load_all(),
    };
    let mut inv = Inventory::default();
    for part in parts {
        inv.merge(part);
    }
    inv
}

/// The manifests under a directory (`.yaml`, `.yml`, `.json`; hidden entries skipped), walked
/// without leaving it, and what could not be walked.
pub fn manifest_files(dir: &Path) -> (Vec<PathBuf>, Vec<InputError>) {
    let walked = kubeward_core::walk::walk(
        dir,
        &is_manifest,
        &kubeward_core::walk::WalkOptions::default(),
    );
    let errors = walked
        .errors
        .into_iter()
        .map(|e| InputError {
            path: e.path.display().to_string(),
            line: None,
            message: e.reason,
        })
        .collect();
    (walked.files, errors)
}

fn is_manifest(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml" | "json")
    )
}

fn failed(name: &str, e: LoadError) -> Inventory {
    Inventory {
        inputs: vec![input_info(name, 0)],
        errors: vec![e.into_input_error(name)],
        ..Default::default()
    }
}

fn input_info(name: &str, objects: usize) -> InputInfo {
    InputInfo {
        kind: "manifests".into(),
        path: name.to_string(),
        detail: Some(format!(
            "{objects} object{}",
            if objects == 1 { "" } else { "s" }
        )),
    }
}

fn load_stdin(opts: &LoadOptions) -> Inventory {
    let name = "<stdin>";
    let mut stdin = std::io::stdin().lock();
    // Sniff the format from the first bytes; JSON is then streamed like a file (a `kubectl get
    // -A -o json` pipe can be hundreds of megabytes), YAML is read whole.
    let mut head = Vec::new();
    if let Err(e) = (&mut stdin).take(64 * 1024).read_to_end(&mut head) {
        return failed(name, LoadError::Io(e.to_string()));
    }
    let body = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
    let is_json = matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    );
    if is_json && head.len() == 64 * 1024 {
        let reader = std::io::Cursor::new(body.to_vec()).chain(stdin);
        return from_json(name, json::load_json(reader, opts, false));
    }
    // Read in pieces, joined only when the whole fits: an endless pipe costs the limit, not
    // twice it.
    match kubeward_core::input::read_limited_after(
        head,
        stdin,
        opts.max_file_bytes,
        "YAML on standard input",
    ) {
        Ok(bytes) => load_bytes(name, &bytes, opts),
        Err(e @ kubeward_core::input::ReadError::TooLarge { .. }) => {
            failed(name, LoadError::Other(e.to_string()))
        }
        Err(e) => failed(name, LoadError::Io(e.to_string())),
    }
}

fn load_file(path: &Path, opts: &LoadOptions) -> Inventory {
    let name = path.display().to_string();
    // Regular files only: a FIFO or a device would block or never end.
    let file = match kubeward_core::input::open(path) {
        Ok(f) => f,
        Err(e) => return failed(&name, LoadError::Io(e.to_string())),
    };
    let size = file.metadata().map_or(0, |m| m.len());
    let is_json = path.extension().is_some_and(|e| e == "json");
    // A regular file's size is known: refuse early what the reads below would refuse late.
    let limit = if is_json {
        opts.max_stream_bytes
    } else {
        opts.max_file_bytes
    };
    if size > limit {
        return failed(
            &name,
            LoadError::TooLarge {
                what: "file",
                line: None,
                size,
                limit,
            },
        );
    }
    if is_json {
        // Streamed: the text is never held whole; its size is bounded while reading.
        let with_lines = size <= opts.json_field_lines_max_bytes;
        let loaded = json::load_json(
            std::io::BufReader::with_capacity(1 << 16, file),
            opts,
            with_lines,
        );
        return from_json(&name, loaded);
    }
    let bytes = match kubeward_core::input::read_limited(
        file,
        opts.max_file_bytes,
        "a YAML file",
        usize::try_from(size).unwrap_or(0),
    ) {
        Ok(b) => b,
        Err(e @ kubeward_core::input::ReadError::TooLarge { .. }) => {
            return failed(&name, LoadError::Other(e.to_string()));
        }
        Err(e) => return failed(&name, LoadError::Io(e.to_string())),
    };
    let is_yaml_ext = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
    if is_yaml_ext {
        load_yaml(&name, &bytes, opts)
    } else {
        load_bytes(&name, &bytes, opts)
    }
}

/// Load objects from text (JSON or YAML, multi-document). `name` is used in origins and errors.
pub fn load_str(name: &str, text: &str, opts: &LoadOptions) -> Inventory {
    load_bytes(name, text.as_bytes(), opts)
}

/// Load objects from bytes whose format is sniffed: JSON when the first non-blank byte opens an
/// object or array, YAML otherwise.
pub fn load_bytes(name: &str, bytes: &[u8], opts: &LoadOptions) -> Inventory {
    if bytes.len() as u64 > opts.max_file_bytes {
        return failed(
            name,
            LoadError::TooLarge {
                what: "input",
                line: None,
                size: bytes.len() as u64,
                limit: opts.max_file_bytes,
            },
        );
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(first, Some(b'{' | b'[')) {
        let with_lines = body.len() as u64 <= opts.json_field_lines_max_bytes;
        from_json(name, json::load_json(body, opts, with_lines))
    } else {
        load_yaml(name, bytes, opts)
    }
}

fn from_json(name: &str, loaded: json::JsonLoad) -> Inventory {
    let mut inv = Inventory::default();
    // One object per document unless a document is a List (then more, rarely).
    inv.objects.reserve_exact(loaded.docs.len());
    let mut ordinal = 0usize;
    let file: Arc<str> = Arc::from(name);
    for doc in loaded.docs {
        push_value(
            &mut inv,
            &file,
            &mut ordinal,
            doc.value,
            doc.line,
            doc.lines,
        );
    }
    inv.errors
        .extend(loaded.errors.into_iter().map(|e| e.into_input_error(name)));
    let mut info = input_info(name, inv.objects.len());
    if loaded.snapshot {
        for o in &mut inv.objects {
            o.origin.provenance = Provenance::Snapshot;
        }
        info.kind = "snapshot".into();
    }
    inv.inputs.push(info);
    inv
}

/// YAML decoding recurses once per nesting level (bounded by `max_depth`); its threads get a
/// stack that holds the deepest accepted document in any build profile.
fn yaml_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("kubeward-yaml-{i}"))
            .stack_size(YAML_STACK_BYTES)
            .build()
            .ok()
    })
    .as_ref()
}

const YAML_STACK_BYTES: usize = 64 * 1024 * 1024;

fn load_yaml(name: &str, bytes: &[u8], opts: &LoadOptions) -> Inventory {
    let chunks = yaml::split_documents(bytes);
    // Documents decode independently; big streams use every core.
    let decode = || -> Vec<Result<Vec<yaml::Decoded>, LoadError>> {
        if chunks.len() > 8 {
            chunks
                .par_iter()
                .map(|c| yaml::decode_chunk(*c, opts))
                .collect()
        } else {
            chunks
                .iter()
                .map(|c| yaml::decode_chunk(*c, opts))
                .collect()
        }
    };
    let decoded = match yaml_pool() {
        Some(pool) => pool.install(decode),
        None => {
            // No pool (thread creation refused): stay on this thread with a shallower limit.
            let shallow = LoadOptions {
                max_depth: opts.max_depth.min(32),
                ..opts.clone()
            };
            chunks
                .iter()
                .map(|c| yaml::decode_chunk(*c, &shallow))
                .collect()
        }
    };
    let mut inv = Inventory::default();
    let mut ordinal = 0usize;
    let file: Arc<str> = Arc::from(name);
    for result in decoded {
        match result {
            Ok(docs) => {
                for d in docs {
                    push_value(
                        &mut inv,
                        &file,
                        &mut ordinal,
                        d.value,
                        d.start_line,
                        Some(d.lines),
                    );
                }
            }
            Err(e) => inv.errors.push(e.into_input_error(name)),
        }
    }
    inv.inputs.push(input_info(name, inv.objects.len()));
    inv
}

/// Wrong-typed fields reported per object: the first ones say what to fix, the rest would only
/// repeat it (and hostile input could make them many).
const MAX_TYPE_ERRORS_PER_OBJECT: usize = 20;

/// Add one decoded document, flattening `*List` kinds (items keep their own lines).
fn push_value(
    inv: &mut Inventory,
    file: &Arc<str>,
    ordinal: &mut usize,
    value: Value,
    line: u32,
    lines: Option<Vec<(Box<str>, u32)>>,
) {
    if !value.is_object() {
        // A scalar or array document is not a Kubernetes object: nothing to keep, nothing to
        // report (kustomize and helm leave such documents behind).
        return;
    }
    let is_list = value
        .get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && value.get("items").is_some_and(Value::is_array);
    if is_list {
        let Value::Object(mut map) = value else {
            return;
        };
        let Some(Value::Array(items)) = map.remove("items") else {
            return;
        };
        let all = lines.map(FieldLines::from_unsorted);
        for (i, item) in items.into_vec().into_iter().enumerate() {
            let prefix = format!("/items/{i}");
            let item_lines = all.as_ref().map(|a| a.subtree(&prefix));
            let item_line = all.as_ref().and_then(|a| a.exact(&prefix)).unwrap_or(line);
            push_value(
                inv,
                file,
                ordinal,
                item,
                item_line,
                item_lines.map(|l| l.into_entries()),
            );
        }
        return;
    }
    let origin = Origin {
        file: Arc::clone(file),
        line: Some(line),
        index: *ordinal,
        provenance: Provenance::Offline,
    };
    *ordinal += 1;
    let lines = lines.map(FieldLines::from_unsorted).unwrap_or_default();
    // A field of the wrong type makes the API server reject the object: it is an input error
    // naming the field, and the object is not judged (nor moved to another namespace). So is a
    // name or label holding control or invisible characters (it could not be shown faithfully).
    // A name that is merely outside Kubernetes' naming rules (`my_policy`) is judged as written:
    // what it grants or opens must not vanish from the analysis.
    let mut wrong = crate::schema::check(&value, &lines);
    if wrong.is_empty() {
        wrong = crate::schema::check_names(&value, &lines);
        wrong.retain(|e| e.control);
    }
    if !wrong.is_empty() {
        inv.errors.extend(
            wrong
                .into_iter()
                .take(MAX_TYPE_ERRORS_PER_OBJECT)
                .map(|e| InputError {
                    path: file.to_string(),
                    line: e.line.or(Some(line)),
                    message: e.message(),
                }),
        );
        return;
    }
    let mut obj = Object::new(value, origin);
    obj.lines = lines;
    inv.objects.push(obj);
}
