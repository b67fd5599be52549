//! YAML streams: split into documents ourselves (so one broken document does not hide the others),
//! decode each with serde-saphyr into a span-carrying tree, then into a [`Value`] plus a per-field
//! line index.

use std::fmt;

use compact_str::CompactString;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::LoadOptions;
use crate::error::LoadError;
use crate::value::{Map, Number, Value};

/// One `---`-separated document of a stream, as raw bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocChunk<'a> {
    pub bytes: &'a [u8],
    /// 1-based line of the chunk's first byte in the file.
    pub first_line: u32,
}

/// A decoded document: its value and the line of each field (pointer relative to the document).
pub(crate) struct Decoded {
    pub value: Value,
    pub start_line: u32,
    pub lines: Vec<(Box<str>, u32)>,
}

/// Split a YAML stream at document markers. A line starting with `---` (followed by a blank or
/// end of line) starts a document; a line `...` ends one. Both are forbidden inside YAML content,
/// so this never cuts a scalar in two.
pub(crate) fn split_documents(bytes: &[u8]) -> Vec<DocChunk<'_>> {
    let mut chunks = Vec::new();
    let mut start = 0usize;
    let mut start_line = 1u32;
    let mut line = 1u32;
    let mut pos = 0usize;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i + 1);
        let text = &bytes[pos..end];
        if is_marker(text, b"---") {
            if pos > start {
                chunks.push(DocChunk {
                    bytes: &bytes[start..pos],
                    first_line: start_line,
                });
            }
            start = pos;
            start_line = line;
        } else if is_marker(text, b"...") {
            chunks.push(DocChunk {
                bytes: &bytes[start..end],
                first_line: start_line,
            });
            start = end;
            start_line = line.saturating_add(1);
        }
        pos = end;
        line = line.saturating_add(1);
    }
    if start < bytes.len() {
        chunks.push(DocChunk {
            bytes: &bytes[start..],
            first_line: start_line,
        });
    }
    chunks.retain(|c| !is_blank(c.bytes));
    chunks
}

fn is_marker(line: &[u8], marker: &[u8; 3]) -> bool {
    line.starts_with(marker)
        && line
            .get(3)
            .is_none_or(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Only blank lines, comments and document markers: nothing to decode.
fn is_blank(bytes: &[u8]) -> bool {
    bytes.split(|b| *b == b'\n').all(|line| {
        let mut l = line;
        if is_marker(l, b"---") || is_marker(l, b"...") {
            l = &l[3..];
        }
        let t = l.trim_ascii();
        t.is_empty() || t.starts_with(b"#")
    })
}

/// Line (1-based, within `bytes`) of a byte offset.
pub(crate) fn line_at(bytes: &[u8], offset: usize) -> u32 {
    let upto = &bytes[..offset.min(bytes.len())];
    u32::try_from(memchr::memchr_iter(b'\n', upto).count())
        .unwrap_or(u32::MAX)
        .saturating_add(1)
}

fn saphyr_options(opts: &LoadOptions) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::budget::Budget::default();
    // Kubernetes documents are small but CRDs and ConfigMaps can be large: raise the defaults
    // deliberately, keep every dimension bounded (an alias bomb is refused, not expanded).
    budget.max_depth = opts.max_depth;
    budget.max_nodes = opts.max_yaml_nodes;
    budget.max_events = opts.max_yaml_nodes.saturating_mul(3);
    budget.max_aliases = opts.max_yaml_aliases;
    budget.max_anchors = opts.max_yaml_aliases;
    budget.max_recorded_anchor_events = opts.max_yaml_nodes;
    budget.max_total_scalar_bytes = opts.max_document_bytes;
    budget.max_documents = 64;
    let mut o = serde_saphyr::options! { legacy_octal_numbers: true };
    o.budget = Some(budget);
    o.alias_limits.max_total_replayed_events = opts.max_yaml_alias_replays;
    o
}

/// Decode one document chunk. A chunk may (rarely) hold several documents when a marker was
/// written in a way the splitter does not see; all are returned.
pub(crate) fn decode_chunk(
    chunk: DocChunk<'_>,
    opts: &LoadOptions,
) -> Result<Vec<Decoded>, LoadError> {
    if chunk.bytes.len() > opts.max_document_bytes {
        return Err(LoadError::TooLarge {
            what: "YAML document",
            line: Some(chunk.first_line),
            size: chunk.bytes.len() as u64,
            limit: opts.max_document_bytes as u64,
        });
    }
    let text = std::str::from_utf8(chunk.bytes).map_err(|e| LoadError::NotUtf8 {
        line: Some(chunk.first_line + line_at(chunk.bytes, e.valid_up_to()) - 1),
    })?;
    let nodes: Vec<Node> = serde_saphyr::from_multiple_with_options(text, saphyr_options(opts))
        .map_err(|e| {
            let line = e
                .location()
                .map(|l| l.line() as u32)
                .filter(|l| *l > 0)
                .map_or(chunk.first_line, |l| {
                    let mut l = [l];
                    to_newline_lines(chunk.bytes, &mut l);
                    chunk.first_line + l[0] - 1
                });
            LoadError::Syntax {
                format: "YAML",
                line: Some(line),
                message: first_line_of(&e.to_string()),
            }
        })?;
    let offset = chunk.first_line - 1;
    let lone_cr = has_lone_cr(chunk.bytes);
    Ok(nodes
        .into_iter()
        .filter(|n| !matches!(n.value, Kind::Null))
        .map(|node| {
            let mut start_line = first_content_line(&node).map_or(chunk.first_line, |l| l + offset);
            let mut lines = Vec::new();
            let mut ptr = String::new();
            let value = into_value(node, offset, &mut ptr, &mut lines);
            if lone_cr {
                let mut all: Vec<u32> = lines.iter().map(|(_, l)| l - offset).collect();
                all.push(start_line - offset);
                to_newline_lines(chunk.bytes, &mut all);
                start_line = all.pop().map_or(start_line, |l| l + offset);
                for ((_, l), n) in lines.iter_mut().zip(all) {
                    *l = n + offset;
                }
            }
            Decoded {
                value,
                start_line,
                lines,
            }
        })
        .collect())
}

/// Rewrite lines counted by the YAML parser (1-based, within `bytes`) as lines counted in `\n`s,
/// as the report counts them: YAML also breaks lines at a lone `\r`, so past one the parser's
/// count runs ahead (even past the file's end). One pass over `bytes` for all the lines.
fn to_newline_lines(bytes: &[u8], lines: &mut [u32]) {
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| lines[i]);
    let (mut parser, mut newlines, mut pos) = (1u32, 1u32, 0usize);
    for i in order {
        while parser < lines[i] && pos < bytes.len() {
            match bytes[pos] {
                b'\n' => {
                    parser += 1;
                    newlines += 1;
                }
                b'\r' if bytes.get(pos + 1) != Some(&b'\n') => parser += 1,
                _ => {}
            }
            pos += 1;
        }
        lines[i] = newlines;
    }
}

