//! The few Blob REST calls the follower makes, all reads: List Blobs (one page) and Get Blob
//! with a byte range. Every answer is read with a size bound; errors are classified (refused
//! credentials, not found, transient, other) and never carry the SAS or the key.

use std::io::Read;
use std::time::Duration;

use reqwest::Url;

use super::auth::{self, API_VERSION, Credential, Target};
use super::entra::{TokenCache, WorkloadIdentity};

/// Blobs per List Blobs page (the service's maximum).
pub const PAGE: u32 = 5000;
/// A List Blobs page is about 1 KiB per blob: 5000 blobs fit well under this.
const MAX_LIST_BYTES: u64 = 32 << 20;
const TIMEOUT: Duration = Duration::from_secs(30);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Credentials refused (403/401): the follower stops with exit 2.
    #[error("{0}")]
    Auth(String),
    /// The container or blob does not exist (404).
    #[error("{0}")]
    NotFound(String),
    /// Worth retrying: a timeout, a refused connection, 5xx, 429, 408.
    #[error("{0}")]
    Transient(String),
    /// Anything else (a 400, an unreadable answer).
    #[error("{0}")]
    Fatal(String),
}

/// One blob of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub name: String,
    pub len: u64,
    /// `Last-Modified`, Unix seconds.
    pub modified: Option<i64>,
}

#[derive(Debug, Default)]
pub struct Page {
    pub blobs: Vec<Listed>,
    pub next_marker: Option<String>,
}

/// A ranged read: the bytes and the blob's total length (from `Content-Range`).
#[derive(Debug)]
pub struct Ranged {
    pub bytes: Vec<u8>,
    pub total: Option<u64>,
}

pub struct BlobClient {
    http: reqwest::blocking::Client,
    target: Target,
    identity: Option<WorkloadIdentity>,
    tokens: TokenCache,
    secrets: Vec<String>,
}

