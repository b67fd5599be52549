//! Reading inputs: every file is recognised by its content (cluster, ARM template, node pool list,
//! diagnostic settings, role assignments), then node pools, diagnostic settings and role
//! assignments are attached to their cluster. A file that cannot be used becomes an input error;
//! the others go on.
//!
//! A node pool or diagnostic setting from its own file is attached only when its ARM resource id
//! names a given cluster by subscription, resource group and name (case-insensitively, as ARM
//! compares ids): a pool without an id is never guessed into a cluster with a pool of the same
//! name. Inside one ARM template, children name their cluster as `CLUSTER/POOL` or through their
//! `scope`. Whatever cannot be attached is an input error saying why (so it shows in every
//! format and in the exit code), and so is a pool defined twice with different values.

use std::sync::Arc;

use kubeward_core::{InputError, InputInfo};
use serde_json::Value;

use crate::jsonpos::{LineIndex, join_index, join_key};
use crate::model::{
    Cluster, DiagInput, DiagLog, DiagSetting, FileInfo, Format, Pool, RoleAssignment, get_ci,
    is_expression,
};

/// Inputs larger than this are refused (an `az aks show` is a few tens of KiB).
pub const MAX_INPUT_BYTES: usize = 32 * 1024 * 1024;
/// At most this many items are read from one list.
pub const MAX_ITEMS: usize = 10_000;

const CLUSTER_TYPE: &str = "Microsoft.ContainerService/managedClusters";
const POOL_TYPE: &str = "Microsoft.ContainerService/managedClusters/agentPools";
const DIAG_TYPE: &str = "Microsoft.Insights/diagnosticSettings";
const DIAG: &str = "az monitor diagnostic-settings list";

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: kubeward_core::input::ReadError,
    },
    #[error("{path}: larger than {MAX_INPUT_BYTES} bytes")]
    TooLarge { path: String },
    #[error("{path}:{line}: not JSON: {message}")]
    Json {
        path: String,
        line: u32,
        message: String,
    },
    #[error("{path}: {message}")]
    NotRecognised { path: String, message: String },
    /// A name Azure cannot hold (a newline or another control character): not a real export, and
    /// such text would end up inside generated commands.
    #[error("{path}:{line}: {field} holds {value:?}: {why}")]
    ImpossibleName {
        path: String,
        line: u32,
        field: String,
        value: String,
        why: &'static str,
    },
}

impl LoadError {
    pub fn to_input_error(&self) -> InputError {
        let (path, line) = match self {
            LoadError::Io { path, .. }
            | LoadError::TooLarge { path }
            | LoadError::NotRecognised { path, .. } => (path.clone(), None),
            LoadError::Json { path, line, .. } => (path.clone(), Some(*line)),
            LoadError::ImpossibleName { path, line, .. } => (path.clone(), Some(*line)),
        };
        // The report prints the path beside the message: keep it out of the message.
        let message = match self {
            LoadError::Io { source, .. } => format!("cannot read: {source}"),
            LoadError::TooLarge { .. } => format!("larger than {MAX_INPUT_BYTES} bytes"),
            LoadError::Json { message, .. } => format!("not JSON: {message}"),
            LoadError::NotRecognised { message, .. } => message.clone(),
            LoadError::ImpossibleName {
                field, value, why, ..
            } => format!("{field} holds {value:?}: {why}"),
        };
        InputError {
            path,
            line,
            message,
        }
    }
}

/// Everything read, attached together.
#[derive(Debug, Default)]
pub struct Inventory {
    pub clusters: Vec<Cluster>,
    pub inputs: Vec<InputInfo>,
    pub errors: Vec<InputError>,
}

/// What one file turned out to be.
enum Content {
    /// Clusters, and the children of a template that could not be attached to one of them.
    Clusters(Vec<Cluster>, Vec<InputError>),
    Pools(Vec<(Option<String>, Pool)>),
    Diagnostics(Vec<DiagSetting>, Arc<FileInfo>),
    Roles(Vec<RoleAssignment>),
}

/// Where one input comes from and, when the user said so, what it is.
pub struct InputFile {
    pub path: String,
    pub text: String,
    /// `--diagnostic-settings FILE`: an empty list then means "no settings".
    pub forced_diagnostics: bool,
}

impl InputFile {
    pub fn read(path: &str, forced_diagnostics: bool) -> Result<Self, LoadError> {
        use kubeward_core::input::ReadError;
        // Bounded while reading, regular files (or `-`) only: a FIFO or /dev/zero never blocks.
        let text = kubeward_core::input::read_string_or_stdin(
            std::path::Path::new(path),
            MAX_INPUT_BYTES as u64,
            "AKS JSON",
        )
        .map_err(|source| match source {
            ReadError::TooLarge { .. } => LoadError::TooLarge {
                path: path.to_string(),
            },
            source => LoadError::Io {
                path: path.to_string(),
                source,
            },
        })?;
        Ok(InputFile {
            path: path.to_string(),
            text,
            forced_diagnostics,
        })
    }
}

