//! The normalised view of what was read: clusters, their node pools, diagnostic settings and role
//! assignments. Values stay as `serde_json::Value` and are looked up case-insensitively, so the CLI
//! spelling (`enableRbac`, `authorizedIpRanges`) and the ARM spelling (`enableRBAC`,
//! `authorizedIPRanges`) are the same field. Every lookup keeps the path as spelled in the file.

use std::sync::Arc;

use kubeward_core::{Evidence, Source};
use serde_json::Value;

use crate::jsonpos::{LineIndex, join_index, join_key};

/// Which shape a cluster came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `az aks show -o json`: no `properties` wrapper, CLI camelCase.
    AzCli,
    /// `az resource show` / REST: fields under `properties`, ARM spelling.
    ArmResource,
    /// An ARM template resource; strings may be unresolved template expressions.
    ArmTemplate,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::AzCli => "az aks show",
            Format::ArmResource => "az resource show",
            Format::ArmTemplate => "ARM template",
        }
    }
}

/// One file that was read, shared by everything taken from it.
#[derive(Debug)]
pub struct FileInfo {
    pub path: String,
    pub lines: LineIndex,
    pub format: Format,
    /// The command whose output this is, for evidence (`az aks nodepool list`…).
    pub origin: &'static str,
}

/// A looked-up value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val<'a> {
    /// The key (or one of its parents) is not in the file.
    Absent,
    /// The key is present with `null`.
    Null,
    /// An ARM template expression that could not be resolved (`[concat(...)]`).
    Unresolved(&'a str),
    Present(&'a Value),
}

/// A value with where it came from.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    pub val: Val<'a>,
    /// Path as spelled in the file (for an absent key: the parent as found + the key asked for).
    pub path: String,
    pub file: &'a FileInfo,
}

impl<'a> Field<'a> {
    /// `true`/`false`, also from the strings `"true"`/`"false"` (add-on config values are strings).
    pub fn bool(&self) -> Option<bool> {
        match self.val {
            Val::Present(Value::Bool(b)) => Some(*b),
            Val::Present(Value::String(s)) if s.eq_ignore_ascii_case("true") => Some(true),
            Val::Present(Value::String(s)) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }

    pub fn str(&self) -> Option<&'a str> {
        match self.val {
            Val::Present(Value::String(s)) => Some(s.as_str()),
            _ => None,
        }
    }

    pub fn array(&self) -> Option<&'a Vec<Value>> {
        match self.val {
            Val::Present(Value::Array(a)) => Some(a),
            _ => None,
        }
    }

    pub fn object(&self) -> Option<&'a serde_json::Map<String, Value>> {
        match self.val {
            Val::Present(Value::Object(o)) => Some(o),
            _ => None,
        }
    }

    /// Absent or null: the documented default applies.
    pub fn is_unset(&self) -> bool {
        matches!(self.val, Val::Absent | Val::Null)
    }

    pub fn is_unresolved(&self) -> bool {
        matches!(self.val, Val::Unresolved(_))
    }

    /// How the value reads in a report.
    pub fn display(&self) -> String {
        match self.val {
            Val::Absent => "absent".into(),
            Val::Null => "null".into(),
            Val::Unresolved(e) => format!("unresolved ARM expression {e}"),
            Val::Present(Value::String(s)) => s.clone(),
            Val::Present(v) => v.to_string(),
        }
    }

    pub fn source(&self) -> Source {
        let mut s = Source::file(self.file.path.clone()).with_key(self.path.clone());
        // Absent keys point at nothing; their parent's line would mislead.
        if !matches!(self.val, Val::Absent)
            && let Some(line) = self.file.lines.line(&self.path)
        {
            s = s.with_line(line);
        }
        s.origin = Some(self.file.origin.to_string());
        s
    }

    pub fn evidence(&self, expected: &str) -> Evidence {
        let e = Evidence::observed(self.display(), self.source());
        if expected.is_empty() {
            e
        } else {
            e.with_expected(expected.to_string())
        }
    }
}

