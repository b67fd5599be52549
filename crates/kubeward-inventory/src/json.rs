//! JSON input, streamed: `kubectl get -o json` snapshots can be hundreds of megabytes, so the text
//! is read in chunks, the elements of a top-level `items` array (or of a top-level array) are cut
//! out by a small structural scanner and decoded in parallel, and each chunk of text is dropped as
//! soon as its items are decoded. Only one item at a time must fit the per-document limit.

use std::io::Read;

use crate::value::{Scratch, Value, from_slice_with};
use rayon::prelude::*;

use crate::LoadOptions;
use crate::error::LoadError;

/// Bytes read per step. Items of a step are decoded together, in parallel.
const CHUNK: u64 = 8 * 1024 * 1024;

/// A decoded JSON value and the 1-based line where it starts.
pub(crate) struct JsonDoc {
    pub value: Value,
    pub line: u32,
    /// Per-field lines, when asked for (inputs small enough to afford them).
    pub lines: Option<Vec<(Box<str>, u32)>>,
}

#[derive(Default)]
pub(crate) struct JsonLoad {
    pub docs: Vec<JsonDoc>,
    pub errors: Vec<LoadError>,
    /// The top-level List carries the mark of `kubeward snapshot` ([`crate::SNAPSHOT_MARKER`]).
    pub snapshot: bool,
}

struct Elem {
    start: usize,
    line: u32,
}

/// The top-level value being read.
struct Top {
    start_line: u32,
    is_array: bool,
    /// Its text without the items (small: apiVersion, kind, metadata).
    rest: Vec<u8>,
    /// Where in the buffer the next bytes of `rest` start (meaningful outside the items array).
    rest_from: usize,
    items: Vec<JsonDoc>,
    had_items: bool,
    oversize: bool,
    stray_reported: bool,
}

struct Scanner<'o> {
    opts: &'o LoadOptions,
    with_lines: bool,
    depth: u32,
    in_str: bool,
    esc: bool,
    line: u32,
    capture: bool,
    key: Vec<u8>,
    last_key_items: bool,
    items_level: Option<u32>,
    items_open_line: u32,
    elem: Option<Elem>,
    skipping: bool,
    top: Option<Top>,
    jobs: Vec<(usize, usize, u32)>,
    out: JsonLoad,
    stray_reported: bool,
}

/// Read JSON values (one or several concatenated) from `reader`; `with_lines` also records the
/// line of every field.
pub(crate) fn load_json<R: Read>(mut reader: R, opts: &LoadOptions, with_lines: bool) -> JsonLoad {
    let mut s = Scanner {
        opts,
        with_lines,
        depth: 0,
        in_str: false,
        esc: false,
        line: 1,
        capture: false,
        key: Vec::with_capacity(16),
        last_key_items: false,
        items_level: None,
        items_open_line: 0,
        elem: None,
        skipping: false,
        top: None,
        jobs: Vec::new(),
        out: JsonLoad::default(),
        stray_reported: false,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK as usize + 1024);
    let mut first = true;
    let mut total: u64 = 0;
    loop {
        let before = buf.len();
        match (&mut reader).take(CHUNK).read_to_end(&mut buf) {
            Ok(_) => {}
            Err(e) => {
                s.out.errors.push(LoadError::Io(e.to_string()));
                break;
            }
        }
        let read = (buf.len() - before) as u64;
        total += read;
        if total > opts.max_stream_bytes {
            s.out.errors.push(LoadError::TooLarge {
                what: "JSON input",
                line: None,
                size: total,
                limit: opts.max_stream_bytes,
            });
            return s.out;
        }
        let mut start = before;
        if first {
            first = false;
            if buf.starts_with(b"\xEF\xBB\xBF") {
                start = 3;
            }
        }
        s.scan(&buf, start);
        s.flush(&mut buf, read == 0);
        if read == 0 {
            break;
        }
    }
    if s.top.is_some() || s.in_str {
        let line = s.top.as_ref().map_or(s.line, |t| t.start_line);
        s.out.errors.push(LoadError::Syntax {
            format: "JSON",
            line: Some(line),
            message: format!(
                "unexpected end of input: the value starting at line {line} is not closed"
            ),
        });
        if let Some(top) = s.top.take() {
            // Items already decoded are real objects: keep them.
            s.out.docs.extend(top.items);
        }
    }
    s.out
}