pub fn load(files: Vec<InputFile>) -> Inventory {
    let mut inv = Inventory::default();
    let mut pools = Vec::new();
    let mut diags: Vec<(Arc<FileInfo>, Vec<DiagSetting>)> = Vec::new();
    let mut roles = Vec::new();
    let mut role_files = Vec::new();
    for f in files {
        let (content, gaps) = classify(&f);
        // What a list file holds beyond what was read is said, not dropped.
        inv.errors
            .extend(gaps.into_iter().map(|message| InputError {
                path: f.path.clone(),
                line: None,
                message,
            }));
        match content {
            Ok(Content::Clusters(cs, unattached)) => {
                let detail = format!(
                    "{} cluster(s), {}",
                    cs.len(),
                    cs.first().map(|c| c.file.format.as_str()).unwrap_or("")
                );
                inv.inputs.push(info("aks-cluster", &f.path, detail));
                inv.clusters.extend(cs);
                inv.errors.extend(unattached);
            }
            Ok(Content::Pools(ps)) => {
                inv.inputs.push(info(
                    "aks-nodepool-list",
                    &f.path,
                    format!("{} node pool(s)", ps.len()),
                ));
                pools.push((f.path.clone(), ps));
            }
            Ok(Content::Diagnostics(ds, file)) => {
                inv.inputs.push(info(
                    "aks-diagnostic-settings",
                    &f.path,
                    format!("{} diagnostic setting(s)", ds.len()),
                ));
                diags.push((file, ds));
            }
            Ok(Content::Roles(rs)) => {
                inv.inputs.push(info(
                    "azure-role-assignments",
                    &f.path,
                    format!("{} role assignment(s)", rs.len()),
                ));
                role_files.push(f.path.clone());
                roles.extend(rs);
            }
            Err(e) => inv.errors.push(e.to_input_error()),
        }
    }

    // Node pools from `az aks nodepool list` replace the cluster's copy of the same pool.
    let keys: Vec<Option<ClusterKey>> = inv.clusters.iter().map(cluster_key_of).collect();
    // The pool inputs seen per (cluster, pool name): a second, different one is a conflict.
    let mut defined: std::collections::HashMap<(usize, String), (Value, String)> =
        std::collections::HashMap::new();
    for (path, list) in pools {
        for (id, pool) in list {
            let line = pool.file.lines.line(&pool.path);
            let target = match_cluster(&inv.clusters, &keys, id.as_deref());
            let i = match target {
                Ok(i) => i,
                Err(why) => {
                    inv.errors.push(InputError {
                        path: path.clone(),
                        line,
                        message: format!(
                            "node pool {} not attached to any cluster: {why}",
                            pool.name
                        ),
                    });
                    continue;
                }
            };
            let here = match line {
                Some(l) => format!("{path}:{l}"),
                None => path.clone(),
            };
            let key = pool.name.to_ascii_lowercase();
            if let Some((value, first)) = defined.get(&(i, key.clone()))
                && *value != pool.value
            {
                inv.errors.push(InputError {
                    path: path.clone(),
                    line,
                    message: format!(
                        "node pool {} of cluster {} is defined twice with different values ({first} and {here}); the later one is judged",
                        pool.name, inv.clusters[i].name
                    ),
                });
            }
            defined.insert((i, key), (pool.value.clone(), here));
            let c = &mut inv.clusters[i];
            match c
                .pools
                .iter_mut()
                .find(|p| p.name.eq_ignore_ascii_case(&pool.name))
            {
                Some(existing) => *existing = pool,
                None => c.pools.push(pool),
            }
        }
    }

    for (file, settings) in diags {
        // A list attaches to its cluster by the resource ids inside; an empty one (given with
        // --diagnostic-settings: "no settings") goes to the only cluster given.
        if settings.is_empty() {
            match inv.clusters.len() {
                1 => {
                    let d = inv.clusters[0]
                        .diagnostics
                        .get_or_insert_with(DiagInput::default);
                    d.files.push(file.path.clone());
                }
                _ => inv.errors.push(InputError {
                    path: file.path.clone(),
                    line: None,
                    message: "an empty diagnostic-settings list names no cluster; give it with only its cluster".into(),
                }),
            }
            continue;
        }
        for s in settings {
            match match_cluster(&inv.clusters, &keys, s.cluster.as_deref()) {
                Ok(i) => {
                    let d = inv.clusters[i]
                        .diagnostics
                        .get_or_insert_with(DiagInput::default);
                    if !d.files.contains(&file.path) {
                        d.files.push(file.path.clone());
                    }
                    d.settings.push(s);
                }
                Err(why) => inv.errors.push(InputError {
                    path: file.path.clone(),
                    line: file.lines.line(&s.path),
                    message: format!(
                        "diagnostic setting {} not attached to any cluster: {why}",
                        s.name
                    ),
                }),
            }
        }
    }

    // Role assignments are not tied to one cluster: each cluster looks for its own identities.
    if !role_files.is_empty() {
        for c in &mut inv.clusters {
            c.role_assignments = Some(roles.clone());
        }
    }
    if inv.clusters.is_empty() && inv.errors.is_empty() && !inv.inputs.is_empty() {
        inv.errors.push(InputError {
            path: inv.inputs[0].path.clone(),
            line: None,
            message: "no managed cluster among the inputs (give `az aks show -o json`, `az resource show` or an ARM template)".into(),
        });
    }
    inv
}

fn info(kind: &str, path: &str, detail: String) -> InputInfo {
    InputInfo {
        kind: kind.into(),
        path: path.into(),
        detail: Some(detail),
    }
}

/// A managed cluster's identity: subscription, resource group and name, lower-cased (ARM ids
/// compare case-insensitively).
#[derive(Debug, Clone, PartialEq, Eq)]
struct ClusterKey {
    subscription: String,
    resource_group: String,
    name: String,
}

impl std::fmt::Display for ClusterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} in resource group {} of subscription {}",
            self.name, self.resource_group, self.subscription
        )
    }
}

/// The cluster named by an ARM id of the cluster or of one of its children
/// (`/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/C/…`).
fn cluster_key(id: &str) -> Option<ClusterKey> {
    let parts: Vec<&str> = id.strip_prefix('/')?.split('/').collect();
    let is = |i: usize, want: &str| parts.get(i).is_some_and(|p| p.eq_ignore_ascii_case(want));
    let part = |i: usize| {
        parts
            .get(i)
            .filter(|p| !p.is_empty())
            .map(|p| p.to_ascii_lowercase())
    };
    if !(is(0, "subscriptions")
        && is(2, "resourceGroups")
        && is(4, "providers")
        && is(5, "Microsoft.ContainerService")
        && is(6, "managedClusters"))
    {
        return None;
    }
    Some(ClusterKey {
        subscription: part(1)?,
        resource_group: part(3)?,
        name: part(7)?,
    })
}

fn cluster_key_of(c: &Cluster) -> Option<ClusterKey> {
    str_field(&c.root, "id").and_then(cluster_key)
}

/// Why a child (node pool, diagnostic setting) could not be attached to a cluster; shown after
/// "… not attached to any cluster: ".
#[derive(Debug, thiserror::Error)]
enum Unattached {
    #[error(
        "it has no resource id naming its cluster (…/managedClusters/NAME/…), and a child is attached only by the full id of its cluster"
    )]
    NoId,
    #[error(
        "its id {0:?} does not name a managed cluster (/subscriptions/S/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME/…)"
    )]
    NotAClusterId(String),
    #[error("its cluster, {key}, is not among the clusters given{hint}")]
    NotGiven { key: ClusterKey, hint: NameHint },
}

/// What a cluster of the same name tells about a child that did not match by id.
#[derive(Debug)]
enum NameHint {
    None,
    /// That cluster was given without a resource id.
    NoId(String),
    /// That cluster is in another subscription or resource group.
    Elsewhere,
}

impl std::fmt::Display for NameHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NameHint::None => Ok(()),
            NameHint::NoId(name) => write!(
                f,
                " (cluster {name} was given without a resource id to match)"
            ),
            NameHint::Elsewhere => f.write_str(
                " (a cluster of that name was given, in another subscription or resource group)",
            ),
        }
    }
}

/// The given cluster a child's resource id names, or why there is none.
fn match_cluster(
    clusters: &[Cluster],
    keys: &[Option<ClusterKey>],
    id: Option<&str>,
) -> Result<usize, Unattached> {
    let Some(id) = id.filter(|i| !i.trim().is_empty()) else {
        return Err(Unattached::NoId);
    };
    let Some(key) = cluster_key(id) else {
        return Err(Unattached::NotAClusterId(id.to_string()));
    };
    if let Some(i) = keys.iter().position(|k| k.as_ref() == Some(&key)) {
        return Ok(i);
    }
    let hint = match clusters
        .iter()
        .find(|c| c.name.eq_ignore_ascii_case(&key.name))
    {
        Some(c) if cluster_key_of(c).is_none() => NameHint::NoId(c.name.clone()),
        Some(_) => NameHint::Elsewhere,
        None => NameHint::None,
    };
    Err(Unattached::NotGiven { key, hint })
}

fn type_is(v: &Value, ty: &str) -> bool {
    get_ci(v, "type")
        .and_then(|(_, t)| t.as_str())
        .is_some_and(|t| t.eq_ignore_ascii_case(ty))
}

