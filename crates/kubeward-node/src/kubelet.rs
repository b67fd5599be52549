//! Finding the kubelet in `/proc` and building its effective configuration as the kubelet does:
//! the `--config` file, then the `--config-dir` drop-ins (`*.conf`, sorted by name), then the
//! command-line flags on top, then the kubelet's documented default for anything still absent.
//! Every setting keeps where it came from.

use std::collections::BTreeMap;

use kubeward_core::Source;
use serde_json::Value;

use crate::argv::{Argv, parse_bool};
use crate::hostfs::{FsError, HostFs, MAX_CONFIG_BYTES};

/// Bound on drop-in files read from `--config-dir`.
const MAX_DROP_INS: usize = 256;
/// Bound on sub-directory levels walked under `--config-dir`.
const MAX_DEPTH_DROP_INS: usize = 8;
/// Bound on nesting inside a kubelet configuration.
const MAX_DEPTH: usize = 32;
/// Bound on settings kept from one file, and on the work spent finding their lines (a real
/// KubeletConfiguration has ~100 leaves in ~200 lines; a hostile 4 MB file gets no line numbers).
const MAX_LEAVES: usize = 10_000;
const MAX_LINE_LOOKUPS: usize = 1_000;
const MAX_LINES_FOR_LOOKUP: usize = 5_000;

/// A running process found in `/proc`.
#[derive(Debug, Clone)]
pub struct Process {
    pub pid: u32,
    pub argv: Argv,
    /// `/proc/<pid>/cmdline`, as evidence origin.
    pub cmdline_path: String,
}

pub enum Discovery {
    Found(Process),
    /// `/proc` was read; no process matched.
    NotFound {
        processes: usize,
    },
    /// `/proc` itself could not be read.
    ProcUnreadable(FsError),
}

/// Find a running process by name (`kubelet`, `kube-proxy`): the kernel `comm` name first (cheap),
/// then its argv to confirm. Names match exactly (`kubelet-csr-approver` is not the kubelet). The
/// lowest pid wins, so the answer is deterministic.
pub fn find_process(fs: &HostFs, name: &str) -> Discovery {
    let pids = match fs.pids() {
        Ok(p) => p,
        Err(e) => return Discovery::ProcUnreadable(e),
    };
    for &pid in &pids {
        let comm = match fs.read_proc(&format!("{pid}/comm"), 64) {
            Ok(c) => c,
            Err(_) => continue,
        };
        let comm = String::from_utf8_lossy(&comm);
        let comm = comm.trim();
        // `comm` is the executable's base name cut to 15 bytes; hyperkube runs the kubelet as a
        // sub-command.
        if !(comm == name || comm == "hyperkube") {
            continue;
        }
        let Ok(raw) = fs.read_proc(&format!("{pid}/cmdline"), 256 * 1024) else {
            continue;
        };
        let mut argv = Argv::from_cmdline(&raw);
        if argv.program_name() == "hyperkube" {
            match argv.positional.first() {
                Some(sub) if sub == name || sub == name.trim_start_matches("kube-") => {
                    argv.positional.remove(0);
                }
                _ => continue,
            }
        } else if argv.program_name() != name {
            continue;
        }
        return Discovery::Found(Process {
            pid,
            argv,
            cmdline_path: format!("/proc/{pid}/cmdline"),
        });
    }
    Discovery::NotFound {
        processes: pids.len(),
    }
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Flag {
        flag: String,
        cmdline: String,
    },
    ConfigFile {
        path: String,
        key: String,
        line: Option<u32>,
    },
    DropIn {
        path: String,
        key: String,
        line: Option<u32>,
    },
    /// The `--config` file writes a zero value (`0s`, `""`, `0`) for a field whose zero the
    /// kubelet's defaulting treats as unset, so the default applies (`written` is what the file says).
    ConfigFileZero {
        path: String,
        key: String,
        line: Option<u32>,
        written: String,
    },
    /// The kubelet's default. `with_config`: the defaults of a kubelet started with `--config`
    /// (KubeletConfiguration v1beta1) differ from those of a flags-only kubelet.
    Default {
        key: String,
        with_config: bool,
    },
}

