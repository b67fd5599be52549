//! Credentials written into ConfigMaps.

use kubeward_core::{Area, CheckDoc, CheckMeta, RefStatic, Severity, Status};

use super::*;

pub static META: CheckMeta = CheckMeta {
    code: "A033",
    name: "configmap-credentials",
    since: "0.1.0",
    aliases: &[],
    title: "ConfigMap written with credentials in it",
    area: Area::Audit,
    severity: Severity::Medium,
    references: &[
        RefStatic::mitre("T1552"),
        ms("MS-TA9027"),
        falco("Create/Modify Configmap With Private Credentials"),
    ],
    profiles: &[],
    kubeward_own: true,
    doc: CheckDoc {
        what: "Successful create/update/patch of ConfigMaps holding credentials, in a data key of their own (`DB_PASSWORD: …`) or inside a value written as a config file: ini and AWS credentials files (`aws_secret_access_key = …`), Java properties, TOML, YAML (`client_secret: …`), .env (`export DB_PASS=…`), .npmrc (`//registry/:_authToken=…`, `_auth`, `_password`), connection strings (`Password=…;`, `Pwd=`, `AccountKey=`, `SharedAccessKey=`) and JSON documents. A key names a credential when one of its words contains password, passwd, passphrase or secret, ends in token or pwd, or is pass, api key, account key, private key or shared access key, unless its last word says the value is somewhere else or is a setting (file, path, name, ref, url, ttl, length, enabled…); the value must not be a placeholder (empty, `${VAR}`, `$VAR`, `{{ … }}`, `<…>`, `%VAR%`, `@Microsoft.KeyVault(…)`, sops `ENC[…]`, Ansible `!vault`, `****`, a boolean). Default passwords such as `changeme` are reported: they work wherever nobody changed them. Whatever the key, these value shapes are reported: PEM private keys (not certificates), AWS access key ids (AKIA/ASIA and 16 characters), GitHub, npm and Slack tokens by their prefixes, and passwords in URLs (`scheme://user:password@host`). The keyword approach follows detect-secrets' KeywordDetector and gitleaks' generic-api-key rule; the shapes follow gitleaks' private-key, aws-access-token, github-pat, npm-access-token and slack-bot-token rules and detect-secrets' AWSKeyDetector, AzureStorageKeyDetector, NpmDetector and BasicAuthDetector. Values are never copied into the report: only the key and line. It needs ConfigMap bodies: AKS's fixed audit policy logs configmaps at Metadata, so on AKS this rule cannot fire and the report says so.",
        why: "ConfigMaps are readable by far more identities than secrets and are not encrypted specially: credentials in them leak.",
        fix: "Move the values to a Secret or to Azure Key Vault (Secrets Store CSI driver add-on) and rotate them.",
        links: &[
            "https://kubernetes.io/docs/concepts/configuration/configmap/",
            "https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html",
            "https://learn.microsoft.com/azure/storage/common/storage-configure-connection-string",
            "https://docs.npmjs.com/cli/configuring-npm/npmrc",
            "https://github.com/gitleaks/gitleaks/blob/master/config/gitleaks.toml",
            "https://github.com/Yelp/detect-secrets#viewing-all-enabled-plugins",
        ],
        bad: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0041-3c1e-4b7a-9d2e-8a61c0d20041", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/configmaps", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "configmaps", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "web-config", "namespace": "shop"}, "data": {"DB_HOST": "shopdb.postgres.database.azure.com", "DB_PASSWORD": "S3cure!pa55"}}}"#,
        good: r#"{"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse", "auditID": "5f0c0042-3c1e-4b7a-9d2e-8a61c0d20042", "stage": "ResponseComplete", "requestURI": "/api/v1/namespaces/shop/configmaps", "verb": "create", "user": {"username": "alice@contoso.com", "groups": ["system:authenticated"]}, "sourceIPs": ["203.0.113.7"], "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "objectRef": {"resource": "configmaps", "namespace": "shop", "apiVersion": "v1"}, "responseStatus": {"metadata": {}, "code": 201}, "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z", "stageTimestamp": "2026-11-20T10:00:00.050000Z", "annotations": {"authorization.k8s.io/decision": "allow", "authorization.k8s.io/reason": ""}, "requestObject": {"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "web-config", "namespace": "shop"}, "data": {"DB_HOST": "shopdb.postgres.database.azure.com", "DB_PASSWORD_FILE": "/mnt/secrets-store/db-password"}}}"#,
    },
};

pub static CHECK: Check = Check::new(&META, Needs::bodies(&["configmaps"]), Status::Fail, eval);