/// The cluster name inside an ARM resource id (`…/managedClusters/<name>/…`).
fn cluster_from_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('/').collect();
    parts
        .iter()
        .position(|p| p.eq_ignore_ascii_case("managedClusters"))
        .and_then(|i| parts.get(i + 1))
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
}

/// Fields that name an Azure resource or where it lives. Azure refuses control characters in every
/// one of them, so a value holding one did not come from Azure.
const NAME_FIELDS: [&str; 6] = [
    "name",
    "id",
    "resourceGroup",
    "nodeResourceGroup",
    "location",
    "dnsPrefix",
];

/// The first name field (at any depth) holding a control, bidi or invisible format character.
fn refuse_impossible_names(doc: &Value, lines: &LineIndex, path: &str) -> Result<(), LoadError> {
    fn walk(v: &Value, at: String, depth: usize) -> Option<(String, String)> {
        if depth > 64 {
            return None;
        }
        match v {
            Value::Object(map) => map.iter().find_map(|(k, child)| {
                let here = join_key(&at, k);
                match child {
                    Value::String(s)
                        if NAME_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(k))
                            && s.chars().any(kubeward_core::escape::is_unsafe_char) =>
                    {
                        Some((here, s.clone()))
                    }
                    _ => walk(child, here, depth + 1),
                }
            }),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, child)| walk(child, join_index(&at, i), depth + 1)),
            _ => None,
        }
    }
    match walk(doc, String::new(), 0) {
        Some((field, value)) => Err(LoadError::ImpossibleName {
            path: path.to_string(),
            line: lines.line(&field).unwrap_or(1),
            field,
            value,
            why: "Azure names hold no control or invisible characters; this file was not exported by Azure, so none of it is used",
        }),
        None => Ok(()),
    }
}

fn str_field<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    get_ci(v, key).and_then(|(_, v)| v.as_str())
}

/// The file's content, and what of it was not read (a list's later pages, items past the cap).
fn classify(f: &InputFile) -> (Result<Content, LoadError>, Vec<String>) {
    let doc: Value = match serde_json::from_str(&f.text) {
        Ok(d) => d,
        Err(e) => {
            let err = LoadError::Json {
                path: f.path.clone(),
                line: e.line() as u32,
                message: e.to_string(),
            };
            return (Err(err), Vec::new());
        }
    };
    let gaps = list_gaps(&doc);
    match classify_doc(f, doc) {
        Ok(content) => (Ok(content), gaps),
        Err(e) => (Err(e), Vec::new()),
    }
}

/// A list read only in part: more items than [`MAX_ITEMS`], or one page of an ARM list whose
/// `nextLink` points at the next.
fn list_gaps(doc: &Value) -> Vec<String> {
    let mut gaps = Vec::new();
    let items = match doc {
        Value::Array(a) => Some(a),
        Value::Object(_) => get_ci(doc, "value").and_then(|(_, v)| v.as_array()),
        _ => None,
    };
    if let Some(items) = items.filter(|a| a.len() > MAX_ITEMS) {
        gaps.push(format!(
            "a list of {} items: only the first {MAX_ITEMS} were read",
            items.len()
        ));
    }
    if items.is_some()
        && let Some((k, Value::String(link))) = get_ci(doc, "nextLink")
        && !link.trim().is_empty()
    {
        gaps.push(format!(
            "one page of an ARM list (`{k}` is set): the items on the following pages were not read; give each page as a file"
        ));
    }
    gaps
}

fn classify_doc(f: &InputFile, doc: Value) -> Result<Content, LoadError> {
    let lines = LineIndex::build(&f.text);
    refuse_impossible_names(&doc, &lines, &f.path)?;
    let not = |message: String| LoadError::NotRecognised {
        path: f.path.clone(),
        message,
    };
    let file = |format, origin| {
        Arc::new(FileInfo {
            path: f.path.clone(),
            lines: lines.clone(),
            format,
            origin,
        })
    };
    if f.forced_diagnostics {
        let list = list_items(&doc).ok_or_else(|| {
            not("given as diagnostic settings but is neither a list nor {\"value\": [...]}".into())
        })?;
        let fi = file(Format::AzCli, DIAG);
        return Ok(Content::Diagnostics(
            diag_settings(&list.0, &list.1, &fi),
            fi,
        ));
    }

    match &doc {
        Value::Object(_) => {
            if get_ci(&doc, "resources").is_some_and(|(_, r)| r.is_array()) {
                return arm_template(
                    &doc,
                    file(Format::ArmTemplate, Format::ArmTemplate.as_str()),
                    &not,
                );
            }
            if get_ci(&doc, "value").is_some_and(|(_, v)| v.is_array()) {
                // An ARM list (`az rest`, the REST API, older `az ... list`): the same kinds as a
                // plain JSON array, read the same way.
                let (items, base) = list_items(&doc).unwrap_or_default();
                if items.is_empty() {
                    return Err(not(EMPTY_LIST.into()));
                }
                return list_content(&items, &base, &file).ok_or_else(|| {
                    not(format!(
                        "a {{\"value\": [...]}} list whose items are not all {LIST_KINDS}"
                    ))
                });
            }
            if is_cluster(&doc) {
                let format = if get_ci(&doc, "properties").is_some_and(|(_, p)| p.is_object()) {
                    Format::ArmResource
                } else {
                    Format::AzCli
                };
                let fi = file(format, format.as_str());
                return Ok(Content::Clusters(
                    vec![cluster(doc.clone(), String::new(), fi)],
                    Vec::new(),
                ));
            }
            if is_diag_setting(&doc) {
                let fi = file(Format::AzCli, DIAG);
                return Ok(Content::Diagnostics(
                    diag_settings(std::slice::from_ref(&doc), "", &fi),
                    fi,
                ));
            }
            let hint = str_field(&doc, "kind")
                .or_else(|| str_field(&doc, "type"))
                .map(|k| format!(" (it looks like {k})"))
                .unwrap_or_default();
            Err(not(format!(
                "not an AKS cluster, node pool list, diagnostic settings or role assignment list{hint}"
            )))
        }
        Value::Array(items) => {
            if items.is_empty() {
                return Err(not(EMPTY_LIST.into()));
            }
            let items = &items[..items.len().min(MAX_ITEMS)];
            list_content(items, "", &file)
                .ok_or_else(|| not(format!("a list whose items are not all {LIST_KINDS}")))
        }
        _ => Err(not("a JSON scalar, not an object or a list".into())),
    }
}

const EMPTY_LIST: &str = "an empty list: cannot tell which `az ... list` produced it; give an empty diagnostic-settings list with --diagnostic-settings";
const LIST_KINDS: &str = "node pools, diagnostic settings, role assignments or clusters";