impl Origin {
    pub fn source(&self) -> Source {
        match self {
            Origin::Flag { flag, cmdline } => Source::flag(flag.clone(), cmdline.clone()),
            Origin::ConfigFile { path, key, line } => {
                let mut s = Source::file(path.clone()).with_key(key.clone());
                s.line = *line;
                s.origin = Some("kubelet --config".into());
                s
            }
            Origin::ConfigFileZero {
                path,
                key,
                line,
                written,
            } => {
                let mut s = Source::file(path.clone()).with_key(key.clone());
                s.line = *line;
                s.origin = Some(format!(
                    "kubelet --config writes {written}, which the kubelet's defaulting treats as unset: its default applies"
                ));
                s
            }
            Origin::DropIn { path, key, line } => {
                let mut s = Source::file(path.clone()).with_key(key.clone());
                s.line = *line;
                s.origin = Some("kubelet --config-dir drop-in".into());
                s
            }
            Origin::Default { key, with_config } => {
                let mut s = Source::origin(if *with_config {
                    "kubelet default (KubeletConfiguration v1beta1, --config in use)"
                } else {
                    "kubelet default (flags only, no --config)"
                });
                s.key = Some(key.clone().into());
                s
            }
        }
    }
    pub fn is_default(&self) -> bool {
        matches!(self, Origin::Default { .. })
    }
    /// Short label for the facts block.
    pub fn label(&self) -> String {
        match self {
            Origin::Flag { flag, cmdline } => format!("flag {flag} ({cmdline})"),
            Origin::ConfigFile { path, line, .. } | Origin::DropIn { path, line, .. } => match line
            {
                Some(l) => format!("{path}:{l}"),
                None => path.clone(),
            },
            Origin::ConfigFileZero {
                path,
                line,
                written,
                ..
            } => match line {
                Some(l) => format!("{path}:{l} writes {written}: kubelet default"),
                None => format!("{path} writes {written}: kubelet default"),
            },
            Origin::Default { .. } => "kubelet default".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub value: Value,
    pub origin: Origin,
}

impl Setting {
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) => parse_bool(s),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_str()
    }
    /// The value as people read it (`false`, `0`, `Webhook`, `[a, b]`).
    pub fn display(&self) -> String {
        display_value(&self.value)
    }
}

pub fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) if s.is_empty() => "\"\"".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(display_value).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// How a kubelet flag maps onto a KubeletConfiguration field.
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Str,
    List,
}

/// Kubelet flags that have a KubeletConfiguration field (flags win over the file).
const FLAG_FIELDS: &[(&str, &str, Kind)] = &[
    ("address", "address", Kind::Str),
    (
        "anonymous-auth",
        "authentication.anonymous.enabled",
        Kind::Bool,
    ),
    (
        "authentication-token-webhook",
        "authentication.webhook.enabled",
        Kind::Bool,
    ),
    ("authorization-mode", "authorization.mode", Kind::Str),
    (
        "client-ca-file",
        "authentication.x509.clientCAFile",
        Kind::Str,
    ),
    ("event-burst", "eventBurst", Kind::Int),
    ("event-qps", "eventRecordQPS", Kind::Int),
    (
        "make-iptables-util-chains",
        "makeIPTablesUtilChains",
        Kind::Bool,
    ),
    ("max-pods", "maxPods", Kind::Int),
    ("pod-manifest-path", "staticPodPath", Kind::Str),
    ("pod-max-pids", "podPidsLimit", Kind::Int),
    (
        "protect-kernel-defaults",
        "protectKernelDefaults",
        Kind::Bool,
    ),
    ("read-only-port", "readOnlyPort", Kind::Int),
    ("rotate-certificates", "rotateCertificates", Kind::Bool),
    (
        "rotate-server-certificates",
        "serverTLSBootstrap",
        Kind::Bool,
    ),
    ("seccomp-default", "seccompDefault", Kind::Bool),
    (
        "streaming-connection-idle-timeout",
        "streamingConnectionIdleTimeout",
        Kind::Str,
    ),
    ("tls-cert-file", "tlsCertFile", Kind::Str),
    ("tls-cipher-suites", "tlsCipherSuites", Kind::List),
    ("tls-min-version", "tlsMinVersion", Kind::Str),
    ("tls-private-key-file", "tlsPrivateKeyFile", Kind::Str),
];

