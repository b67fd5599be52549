//! Reading inputs: every file is recognised by its content (cluster, ARM template, node pool list,
//! diagnostic settings, role assignments), then node pools, diagnostic settings and role
//! assignments are attached to their cluster. A file that cannot be used becomes an input error;
//! the others go on.

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

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
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
    Clusters(Vec<Cluster>),
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
        let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
            path: path.to_string(),
            source,
        })?;
        if meta.len() > MAX_INPUT_BYTES as u64 {
            return Err(LoadError::TooLarge {
                path: path.to_string(),
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_string(),
            source,
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
        match classify(&f) {
            Ok(Content::Clusters(cs)) => {
                let detail = format!(
                    "{} cluster(s), {}",
                    cs.len(),
                    cs.first().map(|c| c.file.format.as_str()).unwrap_or("")
                );
                inv.inputs.push(info("aks-cluster", &f.path, detail));
                inv.clusters.extend(cs);
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
    for (path, list) in pools {
        for (cluster_name, pool) in list {
            let target = pick_cluster(&mut inv.clusters, cluster_name.as_deref());
            match target {
                Some(c) => match c
                    .pools
                    .iter_mut()
                    .find(|p| p.name.eq_ignore_ascii_case(&pool.name))
                {
                    Some(existing) => *existing = pool,
                    None => c.pools.push(pool),
                },
                None => inv.errors.push(InputError {
                    path: path.clone(),
                    line: pool.file.lines.line(&pool.path),
                    message: format!(
                        "node pool {} belongs to no cluster given (add its `az aks show` output)",
                        pool.name
                    ),
                }),
            }
        }
    }

    for (file, settings) in diags {
        let mut unmatched = Vec::new();
        // A list attaches to its cluster by the resource ids inside; an empty list or one
        // without ids goes to the only cluster given.
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
            match pick_cluster(&mut inv.clusters, s.cluster.as_deref()) {
                Some(c) => {
                    let d = c.diagnostics.get_or_insert_with(DiagInput::default);
                    if !d.files.contains(&file.path) {
                        d.files.push(file.path.clone());
                    }
                    d.settings.push(s);
                }
                None => unmatched.push(s.name.clone()),
            }
        }
        if !unmatched.is_empty() {
            inv.errors.push(InputError {
                path: file.path.clone(),
                line: None,
                message: format!(
                    "diagnostic setting(s) {} belong to no cluster given",
                    unmatched.join(", ")
                ),
            });
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

/// The cluster a child belongs to: by name, or the only cluster when the child names none.
fn pick_cluster<'c>(clusters: &'c mut [Cluster], name: Option<&str>) -> Option<&'c mut Cluster> {
    match name {
        Some(n) => clusters.iter_mut().find(|c| c.name.eq_ignore_ascii_case(n)),
        None if clusters.len() == 1 => clusters.first_mut(),
        None => None,
    }
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

fn classify(f: &InputFile) -> Result<Content, LoadError> {
    let doc: Value = serde_json::from_str(&f.text).map_err(|e| LoadError::Json {
        path: f.path.clone(),
        line: e.line() as u32,
        message: e.to_string(),
    })?;
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
    const DIAG: &str = "az monitor diagnostic-settings list";

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
                // The older `az monitor diagnostic-settings list` shape.
                let (items, base) = list_items(&doc).unwrap_or_default();
                if items.iter().all(is_diag_setting) {
                    let fi = file(Format::AzCli, DIAG);
                    return Ok(Content::Diagnostics(diag_settings(&items, &base, &fi), fi));
                }
                if items.iter().all(is_pool) {
                    // The REST list of agentPools (`az rest --uri .../agentPools`).
                    let fi = file(Format::ArmResource, "az rest .../agentPools");
                    return Ok(Content::Pools(
                        items
                            .iter()
                            .enumerate()
                            .map(|(i, p)| pool_entry(p, join_index(&base, i), &fi))
                            .collect(),
                    ));
                }
                return Err(not(
                    "a {\"value\": [...]} list that is neither diagnostic settings nor node pools"
                        .into(),
                ));
            }
            if is_cluster(&doc) {
                let format = if get_ci(&doc, "properties").is_some_and(|(_, p)| p.is_object()) {
                    Format::ArmResource
                } else {
                    Format::AzCli
                };
                let fi = file(format, format.as_str());
                return Ok(Content::Clusters(vec![cluster(
                    doc.clone(),
                    String::new(),
                    fi,
                )]));
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
                return Err(not("an empty list: cannot tell which `az ... list` produced it; give an empty diagnostic-settings list with --diagnostic-settings".into()));
            }
            let items = &items[..items.len().min(MAX_ITEMS)];
            if items.iter().all(is_diag_setting) {
                let fi = file(Format::AzCli, DIAG);
                return Ok(Content::Diagnostics(diag_settings(items, "", &fi), fi));
            }
            if items.iter().all(is_role_assignment) {
                let fi = file(Format::AzCli, "az role assignment list");
                return Ok(Content::Roles(role_assignments(items, &fi)));
            }
            if items.iter().all(is_pool) {
                let fi = file(Format::AzCli, "az aks nodepool list");
                return Ok(Content::Pools(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, p)| pool_entry(p, join_index("", i), &fi))
                        .collect(),
                ));
            }
            if items.iter().all(is_cluster) {
                // `az aks list -o json`.
                let fi = file(Format::AzCli, "az aks list");
                return Ok(Content::Clusters(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, c)| cluster(c.clone(), join_index("", i), fi.clone()))
                        .collect(),
                ));
            }
            Err(not("a list whose items are not all node pools, diagnostic settings, role assignments or clusters".into()))
        }
        _ => Err(not("a JSON scalar, not an object or a list".into())),
    }
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