/// Words of a key name that make it a credential's key (detect-secrets' KeywordDetector and
/// gitleaks' generic-api-key rule work from similar lists). A word matches when it contains
/// one of `CONTAINS`, ends with one of `ENDS`, or is one of `EXACT`.
const CONTAINS: &[&str] = &["password", "passwd", "passphrase", "secret"];
const ENDS: &[&str] = &["token", "pwd"];
const EXACT: &[&str] = &[
    "pass",
    "apikey",
    "accountkey",
    "privatekey",
    "sharedaccesskey",
];
/// The same compounds written as several words (`api_key`, `AccountKey`, `private-key`).
const COMPOUNDS: &[&str] = &["apikey", "accountkey", "privatekey", "sharedaccesskey"];
/// Last words that make a credential-sounding key hold something else: where the credential
/// is (`password_file`, `secretName`, `tokenUrl`, `secretKeyRef`) or a setting about it
/// (`passwordMinLength`, `token_ttl`, `secretsEnabled`).
const NOT_A_VALUE: &[&str] = &[
    "file",
    "path",
    "dir",
    "name",
    "names",
    "ref",
    "url",
    "uri",
    "endpoint",
    "length",
    "len",
    "expiry",
    "expiration",
    "expires",
    "ttl",
    "timeout",
    "lifetime",
    "seconds",
    "policy",
    "enabled",
    "enable",
    "required",
    "type",
    "header",
    "field",
    "mount",
    "env",
    "location",
    "format",
    "algorithm",
    "mode",
    "size",
    "count",
    "version",
    "prefix",
    "pattern",
    "regex",
];
/// npm's `.npmrc` credentials, as the key after the registry prefix (`//host/:_auth`).
const NPMRC_KEYS: &[&str] = &["_auth", "_authtoken", "_password"];

/// The words of a key name: split on punctuation and camelCase, lower-cased.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a key (a ConfigMap data key, or a key inside a config file) names a credential.
pub(crate) fn is_credential_key(key: &str) -> bool {
    let last = key.rsplit([':', '/']).next().unwrap_or(key).trim();
    if NPMRC_KEYS.iter().any(|k| last.eq_ignore_ascii_case(k)) {
        return true;
    }
    let w = words(key);
    let Some(tail) = w.last() else { return false };
    if NOT_A_VALUE.contains(&tail.as_str()) {
        return false;
    }
    let joined = w.concat();
    w.iter().any(|w| {
        CONTAINS.iter().any(|p| w.contains(p))
            || ENDS.iter().any(|p| w.ends_with(p))
            || EXACT.contains(&w.as_str())
    }) || COMPOUNDS.iter().any(|c| joined.contains(c))
}

/// Whether a value stands in for a credential rather than being one: empty, a variable or
/// template reference (`${DB_PASSWORD}`, `$TOKEN`, `{{ .Values.x }}`, `%(pw)s`, `#{x}`,
/// `%PASSWORD%`, `<your-password>`), a reference to a vault (`@Microsoft.KeyVault(…)`, sops
/// `ENC[…]`), masked (`****`, `xxxx`, `REDACTED`), a boolean or null. Default passwords such as
/// `changeme` are reported: they are credentials that work wherever nobody changed them.
pub(crate) fn is_placeholder(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'').trim();
    let lower = v.to_ascii_lowercase();
    let wrapped = |open: &str, close: &str| v.starts_with(open) && v.ends_with(close);
    v.is_empty()
        || wrapped("${", "}")
        || wrapped("$(", ")")
        || wrapped("{{", "}}")
        || wrapped("%(", "s")
        || wrapped("#{", "}")
        || wrapped("<", ">")
        || (wrapped("%", "%") && v.len() > 2)
        || (v.starts_with('$')
            && v.len() > 1
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
        || v.starts_with("@Microsoft.KeyVault(")
        || v.starts_with("ENC[")
        || v.starts_with("!vault")
        || (v.len() >= 3 && v.chars().all(|c| c == '*' || c == 'x' || c == 'X'))
        || matches!(
            lower.as_str(),
            "redacted" | "true" | "false" | "yes" | "no" | "null" | "nil" | "none" | "~"
        )
}