/// Case-insensitive key lookup in an object.
pub fn get_ci<'v>(obj: &'v Value, key: &str) -> Option<(&'v str, &'v Value)> {
    let map = obj.as_object()?;
    if let Some((k, v)) = map.get_key_value(key) {
        return Some((k.as_str(), v));
    }
    map.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(k, v)| (k.as_str(), v))
}

/// Walks a dotted path (`a.b.c`) case-insensitively from `base` (found at `base_path`).
pub fn lookup<'a>(base: &'a Value, base_path: &str, dotted: &str, file: &'a FileInfo) -> Field<'a> {
    let mut cur = base;
    let mut path = base_path.to_string();
    let segments: Vec<&str> = dotted.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        match get_ci(cur, seg) {
            Some((k, v)) => {
                path = join_key(&path, k);
                cur = v;
                if v.is_null() {
                    let val = if i + 1 == segments.len() {
                        Val::Null
                    } else {
                        for rest in &segments[i + 1..] {
                            path = join_key(&path, spelled_for(file.format, rest));
                        }
                        Val::Absent
                    };
                    return Field { val, path, file };
                }
            }
            None => {
                for rest in &segments[i..] {
                    path = join_key(&path, spelled_for(file.format, rest));
                }
                return Field {
                    val: Val::Absent,
                    path,
                    file,
                };
            }
        }
    }
    let val = match cur {
        Value::String(s) if file.format == Format::ArmTemplate && is_expression(s) => {
            Val::Unresolved(s.as_str())
        }
        v => Val::Present(v),
    };
    Field { val, path, file }
}

/// CLI names whose ARM/REST spelling differs (only the case of an acronym), so that the path of
/// an absent key reads as the user would write it in their own file.
const ARM_SPELLING: &[(&str, &str)] = &[
    ("enableRbac", "enableRBAC"),
    ("enableAzureRbac", "enableAzureRBAC"),
    ("tenantId", "tenantID"),
    ("adminGroupObjectIds", "adminGroupObjectIDs"),
    ("authorizedIpRanges", "authorizedIPRanges"),
    ("privateDnsZone", "privateDNSZone"),
    (
        "enablePrivateClusterPublicFqdn",
        "enablePrivateClusterPublicFQDN",
    ),
    ("nodeOsUpgradeChannel", "nodeOSUpgradeChannel"),
    ("issuerUrl", "issuerURL"),
    ("diskEncryptionSetId", "diskEncryptionSetID"),
    ("dnsServiceIp", "dnsServiceIP"),
    ("enableNodePublicIp", "enableNodePublicIP"),
    ("enableFips", "enableFIPS"),
    ("osSku", "osSKU"),
    ("osDiskSizeGb", "osDiskSizeGB"),
    ("vnetSubnetId", "vnetSubnetID"),
    ("podSubnetId", "podSubnetID"),
    ("linuxOsConfig", "linuxOSConfig"),
    ("enableVtpm", "enableVTPM"),
    ("privateFqdn", "privateFQDN"),
];

fn spelled_for(format: Format, cli: &str) -> &str {
    if format == Format::AzCli {
        return cli;
    }
    ARM_SPELLING
        .iter()
        .find(|(c, _)| *c == cli)
        .map_or(cli, |(_, arm)| arm)
}

/// An ARM template expression: `[...]`, but not the `[[` escape for a literal bracket.
pub fn is_expression(s: &str) -> bool {
    let t = s.trim();
    t.starts_with('[') && t.ends_with(']') && !t.starts_with("[[")
}

/// A node pool, from `agentPoolProfiles[]`, `az aks nodepool list` or an ARM `agentPools` resource.
#[derive(Debug, Clone)]
pub struct Pool {
    pub name: String,
    pub value: Value,
    pub path: String,
    pub file: Arc<FileInfo>,
}

impl Pool {
    pub fn get(&self, dotted: &str) -> Field<'_> {
        lookup(&self.value, &self.path, dotted, &self.file)
    }
    pub fn is_windows(&self) -> bool {
        self.get("osType")
            .str()
            .is_some_and(|s| s.eq_ignore_ascii_case("windows"))
    }
}