impl Scanner<'_> {
    fn start_elem(&mut self, i: usize) {
        if self.items_level == Some(self.depth) && self.elem.is_none() && !self.skipping {
            self.elem = Some(Elem {
                start: i,
                line: self.line,
            });
        }
    }

    fn finish_elem(&mut self, i: usize) {
        self.skipping = false;
        if let Some(e) = self.elem.take() {
            self.jobs.push((e.start, i, e.line));
        }
    }

    fn scan(&mut self, buf: &[u8], from: usize) {
        let mut i = from;
        let n = buf.len();
        while i < n {
            let b = buf[i];
            if self.in_str {
                if self.esc {
                    self.esc = false;
                    if self.capture {
                        self.key.push(b);
                    }
                    i += 1;
                    continue;
                }
                if !self.capture {
                    // Jump to the next quote or backslash.
                    match memchr::memchr2(b'"', b'\\', &buf[i..]) {
                        Some(off) => i += off,
                        None => {
                            i = n;
                            continue;
                        }
                    }
                }
                let b = buf[i];
                match b {
                    b'\\' => self.esc = true,
                    b'"' => {
                        self.in_str = false;
                        if self.capture {
                            self.capture = false;
                            self.last_key_items = self.key == b"items";
                        }
                    }
                    _ => {
                        // Only "items" matters: longer keys need not be kept whole.
                        if self.capture && self.key.len() <= 16 {
                            self.key.push(b);
                        }
                    }
                }
                i += 1;
                continue;
            }
            match b {
                b'\n' | b' ' | b'\t' | b'\r' => {
                    // Pretty-printed snapshots are mostly indentation: skip a blank run at once
                    // (blanks change no state but the line count).
                    let mut j = i;
                    while j < n && matches!(buf[j], b' ' | b'\n' | b'\t' | b'\r') {
                        if buf[j] == b'\n' {
                            self.line += 1;
                        }
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                b'"' => {
                    if self.depth == 0 {
                        self.stray(i);
                    }
                    self.start_elem(i);
                    self.in_str = true;
                    if self.depth == 1 && self.top.as_ref().is_some_and(|t| !t.is_array) {
                        self.capture = true;
                        self.key.clear();
                    }
                }
                b'{' | b'[' => {
                    if self.depth == 0 {
                        self.begin_top(i, b == b'[');
                        self.depth = 1;
                        if b == b'[' {
                            self.enter_items(buf, i);
                        }
                    } else {
                        self.start_elem(i);
                        let entering_items = self.depth == 1
                            && b == b'['
                            && self.last_key_items
                            && self.items_level.is_none()
                            && self.top.as_ref().is_some_and(|t| !t.is_array);
                        self.depth += 1;
                        if entering_items {
                            self.enter_items(buf, i);
                        }
                    }
                }
                b'}' | b']' => {
                    if self.depth == 0 {
                        self.stray(i);
                    } else {
                        if self.items_level == Some(self.depth) {
                            self.finish_elem(i);
                            self.leave_items(i);
                        }
                        self.depth -= 1;
                        if self.depth == 0 {
                            self.end_top(buf, i);
                        }
                    }
                }
                b',' => {
                    if self.items_level == Some(self.depth) {
                        self.finish_elem(i);
                    }
                }
                _ => {
                    if self.depth == 0 {
                        self.stray(i);
                    } else {
                        self.start_elem(i);
                    }
                }
            }
            // `"items"` counts only when the next token is its value's `[`.
            self.last_key_items &= matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b':' | b'[' | b'"');
            i += 1;
        }
    }

    fn stray(&mut self, _i: usize) {
        if !self.stray_reported {
            self.stray_reported = true;
            self.out.errors.push(LoadError::Syntax {
                format: "JSON",
                line: Some(self.line),
                message: "text outside any JSON object or array".into(),
            });
        }
    }

    fn begin_top(&mut self, i: usize, is_array: bool) {
        self.top = Some(Top {
            start_line: self.line,
            is_array,
            rest: Vec::new(),
            rest_from: i,
            items: Vec::new(),
            had_items: false,
            oversize: false,
            stray_reported: false,
        });
        self.last_key_items = false;
    }

    /// The array at `i` holds the items: keep its bracket in `rest`, cut out its content.
    fn enter_items(&mut self, buf: &[u8], i: usize) {
        self.items_level = Some(self.depth);
        self.items_open_line = self.line;
        let limit = self.opts.max_document_bytes;
        if let Some(top) = self.top.as_mut() {
            top.had_items = true;
            let from = top.rest_from;
            append_rest(top, &buf[from..=i], limit, &mut self.out.errors);
        }
    }

    fn leave_items(&mut self, i: usize) {
        self.items_level = None;
        let newlines = self.line.saturating_sub(self.items_open_line);
        if let Some(top) = self.top.as_mut() {
            // Keep line numbers of what follows the items right (for error messages).
            if !top.oversize {
                top.rest
                    .extend(std::iter::repeat_n(b'\n', newlines as usize));
            }
            top.rest_from = i;
        }
    }

    fn end_top(&mut self, buf: &[u8], i: usize) {
        // Items completed in this chunk must be decoded before the top value is closed.
        self.decode_jobs(buf);
        let Some(mut top) = self.top.take() else {
            return;
        };
        let from = top.rest_from;
        append_rest(
            &mut top,
            &buf[from..=i],
            self.opts.max_document_bytes,
            &mut self.out.errors,
        );
        if top.is_array {
            self.out.docs.extend(top.items);
            return;
        }
        if top.oversize {
            self.out.docs.extend(top.items);
            return;
        }
        let rest: Value = match from_slice_with(&top.rest, &mut Scratch::default()) {
            Ok(v) => v,
            Err(e) => {
                self.out.errors.push(json_error(&e, top.start_line));
                self.out.docs.extend(top.items);
                return;
            }
        };
        let is_list = rest
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"));
        if !top.had_items || is_list {
            if is_list {
                self.out.snapshot |= rest
                    .get(crate::SNAPSHOT_MARKER)
                    .is_some_and(Value::is_object);
                self.out.docs.extend(top.items);
            } else {
                let lines = self
                    .with_lines
                    .then(|| crate::json_lines::field_lines(&top.rest, top.start_line));
                self.out.docs.push(JsonDoc {
                    value: rest,
                    line: top.start_line,
                    lines,
                });
            }
            return;
        }
        // An object that merely has an `items` array: put its items back.
        let mut value = rest;
        if let Some(obj) = value.as_object_mut() {
            obj.insert("items", top.items.into_iter().map(|d| d.value).collect());
        }
        self.out.docs.push(JsonDoc {
            value,
            line: top.start_line,
            lines: None,
        });
    }

    fn decode_jobs(&mut self, buf: &[u8]) {
        if self.jobs.is_empty() {
            return;
        }
        let jobs = std::mem::take(&mut self.jobs);
        let with_lines = self.with_lines;
        // Each worker reuses one scratch stack across its items (see `Scratch`).
        let decoded: Vec<Result<JsonDoc, LoadError>> = jobs
            .par_iter()
            .map_init(Scratch::default, |scratch, &(s, e, line)| {
                let bytes = buf[s..e].trim_ascii_end();
                from_slice_with(bytes, scratch)
                    .map(|value| JsonDoc {
                        value,
                        line,
                        lines: with_lines.then(|| crate::json_lines::field_lines(bytes, line)),
                    })
                    .map_err(|err| json_error(&err, line))
            })
            .collect();
        let top = self.top.as_mut();
        match top {
            Some(top) => {
                for d in decoded {
                    match d {
                        Ok(doc) => top.items.push(doc),
                        Err(e) => self.out.errors.push(e),
                    }
                }
            }
            None => {
                for d in decoded {
                    match d {
                        Ok(doc) => self.out.docs.push(doc),
                        Err(e) => self.out.errors.push(e),
                    }
                }
            }
        }
    }

    /// After a chunk: decode finished items, enforce limits, and drop the text no longer needed.
    fn flush(&mut self, buf: &mut Vec<u8>, eof: bool) {
        self.decode_jobs(buf);
        let limit = self.opts.max_document_bytes;
        if let Some(e) = &self.elem
            && buf.len() - e.start > limit
        {
            self.out.errors.push(LoadError::TooLarge {
                what: "JSON item",
                line: Some(e.line),
                size: (buf.len() - e.start) as u64,
                limit: limit as u64,
            });
            self.elem = None;
            self.skipping = true;
        }
        let keep_from = match &self.elem {
            Some(e) => e.start,
            None => buf.len(),
        };
        if let Some(top) = self.top.as_mut() {
            if self.items_level.is_none() {
                let from = top.rest_from;
                append_rest(top, &buf[from..], limit, &mut self.out.errors);
                top.rest_from = buf.len();
            }
            top.rest_from = top.rest_from.saturating_sub(keep_from);
        }
        if eof {
            return;
        }
        buf.drain(..keep_from);
        if let Some(e) = self.elem.as_mut() {
            e.start -= keep_from;
        }
    }
}