/// The flag that sets a configuration field, if any (for remediation text and evidence).
pub fn flag_for(key: &str) -> Option<&'static str> {
    FLAG_FIELDS.iter().find(|f| f.1 == key).map(|f| f.0)
}

/// The kubelet's documented default for a field. `with_config`: KubeletConfiguration v1beta1
/// defaults apply when the kubelet runs with `--config`; without it the legacy flag defaults apply
/// (anonymous auth on, AlwaysAllow, read-only port 10255).
pub fn default_for(key: &str, with_config: bool) -> Option<Value> {
    use serde_json::json;
    Some(match key {
        "authentication.anonymous.enabled" => json!(!with_config),
        "authentication.webhook.enabled" => json!(with_config),
        "authorization.mode" => json!(if with_config {
            "Webhook"
        } else {
            "AlwaysAllow"
        }),
        "readOnlyPort" => json!(if with_config { 0 } else { 10255 }),
        "authentication.x509.clientCAFile"
        | "tlsCertFile"
        | "tlsPrivateKeyFile"
        | "staticPodPath" => {
            json!("")
        }
        "streamingConnectionIdleTimeout" => json!("4h0m0s"),
        "makeIPTablesUtilChains" => json!(true),
        "eventRecordQPS" => json!(50),
        "eventBurst" => json!(100),
        "rotateCertificates"
        | "serverTLSBootstrap"
        | "protectKernelDefaults"
        | "seccompDefault" => {
            json!(false)
        }
        "podPidsLimit" => json!(-1),
        "tlsCipherSuites" => json!([]),
        "address" => json!("0.0.0.0"),
        // Beta and on by default since Kubernetes 1.12.
        "featureGates.RotateKubeletServerCertificate" => json!(true),
        _ => return None,
    })
}

/// Fields of KubeletConfiguration v1beta1 whose defaulting replaces a zero value (not only an
/// absent one): `streamingConnectionIdleTimeout: 0s` in the `--config` file runs as 4h0m0s.
const ZERO_IS_UNSET: &[&str] = &[
    "streamingConnectionIdleTimeout",
    "authorization.mode",
    "eventBurst",
    "address",
];

/// The default the kubelet puts in place of a zero `value` written in the `--config` file.
fn default_replacing_zero(key: &str, value: &Value) -> Option<Value> {
    if !ZERO_IS_UNSET.contains(&key) {
        return None;
    }
    let zero = match value {
        Value::String(s) if key == "streamingConnectionIdleTimeout" => {
            go_duration_is_zero(s) == Some(true)
        }
        Value::String(s) => s.trim().is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        _ => false,
    };
    if zero { default_for(key, true) } else { None }
}

/// Is a Go duration (`0`, `0s`, `0h0m0s`, `4h`) zero? `None` when it is not a duration.
pub fn go_duration_is_zero(d: &str) -> Option<bool> {
    let d = d.trim();
    if d.is_empty() {
        return None;
    }
    let mut any_digit_nonzero = false;
    for c in d.chars() {
        if c.is_ascii_digit() {
            if c != '0' {
                any_digit_nonzero = true;
            }
        } else if !matches!(c, 'h' | 'm' | 's' | 'u' | 'µ' | 'n' | '.') {
            return None;
        }
    }
    Some(!any_digit_nonzero)
}

/// A configuration source that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub line: Option<u32>,
    pub message: String,
}

/// A setting whose effective value cannot be known: no flag sets it and a configuration source
/// that might could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key} is unknown: the kubelet configuration could not be read ({reason})")]
pub struct SettingUnknown {
    pub key: String,
    /// Why the configuration could not be read (the first unreadable source).
    pub reason: String,
}

/// Why a configuration text is not a usable mapping. The messages name no file: callers add it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not valid JSON: {message}")]
    Json { line: Option<u32>, message: String },
    #[error("neither JSON nor valid YAML: {message}")]
    Yaml { line: Option<u32>, message: String },
    #[error("kind is {0:?}, not KubeletConfiguration")]
    WrongKind(String),
    /// The document is a scalar or a list (named here), not a KubeletConfiguration mapping.
    #[error("not a KubeletConfiguration mapping (the document is a {0})")]
    NotKubeletConfiguration(&'static str),
    #[error("not a mapping")]
    NotMapping,
}

