//! The loaded JSON tree: a compact, read-mostly counterpart of `serde_json::Value`.
//!
//! A 100,000-object cluster snapshot is held whole while every check runs, so each node counts.
//! `serde_json::Value` (with `preserve_order`) spends about 15 KB of memory on a 3 KB Deployment:
//! every map is an `IndexMap` (a hash table plus an entry vector, both with growth slack), every
//! key and string a separate heap `String`. Here:
//!
//! - a map is one exactly-sized, insertion-ordered slice of `(key, value)` pairs, searched
//!   linearly (Kubernetes objects have small maps; a lookup touches one cache line or two);
//! - an array is one exactly-sized slice;
//! - strings are [`CompactString`]s: up to 24 bytes stored inline, so many values (`TCP`,
//!   `500m`, `RollingUpdate`, names) need no allocation at all;
//! - keys are interned ([`Key`]): objects repeat a small vocabulary (`name`, `image`,
//!   `containers`…), so each distinct key is allocated once and shared;
//! - a [`Value`] is 24 bytes (the string's spare bit patterns tag the other variants), a map
//!   entry 40.
//!
//! On the workloads bench's 100,000-object snapshot (387 MB, 81,500 Deployments) this takes
//! resident memory after loading from 1,323 MiB to 437 MiB (335 MiB of live allocations) and
//! the load from 4.7 s to 1.8 s on the same two cores.
//!
//! The API mirrors the parts of serde_json's that the checks use (`get`, `pointer`, `as_*`,
//! `is_*`, indexing that yields `Null` when missing, `Display` as compact JSON), so call sites
//! read the same. Code that needs a real `serde_json::Value` converts with [`Value::to_json`].

use std::borrow::{Borrow, Cow};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use compact_str::CompactString;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
pub use serde_json::Number;

/// A map key: shared text. 16 bytes in the entry (an inline string would take 24) and, for
/// the keys every object repeats, no allocation of its own (see [`Key::new`]).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key(Arc<str>);

impl Key {
    /// The key `text`, shared with the identical keys made before on this thread. Each thread
    /// keeps a bounded table of short keys (so hostile input with millions of distinct keys
    /// only fills the table, then gets keys of its own).
    pub fn new(text: &str) -> Key {
        const MAX_LEN: usize = 64;
        const MAX_KEYS: usize = 16 * 1024;
        thread_local! {
            static KEYS: RefCell<HashSet<Arc<str>>> = RefCell::new(HashSet::new());
        }
        if text.len() > MAX_LEN {
            return Key(Arc::from(text));
        }
        let shared = KEYS.try_with(|keys| {
            let mut keys = keys.try_borrow_mut().ok()?;
            if let Some(k) = keys.get(text) {
                return Some(Arc::clone(k));
            }
            let k: Arc<str> = Arc::from(text);
            if keys.len() < MAX_KEYS {
                keys.insert(Arc::clone(&k));
            }
            Some(k)
        });
        Key(shared.ok().flatten().unwrap_or_else(|| Arc::from(text)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}
impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        &self.0
    }
}
impl Borrow<str> for Key {
    fn borrow(&self) -> &str {
        &self.0
    }
}
impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}
impl From<&str> for Key {
    fn from(s: &str) -> Key {
        Key::new(s)
    }
}
impl From<&String> for Key {
    fn from(s: &String) -> Key {
        Key::new(s)
    }
}
impl From<String> for Key {
    fn from(s: String) -> Key {
        Key::new(&s)
    }
}
impl From<CompactString> for Key {
    fn from(s: CompactString) -> Key {
        Key::new(&s)
    }
}
impl From<Key> for String {
    fn from(k: Key) -> String {
        k.0.to_string()
    }
}
impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}
impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}
impl PartialEq<String> for Key {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}
impl PartialEq<Key> for str {
    fn eq(&self, other: &Key) -> bool {
        self == &*other.0
    }
}
impl PartialEq<Key> for &str {
    fn eq(&self, other: &Key) -> bool {
        *self == &*other.0
    }
}
impl PartialEq<Key> for String {
    fn eq(&self, other: &Key) -> bool {
        **self == *other.0
    }
}