fn has_lone_cr(bytes: &[u8]) -> bool {
    memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'))
}

/// serde-saphyr messages can carry a rendered snippet and a position relative to the document;
/// the report gives the absolute line, so keep the first line without that position.
fn first_line_of(s: &str) -> String {
    let line = s.lines().next().unwrap_or(s).trim();
    let rest = line.strip_prefix("error: ").unwrap_or(line);
    if let Some(after) = rest.strip_prefix("line ")
        && let Some(i) = after.find(": ")
        && after[..i].contains("column")
    {
        return after[i + 2..].to_string();
    }
    // Or a trailing ` at line L, column C`.
    if let Some(i) = rest.rfind(" at line ")
        && rest[i + 9..].contains(", column ")
    {
        return rest[..i].to_string();
    }
    rest.to_string()
}

/// The line of a document's first key (the object "starts" there, after `---` and comments).
fn first_content_line(node: &Node) -> Option<u32> {
    match &node.value {
        Kind::Map(entries) => entries
            .first()
            .map(|(k, _)| k.referenced.line() as u32)
            .filter(|l| *l > 0),
        _ => Some(node.referenced.line() as u32).filter(|l| *l > 0),
    }
}

fn push_segment(ptr: &mut String, key: &str) {
    ptr.push('/');
    for c in key.chars() {
        match c {
            '~' => ptr.push_str("~0"),
            '/' => ptr.push_str("~1"),
            c => ptr.push(c),
        }
    }
}