/// Credential shapes recognised in any value, whatever its key (gitleaks rule ids and
/// detect-secrets plugin names in brackets).
fn value_shape(text: &str) -> Option<&'static str> {
    if text.contains("PRIVATE KEY-----") {
        // [private-key, PrivateKeyDetector]; certificates (public) are not matched.
        return Some("private key");
    }
    for (label, key) in [
        ("Azure storage account key", "AccountKey="),
        ("Azure shared access key", "SharedAccessKey="),
    ] {
        // [AzureStorageKeyDetector]
        if let Some(i) = text.find(key) {
            let val = text[i + key.len()..].split(';').next().unwrap_or("");
            if !is_placeholder(val) {
                return Some(label);
            }
        }
    }
    // Token formats with a fixed prefix and length [aws-access-token / AWSKeyDetector,
    // github-pat / GitHubTokenDetector, npm-access-token / NpmDetector, slack-bot-token /
    // SlackDetector].
    const PREFIXED: &[(&str, &str, usize, bool)] = &[
        ("AWS access key id", "AKIA", 16, true),
        ("AWS temporary access key id", "ASIA", 16, true),
        ("GitHub token", "ghp_", 36, false),
        ("GitHub token", "gho_", 36, false),
        ("GitHub token", "ghs_", 36, false),
        ("GitHub token", "ghu_", 36, false),
        ("GitHub token", "github_pat_", 22, false),
        ("npm token", "npm_", 36, false),
        ("Slack token", "xoxb-", 10, false),
        ("Slack token", "xoxp-", 10, false),
    ];
    for (label, prefix, len, upper) in PREFIXED {
        let mut from = 0;
        while let Some(i) = text[from..].find(prefix) {
            let at = from + i;
            from = at + prefix.len();
            let before_ok = text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            let body: Vec<char> = text[from..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || (!upper && matches!(c, '_' | '-')))
                .collect();
            let fits = if *upper {
                body.len() == *len
                    && body
                        .iter()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            } else {
                body.len() >= *len
            };
            if before_ok && fits {
                return Some(label);
            }
        }
    }
    // A password in a URL's user info, `scheme://user:password@host` [BasicAuthDetector].
    let mut from = 0;
    while let Some(i) = text[from..].find("://") {
        let start = from + i + 3;
        from = start;
        let authority = text[start..]
            .split(|c: char| c == '/' || c.is_whitespace() || c == '"' || c == '\'')
            .next()
            .unwrap_or("");
        if let Some((userinfo, _host)) = authority.rsplit_once('@')
            && let Some((_, pw)) = userinfo.split_once(':')
            && !is_placeholder(pw)
        {
            return Some("password in a URL");
        }
    }
    None
}

/// A `key = value`, `key: value` or `"key": "value"` assignment in one line of a config file
/// (ini, properties, TOML, YAML, .env, .npmrc, pretty-printed JSON). `None` for comments and
/// lines without one.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let t = line.trim();
    if t.starts_with('#') || t.starts_with(';') || t.starts_with('!') || t.starts_with("<!--") {
        return None;
    }
    let t = t.strip_prefix("export ").unwrap_or(t);
    let t = t.strip_prefix("- ").unwrap_or(t);
    let eq = t.find('=');
    let colon = [": ", ":\t"]
        .iter()
        .filter_map(|c| t.find(c))
        .min()
        .or_else(|| t.ends_with(':').then(|| t.len() - 1));
    let at = match (eq, colon) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let key = t[..at].trim().trim_matches(|c| c == '"' || c == '\'');
    let value = t[at + 1..]
        .trim()
        .trim_end_matches(',')
        .trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty()).then_some((key, value))
}

/// Where a ConfigMap value holds a credential: each hit as `what (line N)`.
fn hits_in_value(value: &str) -> Vec<String> {
    let mut hits = Vec::new();
    let trimmed = value.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(json) = serde_json::from_str::<Value>(trimmed)
    {
        json_hits(&json, &mut hits);
        if let Some(shape) = value_shape(value) {
            hits.push(shape.to_string());
        }
        return hits;
    }
    for (n, line) in value.lines().enumerate() {
        // A connection string is several `key=value` pairs in one line.
        for part in line.split(';') {
            if let Some((key, val)) = assignment(part)
                && is_credential_key(key)
                && !is_placeholder(val)
            {
                hits.push(format!("{key} (line {})", n + 1));
            }
        }
        if let Some(shape) = value_shape(line) {
            hits.push(format!("{shape} (line {})", n + 1));
        }
    }
    hits
}

/// Credential keys with a value, anywhere in a JSON document held in a ConfigMap value.
fn json_hits(v: &Value, hits: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, val) in map {
                match val {
                    Value::String(s) if is_credential_key(k) && !is_placeholder(s) => {
                        hits.push(k.clone())
                    }
                    Value::Number(_) if is_credential_key(k) => hits.push(k.clone()),
                    _ => json_hits(val, hits),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| json_hits(i, hits)),
        _ => {}
    }
}