impl ParseError {
    /// The 1-based line the error is at, when known.
    pub fn line(&self) -> Option<u32> {
        match self {
            ParseError::Json { line, .. } | ParseError::Yaml { line, .. } => *line,
            ParseError::NotKubeletConfiguration(_) => Some(1),
            ParseError::WrongKind(_) | ParseError::NotMapping => None,
        }
    }
}

/// The effective kubelet configuration with origins.
#[derive(Debug, Clone, Default)]
pub struct KubeletConfig {
    /// Values from the file, the drop-ins and the flags (flags last), by dotted key.
    explicit: BTreeMap<String, Setting>,
    /// The `--config` file (node path), when the kubelet uses one.
    pub config_file: Option<String>,
    /// `--config-dir`, when set.
    pub config_dir: Option<String>,
    pub drop_ins: Vec<String>,
    /// Files that could not be read or parsed: the settings they might hold are unknown.
    pub errors: Vec<ConfigError>,
    pub with_config: bool,
    /// The kubelet's Kubernetes minor version when known: a few defaults changed over time.
    pub minor_version: Option<u32>,
}

impl KubeletConfig {
    pub fn build(fs: &HostFs, proc: &Process) -> KubeletConfig {
        let argv = &proc.argv;
        let mut cfg = KubeletConfig {
            config_file: argv
                .value("config")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            config_dir: argv
                .value("config-dir")
                .filter(|v| !v.is_empty())
                .map(str::to_string),
            ..Default::default()
        };
        cfg.with_config = cfg.config_file.is_some();
        if let Some(path) = cfg.config_file.clone() {
            match load_file(fs, &path) {
                Ok((doc, text)) => cfg.merge(&doc, &text, &path, false),
                Err(e) => cfg.errors.push(e),
            }
        }
        if let Some(dir) = cfg.config_dir.clone() {
            let mut files = Vec::new();
            match drop_in_files(fs, &dir, 0, &mut files) {
                Ok(()) => {
                    for path in files {
                        cfg.drop_ins.push(path.clone());
                        match load_file(fs, &path) {
                            Ok((doc, text)) => cfg.merge(&doc, &text, &path, true),
                            Err(e) => cfg.errors.push(e),
                        }
                    }
                }
                Err(e) => cfg.errors.push(ConfigError {
                    path: dir.clone(),
                    line: None,
                    message: e.to_string(),
                }),
            }
        }
        for (flag, key, kind) in FLAG_FIELDS {
            if let Some(fv) = argv.get(flag) {
                cfg.explicit.insert(
                    key.to_string(),
                    Setting {
                        value: flag_value(&fv.value, *kind),
                        origin: Origin::Flag {
                            flag: format!("--{flag}"),
                            cmdline: proc.cmdline_path.clone(),
                        },
                    },
                );
            }
        }
        for (gate, (on, _)) in &argv.feature_gates {
            cfg.explicit.insert(
                format!("featureGates.{gate}"),
                Setting {
                    value: Value::Bool(*on),
                    origin: Origin::Flag {
                        flag: "--feature-gates".into(),
                        cmdline: proc.cmdline_path.clone(),
                    },
                },
            );
        }
        cfg
    }

    fn merge(&mut self, doc: &Value, text: &str, path: &str, drop_in: bool) {
        let mut leaves = Vec::new();
        flatten(doc, "", 0, &mut leaves);
        let json = text.trim_start().starts_with('{');
        let lines: Vec<&str> = text.lines().take(MAX_LINES_FOR_LOOKUP + 1).collect();
        let lookup = lines.len() <= MAX_LINES_FOR_LOOKUP;
        for (i, (key, value)) in leaves.into_iter().enumerate() {
            // `null` leaves the field unset, as Go's decoder does: the earlier value or the default.
            if value.is_null() {
                continue;
            }
            let line = if lookup && i < MAX_LINE_LOOKUPS {
                find_key_line_in(&lines, &key, json)
            } else {
                None
            };
            let (value, origin) = if drop_in {
                let origin = Origin::DropIn {
                    path: path.into(),
                    key: key.clone(),
                    line,
                };
                (value, origin)
            } else {
                // The --config file is decoded with defaulting, which cannot tell a written zero
                // from an absent field for these keys (drop-ins and flags are applied after it).
                match default_replacing_zero(&key, &value) {
                    Some(default) => (
                        default,
                        Origin::ConfigFileZero {
                            path: path.into(),
                            key: key.clone(),
                            line,
                            written: display_value(&value),
                        },
                    ),
                    None => (
                        value,
                        Origin::ConfigFile {
                            path: path.into(),
                            key: key.clone(),
                            line,
                        },
                    ),
                }
            };
            self.explicit.insert(key, Setting { value, origin });
        }
    }

