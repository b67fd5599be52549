//! Credentials for the Blob REST API and the Shared Key signature.
//!
//! - A container URL with a SAS token: the token's query is appended to every request.
//! - A connection string: `AccountName` + `AccountKey` sign each request (Shared Key), or its
//!   `SharedAccessSignature` is used as a SAS.
//! - Microsoft Entra ID (workload identity): a bearer token, see [`super::entra`].
//!
//! Secrets never appear in messages: errors name the missing or bad part, never its value.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use reqwest::Url;
use sha2::Sha256;

/// The REST API version sent as `x-ms-version` (supported by Azure and by the emulator).
pub const API_VERSION: &str = "2021-08-06";

/// How requests are authorised.
#[derive(Clone)]
pub enum Credential {
    /// A SAS token's query (without the leading `?`), appended to every request.
    Sas(String),
    /// Shared Key: the account's name and its decoded key.
    SharedKey { account: String, key: Vec<u8> },
    /// A Microsoft Entra ID bearer token (workload identity), fetched and renewed by the client.
    Entra,
    /// No credential (a public container).
    Anonymous,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.kind())
    }
}

impl Credential {
    /// What kind of credential, for messages (never its value).
    pub fn kind(&self) -> &'static str {
        match self {
            Credential::Sas(_) => "SAS",
            Credential::SharedKey { .. } => "Shared Key",
            Credential::Entra => "Entra ID",
            Credential::Anonymous => "anonymous",
        }
    }

    /// The secret strings to scrub from any message (the SAS query, its signature, the key).
    pub fn secrets(&self) -> Vec<String> {
        match self {
            Credential::Sas(q) => {
                let mut v = vec![q.clone()];
                for (k, val) in url_pairs(q) {
                    if k.eq_ignore_ascii_case("sig") && !val.is_empty() {
                        v.push(val.clone());
                        v.push(percent_encode(&val, false));
                    }
                }
                v
            }
            Credential::SharedKey { key, .. } => vec![B64.encode(key)],
            Credential::Entra | Credential::Anonymous => Vec::new(),
        }
    }
}

/// A container to read: its URL without a query, its name, and the credential.
#[derive(Debug, Clone)]
pub struct Target {
    /// `https://ACCOUNT.blob.core.windows.net/CONTAINER` or, path-style,
    /// `http://127.0.0.1:10000/ACCOUNT/CONTAINER`; no trailing slash, no query.
    pub container_url: Url,
    pub container: String,
    pub credential: Credential,
}

/// Why a container cannot be addressed from what was given (never quotes a key or a SAS).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "the container URL is not a URL ({0}); expected https://ACCOUNT.blob.core.windows.net/CONTAINER?SAS"
    )]
    ContainerUrl(String),
    #[error("the container URL must be https:// (or http:// for an emulator)")]
    ContainerUrlScheme,
    #[error("the container URL has no container name in its path (…/CONTAINER?SAS)")]
    NoContainerInUrl,
    #[error("the container URL's query is not a SAS token (it has no sig= signature)")]
    NotSas,
    #[error("the connection string is not a list of Key=Value; parts")]
    NotKeyValues,
    #[error("--container must be a container's name")]
    ContainerName,
    #[error("the connection string's BlobEndpoint: {0}")]
    BlobEndpoint(String),
    #[error("the connection string has neither BlobEndpoint nor AccountName")]
    NoEndpoint,
    #[error("the connection string's account or endpoint suffix: {0}")]
    AccountOrSuffix(String),
    #[error("the blob endpoint must be https:// (or http:// for an emulator)")]
    EndpointScheme,
    #[error("the connection string has an AccountKey but no AccountName")]
    KeyWithoutAccount,
    #[error("the connection string's AccountKey is not base64")]
    KeyNotBase64,
    #[error("the connection string's AccountKey is empty")]
    KeyEmpty,
    #[error("the connection string has neither AccountKey nor SharedAccessSignature")]
    NoCredential,
    #[error("--storage-account-url: {0}")]
    AccountUrl(String),
    #[error("--storage-account-url must be https://")]
    AccountUrlScheme,
    #[error("--storage-account-url takes no query: a SAS goes in --storage-container-url-env")]
    AccountUrlQuery,
}