/// A JSON value, as loaded from a manifest or snapshot.
#[derive(Clone, Default)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(CompactString),
    Array(Box<[Value]>),
    Object(Map),
}

/// A JSON object: its entries in input order, without duplicate keys (the last value of a
/// repeated key wins, at the key's first position, as with serde_json).
#[derive(Clone, Default)]
pub struct Map {
    entries: Box<[(Key, Value)]>,
}

static NULL: Value = Value::Null;

// ----- Map -----

impl Map {
    pub fn new() -> Map {
        Map::default()
    }

    /// A map from entries in order; a repeated key keeps its first position and its last value.
    pub fn from_entries(mut entries: Vec<(Key, Value)>) -> Map {
        if has_duplicate_keys(&entries) {
            entries = dedup_last_wins(entries);
        }
        Map {
            entries: entries.into_boxed_slice(),
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k.as_str() == key)
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    /// The entry of `key` with the key as stored.
    pub fn get_key_value(&self, key: &str) -> Option<(&Key, &Value)> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(k, v)| (k, v))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Set `key` to `value`: in place when present (returning the old value), else appended.
    /// Appending reallocates the entries (maps are built once, so this is rare).
    pub fn insert(&mut self, key: impl Into<Key>, value: Value) -> Option<Value> {
        let key = key.into();
        if let Some(i) = self.position(&key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        let mut entries = std::mem::take(&mut self.entries).into_vec();
        entries.reserve_exact(1);
        entries.push((key, value));
        self.entries = entries.into_boxed_slice();
        None
    }

    /// Remove `key`, keeping the order of the other entries.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        let mut entries = std::mem::take(&mut self.entries).into_vec();
        let (_, v) = entries.remove(i);
        self.entries = entries.into_boxed_slice();
        Some(v)
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter {
            inner: self.entries.iter(),
        }
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&Key, &mut Value)> {
        self.entries.iter_mut().map(|(k, v)| (&*k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut Value> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// The same map as a `serde_json::Map`.
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut out = serde_json::Map::with_capacity(self.len());
        for (k, v) in self {
            out.insert(k.as_str().to_owned(), v.to_json());
        }
        out
    }
}

/// Linear for the small maps of Kubernetes objects; hashed beyond, so a hostile map of a
/// million keys costs no quadratic time.
fn has_duplicate_keys(entries: &[(Key, Value)]) -> bool {
    const LINEAR_MAX: usize = 12;
    if entries.len() <= LINEAR_MAX {
        entries
            .iter()
            .enumerate()
            .any(|(i, (k, _))| entries[..i].iter().any(|(p, _)| p == k))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        entries.iter().any(|(k, _)| !seen.insert(k.as_str()))
    }
}

fn dedup_last_wins(entries: Vec<(Key, Value)>) -> Vec<(Key, Value)> {
    let mut out: Vec<(Key, Value)> = Vec::with_capacity(entries.len());
    let mut index: std::collections::HashMap<Key, usize> = std::collections::HashMap::new();
    for (k, v) in entries {
        match index.get(&k) {
            Some(&i) => out[i].1 = v,
            None => {
                index.insert(k.clone(), out.len());
                out.push((k, v));
            }
        }
    }
    out
}

/// Iterator over a map's entries, in order.
#[derive(Clone)]
pub struct Iter<'a> {
    inner: std::slice::Iter<'a, (Key, Value)>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Value);
    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(k, v)| (k, v))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_vec().into_iter()
    }
}