    /// The effective value of a field: explicit (flag > drop-in > file), else the kubelet default.
    /// `Err` when it cannot be known: not set by a flag and a config source could not be read.
    pub fn effective(&self, key: &str) -> Result<Option<Setting>, SettingUnknown> {
        if let Some(s) = self.explicit.get(key)
            && (matches!(s.origin, Origin::Flag { .. }) || self.errors.is_empty())
        {
            return Ok(Some(s.clone()));
        }
        if let Some(e) = self.errors.first() {
            return Err(SettingUnknown {
                key: key.to_string(),
                reason: e.message.clone(),
            });
        }
        Ok(self.default_value(key).map(|value| Setting {
            value,
            origin: Origin::Default {
                key: key.into(),
                with_config: self.with_config,
            },
        }))
    }

    /// The default of this kubelet: event limits were 5/s (burst 10) before Kubernetes 1.27.
    fn default_value(&self, key: &str) -> Option<Value> {
        match (key, self.minor_version) {
            ("eventRecordQPS", Some(m)) if m < 27 => Some(Value::from(5)),
            ("eventBurst", Some(m)) if m < 27 => Some(Value::from(10)),
            _ => default_for(key, self.with_config),
        }
    }

    /// Every explicit setting plus the defaults of the fields the checks read, for the report.
    pub fn facts(&self) -> BTreeMap<String, Setting> {
        let mut out = self.explicit.clone();
        for (_, key, _) in FLAG_FIELDS {
            if !out.contains_key(*key)
                && let Ok(Some(s)) = self.effective(key)
            {
                out.insert(key.to_string(), s);
            }
        }
        let gate = "featureGates.RotateKubeletServerCertificate";
        if !out.contains_key(gate)
            && let Ok(Some(s)) = self.effective(gate)
        {
            out.insert(gate.to_string(), s);
        }
        out
    }
}

/// The `*.conf` files of `--config-dir` in the order the kubelet merges them: it walks the
/// directory tree (sub-directories included) in lexical order. Bounded in depth and count.
fn drop_in_files(
    fs: &HostFs,
    dir: &str,
    depth: usize,
    out: &mut Vec<String>,
) -> Result<(), FsError> {
    for name in fs.list_dir(dir, MAX_DROP_INS)? {
        if out.len() >= MAX_DROP_INS {
            break;
        }
        let path = format!("{}/{}", dir.trim_end_matches('/'), name);
        let is_dir = fs.stat(&path).is_ok_and(|st| st.kind == "directory");
        if is_dir {
            // A sub-directory that cannot be listed is a drop-in source that cannot be read.
            if depth < MAX_DEPTH_DROP_INS {
                drop_in_files(fs, &path, depth + 1, out)?;
            }
        } else if name.ends_with(".conf") {
            out.push(path);
        }
    }
    Ok(())
}

fn flag_value(raw: &str, kind: Kind) -> Value {
    match kind {
        Kind::Bool => parse_bool(raw).map_or_else(|| Value::String(raw.into()), Value::Bool),
        Kind::Int => raw
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Value::String(raw.into()), Value::from),
        Kind::Str => Value::String(raw.into()),
        Kind::List => Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.into()))
                .collect(),
        ),
    }
}

/// Read and parse a kubelet configuration file (JSON or YAML), bounded.
pub fn load_file(fs: &HostFs, path: &str) -> Result<(Value, String), ConfigError> {
    let err = |line: Option<u32>, message: String| ConfigError {
        path: path.into(),
        line,
        message,
    };
    let text = fs
        .read_string(path, MAX_CONFIG_BYTES)
        .map_err(|e| err(None, e.to_string()))?;
    let doc = parse_config_text(&text).map_err(|e| err(e.line(), format!("{path}: {e}")))?;
    Ok((doc, text))
}

