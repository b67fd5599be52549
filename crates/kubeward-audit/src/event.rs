//! The `audit.k8s.io/v1` Event, decoded borrowed from the input buffer. Request and response
//! bodies stay raw until a rule asks for them: most events never need them.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};
use serde_json::value::RawValue;

/// A string borrowed from the input when it has no escapes (the common case), owned otherwise.
/// (serde only borrows a `Cow` directly in a field, not inside `Option` or `Vec`.)
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        d.deserialize_str(V).map(Str)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(borrow, default)]
    pub level: Option<Str<'a>>,
    #[serde(rename = "auditID", borrow, default)]
    pub audit_id: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub stage: Option<Str<'a>>,
    #[serde(rename = "requestURI", borrow, default)]
    pub request_uri: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub verb: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub user: Option<UserInfo<'a>>,
    #[serde(borrow, default)]
    pub impersonated_user: Option<UserInfo<'a>>,
    /// Raw: only evidence reads it.
    #[serde(rename = "sourceIPs", borrow, default)]
    pub source_ips: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub user_agent: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub object_ref: Option<ObjectRef<'a>>,
    #[serde(borrow, default)]
    pub response_status: Option<ResponseStatus<'a>>,
    #[serde(borrow, default)]
    pub request_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub response_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub request_received_timestamp: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub stage_timestamp: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub annotations: Option<Annotations<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserInfo<'a> {
    #[serde(borrow, default)]
    pub username: Option<Str<'a>>,
    /// Raw: membership is tested on the JSON text, without building a list per event.
    #[serde(borrow, default)]
    pub groups: Option<&'a RawValue>,
}

impl UserInfo<'_> {
    /// Whether the user is in `group`. An element equal to `group` appears in the array's JSON
    /// as the quoted name; arrays with escapes are decoded to be exact.
    pub fn has_group(&self, group: &str) -> bool {
        let Some(raw) = self.groups else { return false };
        let text = raw.get();
        if text.contains('\\') {
            return self.group_list().iter().any(|g| g == group);
        }
        let b = text.as_bytes();
        let g = group.as_bytes();
        let mut from = 0;
        while let Some(i) = memchr::memmem::find(&b[from..], g) {
            let at = from + i;
            if at > 0 && b[at - 1] == b'"' && b.get(at + g.len()) == Some(&b'"') {
                return true;
            }
            from = at + 1;
        }
        false
    }
    /// The groups, decoded (empty when absent or not a list of strings).
    pub fn group_list(&self) -> Vec<String> {
        self.groups
            .and_then(|r| serde_json::from_str::<Vec<String>>(r.get()).ok())
            .unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef<'a> {
    #[serde(borrow, default)]
    pub resource: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub namespace: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub name: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub api_group: Option<Str<'a>>,
    #[serde(borrow, default)]
    pub subresource: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ResponseStatus<'a> {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(borrow, default)]
    pub reason: Option<Str<'a>>,
}

/// Only the annotations rules read; the others are skipped without allocating.
#[derive(Debug, Default, Deserialize)]
pub struct Annotations<'a> {
    #[serde(rename = "authorization.k8s.io/decision", borrow, default)]
    pub decision: Option<Str<'a>>,
}

fn s<'b>(v: &'b Option<Str<'_>>) -> &'b str {
    v.as_deref().unwrap_or("")
}