/// Parses a container URL with its SAS token (`https://acct.blob.core.windows.net/c?sv=…&sig=…`).
pub fn from_container_url(s: &str) -> Result<Target, TargetError> {
    let mut url = Url::parse(s.trim()).map_err(|e| TargetError::ContainerUrl(e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::ContainerUrlScheme);
    }
    let query = url.query().map(str::to_string).unwrap_or_default();
    url.set_query(None);
    url.set_fragment(None);
    let container = last_segment(&url).ok_or(TargetError::NoContainerInUrl)?;
    let credential = if query.is_empty() {
        Credential::Anonymous
    } else {
        if !url_pairs(&query).iter().any(|(k, _)| k == "sig") {
            return Err(TargetError::NotSas);
        }
        Credential::Sas(query)
    };
    Ok(Target {
        container_url: trim_slash(url),
        container,
        credential,
    })
}

/// Parses a storage connection string and names the container in it.
///
/// Keys: `AccountName`, `AccountKey` or `SharedAccessSignature`, and either `BlobEndpoint` or
/// `DefaultEndpointsProtocol` + `EndpointSuffix` (default `https`, `core.windows.net`).
pub fn from_connection_string(s: &str, container: &str) -> Result<Target, TargetError> {
    let mut account = None;
    let mut key = None;
    let mut sas = None;
    let mut endpoint = None;
    let mut protocol = None;
    let mut suffix = None;
    for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return Err(TargetError::NotKeyValues);
        };
        let v = v.trim().to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "accountname" => account = Some(v),
            "accountkey" => key = Some(v),
            "sharedaccesssignature" => sas = Some(v.trim_start_matches('?').to_string()),
            "blobendpoint" => endpoint = Some(v),
            "defaultendpointsprotocol" => protocol = Some(v),
            "endpointsuffix" => suffix = Some(v),
            // QueueEndpoint, TableEndpoint, FileEndpoint, …: not used.
            _ => {}
        }
    }
    if container.is_empty() || container.contains(['/', '?', '#']) {
        return Err(TargetError::ContainerName);
    }
    let base = match endpoint {
        Some(e) => Url::parse(&e).map_err(|e| TargetError::BlobEndpoint(e.to_string()))?,
        None => {
            let account = account.as_deref().ok_or(TargetError::NoEndpoint)?;
            let protocol = protocol.as_deref().unwrap_or("https");
            let suffix = suffix.as_deref().unwrap_or("core.windows.net");
            Url::parse(&format!("{protocol}://{account}.blob.{suffix}"))
                .map_err(|e| TargetError::AccountOrSuffix(e.to_string()))?
        }
    };
    if !matches!(base.scheme(), "http" | "https") {
        return Err(TargetError::EndpointScheme);
    }
    let container_url = trim_slash(join_segment(&trim_slash(base), container));
    let credential = match (key, sas) {
        (Some(k), _) => {
            let account = account.ok_or(TargetError::KeyWithoutAccount)?;
            let key = B64
                .decode(k.as_bytes())
                .map_err(|_| TargetError::KeyNotBase64)?;
            if key.is_empty() {
                return Err(TargetError::KeyEmpty);
            }
            Credential::SharedKey { account, key }
        }
        (None, Some(s)) if !s.is_empty() => Credential::Sas(s),
        _ => {
            return Err(TargetError::NoCredential);
        }
    };
    Ok(Target {
        container_url,
        container: container.to_string(),
        credential,
    })
}

/// A container under an account URL (`https://acct.blob.core.windows.net`), read with an Entra
/// ID token.
pub fn from_account_url(s: &str, container: &str) -> Result<Target, TargetError> {
    let base = Url::parse(s.trim()).map_err(|e| TargetError::AccountUrl(e.to_string()))?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(TargetError::AccountUrlScheme);
    }
    if base.query().is_some() {
        return Err(TargetError::AccountUrlQuery);
    }
    if container.is_empty() || container.contains(['/', '?', '#']) {
        return Err(TargetError::ContainerName);
    }
    Ok(Target {
        container_url: trim_slash(join_segment(&trim_slash(base), container)),
        container: container.to_string(),
        credential: Credential::Entra,
    })
}

fn last_segment(url: &Url) -> Option<String> {
    url.path_segments()?
        .rfind(|s| !s.is_empty())
        .map(percent_decode)
}

fn trim_slash(mut url: Url) -> Url {
    let p = url.path().trim_end_matches('/').to_string();
    url.set_path(&p);
    url
}

fn join_segment(base: &Url, seg: &str) -> Url {
    let mut u = base.clone();
    let p = format!(
        "{}/{}",
        base.path().trim_end_matches('/'),
        percent_encode(seg, false)
    );
    u.set_path(&p);
    u
}