fn append_rest(top: &mut Top, bytes: &[u8], limit: usize, errors: &mut Vec<LoadError>) {
    if top.oversize {
        return;
    }
    if top.rest.len() + bytes.len() > limit {
        top.oversize = true;
        top.rest = Vec::new();
        if !top.stray_reported {
            top.stray_reported = true;
            errors.push(LoadError::TooLarge {
                what: "JSON document",
                line: Some(top.start_line),
                size: (top.rest.len() + bytes.len()) as u64,
                limit: limit as u64,
            });
        }
        return;
    }
    top.rest.extend_from_slice(bytes);
}

fn json_error(e: &serde_json::Error, first_line: u32) -> LoadError {
    let line = if e.line() > 0 {
        first_line + e.line() as u32 - 1
    } else {
        first_line
    };
    // serde_json appends "at line L column C" relative to the fragment: state our own line only.
    let msg = e.to_string();
    let msg = match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg,
    };
    LoadError::Syntax {
        format: "JSON",
        line: Some(line),
        message: msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(s: &str) -> JsonLoad {
        load_json(s.as_bytes(), &LoadOptions::default(), true)
    }

    #[test]
    fn list_items_with_lines() {
        let s = "{\n \"apiVersion\": \"v1\",\n \"items\": [\n  {\"kind\": \"Pod\", \"x\": \"a,]}\"},\n  {\n   \"kind\": \"Service\"\n  }\n ],\n \"kind\": \"List\"\n}\n";
        let r = load(s);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let kinds: Vec<(&str, u32)> = r
            .docs
            .iter()
            .map(|d| (d.value["kind"].as_str().unwrap_or(""), d.line))
            .collect();
        assert_eq!(kinds, vec![("Pod", 4), ("Service", 5)]);
    }

    #[test]
    fn object_with_items_that_is_not_a_list_is_kept_whole() {
        let r = load("{\"kind\": \"Thing\", \"items\": [1, 2, {\"a\": 3}]}");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.docs.len(), 1);
        assert_eq!(r.docs[0].value["items"][2]["a"], 3);
    }

    #[test]
    fn broken_item_does_not_hide_the_others() {
        let r = load(
            "{\"kind\": \"List\", \"items\": [\n{\"kind\": \"A\"},\n{\"kind\": B},\n{\"kind\": \"C\"}\n]}",
        );
        assert_eq!(r.docs.len(), 2);
        assert_eq!(r.errors.len(), 1);
        assert_eq!(r.errors[0].line(), Some(3));
    }

    #[test]
    fn concatenated_values_and_top_level_array() {
        let r =
            load("{\"kind\": \"A\"}\n[{\"kind\": \"B\"}, {\"kind\": \"C\"}]\n{\"kind\": \"D\"}");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let lines: Vec<u32> = r.docs.iter().map(|d| d.line).collect();
        assert_eq!(r.docs.len(), 4);
        assert_eq!(lines, vec![1, 2, 2, 3]);
    }

    #[test]
    fn truncated_input_reports_and_keeps_complete_items() {
        let r = load("{\"kind\": \"List\", \"items\": [{\"kind\": \"A\"}, {\"kind\": \"B\"");
        assert_eq!(r.docs.len(), 1);
        assert_eq!(r.errors.len(), 1);
    }

    #[test]
    fn item_split_across_chunks() {
        // Build an input larger than one chunk so an item straddles the boundary.
        let mut s = String::from("{\"kind\": \"List\", \"items\": [");
        let pad = "x".repeat(1000);
        let mut n = 0;
        while s.len() < (CHUNK as usize) + 50_000 {
            if n > 0 {
                s.push(',');
            }
            s.push_str(&format!(
                "{{\"kind\": \"Pod\", \"n\": {n}, \"pad\": \"{pad}\"}}\n"
            ));
            n += 1;
        }
        s.push_str("]}");
        let r = load(&s);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.docs.len(), n);
        assert_eq!(r.docs[n - 1].value["n"], n - 1);
        assert_eq!(r.docs[n - 1].line, n as u32);
    }
}