impl<'a> Event<'a> {
    pub fn verb(&self) -> &str {
        s(&self.verb)
    }
    pub fn stage(&self) -> &str {
        s(&self.stage)
    }
    pub fn audit_id(&self) -> &str {
        s(&self.audit_id)
    }
    /// The identity that acted: the impersonated user when impersonation was used (as
    /// audit2rbac does), else the authenticated user.
    pub fn username(&self) -> &str {
        self.impersonated_user
            .as_ref()
            .and_then(|u| u.username.as_deref())
            .or_else(|| self.user.as_ref().and_then(|u| u.username.as_deref()))
            .unwrap_or("")
    }
    /// The authenticated user (the impersonator when impersonation was used).
    pub fn authenticated_username(&self) -> &str {
        self.user
            .as_ref()
            .and_then(|u| u.username.as_deref())
            .unwrap_or("")
    }
    /// Whether the acting identity (see [`Event::username`]) is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        let u = self.impersonated_user.as_ref().or(self.user.as_ref());
        u.is_some_and(|u| u.has_group(group))
    }
    pub fn resource(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| s(&o.resource))
            .unwrap_or("")
    }
    pub fn subresource(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| s(&o.subresource))
            .unwrap_or("")
    }
    pub fn namespace(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| s(&o.namespace))
            .unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.object_ref.as_ref().map(|o| s(&o.name)).unwrap_or("")
    }
    pub fn api_group(&self) -> &str {
        self.object_ref
            .as_ref()
            .map(|o| s(&o.api_group))
            .unwrap_or("")
    }
    pub fn uri(&self) -> &str {
        s(&self.request_uri)
    }
    pub fn user_agent(&self) -> &str {
        s(&self.user_agent)
    }
    pub fn code(&self) -> Option<i64> {
        self.response_status.as_ref().and_then(|r| r.code)
    }
    pub fn decision(&self) -> &str {
        self.annotations
            .as_ref()
            .map(|a| s(&a.decision))
            .unwrap_or("")
    }
    /// The client address as logged first (on AKS: the client; later entries are proxies).
    pub fn source_ip(&self) -> String {
        self.source_ips
            .and_then(|r| serde_json::from_str::<Vec<String>>(r.get()).ok())
            .and_then(|v| v.into_iter().next())
            .unwrap_or_default()
    }
    /// The address the API server itself saw the request come from: the last of `sourceIPs`
    /// (the entries before it come from X-Forwarded-For and X-Real-Ip headers, which the
    /// client writes).
    pub fn remote_ip(&self) -> Option<std::net::IpAddr> {
        self.source_ips
            .and_then(|r| serde_json::from_str::<Vec<Str>>(r.get()).ok())
            .and_then(|v| v.last().and_then(|s| s.trim().parse().ok()))
    }
    pub fn time(&self) -> &str {
        self.stage_timestamp
            .as_deref()
            .or(self.request_received_timestamp.as_deref())
            .unwrap_or("")
    }
    /// 2xx, or 101 (an upgraded exec/attach stream). An event without a status counts as
    /// successful only when the authorizer allowed it.
    pub fn succeeded(&self) -> bool {
        match self.code() {
            Some(c) => (200..300).contains(&c) || c == 101,
            None => self.decision() == "allow",
        }
    }
    pub fn denied(&self) -> bool {
        self.decision() == "forbid" || self.code() == Some(403)
    }
    pub fn is_write(&self) -> bool {
        matches!(
            self.verb(),
            "create" | "update" | "patch" | "delete" | "deletecollection"
        )
    }
    pub fn is_modify(&self) -> bool {
        matches!(self.verb(), "create" | "update" | "patch")
    }
    pub fn is_read(&self) -> bool {
        matches!(self.verb(), "get" | "list" | "watch")
    }
    /// The event that speaks for a request: `ResponseComplete` (or `Panic`, or an export that
    /// drops the stage). `RequestReceived` and `ResponseStarted` repeat the same request.
    pub fn is_final(&self) -> bool {
        matches!(self.stage(), "ResponseComplete" | "Panic" | "")
    }
    /// For streams (exec, attach, port-forward): `ResponseStarted` when the stream opened, or a
    /// `ResponseComplete` that never started one (refused requests end with a non-101 code).
    /// An export that drops the stage holds one event per request (or repeats it without saying
    /// which stage each copy is; the scanner counts such copies once): that event is the start,
    /// whatever its code.
    pub fn is_stream_start(&self) -> bool {
        match self.stage() {
            "ResponseStarted" | "" => true,
            "ResponseComplete" | "Panic" => self.code() != Some(101),
            _ => false,
        }
    }
    /// A query parameter of the request URI (the first value), decoded.
    pub fn uri_params(&self, key: &str) -> Vec<String> {
        let uri = self.uri();
        let Some(q) = uri.split_once('?').map(|(_, q)| q) else {
            return Vec::new();
        };
        q.split('&')
            .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| percent_decode(v))
            .collect()
    }
}