/// One diagnostic setting of a cluster (`az monitor diagnostic-settings list`).
#[derive(Debug, Clone)]
pub struct DiagSetting {
    pub name: String,
    /// The setting's resource id (or, in a template, its scope): what names its cluster.
    pub cluster: Option<String>,
    pub destinations: Vec<String>,
    pub destination_type: Option<String>,
    pub logs: Vec<DiagLog>,
    pub path: String,
    pub file: Arc<FileInfo>,
}

#[derive(Debug, Clone)]
pub struct DiagLog {
    pub category: Option<String>,
    pub category_group: Option<String>,
    pub enabled: bool,
    pub path: String,
}

/// The diagnostic settings given for a cluster (maybe none configured).
#[derive(Debug, Clone, Default)]
pub struct DiagInput {
    pub files: Vec<String>,
    pub settings: Vec<DiagSetting>,
}

/// One role assignment (`az role assignment list`).
#[derive(Debug, Clone)]
pub struct RoleAssignment {
    pub principal_id: String,
    pub principal_name: Option<String>,
    pub role: String,
    pub scope: String,
    pub path: String,
    pub file: Arc<FileInfo>,
}

impl RoleAssignment {
    pub fn source(&self) -> Source {
        let mut s = Source::file(self.file.path.clone()).with_key(self.path.clone());
        if let Some(l) = self.file.lines.line(&self.path) {
            s = s.with_line(l);
        }
        s.origin = Some("az role assignment list".into());
        s
    }
}

/// Keys ARM keeps beside `properties` rather than inside it.
const ARM_TOP_LEVEL: &[&str] = &["sku", "identity", "location", "name", "id", "kind", "tags"];

/// One managed cluster and everything given about it.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub name: String,
    pub file: Arc<FileInfo>,
    /// The resource object (for `az aks show`, the whole document).
    pub root: Value,
    pub root_path: String,
    pub pools: Vec<Pool>,
    pub diagnostics: Option<DiagInput>,
    pub role_assignments: Option<Vec<RoleAssignment>>,
}

impl Cluster {
    /// A cluster field by its CLI-style dotted path; ARM `properties` is looked into transparently.
    pub fn get(&self, dotted: &str) -> Field<'_> {
        if self.file.format == Format::AzCli {
            return lookup(&self.root, &self.root_path, dotted, &self.file);
        }
        let first = dotted.split('.').next().unwrap_or_default();
        if ARM_TOP_LEVEL.iter().any(|k| k.eq_ignore_ascii_case(first)) {
            let top = lookup(&self.root, &self.root_path, dotted, &self.file);
            if !matches!(top.val, Val::Absent) {
                return top;
            }
        }
        match get_ci(&self.root, "properties") {
            Some((k, props)) => {
                let base = join_key(&self.root_path, k);
                lookup(props, &base, dotted, &self.file)
            }
            None => lookup(&self.root, &self.root_path, dotted, &self.file),
        }
    }

    /// An add-on profile by any of its spellings (`azurepolicy`/`azurePolicy`…).
    pub fn addon(&self, names: &[&str], sub: &str) -> Field<'_> {
        let mut first = None;
        for n in names {
            let f = self.get(&format!("addonProfiles.{n}.{sub}"));
            if !matches!(f.val, Val::Absent) {
                return f;
            }
            first.get_or_insert(f);
        }
        first.unwrap_or_else(|| self.get(&format!("addonProfiles.{}.{sub}", names[0])))
    }

    pub fn location(&self) -> Option<String> {
        self.get("location")
            .str()
            .map(|s| s.replace(' ', "").to_ascii_lowercase())
    }

    pub fn is_private(&self) -> bool {
        self.get("apiServerAccessProfile.enablePrivateCluster")
            .bool()
            == Some(true)
    }

    pub fn has_entra(&self) -> bool {
        self.get("aadProfile").object().is_some()
    }
}

pub fn pool_path(base: &str, index: usize) -> String {
    join_index(base, index)
}