impl<K: Into<Key>> FromIterator<(K, Value)> for Map {
    fn from_iter<T: IntoIterator<Item = (K, Value)>>(iter: T) -> Map {
        Map::from_entries(iter.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }
}

/// As serde_json's (an `IndexMap`'s): equal when both hold the same keys with equal values,
/// whatever their order.
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        if self.len() != other.len() {
            return false;
        }
        if self
            .entries
            .iter()
            .zip(other.entries.iter())
            .all(|(a, b)| a == b)
        {
            return true;
        }
        self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl std::ops::Index<&str> for Map {
    type Output = Value;
    /// `Null` when missing (unlike serde_json's map, which panics).
    fn index(&self, key: &str) -> &Value {
        self.get(key).unwrap_or(&NULL)
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

// ----- Value -----

/// What a [`Value`] can be indexed with: `usize` (arrays) or a key (objects).
pub trait ValueIndex {
    #[doc(hidden)]
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value>;
    #[doc(hidden)]
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value>;
}

impl ValueIndex for usize {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        match v {
            Value::Array(a) => a.get(*self),
            _ => None,
        }
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        match v {
            Value::Array(a) => a.get_mut(*self),
            _ => None,
        }
    }
}

impl ValueIndex for str {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        match v {
            Value::Object(m) => m.get(self),
            _ => None,
        }
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        match v {
            Value::Object(m) => m.get_mut(self),
            _ => None,
        }
    }
}

impl ValueIndex for String {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        self.as_str().index_into(v)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        self.as_str().index_into_mut(v)
    }
}

impl ValueIndex for Key {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        self.as_str().index_into(v)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        self.as_str().index_into_mut(v)
    }
}

impl ValueIndex for CompactString {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        self.as_str().index_into(v)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        self.as_str().index_into_mut(v)
    }
}

impl<T: ValueIndex + ?Sized> ValueIndex for &T {
    fn index_into<'v>(&self, v: &'v Value) -> Option<&'v Value> {
        (**self).index_into(v)
    }
    fn index_into_mut<'v>(&self, v: &'v mut Value) -> Option<&'v mut Value> {
        (**self).index_into_mut(v)
    }
}

impl<I: ValueIndex> std::ops::Index<I> for Value {
    type Output = Value;
    /// `Null` when the key or index is missing or the value is not a container (as serde_json).
    fn index(&self, index: I) -> &Value {
        index.index_into(self).unwrap_or(&NULL)
    }
}

impl Value {
    /// The value at `index` (a key of an object, a position of an array).
    pub fn get<I: ValueIndex>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    pub fn get_mut<I: ValueIndex>(&mut self, index: I) -> Option<&mut Value> {
        index.index_into_mut(self)
    }

    /// The value at an RFC 6901 JSON pointer (`/spec/containers/0/image`; `~1` is `/` and `~0`
    /// is `~` in a segment), as `serde_json::Value::pointer`.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |target, token| {
            let token = unescape_token(token);
            match target {
                Value::Object(map) => map.get(&token),
                Value::Array(list) => parse_index(&token).and_then(|i| list.get(i)),
                _ => None,
            }
        })
    }

    pub fn pointer_mut(&mut self, pointer: &str) -> Option<&mut Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let rest = pointer.strip_prefix('/')?;
        rest.split('/').try_fold(self, |target, token| {
            let token = unescape_token(token);
            match target {
                Value::Object(map) => map.get_mut(&token),
                Value::Array(list) => parse_index(&token).and_then(move |i| list.get_mut(i)),
                _ => None,
            }
        })
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }
    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }
    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
    pub fn is_i64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_i64())
    }
    pub fn is_u64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_u64())
    }
    pub fn is_f64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_f64())
    }

    pub fn as_null(&self) -> Option<()> {
        self.is_null().then_some(())
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s.as_str()),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_array_mut(&mut self) -> Option<&mut [Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }
    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// Take the value, leaving `Null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }

    /// The same value as a `serde_json::Value` (a copy: for code that needs serde_json's type).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Value::to_json).collect()),
            Value::Object(m) => serde_json::Value::Object(m.to_json()),
        }
    }
}

fn unescape_token(token: &str) -> Cow<'_, str> {
    if token.contains('~') {
        Cow::Owned(token.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(token)
    }
}