/// Percent-encodes `s` for a URL path (keeping `/` when `keep_slash`): everything but
/// unreserved characters is encoded, as the storage SDKs do for blob names.
pub fn percent_encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The decoded `name=value` pairs of a query string.
fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

/// The headers of the Shared Key string to sign, in their order (`Range` last).
const STANDARD_HEADERS: [&str; 11] = [
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-type",
    "date",
    "if-modified-since",
    "if-match",
    "if-none-match",
    "if-unmodified-since",
    "range",
];

/// The Shared Key string to sign (Blob service, version 2009-09-19 and later) of a request:
/// the verb, the standard headers' values (an empty or zero `Content-Length` is empty), the
/// `x-ms-` headers sorted by name, then `/ACCOUNT` + the URL's path and its query parameters
/// sorted by name with decoded values. `headers` are the request's headers (any case).
pub fn string_to_sign(method: &str, url: &Url, account: &str, headers: &[(&str, &str)]) -> String {
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    };
    let mut s = String::with_capacity(256);
    s.push_str(&method.to_ascii_uppercase());
    s.push('\n');
    for h in STANDARD_HEADERS {
        let v = find(h);
        if !(h == "content-length" && v == "0") {
            s.push_str(v);
        }
        s.push('\n');
    }
    let mut ms: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.to_ascii_lowercase().starts_with("x-ms-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), unfold(v)))
        .collect();
    ms.sort();
    for (k, v) in ms {
        s.push_str(&k);
        s.push(':');
        s.push_str(&v);
        s.push('\n');
    }
    s.push('/');
    s.push_str(account);
    s.push_str(url.path());
    let mut params: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (k, v) in url.query_pairs() {
        params
            .entry(k.to_ascii_lowercase())
            .or_default()
            .push(v.into_owned());
    }
    for (k, mut vs) in params {
        vs.sort();
        s.push('\n');
        s.push_str(&k);
        s.push(':');
        s.push_str(&vs.join(","));
    }
    s
}