fn is_cluster(v: &Value) -> bool {
    if type_is(v, CLUSTER_TYPE) {
        return true;
    }
    // `az aks show` output always carries these; nothing else does.
    get_ci(v, "type").is_none()
        && get_ci(v, "agentPoolProfiles").is_some()
        && (get_ci(v, "kubernetesVersion").is_some() || get_ci(v, "dnsPrefix").is_some())
}

fn is_pool(v: &Value) -> bool {
    if type_is(v, POOL_TYPE) {
        return true;
    }
    let props = get_ci(v, "properties").map(|(_, p)| p).unwrap_or(v);
    get_ci(v, "name").is_some()
        && get_ci(props, "vmSize").is_some()
        && (get_ci(props, "mode").is_some() || get_ci(props, "orchestratorVersion").is_some())
}

fn is_diag_setting(v: &Value) -> bool {
    if type_is(v, DIAG_TYPE) {
        return true;
    }
    let props = get_ci(v, "properties").map(|(_, p)| p).unwrap_or(v);
    get_ci(props, "logs").is_some_and(|(_, l)| l.is_array())
}

fn is_role_assignment(v: &Value) -> bool {
    let props = get_ci(v, "properties").map(|(_, p)| p).unwrap_or(v);
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
    let cluster = str_field(v, "id").and_then(cluster_from_id);
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

fn diag_settings(items: &[Value], base: &str, file: &Arc<FileInfo>) -> Vec<DiagSetting> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let item_path = join_index(base, i);
            diag_setting(item, item_path, file)
        })
        .collect()
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
        .and_then(cluster_from_id);
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

fn role_assignments(items: &[Value], file: &Arc<FileInfo>) -> Vec<RoleAssignment> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = join_index("", i);
            let props = get_ci(item, "properties").map(|(_, p)| p).unwrap_or(item);
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
        .collect()
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
            child_pools.push((cl, pool));
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
    for (cl, pool) in child_pools {
        let target = match cl {
            Some(n) => clusters
                .iter_mut()
                .find(|c| c.name.eq_ignore_ascii_case(&n)),
            None => clusters.first_mut(),
        };
        if let Some(c) = target {
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
    for d in diags {
        let target = match &d.cluster {
            Some(n) => clusters.iter_mut().find(|c| c.name.eq_ignore_ascii_case(n)),
            None if clusters.len() == 1 => clusters.first_mut(),
            None => None,
        };
        if let Some(c) = target {
            let input = c.diagnostics.get_or_insert_with(DiagInput::default);
            if !input.files.contains(&file.path) {
                input.files.push(file.path.clone());
            }
            input.settings.push(d);
        }
    }
    Ok(Content::Clusters(clusters))
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
                r#"{"name":"c1","kubernetesVersion":"1.33","dnsPrefix":"c1","agentPoolProfiles":[{"name":"p1","vmSize":"x","mode":"System"}]}"#,
            ),
            input(
                "b.json",
                r#"[{"name":"p2","vmSize":"x","mode":"User","id":"/subscriptions/s/resourceGroups/r/providers/Microsoft.ContainerService/managedClusters/c1/agentPools/p2"}]"#,
            ),
            input(
                "c.json",
                r#"{"value":[{"name":"d","workspaceId":"/w","logs":[{"category":"kube-audit","enabled":true}]}]}"#,
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
}