impl BlobClient {
    pub fn new(target: Target, identity: Option<WorkloadIdentity>) -> Result<Self, ClientError> {
        let http = reqwest::blocking::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .user_agent(concat!("kubeward/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Fatal(format!("cannot build the HTTP client: {e}")))?;
        if matches!(target.credential, Credential::Entra) && identity.is_none() {
            return Err(ClientError::Fatal(
                "an Entra ID credential needs a workload identity".into(),
            ));
        }
        let secrets = target.credential.secrets();
        Ok(BlobClient {
            http,
            target,
            identity,
            tokens: TokenCache::default(),
            secrets,
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// One page of the container's blobs under `prefix`, from `marker`.
    pub fn list(
        &mut self,
        prefix: Option<&str>,
        marker: Option<&str>,
    ) -> Result<Page, ClientError> {
        let mut url = self.target.container_url.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("restype", "container");
            q.append_pair("comp", "list");
            q.append_pair("maxresults", &PAGE.to_string());
            if let Some(p) = prefix.filter(|p| !p.is_empty()) {
                q.append_pair("prefix", p);
            }
            if let Some(m) = marker.filter(|m| !m.is_empty()) {
                q.append_pair("marker", m);
            }
        }
        let body = match self.get(url, None, MAX_LIST_BYTES, "listing the container") {
            Ok(b) => b,
            Err(GetError::Client(c)) => return Err(c),
            Err(GetError::RangeNotSatisfiable) => {
                return Err(ClientError::Fatal("listing the container: HTTP 416".into()));
            }
        };
        parse_list(&body.0).map_err(|e| ClientError::Fatal(format!("the container listing: {e}")))
    }

    /// Bytes `start..=end` of a blob (fewer at its end). A start at or past the end gives no
    /// bytes (the service answers 416).
    pub fn read_range(&mut self, blob: &str, start: u64, end: u64) -> Result<Ranged, ClientError> {
        let mut url = self.target.container_url.clone();
        let path = format!(
            "{}/{}",
            url.path().trim_end_matches('/'),
            auth::percent_encode(blob, true)
        );
        url.set_path(&path);
        let range = format!("bytes={start}-{end}");
        let limit = end.saturating_sub(start).saturating_add(1);
        match self.get(url, Some(&range), limit, "reading a blob") {
            Ok((bytes, headers)) => {
                let total = headers
                    .get("content-range")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.rsplit_once('/'))
                    .and_then(|(_, t)| t.trim().parse().ok());
                Ok(Ranged { bytes, total })
            }
            Err(GetError::RangeNotSatisfiable) => Ok(Ranged {
                bytes: Vec::new(),
                total: None,
            }),
            Err(GetError::Client(c)) => Err(c),
        }
    }

    fn get(
        &mut self,
        mut url: Url,
        range: Option<&str>,
        limit: u64,
        what: &str,
    ) -> Result<(Vec<u8>, reqwest::header::HeaderMap), GetError> {
        if let Credential::Sas(sas) = &self.target.credential {
            let q = match url.query() {
                Some(q) if !q.is_empty() => format!("{q}&{sas}"),
                _ => sas.clone(),
            };
            url.set_query(Some(&q));
        }
        let date = auth::http_date(time::OffsetDateTime::now_utc());
        let mut headers: Vec<(&str, String)> = vec![
            ("x-ms-date", date),
            ("x-ms-version", API_VERSION.to_string()),
        ];
        if let Some(r) = range {
            headers.push(("x-ms-range", r.to_string()));
        }
        match &self.target.credential {
            Credential::SharedKey { account, key } => {
                let hs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let a = auth::shared_key_authorization(account, key, "GET", &url, &hs);
                headers.push(("authorization", a));
            }
            Credential::Entra => {
                let Some(id) = &self.identity else {
                    return Err(GetError::Client(ClientError::Fatal(
                        "no workload identity".into(),
                    )));
                };
                let token = self.tokens.get(id, &self.http).map_err(GetError::Client)?;
                headers.push(("authorization", format!("Bearer {token}")));
            }
            Credential::Sas(_) | Credential::Anonymous => {}
        }
        let mut req = self.http.get(url);
        for (k, v) in &headers {
            req = req.header(*k, v.as_str());
        }
        let resp = req.send().map_err(|e| {
            GetError::Client(ClientError::Transient(
                self.scrub(&format!("{what}: {}", describe_http_error(&e))),
            ))
        })?;
        let status = resp.status();
        if status.is_success() {
            let h = resp.headers().clone();
            let body = read_bounded(resp, limit).map_err(|e| {
                GetError::Client(ClientError::Transient(self.scrub(&format!("{what}: {e}"))))
            })?;
            return Ok((body, h));
        }
        let code = resp
            .headers()
            .get("x-ms-error-code")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(80)
            .collect::<String>();
        let s = status.as_u16();
        if s == 416 {
            return Err(GetError::RangeNotSatisfiable);
        }
        if matches!(self.target.credential, Credential::Entra) && s == 401 {
            // An expired or revoked token: the next call fetches another.
            self.tokens.clear();
        }
        let label = if code.is_empty() {
            format!("HTTP {s}")
        } else {
            format!("HTTP {s} {code}")
        };
        let err = match s {
            401 | 403 => ClientError::Auth(format!(
                "the storage account refused the {} credential while {what} ({label}): {}{}",
                self.target.credential.kind(),
                match self.target.credential {
                    Credential::Sas(_) =>
                        "check the SAS token's signature, expiry and permissions (read and list, on the container)",
                    Credential::SharedKey { .. } => "check the connection string's AccountKey",
                    Credential::Entra =>
                        "give the workload identity the Storage Blob Data Reader role on the container",
                    Credential::Anonymous => "the container is not public: give a SAS token",
                },
                if code == "AuthorizationFailure" {
                    "; the account's firewall also answers so to a network it does not allow"
                } else {
                    ""
                }
            )),
            404 => ClientError::NotFound(format!("{what}: {label}")),
            408 | 429 | 500..=599 => ClientError::Transient(format!("{what}: {label}")),
            _ => ClientError::Fatal(format!("{what}: {label}")),
        };
        Err(GetError::Client(err))
    }

    fn scrub(&self, m: &str) -> String {
        auth::redact(m, &self.secrets)
    }
}

enum GetError {
    RangeNotSatisfiable,
    Client(ClientError),
}

/// A transport error's kind and causes, without the URL (which may hold the SAS).
pub fn describe_http_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    let mut msg = kind.to_string();
    let mut src = std::error::Error::source(e);
    let mut n = 0;
    while let Some(s) = src {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        src = s.source();
        n += 1;
        if n > 4 {
            break;
        }
    }
    msg
}

/// Why an answer's body was not read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("reading the answer: {0}")]
    Read(#[from] std::io::Error),
    #[error("the answer is over {0} bytes")]
    TooLarge(u64),
}

/// The body, at most `limit` bytes: more is an error (never kept).
pub fn read_bounded(resp: reqwest::blocking::Response, limit: u64) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    resp.take(limit.saturating_add(1)).read_to_end(&mut body)?;
    if body.len() as u64 > limit {
        return Err(BodyError::TooLarge(limit));
    }
    Ok(body)
}

/// Why a List Blobs answer cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListError {
    #[error("not UTF-8")]
    NotUtf8,
    #[error("not XML: {0}")]
    NotXml(String),
    #[error("unexpected element <{0}>")]
    UnexpectedElement(String),
}