/// What a list holds, whether a plain JSON array (`az ... list -o json`) or the `value` of an ARM
/// list (`az rest`): every kind is accepted in both shapes. `None` when the items are mixed.
fn list_content(
    items: &[Value],
    base: &str,
    file: &dyn Fn(Format, &'static str) -> Arc<FileInfo>,
) -> Option<Content> {
    // Items with a `properties` object are REST resources: absent keys get the ARM spelling.
    let format = if items
        .iter()
        .all(|v| get_ci(v, "properties").is_some_and(|(_, p)| p.is_object()))
    {
        Format::ArmResource
    } else {
        Format::AzCli
    };
    if items.iter().all(is_diag_setting) {
        let fi = file(Format::AzCli, DIAG);
        return Some(Content::Diagnostics(diag_settings(items, base, &fi), fi));
    }
    if items.iter().all(is_role_assignment) {
        let fi = file(Format::AzCli, "az role assignment list");
        return Some(Content::Roles(role_assignments(items, base, &fi)));
    }
    if items.iter().all(is_pool) {
        let origin = match format {
            Format::ArmResource => "az rest .../agentPools",
            _ => "az aks nodepool list",
        };
        let fi = file(format, origin);
        return Some(Content::Pools(read_items(items, base, |p, path| {
            pool_entry(p, path, &fi)
        })));
    }
    if items.iter().all(is_cluster) {
        let origin = match format {
            Format::ArmResource => "az rest .../managedClusters",
            _ => "az aks list",
        };
        let fi = file(format, origin);
        return Some(Content::Clusters(
            read_items(items, base, |c, path| cluster(c.clone(), path, fi.clone())),
            Vec::new(),
        ));
    }
    None
}

fn list_items(doc: &Value) -> Option<(Vec<Value>, String)> {
    match doc {
        Value::Array(a) => Some((a.iter().take(MAX_ITEMS).cloned().collect(), String::new())),
        Value::Object(_) => get_ci(doc, "value").and_then(|(k, v)| {
            v.as_array()
                .map(|a| (a.iter().take(MAX_ITEMS).cloned().collect(), k.to_string()))
        }),
        _ => None,
    }
}

/// An AKS managed cluster: `az aks show`, `az resource show` or an ARM resource.
pub fn is_cluster(v: &Value) -> bool {
    if type_is(v, CLUSTER_TYPE) {
        return true;
    }
    // `az aks show` output always carries these; nothing else does.
    get_ci(v, "type").is_none()
        && get_ci(v, "agentPoolProfiles").is_some()
        && (get_ci(v, "kubernetesVersion").is_some() || get_ci(v, "dnsPrefix").is_some())
}

/// An ARM resource's `properties`, or the item itself when it is CLI output (flat).
fn properties(v: &Value) -> &Value {
    get_ci(v, "properties").map(|(_, p)| p).unwrap_or(v)
}

/// A node pool: an item of `az aks nodepool list` or an ARM agent pool resource.
pub fn is_pool(v: &Value) -> bool {
    if type_is(v, POOL_TYPE) {
        return true;
    }
    let props = properties(v);
    get_ci(v, "name").is_some()
        && get_ci(props, "vmSize").is_some()
        && (get_ci(props, "mode").is_some() || get_ci(props, "orchestratorVersion").is_some())
}

/// A diagnostic setting: an item of `az monitor diagnostic-settings list`.
pub fn is_diag_setting(v: &Value) -> bool {
    if type_is(v, DIAG_TYPE) {
        return true;
    }
    let props = properties(v);
    get_ci(props, "logs").is_some_and(|(_, l)| l.is_array())
}

/// A role assignment: an item of `az role assignment list`.
pub fn is_role_assignment(v: &Value) -> bool {
    let props = properties(v);
    get_ci(props, "principalId").is_some()
        && get_ci(props, "scope").is_some()
        && (get_ci(props, "roleDefinitionName").is_some()
            || get_ci(props, "roleDefinitionId").is_some())
}

fn name_of(v: &Value) -> String {
    str_field(v, "name").unwrap_or("(unnamed)").to_string()
}

fn cluster(root: Value, root_path: String, file: Arc<FileInfo>) -> Cluster {
    let name = name_of(&root);
    let mut c = Cluster {
        name,
        file: file.clone(),
        root,
        root_path,
        pools: Vec::new(),
        diagnostics: None,
        role_assignments: None,
    };
    let profiles = c.get("agentPoolProfiles");
    let base = profiles.path.clone();
    if let Some(list) = profiles.array() {
        c.pools = list
            .iter()
            .take(MAX_ITEMS)
            .enumerate()
            .map(|(i, p)| Pool {
                name: name_of(p),
                value: p.clone(),
                path: join_index(&base, i),
                file: file.clone(),
            })
            .collect();
    }
    c
}

fn pool_entry(v: &Value, path: String, file: &Arc<FileInfo>) -> (Option<String>, Pool) {
    let cluster = str_field(v, "id").map(str::to_string);
    let (value, path) = match get_ci(v, "properties") {
        Some((k, p)) if p.is_object() => (p.clone(), join_key(&path, k)),
        _ => (v.clone(), path),
    };
    (
        cluster,
        Pool {
            name: name_of(v),
            value,
            path,
            file: file.clone(),
        },
    )
}

/// Each item of a list, read with its path.
fn read_items<T>(items: &[Value], base: &str, read: impl Fn(&Value, String) -> T) -> Vec<T> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| read(item, join_index(base, i)))
        .collect()
}

fn diag_settings(items: &[Value], base: &str, file: &Arc<FileInfo>) -> Vec<DiagSetting> {
    read_items(items, base, |item, path| diag_setting(item, path, file))
}

fn diag_setting(item: &Value, item_path: String, file: &Arc<FileInfo>) -> DiagSetting {
    let (props, props_path) = match get_ci(item, "properties") {
        Some((k, p)) if p.is_object() => (p, join_key(&item_path, k)),
        _ => (item, item_path.clone()),
    };
    let destinations = [
        "workspaceId",
        "storageAccountId",
        "eventHubAuthorizationRuleId",
        "marketplacePartnerId",
    ]
    .iter()
    .filter_map(|k| {
        str_field(props, k)
            .filter(|s| !s.trim().is_empty())
            .map(|s| format!("{k}={s}"))
    })
    .collect();
    let mut logs = Vec::new();
    if let Some((lk, Value::Array(list))) = get_ci(props, "logs") {
        for (j, l) in list.iter().take(MAX_ITEMS).enumerate() {
            let enabled = match get_ci(l, "enabled").map(|(_, v)| v) {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
                _ => false,
            };
            logs.push(DiagLog {
                category: str_field(l, "category").map(|s| s.to_ascii_lowercase()),
                category_group: str_field(l, "categoryGroup").map(|s| s.to_ascii_lowercase()),
                enabled,
                path: join_index(&join_key(&props_path, lk), j),
            });
        }
    }
    let cluster = str_field(item, "id")
        .or_else(|| str_field(item, "scope"))
        .map(str::to_string);
    DiagSetting {
        name: name_of(item),
        cluster,
        destinations,
        destination_type: str_field(props, "logAnalyticsDestinationType").map(str::to_string),
        logs,
        path: item_path,
        file: file.clone(),
    }
}