/// Parse any JSON or YAML mapping (kube-proxy configuration and the like).
pub fn parse_config_any(text: &str) -> Result<Value, ParseError> {
    let doc = parse_json_or_yaml(text)?;
    if doc.is_object() {
        Ok(doc)
    } else {
        Err(ParseError::NotMapping)
    }
}

/// JSON when it looks like JSON, else YAML.
fn parse_json_or_yaml(text: &str) -> Result<Value, ParseError> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| ParseError::Json {
            line: u32::try_from(e.line()).ok(),
            message: e.to_string(),
        })
    } else {
        serde_saphyr::from_str::<Value>(text).map_err(|e| {
            let (line, message) = yaml_error(&e);
            ParseError::Yaml { line, message }
        })
    }
}

/// Parse a kubelet configuration: JSON when it looks like JSON, else YAML. Must be a mapping.
pub fn parse_config_text(text: &str) -> Result<Value, ParseError> {
    let doc = parse_json_or_yaml(text)?;
    match &doc {
        Value::Object(m) => {
            if let Some(kind) = m.get("kind").and_then(Value::as_str)
                && kind != "KubeletConfiguration"
            {
                return Err(ParseError::WrongKind(kind.to_string()));
            }
            Ok(doc)
        }
        Value::Null => Ok(Value::Object(Default::default())),
        other => Err(ParseError::NotKubeletConfiguration(match other {
            Value::String(_) => "string",
            Value::Array(_) => "list",
            Value::Number(_) => "number",
            _ => "scalar",
        })),
    }
}

/// A YAML error as one line plus its line number: the parser's own rendering adds a multi-line
/// source snippet, which would echo the file's content into the report.
fn yaml_error(e: &serde_saphyr::Error) -> (Option<u32>, String) {
    let line = e
        .location()
        .and_then(|l| u32::try_from(l.line()).ok())
        .filter(|l| *l >= 1);
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    (line, first.to_string())
}

fn flatten(v: &Value, prefix: &str, depth: usize, out: &mut Vec<(String, Value)>) {
    if out.len() >= MAX_LEAVES {
        return;
    }
    match v {
        Value::Object(m) if depth < MAX_DEPTH && !m.is_empty() => {
            for (k, child) in m {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(child, &key, depth + 1, out);
            }
        }
        _ if prefix.is_empty() => {}
        other => out.push((prefix.to_string(), other.clone())),
    }
}

/// 1-based line of a dotted key in a JSON or YAML text: each segment is searched after the line of
/// the previous one. Cheap and right for the layouts kubelet configs use.
pub fn find_key_line(text: &str, key: &str, json: bool) -> Option<u32> {
    let lines: Vec<&str> = text.lines().collect();
    find_key_line_in(&lines, key, json)
}