fn into_value(
    node: Node,
    offset: u32,
    ptr: &mut String,
    lines: &mut Vec<(Box<str>, u32)>,
) -> Value {
    let line = node.referenced.line() as u32;
    if ptr.is_empty() && line > 0 {
        lines.push(("".into(), line + offset));
    }
    match node.value {
        Kind::Null => Value::Null,
        Kind::Bool(b) => Value::Bool(b),
        Kind::I64(i) => Value::Number(i.into()),
        Kind::U64(u) => Value::Number(u.into()),
        Kind::F64(f) => {
            Number::from_f64(f).map_or_else(|| Value::String(f.to_string().into()), Value::Number)
        }
        Kind::Str(s) => Value::String(s),
        Kind::Seq(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let len = ptr.len();
                ptr.push('/');
                ptr.push_str(itoa(i).as_str());
                let l = item.referenced.line() as u32;
                if l > 0 {
                    lines.push((ptr.as_str().into(), l + offset));
                }
                out.push(into_value(item, offset, ptr, lines));
                ptr.truncate(len);
            }
            Value::Array(out.into_boxed_slice())
        }
        Kind::Map(entries) => {
            let mut out = Vec::with_capacity(entries.len());
            for (key, val) in entries {
                let len = ptr.len();
                push_segment(ptr, &key.value);
                let l = key.referenced.line() as u32;
                if l > 0 {
                    lines.push((ptr.as_str().into(), l + offset));
                }
                let v = into_value(val, offset, ptr, lines);
                ptr.truncate(len);
                out.push((crate::value::Key::new(&key.value.0), v));
            }
            Value::Object(Map::from_entries(out))
        }
    }
}

fn itoa(i: usize) -> String {
    i.to_string()
}

/// A YAML node with its location.
type Node = Spanned<Kind>;

/// The untyped YAML tree. Hand-written `Deserialize` (not `untagged`) so spans survive.
#[derive(Debug)]
enum Kind {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(CompactString),
    Seq(Vec<Node>),
    Map(Vec<(Spanned<Key>, Node)>),
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::I64(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Kind, E> {
        Ok(Kind::U64(v))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Kind, E> {
        Ok(i64::try_from(v).map_or_else(|_| Kind::Str(v.to_string().into()), Kind::I64))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Kind, E> {
        Ok(u64::try_from(v).map_or_else(|_| Kind::Str(v.to_string().into()), Kind::U64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::F64(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.into()))
    }
    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v.into()))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Kind, E> {
        Ok(Kind::Str(String::from_utf8_lossy(v).as_ref().into()))
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Kind, D::Error> {
        Kind::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(key) = map.next_key::<Spanned<Key>>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Kind::Map(entries))
    }
}

/// A mapping key: any scalar, as text (Kubernetes keys are strings; `1: x` becomes `"1"`).
#[derive(Debug)]
struct Key(CompactString);

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.into()))
            }
            fn visit_string<E>(self, v: String) -> Result<Key, E> {
                Ok(Key(v.into()))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string().into()))
            }
            fn visit_unit<E>(self) -> Result<Key, E> {
                Ok(Key("null".into()))
            }
            fn visit_none<E>(self) -> Result<Key, E> {
                Ok(Key("null".into()))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_on_markers_only_at_line_start() {
        let s = b"a: 1\n---\nb: |\n  x --- y\n---   # c\n--- \n\nc: 3\n...\nd: 4\n";
        let chunks = split_documents(s);
        let firsts: Vec<u32> = chunks.iter().map(|c| c.first_line).collect();
        assert_eq!(firsts, vec![1, 2, 6, 10]);
    }

    #[test]
    fn spans_are_absolute_lines() {
        let s = "# lead\napiVersion: v1\nkind: Pod\nspec:\n  hostNetwork: true\n  volumes:\n  - name: v\n    secret: {defaultMode: 0644}\n";
        let chunk = DocChunk {
            bytes: s.as_bytes(),
            first_line: 10,
        };
        let docs = decode_chunk(chunk, &LoadOptions::default()).expect("valid");
        let d = &docs[0];
        assert_eq!(d.start_line, 11);
        assert_eq!(d.value["spec"]["volumes"][0]["secret"]["defaultMode"], 420);
        let find = |p: &str| d.lines.iter().find(|(k, _)| &**k == p).map(|(_, l)| *l);
        assert_eq!(find("/spec/hostNetwork"), Some(14));
        assert_eq!(find("/spec/volumes/0"), Some(16));
        assert_eq!(find("/spec/volumes/0/secret/defaultMode"), Some(17));
    }

    #[test]
    fn yaml_11_booleans_and_slash_keys() {
        let s = "metadata:\n  annotations:\n    a/b~c: x\nspec: {privileged: yes}\n";
        let docs = decode_chunk(
            DocChunk {
                bytes: s.as_bytes(),
                first_line: 1,
            },
            &LoadOptions::default(),
        )
        .expect("valid");
        assert_eq!(docs[0].value["spec"]["privileged"], true);
        assert!(
            docs[0]
                .lines
                .iter()
                .any(|(k, l)| &**k == "/metadata/annotations/a~1b~0c" && *l == 3)
        );
    }
}