fn eval(v: &EventView, _: &Config) -> Option<String> {
    if v.resource() != "configmaps" || !v.is_modify() || !is_completed_by_person(v) {
        return None;
    }
    let data = v.object()?.get("data")?.as_object()?;
    let mut found: Vec<String> = Vec::new();
    for (k, val) in data {
        let text = val.as_str().unwrap_or("");
        // The data key itself names a credential (`DB_PASSWORD: …`) and holds a single value.
        if is_credential_key(k) && !text.contains('\n') && !is_placeholder(text) {
            found.push(k.clone());
            continue;
        }
        let inner = hits_in_value(text);
        if !inner.is_empty() {
            found.push(format!("{k}: {}", inner.join(", ")));
        }
    }
    (!found.is_empty()).then(|| {
        format!(
            "{} {}: keys [{}]",
            v.verb(),
            object_name(v),
            found.join("; ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use serde_json::json;

    fn cm(data: serde_json::Value) -> serde_json::Value {
        json!({"objectRef": {"resource": "configmaps", "name": "app"}, "requestObject": {"kind": "ConfigMap", "data": data}})
    }

    #[test]
    fn fires_on_password_key_and_storage_key() {
        assert!(fires(&CHECK, cm(json!({"DB_PASSWORD": "hunter2"}))));
        assert!(fires(
            &CHECK,
            cm(json!({"conn": "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=abc=="}))
        ));
    }

    /// Item 2 (issue 13): credentials inside values written as config files, in the shapes
    /// applications read them. Each value below holds one credential.
    #[test]
    fn item2_credentials_inside_config_files() {
        let files = [
            // AWS shared credentials file (ini).
            (
                "credentials",
                "[default]\nregion = westeurope\naws_access_key_id = AKIAKWRDTESTKEY00001\naws_secret_access_key = q9Vt2kWrdTest/Kubeward+Only0000000000000\n",
            ),
            // The same file without the key id: the secret key alone.
            (
                "credentials-2",
                "[ci]\naws_secret_access_key=Zq1kubewardTestValueNotARealKey00000000\n",
            ),
            // Java properties.
            (
                "application.properties",
                "spring.datasource.url=jdbc:postgresql://db:5432/shop\nspring.datasource.username=shop\nspring.datasource.password=Orchard-Lamp-42\n",
            ),
            // YAML with an OAuth client.
            (
                "oauth.yaml",
                "oauth:\n  issuer: https://login.contoso.example/\n  client_id: 6f1c2d3e-0000-4000-8000-00000000c0de\n  client_secret: qF8~kubeward.test.secret\n",
            ),
            // .npmrc with a registry token.
            (
                ".npmrc",
                "registry=https://npm.contoso.example/\n//npm.contoso.example/:_authToken=tok-kubeward-test-0001\nalways-auth=true\n",
            ),
            // .npmrc with basic auth.
            (
                ".npmrc-basic",
                "//npm.contoso.example/:_auth=a3ViZXdhcmQ6dGVzdA==\n",
            ),
            // .env with export and quotes.
            (
                "app.env",
                "export LOG_LEVEL=info\nexport DB_PASS=\"river-stone-9\"\n",
            ),
            // SQL Server connection string.
            (
                "db.conn",
                "Server=tcp:sql1.contoso.example,1433;Database=shop;User ID=app;Password=Kettle!Blue7;Encrypt=true;",
            ),
            // ODBC-style, Pwd.
            (
                "odbc.ini",
                "[shop]\nDriver=PostgreSQL\nConnString=Host=db;Uid=app;Pwd=Maple#31\n",
            ),
            // Azure Storage connection string inside YAML.
            (
                "storage.yaml",
                "storage:\n  connection: DefaultEndpointsProtocol=https;AccountName=shopdata;AccountKey=a3ViZXdhcmQtdGVzdC1rZXk=;EndpointSuffix=core.windows.net\n",
            ),
            // TOML.
            (
                "config.toml",
                "[database]\nhost = \"db\"\npassword = \"Quill-Harbor-5\"\n",
            ),
            // A JSON document in a value, compact.
            (
                "appsettings.json",
                r#"{"Logging":{"LogLevel":"Information"},"Db":{"User":"app","Password":"Tulip-88"}}"#,
            ),
            // Pretty-printed JSON.
            (
                "settings.json",
                "{\n  \"apiKey\": \"k-kubeward-test-77\",\n  \"region\": \"eu\"\n}",
            ),
            // A password in a URL, under a key that only says url.
            (
                "db.env",
                "DATABASE_URL=postgres://app:Quartz-19@db:5432/shop\n",
            ),
            // A private key.
            (
                "tls.key",
                "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKubewardTestOnly\n-----END EC PRIVATE KEY-----\n",
            ),
            // A GitHub token under a neutral key.
            (
                "git.conf",
                "[ci]\nremote = https://github.com/contoso/shop\nkey = ghp_kubewardTESTkubewardTESTkubewardTEST12\n",
            ),
            // A default password is still a working password.
            ("default.ini", "[admin]\npassword = changeme\n"),
        ];
        for (name, text) in files {
            let d = fires_with(&CHECK, &Config::default(), cm(json!({ name: text })));
            let d = d.unwrap_or_else(|| panic!("{name} not reported"));
            assert!(d.contains(name), "{d}");
        }
        // The detail names the key and the line, never the value.
        let d = fires_with(
            &CHECK,
            &Config::default(),
            cm(json!({"application.properties": files[2].1})),
        )
        .unwrap();
        assert!(d.contains("spring.datasource.password (line 3)"), "{d}");
        assert!(!d.contains("Orchard"), "{d}");
    }

    /// Item 2 (issue 13): placeholders, references to where a credential is kept, settings
    /// about credentials and public certificates are not credentials.
    #[test]
    fn item2_placeholders_and_lookalikes_are_not_reported() {
        let files = [
            (
                "app.ini",
                "[db]\npassword = ${DB_PASSWORD}\npassword2 = $DB_PASSWORD\n",
            ),
            (
                "helm.yaml",
                "auth:\n  client_secret: {{ .Values.oauth.secret }}\n  token: ''\n  password: <your-password>\n  apiKey: \"****\"\n",
            ),
            ("win.ini", "[svc]\nPassword=%SERVICE_PASSWORD%\n"),
            (
                "refs.yaml",
                "tls:\n  secretName: shop-tls\n  secretKeyRef: api-key\npassword_file: /var/run/secrets/db/password\ntoken_ttl = 3600\ntokenUrl: https://login.contoso.example/oauth2/token\npasswordMinLength: 12\n",
            ),
            (
                "llm.yaml",
                "model: small\nmax_tokens: 512\ntokenizer: bpe\nauth: true\n",
            ),
            (
                "appsettings.json",
                r#"{"Db":{"Password":"@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/db/)"},"Token":null}"#,
            ),
            (
                "sops.yaml",
                "password: ENC[AES256_GCM,data:Zm9v,type:str]\n",
            ),
            (
                "ca.crt",
                "-----BEGIN CERTIFICATE-----\nMIIBkubewardTestOnly\n-----END CERTIFICATE-----\n",
            ),
            (
                "conn",
                "Server=db;Database=shop;Integrated Security=true;Password=;",
            ),
            (
                "urls",
                "upstream: https://api.contoso.example/v1?token_type=bearer\nproxy: http://proxy.contoso.example:3128\n",
            ),
            (
                "ids",
                "aws_access_key_id_env = AWS_ACCESS_KEY_ID\nAKIA = prefix only\n",
            ),
        ];
        for (name, text) in files {
            assert_eq!(
                fires_with(&CHECK, &Config::default(), cm(json!({ name: text }))),
                None,
                "{name}"
            );
        }
        // A data key that names a credential but holds a placeholder.
        assert!(!fires(&CHECK, cm(json!({"DB_PASSWORD": "${DB_PASSWORD}"}))));
        assert!(!fires(&CHECK, cm(json!({"secretName": "shop-tls"}))));
    }

    #[test]
    fn credential_key_words() {
        for k in [
            "aws_secret_access_key",
            "client_secret",
            "clientSecret",
            "DB_PASS",
            "PGPASSWORD",
            "//r.example/:_authToken",
            "_auth",
            "api-key",
            "AccountKey",
            "private_key",
            "github_token",
            "dbPwd",
        ] {
            assert!(is_credential_key(k), "{k}");
        }
        for k in [
            "secretName",
            "password_file",
            "max_tokens",
            "tokenizer",
            "auth",
            "aws_access_key_id",
            "tokenUrl",
            "passwordMinLength",
            "username",
            "keyPath",
        ] {
            assert!(!is_credential_key(k), "{k}");
        }
    }

    #[test]
    fn silent_on_plain_config_and_metadata_level() {
        assert!(!fires(&CHECK, cm(json!({"LOG_LEVEL": "debug"}))));
        assert!(!fires(
            &CHECK,
            json!({"level": "Metadata", "objectRef": {"resource": "configmaps"}})
        ));
    }
}