/// A header value with its line folding and runs of spaces reduced to one space.
fn unfold(v: &str) -> String {
    v.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `Authorization` header's value for a request signed with the account key.
pub fn shared_key_authorization(
    account: &str,
    key: &[u8],
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
) -> String {
    let sts = string_to_sign(method, url, account, headers);
    format!("SharedKey {account}:{}", sign(key, &sts))
}

/// base64(HMAC-SHA256(key, text)).
pub fn sign(key: &[u8], text: &str) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(text.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

/// An RFC 1123 date (`Mon, 07 Dec 2026 12:00:00 GMT`), as `x-ms-date` wants it.
pub fn http_date(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().number_days_from_monday() as usize],
        t.day(),
        MONTHS[(u8::from(t.month()) - 1) as usize],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// `msg` with every secret replaced by `***`.
pub fn redact(msg: &str, secrets: &[String]) -> String {
    let mut m = msg.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        m = m.replace(s.as_str(), "***");
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_url_with_sas() {
        let t = from_container_url(
            "https://acct.blob.core.windows.net/insights-logs-kube-audit?sv=2021-08-06&sr=c&sp=rl&sig=abc%2Bdef%3D",
        )
        .unwrap();
        assert_eq!(t.container, "insights-logs-kube-audit");
        assert_eq!(
            t.container_url.as_str(),
            "https://acct.blob.core.windows.net/insights-logs-kube-audit"
        );
        let Credential::Sas(q) = &t.credential else {
            panic!("a SAS")
        };
        assert!(q.starts_with("sv=2021-08-06&"));
        // The signature, decoded or not, is scrubbed from messages.
        let secrets = t.credential.secrets();
        assert_eq!(
            redact("x sig=abc%2Bdef%3D y abc+def=", &secrets),
            "x sig=*** y ***"
        );
        // Path-style (emulator).
        let t =
            from_container_url("http://127.0.0.1:10000/devstoreaccount1/c1/?sv=1&sig=x").unwrap();
        assert_eq!(t.container, "c1");
        assert_eq!(
            t.container_url.as_str(),
            "http://127.0.0.1:10000/devstoreaccount1/c1"
        );
        assert!(from_container_url("https://acct.blob.core.windows.net/c?sv=1").is_err());
        assert!(from_container_url("https://acct.blob.core.windows.net/?sig=1").is_err());
        assert!(from_container_url("ftp://x/c?sig=1").is_err());
    }

    #[test]
    fn connection_strings() {
        let t = from_connection_string(
            "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.chinacloudapi.cn",
            "insights-logs-kube-audit",
        )
        .unwrap();
        assert_eq!(
            t.container_url.as_str(),
            "https://acct.blob.core.chinacloudapi.cn/insights-logs-kube-audit"
        );
        let Credential::SharedKey { account, key } = &t.credential else {
            panic!("shared key")
        };
        assert_eq!(
            (account.as_str(), key.as_slice()),
            ("acct", b"key".as_slice())
        );
        let t = from_connection_string(
            "AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;",
            "c",
        )
        .unwrap();
        assert_eq!(
            t.container_url.as_str(),
            "http://127.0.0.1:10000/devstoreaccount1/c"
        );
        let t = from_connection_string(
            "BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=x",
            "c",
        )
        .unwrap();
        assert!(matches!(&t.credential, Credential::Sas(q) if q == "sv=1&sig=x"));
        // Errors never carry the key.
        let e = from_connection_string("AccountName=a;AccountKey=not base64!!", "c").unwrap_err();
        assert!(!e.to_string().contains("not base64!!"), "{e}");
        assert!(from_connection_string("AccountName=a", "c").is_err());
        assert!(from_connection_string("AccountName=a;AccountKey=a2V5", "a/b").is_err());
    }

    /// A request signed by the Azure Storage SDK for Python (azure-storage-blob 12.31.1,
    /// `SharedKeyCredentialPolicy`) with the emulator's published account and key: the string
    /// to sign and the signature must match it byte for byte.
    #[test]
    fn shared_key_matches_a_reference_signature() {
        let key = B64
            .decode("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")
            .unwrap();
        let url = Url::parse(
            "http://127.0.0.1:10000/devstoreaccount1/insights-logs-kube-audit?restype=container&comp=list&prefix=resourceId%3D%2FSUBSCRIPTIONS%2F&marker=2%21120%21MDAw&maxresults=5000",
        )
        .unwrap();
        let headers = [
            ("x-ms-date", "Mon, 07 Dec 2026 12:00:00 GMT"),
            ("x-ms-version", API_VERSION),
        ];
        let sts = string_to_sign("GET", &url, "devstoreaccount1", &headers);
        assert_eq!(
            sts,
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Mon, 07 Dec 2026 12:00:00 GMT\nx-ms-version:2021-08-06\n/devstoreaccount1/devstoreaccount1/insights-logs-kube-audit\ncomp:list\nmarker:2!120!MDAw\nmaxresults:5000\nprefix:resourceId=/SUBSCRIPTIONS/\nrestype:container"
        );
        assert_eq!(
            shared_key_authorization("devstoreaccount1", &key, "GET", &url, &headers),
            format!("SharedKey devstoreaccount1:{}", REFERENCE_LIST_SIGNATURE)
        );
        // A ranged read of a blob whose name is percent-encoded in the path.
        let url = Url::parse(&format!(
            "https://acct.blob.core.windows.net/insights-logs-kube-audit/{}",
            percent_encode(
                "resourceId=/SUBSCRIPTIONS/S/y=2026/m=12/d=07/h=02/m=00/PT1H.json",
                true
            )
        ))
        .unwrap();
        let headers = [
            ("x-ms-range", "bytes=1024-5119"),
            ("x-ms-version", API_VERSION),
            ("x-ms-date", "Mon, 07 Dec 2026 12:00:00 GMT"),
        ];
        assert_eq!(
            shared_key_authorization("acct", &key, "GET", &url, &headers),
            format!("SharedKey acct:{}", REFERENCE_RANGE_SIGNATURE)
        );
    }

    // Computed by the Python SDK for the two requests above (see the test's comment).
    const REFERENCE_LIST_SIGNATURE: &str = "SZk+wRCBUbuXNghRnA3s2AiXgSAdu1Q9c6lJcNukbjI=";
    const REFERENCE_RANGE_SIGNATURE: &str = "u6GcX+72N8sVUTIoFOmJ3I8QZM97HfdVLHOUGzoMkxA=";

    #[test]
    fn dates_and_encoding() {
        let t = time::macros::datetime!(2026-12-07 02:03:04 UTC);
        assert_eq!(http_date(t), "Mon, 07 Dec 2026 02:03:04 GMT");
        assert_eq!(
            percent_encode("resourceId=/SUBSCRIPTIONS/A B/PT1H.json", true),
            "resourceId%3D/SUBSCRIPTIONS/A%20B/PT1H.json"
        );
        assert_eq!(percent_decode("a%2Fb%3d"), "a/b=");
    }
}