fn role_assignments(items: &[Value], base: &str, file: &Arc<FileInfo>) -> Vec<RoleAssignment> {
    read_items(items, base, |item, path| {
        let props = properties(item);
        let role = str_field(props, "roleDefinitionName")
            .map(str::to_string)
            .or_else(|| {
                str_field(props, "roleDefinitionId")
                    .map(|id| id.rsplit('/').next().unwrap_or(id).to_string())
            })
            .unwrap_or_default();
        RoleAssignment {
            principal_id: str_field(props, "principalId")
                .unwrap_or_default()
                .to_string(),
            principal_name: str_field(props, "principalName").map(str::to_string),
            role,
            scope: str_field(props, "scope").unwrap_or_default().to_string(),
            path,
            file: file.clone(),
        }
    })
}

/// Clusters, agent pools and diagnostic settings declared in an ARM template.
fn arm_template(
    doc: &Value,
    file: Arc<FileInfo>,
    not: &dyn Fn(String) -> LoadError,
) -> Result<Content, LoadError> {
    let Some((rk, Value::Array(resources))) = get_ci(doc, "resources") else {
        return Err(not("no resources".into()));
    };
    let mut clusters = Vec::new();
    let mut child_pools = Vec::new();
    let mut diags = Vec::new();
    for (i, r) in resources.iter().take(MAX_ITEMS).enumerate() {
        let path = join_index(rk, i);
        let resolved = resolve_expressions(r, doc, 0);
        if type_is(&resolved, CLUSTER_TYPE) {
            clusters.push(cluster(resolved, path, file.clone()));
        } else if type_is(&resolved, POOL_TYPE) {
            // Child resource named `<cluster>/<pool>`.
            let full = name_of(&resolved);
            let (cl, pool_name) = match full.split_once('/') {
                Some((c, p)) => (Some(c.to_string()), p.to_string()),
                None => (None, full.clone()),
            };
            let (_, mut pool) = pool_entry(&resolved, path, &file);
            pool.name = pool_name;
            child_pools.push((cl, pool, full));
        } else if type_is(&resolved, DIAG_TYPE) {
            // Extension resource: `scope` names the cluster (often through resourceId(), which
            // stays unresolved; the setting then goes to the only cluster of the template).
            diags.push(diag_setting(&resolved, path, &file));
        }
    }
    if clusters.is_empty() {
        return Err(not(format!(
            "an ARM template without a {CLUSTER_TYPE} resource"
        )));
    }
    let mut unattached = Vec::new();
    let mut fail = |what: String, at: &str| {
        unattached.push(InputError {
            path: file.path.clone(),
            line: file.lines.line(at),
            message: what,
        })
    };
    for (cl, pool, full) in child_pools {
        let target = cl
            .as_deref()
            .and_then(|n| clusters.iter_mut().find(|c| c.name.eq_ignore_ascii_case(n)));
        let Some(c) = target else {
            let why = match cl {
                Some(n) => format!("it names cluster {n:?}, not a cluster of this template"),
                None => "its name does not name its cluster (CLUSTER/POOL)".into(),
            };
            fail(
                format!("node pool {full:?} not attached to any cluster: {why}"),
                &pool.path,
            );
            continue;
        };
        match c
            .pools
            .iter_mut()
            .find(|p| p.name.eq_ignore_ascii_case(&pool.name))
        {
            Some(existing) => *existing = pool,
            None => c.pools.push(pool),
        }
    }
    for d in diags {
        let named = d
            .cluster
            .as_deref()
            .and_then(|s| scope_cluster_name(s, doc));
        let target = named
            .as_deref()
            .and_then(|n| clusters.iter_mut().find(|c| c.name.eq_ignore_ascii_case(n)));
        let Some(c) = target else {
            let why = match (&d.cluster, &named) {
                (None, _) => "it has no scope naming its cluster".to_string(),
                (Some(s), None) => format!("its scope {s:?} does not name a cluster"),
                (Some(_), Some(n)) => {
                    format!("it names cluster {n:?}, not a cluster of this template")
                }
            };
            fail(
                format!(
                    "diagnostic setting {} not attached to any cluster: {why}",
                    d.name
                ),
                &d.path,
            );
            continue;
        };
        let input = c.diagnostics.get_or_insert_with(DiagInput::default);
        if !input.files.contains(&file.path) {
            input.files.push(file.path.clone());
        }
        input.settings.push(d);
    }
    Ok(Content::Clusters(clusters, unattached))
}

/// The cluster name in a template child's scope: a cluster id, `[resourceId('Microsoft.
/// ContainerService/managedClusters', NAME)]` or `[format('Microsoft.ContainerService/
/// managedClusters/{0}', NAME)]`, NAME a literal or a parameter or variable with a default.
fn scope_cluster_name(scope: &str, template: &Value) -> Option<String> {
    const TYPE: &str = "Microsoft.ContainerService/managedClusters";
    let Some(inner) = scope
        .trim()
        .strip_prefix('[')
        .and_then(|r| r.strip_suffix(']'))
    else {
        return cluster_from_id(scope);
    };
    let (func, rest) = inner.trim().split_once('(')?;
    let args = split_args(rest.strip_suffix(')')?);
    let literal = |a: &str| {
        a.strip_prefix('\'')
            .and_then(|r| r.strip_suffix('\''))
            .map(str::to_string)
    };
    let name_arg = match func.trim().to_ascii_lowercase().as_str() {
        "resourceid" => {
            let at = args
                .iter()
                .position(|a| literal(a).is_some_and(|l| l.eq_ignore_ascii_case(TYPE)))?;
            // resourceId(type, name) only: a nested child type would take more names.
            (args.len() == at + 2).then(|| args[at + 1])?
        }
        "format" => {
            let pattern = literal(args.first()?)?;
            let expected = format!("{TYPE}/{{0}}");
            (pattern.eq_ignore_ascii_case(&expected) && args.len() == 2).then(|| args[1])?
        }
        _ => return None,
    };
    match resolve_call(name_arg, template, 0)? {
        Value::String(n) if !n.is_empty() => Some(n),
        _ => None,
    }
}

/// Replaces `[parameters('x')]` and `[variables('x')]` by their literal default values; any
/// other expression stays and is reported as unresolved by the checks that read it.
fn resolve_expressions(v: &Value, template: &Value, depth: usize) -> Value {
    if depth > 64 {
        return v.clone();
    }
    match v {
        Value::String(s) if is_expression(s) => {
            resolve_one(s, template).unwrap_or_else(|| v.clone())
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| resolve_expressions(x, template, depth + 1))
                .collect(),
        ),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), resolve_expressions(x, template, depth + 1)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn resolve_one(expr: &str, template: &Value) -> Option<Value> {
    let inner = expr.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
    resolve_call(inner, template, 0)
}

/// Splits `a, 'b,c', f(x, y)` at the top-level commas.
fn split_args(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    for (i, ch) in s.char_indices() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(s[start..].trim());
    out
}