/// An array index in a pointer: digits only, no leading zero (as serde_json).
fn parse_index(s: &str) -> Option<usize> {
    if s.starts_with('+') || (s.starts_with('0') && s.len() != 1) {
        return None;
    }
    s.parse().ok()
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => a == b,
            (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

impl PartialEq<serde_json::Value> for Value {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match (self, other) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => a == b,
            (Value::String(a), serde_json::Value::String(b)) => a == b,
            (Value::Array(a), serde_json::Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
            }
            (Value::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k.as_str()).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<Value> for serde_json::Value {
    fn eq(&self, other: &Value) -> bool {
        other == self
    }
}

/// `value == "text"`, `value == 3`, `value == true` as with serde_json.
macro_rules! partial_eq_scalar {
    ($($ty:ty => $conv:ident,)*) => {$(
        impl PartialEq<$ty> for Value {
            fn eq(&self, other: &$ty) -> bool {
                partial_eq_scalar!(@cmp self, other, $conv)
            }
        }
        impl PartialEq<$ty> for &Value {
            fn eq(&self, other: &$ty) -> bool {
                partial_eq_scalar!(@cmp *self, other, $conv)
            }
        }
        impl PartialEq<Value> for $ty {
            fn eq(&self, other: &Value) -> bool {
                other == self
            }
        }
    )*};
    (@cmp $v:expr, $o:expr, i64) => { $v.as_i64().is_some_and(|x| x == i64::from(*$o)) };
    (@cmp $v:expr, $o:expr, u64) => { $v.as_u64().is_some_and(|x| x == u64::from(*$o)) };
    (@cmp $v:expr, $o:expr, isize) => { $v.as_i64().is_some_and(|x| i64::try_from(*$o).is_ok_and(|o| x == o)) };
    (@cmp $v:expr, $o:expr, usize) => { $v.as_u64().is_some_and(|x| u64::try_from(*$o).is_ok_and(|o| x == o)) };
    (@cmp $v:expr, $o:expr, f64) => { $v.as_f64().is_some_and(|x| x == f64::from(*$o)) };
    (@cmp $v:expr, $o:expr, bool) => { $v.as_bool().is_some_and(|x| x == *$o) };
}

partial_eq_scalar! {
    i8 => i64, i16 => i64, i32 => i64, i64 => i64, isize => isize,
    u8 => u64, u16 => u64, u32 => u64, u64 => u64, usize => usize,
    f32 => f64, f64 => f64,
    bool => bool,
}

impl PartialEq<str> for Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}
impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}
impl PartialEq<String> for Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}
impl PartialEq<str> for &Value {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}
impl PartialEq<String> for &Value {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == Some(other.as_str())
    }
}
impl PartialEq<Value> for str {
    fn eq(&self, other: &Value) -> bool {
        other.as_str() == Some(self)
    }
}
impl PartialEq<Value> for &str {
    fn eq(&self, other: &Value) -> bool {
        other.as_str() == Some(*self)
    }
}
impl PartialEq<Value> for String {
    fn eq(&self, other: &Value) -> bool {
        other.as_str() == Some(self.as_str())
    }
}

/// As serde_json's `Debug` (`Object {"a": Number(1)}`), so debug output reads the same.
impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Number(n) => fmt::Debug::fmt(n, f),
            Value::String(s) => write!(f, "String({:?})", s.as_str()),
            Value::Array(a) => {
                f.write_str("Array ")?;
                fmt::Debug::fmt(a, f)
            }
            Value::Object(m) => {
                f.write_str("Object ")?;
                fmt::Debug::fmt(m, f)
            }
        }
    }
}

/// Compact JSON, or pretty with `{:#}`, as serde_json's `Display`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if f.alternate() {
            serde_json::to_string_pretty(self)
        } else {
            serde_json::to_string(self)
        };
        f.write_str(&text.map_err(|_| fmt::Error)?)
    }
}