fn find_key_line_in(lines: &[&str], key: &str, json: bool) -> Option<u32> {
    let mut start = 0usize;
    let mut found = None;
    for seg in key.split('.') {
        let needle_json = format!("\"{seg}\"");
        let hit = lines.iter().enumerate().skip(start).find(|(_, l)| {
            if json {
                l.contains(&needle_json)
            } else {
                let t = l.trim_start().trim_start_matches("- ");
                t.strip_prefix(seg)
                    .or_else(|| t.strip_prefix(&needle_json))
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            }
        });
        let (i, _) = hit?;
        found = Some(i);
        start = i + 1;
    }
    found.and_then(|i| u32::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_lines_in_json_and_yaml() {
        let j = "{\n  \"authentication\": {\n    \"anonymous\": {\n      \"enabled\": false\n    }\n  },\n  \"readOnlyPort\": 0\n}";
        assert_eq!(
            find_key_line(j, "authentication.anonymous.enabled", true),
            Some(4)
        );
        assert_eq!(find_key_line(j, "readOnlyPort", true), Some(7));
        let y = "kind: KubeletConfiguration\nauthentication:\n  webhook:\n    enabled: true\n  anonymous:\n    enabled: false\n";
        assert_eq!(
            find_key_line(y, "authentication.anonymous.enabled", false),
            Some(6)
        );
    }

    #[test]
    fn parse_rejects_non_mappings_and_other_kinds() {
        assert!(parse_config_text("just a line of text").is_err());
        assert!(parse_config_text("kind: Pod\n").is_err());
        assert!(parse_config_text("{ \"readOnlyPort\": ").is_err());
        assert!(parse_config_text("readOnlyPort: 0\n").is_ok());
    }

    #[test]
    fn zero_in_the_config_file_is_defaulted_in_a_drop_in_or_flag_it_is_zero() {
        let mut cfg = KubeletConfig {
            with_config: true,
            ..Default::default()
        };
        let file = "streamingConnectionIdleTimeout: 0s\nauthorization:\n  mode: \"\"\nreadOnlyPort: null\neventBurst: 0\n";
        let doc = parse_config_text(file).unwrap();
        cfg.merge(&doc, file, "/var/lib/kubelet/config.yaml", false);
        let s = cfg
            .effective("streamingConnectionIdleTimeout")
            .unwrap()
            .unwrap();
        assert_eq!(s.value, Value::from("4h0m0s"));
        assert!(
            matches!(&s.origin, Origin::ConfigFileZero { written, line: Some(1), .. } if written == "0s")
        );
        assert!(
            s.origin
                .source()
                .origin
                .unwrap()
                .contains("treats as unset")
        );
        let authz = cfg.effective("authorization.mode").unwrap().unwrap();
        assert_eq!(authz.value, Value::from("Webhook"));
        assert_eq!(
            cfg.effective("eventBurst").unwrap().unwrap().value,
            Value::from(100)
        );
        // null is "not written": the default applies, with the default's origin.
        let ro = cfg.effective("readOnlyPort").unwrap().unwrap();
        assert!(ro.origin.is_default() && ro.value == 0);
        // A drop-in is merged after defaulting: its zero stays zero.
        let drop_in = "streamingConnectionIdleTimeout: 0s\n";
        let doc = parse_config_text(drop_in).unwrap();
        cfg.merge(
            &doc,
            drop_in,
            "/etc/kubernetes/kubelet.conf.d/50.conf",
            true,
        );
        let s = cfg
            .effective("streamingConnectionIdleTimeout")
            .unwrap()
            .unwrap();
        assert_eq!(s.value, Value::from("0s"));
        assert!(matches!(s.origin, Origin::DropIn { .. }));
        // Only zeros: an address of 0.0.0.0 is a value, not a zero duration.
        assert_eq!(
            default_replacing_zero("address", &Value::from("0.0.0.0")),
            None
        );
        // Other zeros are real values (readOnlyPort 0 disables the port).
        assert_eq!(
            default_replacing_zero("readOnlyPort", &Value::from(0)),
            None
        );
        assert_eq!(
            default_replacing_zero("streamingConnectionIdleTimeout", &Value::from("5m")),
            None
        );
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_is_zero("0"), Some(true));
        assert_eq!(go_duration_is_zero("0h0m0s"), Some(true));
        assert_eq!(go_duration_is_zero("4h"), Some(false));
        assert_eq!(go_duration_is_zero("forever"), None);
    }

    #[test]
    fn event_limits_default_by_version() {
        let mut cfg = KubeletConfig {
            with_config: true,
            minor_version: Some(26),
            ..Default::default()
        };
        let qps = cfg.effective("eventRecordQPS").unwrap().unwrap();
        assert_eq!((qps.value, qps.origin.is_default()), (Value::from(5), true));
        cfg.minor_version = Some(27);
        assert_eq!(cfg.effective("eventRecordQPS").unwrap().unwrap().value, 50);
        cfg.minor_version = None;
        assert_eq!(cfg.effective("eventBurst").unwrap().unwrap().value, 100);
    }

    #[test]
    fn defaults_depend_on_config_use() {
        assert_eq!(default_for("readOnlyPort", true), Some(Value::from(0)));
        assert_eq!(default_for("readOnlyPort", false), Some(Value::from(10255)));
        assert_eq!(
            default_for("authorization.mode", false),
            Some(Value::from("AlwaysAllow"))
        );
    }
}