/// `parameters('x')`, `variables('x')`, `'literal'`, or `concat(...)` of those.
fn resolve_call(inner: &str, template: &Value, depth: usize) -> Option<Value> {
    let inner = inner.trim();
    if depth > 8 {
        return None;
    }
    if let Some(lit) = inner.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
        return (!lit.contains('\'')).then(|| Value::String(lit.to_string()));
    }
    if let Some(args) = inner
        .strip_prefix("concat(")
        .and_then(|r| r.strip_suffix(')'))
    {
        let mut out = String::new();
        for a in split_args(args) {
            match resolve_call(a, template, depth + 1)? {
                Value::String(s) => out.push_str(&s),
                Value::Number(n) => out.push_str(&n.to_string()),
                _ => return None,
            }
        }
        return Some(Value::String(out));
    }
    let (func, rest) = inner.split_once('(')?;
    let arg = rest
        .strip_suffix(')')?
        .trim()
        .strip_prefix('\'')?
        .strip_suffix('\'')?;
    if arg.contains('\'') {
        return None;
    }
    let found = match func.trim().to_ascii_lowercase().as_str() {
        "parameters" => get_ci(template, "parameters")
            .and_then(|(_, ps)| get_ci(ps, arg))
            .and_then(|(_, p)| get_ci(p, "defaultValue"))
            .map(|(_, d)| d.clone()),
        "variables" => get_ci(template, "variables")
            .and_then(|(_, vs)| get_ci(vs, arg))
            .map(|(_, v)| v.clone()),
        _ => None,
    }?;
    // A default that is itself an expression stays unresolved.
    match &found {
        Value::String(s) if is_expression(s) => None,
        _ => Some(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str, text: &str) -> InputFile {
        InputFile {
            path: path.into(),
            text: text.into(),
            forced_diagnostics: false,
        }
    }

    #[test]
    fn recognises_each_shape_by_content() {
        let inv = load(vec![
            input(
                "a.json",
                r#"{"id":"/subscriptions/s/resourcegroups/r/providers/Microsoft.ContainerService/managedClusters/c1","name":"c1","kubernetesVersion":"1.33","dnsPrefix":"c1","agentPoolProfiles":[{"name":"p1","vmSize":"x","mode":"System"}]}"#,
            ),
            input(
                "b.json",
                r#"[{"name":"p2","vmSize":"x","mode":"User","id":"/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/p2"}]"#,
            ),
            input(
                "c.json",
                r#"{"value":[{"id":"/subscriptions/S/resourceGroups/R/providers/microsoft.containerservice/managedclusters/C1/providers/microsoft.insights/diagnosticSettings/d","name":"d","workspaceId":"/w","logs":[{"category":"kube-audit","enabled":true}]}]}"#,
            ),
            input(
                "d.json",
                r#"[{"principalId":"p","scope":"/s","roleDefinitionName":"AcrPull"}]"#,
            ),
        ]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(inv.clusters.len(), 1);
        let c = &inv.clusters[0];
        assert_eq!(c.pools.len(), 2);
        assert_eq!(c.diagnostics.as_ref().map(|d| d.settings.len()), Some(1));
        assert_eq!(c.role_assignments.as_ref().map(Vec::len), Some(1));
    }

    #[test]
    fn a_non_cluster_file_is_a_clear_error_and_others_continue() {
        let inv = load(vec![
            input(
                "pod.json",
                r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"}}"#,
            ),
            input("bad.json", "{\n  \"a\": \n}"),
            input(
                "a.json",
                r#"{"name":"c1","kubernetesVersion":"1.33","agentPoolProfiles":[]}"#,
            ),
        ]);
        assert_eq!(inv.clusters.len(), 1);
        assert_eq!(inv.errors.len(), 2);
        assert!(
            inv.errors
                .iter()
                .any(|e| e.message.contains("not an AKS cluster") && e.message.contains("Pod"))
        );
        assert!(
            inv.errors
                .iter()
                .any(|e| e.path == "bad.json" && e.line == Some(3))
        );
    }

    #[test]
    fn empty_list_aks_list_and_template_diagnostic_settings() {
        let inv = load(vec![input("e.json", "[]")]);
        assert!(inv.errors[0].message.contains("--diagnostic-settings"));
        let inv = load(vec![input(
            "l.json",
            r#"[{"name":"a","kubernetesVersion":"1.33","agentPoolProfiles":[]},{"name":"b","kubernetesVersion":"1.34","agentPoolProfiles":[]}]"#,
        )]);
        assert_eq!(inv.clusters.len(), 2);
        let t = r#"{"resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"c","properties":{}},
          {"type":"Microsoft.Insights/diagnosticSettings","name":"audit","scope":"[resourceId('Microsoft.ContainerService/managedClusters','c')]",
           "properties":{"workspaceId":"[parameters('ws')]","logs":[{"category":"kube-audit","enabled":true}]}}]}"#;
        let inv = load(vec![input("t.json", t)]);
        let d = inv.clusters[0].diagnostics.as_ref().expect("attached");
        assert_eq!(d.settings.len(), 1);
        assert_eq!(
            d.settings[0].logs[0].category.as_deref(),
            Some("kube-audit")
        );
    }

    #[test]
    fn concat_of_parameters_and_literals_resolves() {
        let t = serde_json::json!({"parameters":{"n":{"defaultValue":"aks1"}}});
        assert_eq!(
            resolve_one("[concat(parameters('n'), '/apps')]", &t),
            Some(Value::String("aks1/apps".into()))
        );
        assert_eq!(
            resolve_one("[concat(parameters('n'), uniqueString('x'))]", &t),
            None
        );
    }

    #[test]
    fn arm_parameters_resolve_from_defaults_and_others_stay_unresolved() {
        let t = r#"{"parameters":{"priv":{"type":"bool","defaultValue":true}},
          "resources":[{"type":"Microsoft.ContainerService/managedClusters","name":"c",
          "properties":{"apiServerAccessProfile":{"enablePrivateCluster":"[parameters('priv')]"},
          "disableLocalAccounts":"[not(parameters('x'))]"}}]}"#;
        let inv = load(vec![input("t.json", t)]);
        let c = &inv.clusters[0];
        assert_eq!(
            c.get("apiServerAccessProfile.enablePrivateCluster").bool(),
            Some(true)
        );
        assert!(c.get("disableLocalAccounts").is_unresolved());
    }

    #[test]
    fn odd_documents_are_errors_not_panics() {
        for text in [
            "null",
            "42",
            "\"x\"",
            "[[1,2],[3]]",
            "[null]",
            "{}",
            "{\"value\":[1]}",
            "{\"resources\":[]}",
            "{\"resources\":[{\"type\":\"Microsoft.Storage/storageAccounts\"}]}",
            "",
        ] {
            let inv = load(vec![input("odd.json", text)]);
            assert!(inv.clusters.is_empty(), "{text}");
            assert_eq!(inv.errors.len(), 1, "{text}: {:?}", inv.errors);
        }
    }

    #[test]
    fn rest_value_list_of_agent_pools_attaches_to_its_cluster() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c1";
        let cluster = format!(
            r#"{{"id":"{id}","name":"c1","type":"Microsoft.ContainerService/ManagedClusters","properties":{{"kubernetesVersion":"1.34","agentPoolProfiles":[{{"name":"np1","vmSize":"v"}}]}}}}"#
        );
        let pools = format!(
            r#"{{"value":[{{"id":"{id}/agentPools/np1","name":"np1","type":"Microsoft.ContainerService/managedClusters/agentPools","properties":{{"vmSize":"v","mode":"System","enableNodePublicIP":true}}}}]}}"#
        );
        let inv = load(vec![input("c.json", &cluster), input("p.json", &pools)]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let c = &inv.clusters[0];
        assert_eq!(c.pools.len(), 1);
        let f = c.pools[0].get("enableNodePublicIp");
        assert_eq!(f.bool(), Some(true));
        assert_eq!(f.path, "value[0].properties.enableNodePublicIP");
    }

    /// Item 12: an ARM list (`{"value": [...]}`, as `az rest` prints it) of clusters is read like
    /// `az aks list`'s plain array, and every other kind is accepted in both shapes.
    #[test]
    fn item12_clusters_pools_roles_and_settings_in_both_list_shapes() {
        let id = |c: &str| {
            format!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/{c}"
            )
        };
        let arm = |c: &str| {
            format!(
                r#"{{"id":"{}","name":"{c}","type":"Microsoft.ContainerService/managedClusters","location":"westeurope","properties":{{"kubernetesVersion":"1.34","agentPoolProfiles":[{{"name":"sys","vmSize":"v","mode":"System"}}]}}}}"#,
                id(c)
            )
        };
        let list = format!(
            r#"{{"value":[{},{}],"nextLink":null}}"#,
            arm("east"),
            arm("west")
        );
        let inv = load(vec![input("rest.json", &list)]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(inv.clusters.len(), 2);
        let west = &inv.clusters[1];
        assert_eq!(west.name, "west");
        assert_eq!(west.file.format, Format::ArmResource);
        assert_eq!(
            west.get("enableRbac").path,
            "value[1].properties.enableRBAC"
        );
        assert_eq!(west.pools.len(), 1);
        assert_eq!(
            west.pools[0].path,
            "value[1].properties.agentPoolProfiles[0]"
        );

        // A plain array of REST clusters (`az resource list`-like) reads the same.
        let plain = format!("[{},{}]", arm("east"), arm("west"));
        let inv = load(vec![input("plain.json", &plain)]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(inv.clusters.len(), 2);
        assert_eq!(inv.clusters[0].file.format, Format::ArmResource);

        // Pools and role assignments as ARM lists, settings as a plain array: all attach.
        let pools = format!(
            r#"{{"value":[{{"id":"{}/agentPools/apps","name":"apps","properties":{{"vmSize":"v","mode":"User"}}}}]}}"#,
            id("east")
        );
        let roles = r#"{"value":[{"properties":{"principalId":"p","scope":"/s","roleDefinitionId":"/x/roleDefinitions/7f951dda"}}]}"#;
        let settings = format!(
            r#"[{{"id":"{}/providers/microsoft.insights/diagnosticSettings/a","name":"a","workspaceId":"/w","logs":[{{"category":"kube-audit","enabled":true}}]}}]"#,
            id("east")
        );
        let inv = load(vec![
            input("rest.json", &list),
            input("pools.json", &pools),
            input("roles.json", roles),
            input("settings.json", &settings),
        ]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        let east = &inv.clusters[0];
        assert_eq!(east.pools.len(), 2);
        assert_eq!(east.role_assignments.as_ref().map(Vec::len), Some(1));
        assert_eq!(east.diagnostics.as_ref().map(|d| d.settings.len()), Some(1));
        assert_eq!(inv.clusters[1].pools.len(), 1);
    }

    /// Item 12: a file holding one page of an ARM list, or more items than are read, says so as an
    /// input error while the items it holds are still judged.
    #[test]
    fn item12_a_partial_list_is_reported() {
        let page = r#"{"value":[{"name":"a","kubernetesVersion":"1.33","agentPoolProfiles":[]}],
            "nextLink":"https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/managedClusters?api-version=2025-01-01&$skipToken=x"}"#;
        let inv = load(vec![input("page.json", page)]);
        assert_eq!(inv.clusters.len(), 1);
        assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
        assert!(
            inv.errors[0].message.contains("nextLink"),
            "{:?}",
            inv.errors
        );
        let last = r#"{"value":[{"name":"a","kubernetesVersion":"1.33","agentPoolProfiles":[]}],"nextLink":null}"#;
        assert!(load(vec![input("last.json", last)]).errors.is_empty());
        let many = format!(
            "[{}]",
            vec![
                r#"{"principalId":"p","scope":"/s","roleDefinitionName":"Reader"}"#;
                MAX_ITEMS + 2
            ]
            .join(",")
        );
        let inv = load(vec![
            input(
                "c.json",
                r#"{"name":"c","kubernetesVersion":"1.33","agentPoolProfiles":[]}"#,
            ),
            input("roles.json", &many),
        ]);
        assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
        assert!(
            inv.errors[0].message.contains("10002 items"),
            "{:?}",
            inv.errors
        );
        assert_eq!(
            inv.clusters[0].role_assignments.as_ref().map(Vec::len),
            Some(MAX_ITEMS)
        );
    }

    /// Item 12: an empty list says nothing about what it lists, in either shape; a list that mixes
    /// kinds is refused with what it may hold.
    #[test]
    fn item12_empty_and_mixed_lists_are_errors_in_both_shapes() {
        for text in ["[]", r#"{"value":[]}"#] {
            let inv = load(vec![input("e.json", text)]);
            assert_eq!(inv.errors.len(), 1, "{text}");
            assert!(
                inv.errors[0].message.contains("--diagnostic-settings"),
                "{text}"
            );
        }
        let mixed = r#"{"value":[{"name":"a","kubernetesVersion":"1.33","agentPoolProfiles":[]},{"name":"p","vmSize":"v","mode":"User"}]}"#;
        let inv = load(vec![input("m.json", mixed)]);
        assert!(inv.clusters.is_empty());
        assert!(
            inv.errors[0].message.contains("clusters"),
            "{:?}",
            inv.errors
        );
        // Given as diagnostic settings, an empty ARM list still means "none configured".
        let inv = load(vec![
            input(
                "c.json",
                r#"{"name":"c","kubernetesVersion":"1.33","agentPoolProfiles":[]}"#,
            ),
            InputFile {
                path: "d.json".into(),
                text: r#"{"value":[]}"#.into(),
                forced_diagnostics: true,
            },
        ]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
        assert_eq!(
            inv.clusters[0]
                .diagnostics
                .as_ref()
                .map(|d| d.settings.len()),
            Some(0)
        );
    }

    #[test]
    fn absent_keys_are_named_in_the_files_own_spelling() {
        let arm = r#"{"name":"c","type":"Microsoft.ContainerService/managedClusters","properties":{"kubernetesVersion":"1.34","apiServerAccessProfile":null,"agentPoolProfiles":[{"name":"a","vmSize":"v"}]}}"#;
        let cli = r#"{"name":"c","kubernetesVersion":"1.34","agentPoolProfiles":[{"name":"a","vmSize":"v"}]}"#;
        let inv = load(vec![input("arm.json", arm)]);
        let c = &inv.clusters[0];
        assert_eq!(
            c.get("apiServerAccessProfile.authorizedIpRanges").path,
            "properties.apiServerAccessProfile.authorizedIPRanges"
        );
        assert_eq!(c.get("enableRbac").path, "properties.enableRBAC");
        assert_eq!(
            c.pools[0].get("enableNodePublicIp").path,
            "properties.agentPoolProfiles[0].enableNodePublicIP"
        );
        let inv = load(vec![input("cli.json", cli)]);
        let c = &inv.clusters[0];
        assert_eq!(
            c.get("apiServerAccessProfile.authorizedIpRanges").path,
            "apiServerAccessProfile.authorizedIpRanges"
        );
        assert_eq!(
            c.pools[0].get("enableNodePublicIp").path,
            "agentPoolProfiles[0].enableNodePublicIp"
        );
    }

    const C1: &str = "/subscriptions/s1/resourceGroups/rg1/providers/Microsoft.ContainerService/managedClusters/c1";

    fn cluster_with_pool(id: Option<&str>, public_ip: bool) -> String {
        let id = id.map(|i| format!(r#""id":"{i}","#)).unwrap_or_default();
        format!(
            r#"{{{id}"name":"c1","kubernetesVersion":"1.34","agentPoolProfiles":[{{"name":"np1","vmSize":"v","mode":"System","enableNodePublicIp":{public_ip}}}]}}"#
        )
    }

    #[test]
    fn a_pool_without_an_id_is_never_merged_by_name() {
        // The cluster's own pool has a public IP (Z140 FAIL); an orphan pool list of the same
        // name must not replace it and turn the verdict into PASS.
        let inv = load(vec![
            input("c.json", &cluster_with_pool(Some(C1), true)),
            input(
                "p.json",
                r#"[{"name":"np1","vmSize":"v","mode":"System","enableNodePublicIp":false}]"#,
            ),
        ]);
        let c = &inv.clusters[0];
        assert_eq!(c.pools.len(), 1);
        assert_eq!(c.pools[0].get("enableNodePublicIp").bool(), Some(true));
        assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
        assert_eq!(inv.errors[0].path, "p.json");
        assert_eq!(inv.errors[0].line, Some(1));
        assert!(inv.errors[0].message.contains("node pool np1 not attached"));
        assert!(inv.errors[0].message.contains("no resource id"));
    }

    #[test]
    fn a_pool_is_attached_only_by_the_full_id_of_its_cluster() {
        let other_rg = C1.replace("rg1", "rg2");
        for (pool_cluster, attached, why) in [
            (C1.to_ascii_uppercase(), true, ""),
            (
                other_rg.clone(),
                false,
                "another subscription or resource group",
            ),
            (
                C1.replace("s1", "s2"),
                false,
                "another subscription or resource group",
            ),
            (
                "/c1/agentPools/np1".to_string(),
                false,
                "does not name a managed cluster",
            ),
        ] {
            let pools = format!(
                r#"[{{"id":"{pool_cluster}/agentPools/np1","name":"np1","vmSize":"v","mode":"System","enableNodePublicIp":false}}]"#
            );
            let inv = load(vec![
                input("c.json", &cluster_with_pool(Some(C1), true)),
                input("p.json", &pools),
            ]);
            let ip = inv.clusters[0].pools[0].get("enableNodePublicIp").bool();
            assert_eq!(ip, Some(!attached), "{pool_cluster}");
            assert_eq!(
                inv.errors.is_empty(),
                attached,
                "{pool_cluster}: {:?}",
                inv.errors
            );
            if !attached {
                assert!(inv.errors[0].message.contains(why), "{:?}", inv.errors);
            }
        }
        // The cluster itself without an id: nothing can be matched to it, and the error says so.
        let pools = format!(
            r#"[{{"id":"{C1}/agentPools/np1","name":"np1","vmSize":"v","mode":"System"}}]"#
        );
        let inv = load(vec![
            input("c.json", &cluster_with_pool(None, true)),
            input("p.json", &pools),
        ]);
        assert!(
            inv.errors[0]
                .message
                .contains("given without a resource id")
        );
    }

    #[test]
    fn conflicting_definitions_of_one_pool_are_reported() {
        let pool = |ip: bool| {
            format!(
                r#"[{{"id":"{C1}/agentPools/np2","name":"np2","vmSize":"v","mode":"User","enableNodePublicIp":{ip}}}]"#
            )
        };
        let inv = load(vec![
            input("c.json", &cluster_with_pool(Some(C1), false)),
            input("a.json", &pool(false)),
            input("b.json", &pool(true)),
        ]);
        assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
        let m = &inv.errors[0].message;
        assert!(
            m.contains("defined twice") && m.contains("a.json:1") && m.contains("b.json:1"),
            "{m}"
        );
        // The same definition twice is no conflict.
        let inv = load(vec![
            input("c.json", &cluster_with_pool(Some(C1), false)),
            input("a.json", &pool(true)),
            input("b.json", &pool(true)),
        ]);
        assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    }

    #[test]
    fn settings_without_an_id_and_template_orphans_are_reported() {
        let inv = load(vec![
            input("c.json", &cluster_with_pool(Some(C1), false)),
            input(
                "d.json",
                r#"[{"name":"audit","workspaceId":"/w","logs":[{"category":"kube-audit","enabled":true}]}]"#,
            ),
        ]);
        assert!(inv.clusters[0].diagnostics.is_none());
        assert!(
            inv.errors[0]
                .message
                .contains("diagnostic setting audit not attached")
        );
        let t = r#"{"parameters":{"n":{"defaultValue":"c"}},"resources":[
          {"type":"Microsoft.ContainerService/managedClusters","name":"c","properties":{"agentPoolProfiles":[{"name":"sys","vmSize":"v"}]}},
          {"type":"Microsoft.ContainerService/managedClusters/agentPools","name":"lonely","properties":{"vmSize":"v"}},
          {"type":"Microsoft.ContainerService/managedClusters/agentPools","name":"other/p","properties":{"vmSize":"v"}},
          {"type":"Microsoft.ContainerService/managedClusters/agentPools","name":"[concat(parameters('n'), '/user')]","properties":{"vmSize":"v"}},
          {"type":"Microsoft.Insights/diagnosticSettings","name":"a","scope":"[format('Microsoft.ContainerService/managedClusters/{0}', parameters('n'))]","properties":{"logs":[]}},
          {"type":"Microsoft.Insights/diagnosticSettings","name":"b","scope":"[resourceGroup().id]","properties":{"logs":[]}}]}"#;
        let inv = load(vec![input("t.json", t)]);
        let c = &inv.clusters[0];
        let names: Vec<&str> = c.pools.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["sys", "user"]);
        assert_eq!(c.diagnostics.as_ref().map(|d| d.settings.len()), Some(1));
        let msgs: Vec<&str> = inv.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].contains("\"lonely\"") && msgs[0].contains("CLUSTER/POOL"));
        assert!(
            msgs[1].contains("\"other/p\"") && msgs[1].contains("not a cluster of this template")
        );
        assert!(msgs[2].contains("setting b") && msgs[2].contains("does not name a cluster"));
        assert!(inv.errors.iter().all(|e| e.line.is_some()));
    }
}