// ----- conversions -----

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s.into()),
            serde_json::Value::Array(a) => Value::Array(a.into_iter().map(Value::from).collect()),
            serde_json::Value::Object(m) => Value::Object(Map::from(m)),
        }
    }
}

impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(s.as_str().into()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from).collect()),
            serde_json::Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| (Key::new(k), Value::from(v)))
                    .collect(),
            ),
        }
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Map {
    fn from(m: serde_json::Map<String, serde_json::Value>) -> Map {
        // serde_json's map has no duplicates: no need to check.
        let entries: Vec<(Key, Value)> = m
            .into_iter()
            .map(|(k, v)| (Key::new(&k), Value::from(v)))
            .collect();
        Map {
            entries: entries.into_boxed_slice(),
        }
    }
}

impl From<Value> for serde_json::Value {
    fn from(v: Value) -> serde_json::Value {
        v.to_json()
    }
}

impl From<&Value> for serde_json::Value {
    fn from(v: &Value) -> serde_json::Value {
        v.to_json()
    }
}

impl From<Map> for Value {
    fn from(m: Map) -> Value {
        Value::Object(m)
    }
}
impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::Array(v.into_boxed_slice())
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}
impl From<CompactString> for Value {
    fn from(s: CompactString) -> Value {
        Value::String(s)
    }
}
impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Number(n.into())
    }
}
impl From<u64> for Value {
    fn from(n: u64) -> Value {
        Value::Number(n.into())
    }
}
impl From<i32> for Value {
    fn from(n: i32) -> Value {
        Value::Number(n.into())
    }
}
impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Number(n.into())
    }
}
/// Non-finite numbers have no JSON form: `Null`, as serde_json.
impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Value {
        Value::Array(iter.into_iter().map(Into::into).collect())
    }
}

// ----- serde -----

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(n) => n.serialize(s),
            Value::String(v) => s.serialize_str(v),
            Value::Array(a) => s.collect_seq(a.iter()),
            Value::Object(m) => m.serialize(s),
        }
    }
}

impl Serialize for Map {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (k, v) in self {
            map.serialize_entry(k.as_str(), v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        ValueSeed {
            scratch: &mut Scratch::default(),
        }
        .deserialize(d)
    }
}

impl<'de> Deserialize<'de> for Map {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Map, D::Error> {
        match Value::deserialize(d)? {
            Value::Object(m) => Ok(m),
            other => Err(de::Error::invalid_type(
                unexpected(&other),
                &"a JSON object",
            )),
        }
    }
}

fn unexpected(v: &Value) -> de::Unexpected<'_> {
    match v {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

/// Stacks shared by every level of one decode: a container's elements are pushed here while
/// it is read, then moved into one allocation of exactly their number. Without it each map and
/// array would grow a vector of its own (by doubling) and shrink it again.
#[derive(Default)]
pub(crate) struct Scratch {
    entries: Vec<(Key, Value)>,
    items: Vec<Value>,
}

impl Scratch {
    /// Forget whatever a failed decode left behind (keeping the capacity).
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.items.clear();
    }
}

/// Decodes one value with a shared [`Scratch`].
pub(crate) struct ValueSeed<'s> {
    pub(crate) scratch: &'s mut Scratch,
}

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        match (i64::try_from(v), u64::try_from(v)) {
            (Ok(i), _) => Ok(Value::Number(i.into())),
            (_, Ok(u)) => Ok(Value::Number(u.into())),
            _ => Err(E::custom("number out of range")),
        }
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        u64::try_from(v)
            .map(|u| Value::Number(u.into()))
            .map_err(|_| E::custom("number out of range"))
    }
    /// Non-finite floats (which JSON cannot hold) become `Null`, as in serde_json.
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.into()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v.into()))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::String(String::from_utf8_lossy(v).as_ref().into()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let scratch = self.scratch;
        let base = scratch.items.len();
        while let Some(item) = seq.next_element_seed(ValueSeed {
            scratch: &mut *scratch,
        })? {
            scratch.items.push(item);
        }
        // Collecting a drain allocates exactly its length.
        let items: Box<[Value]> = scratch.items.drain(base..).collect();
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let scratch = self.scratch;
        let base = scratch.entries.len();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value = map.next_value_seed(ValueSeed {
                scratch: &mut *scratch,
            })?;
            scratch.entries.push((key, value));
        }
        if has_duplicate_keys(&scratch.entries[base..]) {
            let entries: Vec<(Key, Value)> = scratch.entries.drain(base..).collect();
            return Ok(Value::Object(Map::from_entries(entries)));
        }
        let entries: Box<[(Key, Value)]> = scratch.entries.drain(base..).collect();
        Ok(Value::Object(Map { entries }))
    }
}