fn percent_decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (b[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(x)) => {
                out.push(x);
                i += 3;
                continue;
            }
            (b'+', _) => out.push(b' '),
            (c, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An event with its bodies decoded on first use, shared by every rule.
pub struct EventView<'e, 'a> {
    pub ev: &'e Event<'a>,
    object: OnceCell<Option<serde_json::Value>>,
    /// This is the `ResponseComplete` of a stream whose `ResponseStarted` the log does not hold
    /// (a policy that omits that stage): it stands for the start.
    pub start_not_logged: bool,
    /// A stage-less copy of a stream request already seen (an export that dropped `stage`
    /// but kept several stages): it repeats the start.
    pub stream_repeat: bool,
    /// This is the first event of its request in the log, whatever its stage (`RequestReceived`
    /// when logged; the completion when the earlier stages were omitted). Rules that judge only
    /// who made a request use it so that a request whose completion is not in the log still
    /// counts, and counts once. Without a scanner to tell, the final event stands for it.
    pub first_of_request: bool,
    /// Set by the scanner on the refusal that completes a burst of refusals from one address
    /// (rule A065): the number of refusals in it.
    pub refusal_burst: Option<usize>,
    /// A stage-less copy, with an outcome, of a request whose outcome was already read (an
    /// export that dropped `stage` but kept `ResponseStarted` and `ResponseComplete`).
    pub final_repeat: bool,
}

impl<'e, 'a> EventView<'e, 'a> {
    pub fn new(ev: &'e Event<'a>) -> Self {
        EventView {
            ev,
            object: OnceCell::new(),
            start_not_logged: false,
            stream_repeat: false,
            first_of_request: ev.is_final(),
            refusal_burst: None,
            final_repeat: false,
        }
    }
    /// As [`Event::is_final`], except for a stage-less copy of an outcome already read.
    pub fn is_final(&self) -> bool {
        self.ev.is_final() && !self.final_repeat
    }
    /// As [`Event::is_stream_start`], and also the end of a stream whose start was not logged.
    pub fn is_stream_start(&self) -> bool {
        (self.ev.is_stream_start() || self.start_not_logged) && !self.stream_repeat
    }
    /// The object as it resulted from the request: the request body for create/update, the
    /// response body for patch (the request body of a patch is only the patch), or a merge
    /// patch itself when no response was logged.
    pub fn object(&self) -> Option<&serde_json::Value> {
        self.object
            .get_or_init(|| {
                let ev = self.ev;
                let parse = |r: &RawValue| {
                    serde_json::from_str::<serde_json::Value>(r.get())
                        .ok()
                        .filter(|v| v.is_object())
                };
                if ev.verb() == "patch" {
                    ev.response_object
                        .and_then(parse)
                        .or_else(|| ev.request_object.and_then(parse))
                } else {
                    ev.request_object
                        .and_then(parse)
                        .or_else(|| ev.response_object.and_then(parse))
                }
            })
            .as_ref()
    }
}

impl<'e, 'a> std::ops::Deref for EventView<'e, 'a> {
    type Target = Event<'a>;
    fn deref(&self) -> &Event<'a> {
        self.ev
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_borrowed_and_reads_params() {
        let line = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"a1","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=id%20-u&stdin=true","verb":"get","user":{"username":"alice","groups":["dev","system:authenticated"],"extra":{"x":["y"]}},"sourceIPs":["10.1.2.3"],"objectRef":{"resource":"pods","namespace":"default","name":"web","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"annotations":{"authorization.k8s.io/decision":"allow","other":"x"}}"#;
        let ev: Event = serde_json::from_str(line).unwrap();
        assert_eq!(ev.username(), "alice");
        assert!(ev.in_group("dev"));
        assert!(!ev.in_group("de"));
        assert!(!ev.in_group("system"));
        assert_eq!(ev.source_ip(), "10.1.2.3");
        assert_eq!(ev.subresource(), "exec");
        assert_eq!(ev.uri_params("command"), vec!["sh", "-c", "id -u"]);
        assert!(ev.is_stream_start());
        assert!(!ev.is_final());
        assert_eq!(ev.decision(), "allow");
        assert!(matches!(ev.verb, Some(Str(Cow::Borrowed(_)))));
    }

    #[test]
    fn impersonated_user_is_the_actor() {
        let ev: Event = serde_json::from_str(
            r#"{"user":{"username":"bob"},"impersonatedUser":{"username":"admin","groups":["system:masters"]}}"#,
        )
        .unwrap();
        assert_eq!(ev.username(), "admin");
        assert_eq!(ev.authenticated_username(), "bob");
        assert!(ev.in_group("system:masters"));
    }

    #[test]
    fn patch_uses_response_object() {
        let ev: Event = serde_json::from_str(
            r#"{"verb":"patch","requestObject":{"spec":{"replicas":2}},"responseObject":{"kind":"Deployment","spec":{"replicas":2,"template":{}}}}"#,
        )
        .unwrap();
        let v = EventView::new(&ev);
        assert_eq!(v.object().unwrap()["kind"], "Deployment");
    }
}