/// Parses a List Blobs answer (`EnumerationResults`).
pub fn parse_list(xml: &[u8]) -> Result<Page, ListError> {
    let text = std::str::from_utf8(xml).map_err(|_| ListError::NotUtf8)?;
    let text = text.trim_start_matches('\u{feff}');
    let doc = roxmltree::Document::parse(text).map_err(|e| ListError::NotXml(e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "EnumerationResults" {
        return Err(ListError::UnexpectedElement(
            root.tag_name().name().to_string(),
        ));
    }
    let mut page = Page::default();
    if let Some(blobs) = child(root, "Blobs") {
        for b in blobs
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "Blob")
        {
            let Some(name_el) = child(b, "Name") else {
                continue;
            };
            // A name with characters XML cannot hold comes encoded: not an AKS blob name.
            if name_el.attribute("Encoded") == Some("true") {
                continue;
            }
            let name = name_el.text().unwrap_or("").to_string();
            let props = child(b, "Properties");
            let len = props
                .and_then(|p| child(p, "Content-Length"))
                .and_then(|n| n.text())
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(0);
            let modified = props
                .and_then(|p| child(p, "Last-Modified"))
                .and_then(|n| n.text())
                .and_then(parse_http_date);
            if !name.is_empty() {
                page.blobs.push(Listed {
                    name,
                    len,
                    modified,
                });
            }
        }
    }
    page.next_marker = child(root, "NextMarker")
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string);
    Ok(page)
}

fn child<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// `Mon, 07 Dec 2026 02:03:04 GMT` → Unix seconds.
fn parse_http_date(s: &str) -> Option<i64> {
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(s.trim(), &fmt)
        .ok()
        .map(|t| t.assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_page_is_parsed() {
        let xml = br#"<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c"><Prefix>resourceId=</Prefix><MaxResults>5000</MaxResults><Blobs><Blob><Name>resourceId=/SUBSCRIPTIONS/S/y=2026/m=12/d=07/h=02/m=00/PT1H.json</Name><Properties><Last-Modified>Mon, 07 Dec 2026 02:59:58 GMT</Last-Modified><Content-Length>1234</Content-Length><BlobType>AppendBlob</BlobType></Properties></Blob><Blob><Name Encoded="true">%EF%BF%BF</Name><Properties><Content-Length>1</Content-Length></Properties></Blob></Blobs><NextMarker>2!96!MDAwMDI</NextMarker></EnumerationResults>"#;
        let p = parse_list(xml).unwrap();
        assert_eq!(
            p.blobs,
            vec![Listed {
                name: "resourceId=/SUBSCRIPTIONS/S/y=2026/m=12/d=07/h=02/m=00/PT1H.json".into(),
                len: 1234,
                modified: Some(1_796_612_398),
            }]
        );
        assert_eq!(p.next_marker.as_deref(), Some("2!96!MDAwMDI"));
        let last =
            parse_list(b"<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>").unwrap();
        assert!(last.blobs.is_empty() && last.next_marker.is_none());
        assert!(parse_list(b"<Error><Code>x</Code></Error>").is_err());
        assert!(parse_list(b"not xml").is_err());
    }
}