/// A map key: a string, or any other scalar as text (YAML allows `1: x`; Kubernetes keys are
/// strings).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar mapping key")
    }
    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(Key::new(v))
    }
    fn visit_bool<E>(self, v: bool) -> Result<Key, E> {
        Ok(Key::new(if v { "true" } else { "false" }))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Key, E> {
        Ok(Key::new(&v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Key, E> {
        Ok(Key::new(&v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Key, E> {
        Ok(Key::new(&v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Key, E> {
        Ok(Key::new("null"))
    }
    fn visit_none<E>(self) -> Result<Key, E> {
        Ok(Key::new("null"))
    }
}

/// Decode one JSON document (serde_json's limits: recursion depth 128), reusing `scratch`.
pub(crate) fn from_slice_with(
    bytes: &[u8],
    scratch: &mut Scratch,
) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = ValueSeed {
        scratch: &mut *scratch,
    }
    .deserialize(&mut de)
    .and_then(|v| de.end().map(|()| v));
    if result.is_err() {
        scratch.clear();
    }
    result
}

/// Decode one JSON document from bytes.
pub fn from_slice(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    from_slice_with(bytes, &mut Scratch::default())
}

/// Decode one JSON document from text.
pub fn from_str(text: &str) -> Result<Value, serde_json::Error> {
    from_slice(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        // The string's spare bit patterns hold the other variants' tags: no extra word.
        assert_eq!(std::mem::size_of::<Value>(), 24);
        assert_eq!(std::mem::size_of::<(Key, Value)>(), 40);
        assert_eq!(std::mem::size_of::<Map>(), 16);
    }

    #[test]
    fn same_value_as_serde_json() {
        let text = br#"{"a": [1, -2, 3.5, "x", null, true, {"b": {}}], "c": {"d": [], "e": "\u00e9"}, "a2": 18446744073709551615, "long": "a string well over twenty-four bytes long"}"#;
        let ours = from_slice(text).expect("valid");
        let theirs: serde_json::Value = serde_json::from_slice(text).expect("valid");
        assert_eq!(ours, theirs);
        assert_eq!(ours.to_json(), theirs);
        assert_eq!(Value::from(theirs.clone()), ours);
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!(format!("{ours:#}"), format!("{theirs:#}"));
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        assert!(from_slice(b"{\"a\": 1} x").is_err());
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(from_slice(deep.as_bytes()).is_err(), "recursion limit kept");
        // Through serde_json's own decoder too.
        let via: Value = serde_json::from_slice(text).expect("valid");
        assert_eq!(via, ours);
    }

    #[test]
    fn duplicate_keys_last_value_first_position() {
        let text = br#"{"a": 1, "b": 2, "a": 3}"#;
        let ours = from_slice(text).expect("valid");
        let theirs: serde_json::Value = serde_json::from_slice(text).expect("valid");
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!(ours.to_string(), r#"{"a":3,"b":2}"#);
        // Past the linear check too.
        let mut big = String::from("{");
        for i in 0..40 {
            big.push_str(&format!("\"k{}\": {i},", i % 30));
        }
        big.push_str("\"z\": 0}");
        let ours = from_slice(big.as_bytes()).expect("valid");
        let theirs: serde_json::Value = serde_json::from_str(&big).expect("valid");
        assert_eq!(ours.to_string(), theirs.to_string());
        assert_eq!(ours.as_object().map(Map::len), Some(31));
    }

    #[test]
    fn access_like_serde_json() {
        let v = from_str(r#"{"metadata": {"labels": {"a/b": "x", "c~d": "y"}}, "n": [10, 20], "f": 1.5, "t": true}"#)
            .expect("valid");
        assert_eq!(v.pointer("/metadata/labels/a~1b"), Some(&Value::from("x")));
        assert_eq!(
            v.pointer("/metadata/labels/c~0d").and_then(Value::as_str),
            Some("y")
        );
        assert_eq!(v.pointer("/n/1").and_then(Value::as_u64), Some(20));
        assert_eq!(v.pointer("/n/01"), None);
        assert_eq!(v.pointer("n"), None);
        assert_eq!(v.pointer(""), Some(&v));
        assert_eq!(v["n"][0], 10);
        assert_eq!(v["n"][5], Value::Null);
        assert_eq!(v["missing"]["deeper"], Value::Null);
        assert_eq!(v["f"].as_f64(), Some(1.5));
        assert_eq!(v["f"].as_i64(), None);
        assert_eq!(v["t"], true);
        assert!(v["metadata"].is_object() && v["n"].is_array() && v["t"].is_boolean());
        assert_eq!(v.get("n").and_then(|n| n.get(1)), Some(&Value::from(20u64)));
        let keys: Vec<&str> = v
            .as_object()
            .map_or(vec![], |m| m.keys().map(|k| k.as_str()).collect());
        assert_eq!(keys, ["metadata", "n", "f", "t"]);
    }

    #[test]
    fn map_insert_and_remove_keep_order() {
        let mut v = from_str(r#"{"a": 1, "b": 2}"#).expect("valid");
        let m = v.as_object_mut().expect("object");
        assert_eq!(m.insert("c", Value::from(3i64)), None);
        assert_eq!(m.insert("a", Value::from(9i64)), Some(Value::from(1i64)));
        assert_eq!(v.to_string(), r#"{"a":9,"b":2,"c":3}"#);
        let m = v.as_object_mut().expect("object");
        assert_eq!(m.remove("b"), Some(Value::from(2i64)));
        assert!(!m.contains_key("b"));
        assert_eq!(v.to_string(), r#"{"a":9,"c":3}"#);
    }

    #[test]
    fn maps_compare_without_order() {
        let a = from_str(r#"{"a": 1, "b": 2}"#).expect("valid");
        let b = from_str(r#"{"b": 2, "a": 1}"#).expect("valid");
        let c = from_str(r#"{"b": 2, "a": 2}"#).expect("valid");
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            ".{0,40}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(6, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                proptest::collection::vec((".{0,30}", inner), 0..8).prop_map(|entries| {
                    serde_json::Value::Object(entries.into_iter().collect())
                }),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn decodes_and_prints_as_serde_json(generated in arbitrary_json()) {
            let text = generated.to_string();
            // serde_json's own reading of the text (its float parsing need not round-trip).
            let v: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
            let ours = from_str(&text).expect("valid JSON");
            proptest::prop_assert_eq!(&ours, &v);
            proptest::prop_assert_eq!(ours.to_string(), v.to_string());
            proptest::prop_assert_eq!(format!("{ours:#}"), format!("{v:#}"));
            proptest::prop_assert_eq!(ours.to_json(), v.clone());
            proptest::prop_assert_eq!(Value::from(v), ours);
        }
    }

    #[test]
    fn yaml_decodes_straight_into_it() {
        let v: Value = serde_saphyr::from_str("a: [1, x, {b: null}]\n1: z\n").expect("valid");
        assert_eq!(v.to_string(), r#"{"a":[1,"x",{"b":null}],"1":"z"}"#);
    }
}
