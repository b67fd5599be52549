//! Streaming input: cuts a byte stream (plain or gzip) into units — one JSON value each (a line
//! of a JSON-lines file, an element of a top-level array, or an element of the `records` /
//! `items` array of an Event Hubs body or an EventList) — or CSV rows, with a bounded buffer.
//! Memory stays at a few chunks plus the largest accepted unit, whatever the input size.

use std::io::{self, BufRead, BufReader, Read};

use memchr::memchr;

/// Bytes read per call; also the initial buffer size.
pub const CHUNK: usize = 1 << 20;
/// Default cap on one unit (line, array element, CSV row); longer ones are skipped and counted.
pub const DEFAULT_MAX_UNIT: usize = 8 << 20;

/// How a stream is laid out, detected from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One JSON value per line.
    JsonLines,
    /// One or more JSON documents spread over lines: a top-level array, an `EventList`, a
    /// `{"records":[…]}` body, pretty-printed objects.
    Structured,
    /// A CSV export with a header row.
    Csv,
}

/// Why a unit was rejected before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadProblem {
    Oversize,
    Unterminated,
    /// Bytes between the values of a JSON document that are not JSON (one report per line).
    Stray,
}

/// Receives what the reader cuts out of the stream.
pub trait Sink {
    /// One JSON value, starting on 1-based `line`.
    fn unit(&mut self, bytes: &[u8], line: u64);
    /// A unit the reader had to drop.
    fn problem(&mut self, line: u64, problem: ReadProblem, bytes: usize);
    /// The units that follow are elements of a wrapper's `items` or `records` array.
    fn container(&mut self, _key: &str) {}
    /// One CSV row (header names and values), on 1-based `line`.
    fn csv_row(&mut self, headers: &[String], values: &csv::StringRecord, line: u64);
}

/// Wrap a stream, decompressing it when it starts with the gzip magic bytes (several gzip
/// members, as rotated logs concatenate, are read in turn).
pub fn decompressing<'r>(
    r: impl Read + Send + 'r,
) -> io::Result<(Box<dyn Read + Send + 'r>, bool)> {
    let mut br = BufReader::with_capacity(64 << 10, r);
    let gz = br.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    if gz {
        Ok((Box::new(flate2::read::MultiGzDecoder::new(br)), true))
    } else {
        Ok((Box::new(br), false))
    }
}

fn read_some(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// A fixed-capacity buffer with a filled length, grown only for units up to the cap.
pub(crate) struct Buf {
    data: Vec<u8>,
    filled: usize,
}

impl Buf {
    pub(crate) fn new() -> Self {
        Buf {
            data: vec![0; CHUNK],
            filled: 0,
        }
    }
    /// Empty, keeping the allocation (a buffer reused for the next part of a file).
    pub(crate) fn reset(&mut self) {
        self.filled = 0;
    }
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data[..self.filled]
    }
    /// Drop `..from`, keeping the rest at the front.
    fn compact(&mut self, from: usize) {
        self.data.copy_within(from..self.filled, 0);
        self.filled -= from;
    }
    /// Read more; returns 0 at end of input.
    fn refill(&mut self, r: &mut dyn Read) -> io::Result<usize> {
        if self.data.len() - self.filled < CHUNK / 2 {
            let new_len = (self.data.len() * 2).max(self.filled + CHUNK);
            self.data.resize(new_len, 0);
        }
        let n = read_some(r, &mut self.data[self.filled..])?;
        self.filled += n;
        Ok(n)
    }
}

/// Read the whole stream, feeding `sink`. Returns the detected layout; an I/O error (a
/// truncated gzip member, say) stops the stream after every unit before it was delivered.
pub fn stream(r: &mut dyn Read, max_unit: usize, sink: &mut dyn Sink) -> io::Result<Layout> {
    let (buf, layout) = read_head(r, max_unit)?;
    match layout {
        Layout::JsonLines => lines(r, buf, max_unit, sink)?,
        Layout::Structured => structured(r, buf, max_unit, sink)?,
        Layout::Csv => {
            // Row by row through the bounded line splitter: exports quote JSON cells on one
            // line, so a row is a line, and no cell can grow past the cap.
            let mut rows = CsvLines {
                sink,
                headers: None,
            };
            lines(r, buf, max_unit, &mut rows)?;
        }
    }
    Ok(layout)
}

/// Read enough of the start to decide the layout: 64 KiB, and the whole first line when it is
/// longer (a JSON-lines log can open with a large RequestResponse event), up to the cap.
pub(crate) fn read_head(r: &mut dyn Read, max_unit: usize) -> io::Result<(Buf, Layout)> {
    let mut buf = Buf::new();
    while buf.filled < 64 << 10
        || (buf.filled <= max_unit && memchr(b'\n', &buf.data[..buf.filled]).is_none())
    {
        if buf.refill(r)? == 0 {
            break;
        }
    }
    let layout = detect(&buf.data[..buf.filled]);
    Ok((buf, layout))
}

fn skip_bom_ws(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(&[0xef, 0xbb, 0xbf]).unwrap_or(b);
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    &b[start..]
}

/// Decide the layout from the first bytes: an array or a container object (`records`/`items`
/// key) or an object spread over lines is structured; an object closed on its first line is
/// JSON lines; a header-looking first line is CSV.
pub fn detect(head: &[u8]) -> Layout {
    let b = skip_bom_ws(head);
    match b.first() {
        Some(b'[') => Layout::Structured,
        Some(b'{') => {
            let mut sc = Scanner::default();
            let mut first_newline = false;
            for (i, &c) in b.iter().enumerate() {
                if c == b'\n' {
                    first_newline = true;
                }
                sc.step(c, i, &mut |_| {}, &mut |_, _| {});
                if sc.container {
                    return Layout::Structured;
                }
                if sc.depth == 0 && !first_newline {
                    return Layout::JsonLines;
                }
            }
            // The first value spans lines: pretty-printed JSON, unless other lines are whole
            // objects (a JSON-lines file whose first line is broken). A first line that does
            // not end in the head is longer than the cap: one oversize line of a JSON-lines log.
            if !first_newline || later_lines_are_objects(b) {
                Layout::JsonLines
            } else {
                Layout::Structured
            }
        }
        Some(_) => {
            let first_line = &b[..memchr(b'\n', b).unwrap_or(b.len())];
            // A junk first line with a comma in it does not make a JSON-lines log a CSV file.
            if first_line.contains(&b',')
                && !first_line.starts_with(b"\"{")
                && !later_lines_are_objects(b)
            {
                Layout::Csv
            } else {
                Layout::JsonLines
            }
        }
        None => Layout::JsonLines,
    }
}

/// Whether any of the lines after the first (of those in `b`) is a whole JSON object.
fn later_lines_are_objects(b: &[u8]) -> bool {
    b.split(|&c| c == b'\n').skip(1).take(200).any(|l| {
        let l = skip_bom_ws(trim_line(l));
        l.first() == Some(&b'{') && l.last() == Some(&b'}') && balanced(l)
    })
}

/// Whether `l` is one JSON value that closes exactly at its end.
fn balanced(l: &[u8]) -> bool {
    let mut sc = Scanner::default();
    for (i, &c) in l.iter().enumerate() {
        sc.step(c, i, &mut |_| {}, &mut |_, _| {});
        if sc.depth == 0 {
            return i + 1 == l.len();
        }
    }
    false
}

fn trim_line(mut l: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r' | b' ' | b'\t'] = l {
        l = rest;
    }
    l
}

fn lines(r: &mut dyn Read, mut buf: Buf, max_unit: usize, sink: &mut dyn Sink) -> io::Result<()> {
    split_lines(r, &mut buf, 0, max_unit, &mut |l| match l {
        Line::Unit { bytes, line, .. } => sink.unit(bytes, line),
        Line::Oversize { line, len } => sink.problem(line, ReadProblem::Oversize, len),
    })?;
    Ok(())
}

/// What [`split_lines`] cuts: a non-blank line (trailing `\r`, spaces and tabs trimmed), or a
/// line longer than the cap, skipped.
pub(crate) enum Line<'b> {
    Unit {
        bytes: &'b [u8],
        /// Where the line starts, as `base` plus the bytes read before it.
        offset: u64,
        /// 1-based, counted from the start of what `r` yields.
        line: u64,
    },
    Oversize {
        line: u64,
        len: usize,
    },
}

/// Cut a stream into lines with a bounded buffer. A line whose length (without its newline) is
/// over `max_unit` is skipped whole, however it was read, so that the same bytes give the same
/// units whether read from the start or from any line boundary (the parallel scan relies on it).
/// Returns the number of newlines read.
pub(crate) fn split_lines(
    r: &mut dyn Read,
    buf: &mut Buf,
    base: u64,
    max_unit: usize,
    f: &mut dyn FnMut(Line<'_>),
) -> io::Result<u64> {
    let mut line_no: u64 = 1;
    // Offset of `buf.data[0]` in the stream.
    let mut consumed = base;
    // When a line grows past the cap: where it started and how long it was.
    let mut skipping: Option<(u64, usize)> = None;
    loop {
        let mut start = 0;
        while let Some(i) = memchr(b'\n', &buf.data[start..buf.filled]) {
            let end = start + i;
            match skipping.take() {
                Some((at, len)) => f(Line::Oversize {
                    line: at,
                    len: len + end - start,
                }),
                None if end - start > max_unit => f(Line::Oversize {
                    line: line_no,
                    len: end - start,
                }),
                None => {
                    let bytes = trim_line(&buf.data[start..end]);
                    if !skip_bom_ws(bytes).is_empty() {
                        f(Line::Unit {
                            bytes,
                            offset: consumed + start as u64,
                            line: line_no,
                        });
                    }
                }
            }
            line_no += 1;
            start = end + 1;
        }
        let partial = buf.filled - start;
        if let Some((_, len)) = &mut skipping {
            *len += partial;
            start = buf.filled;
        } else if partial > max_unit {
            skipping = Some((line_no, partial));
            start = buf.filled;
        }
        consumed += start as u64;
        buf.compact(start);
        if buf.refill(r)? == 0 {
            if let Some((at, len)) = skipping {
                f(Line::Oversize { line: at, len });
            } else {
                let bytes = trim_line(&buf.data[..buf.filled]);
                if !skip_bom_ws(bytes).is_empty() {
                    f(Line::Unit {
                        bytes,
                        offset: consumed,
                        line: line_no,
                    });
                }
            }
            return Ok(line_no - 1);
        }
    }
}

/// Byte-level JSON structure tracker: depth, strings, the key just read at depth 1, and whether
/// the depth-0 object turned out to be a container (`records` or `items` array).
#[derive(Default)]
struct Scanner {
    depth: u32,
    in_str: bool,
    esc: bool,
    top_is_obj: bool,
    expect_key: bool,
    capturing: bool,
    key: Vec<u8>,
    /// Depth whose values are units (1 in a top-level array, 2 in a container array).
    elem_level: Option<u32>,
    container: bool,
    /// Start offset and depth of the unit being cut.
    unit: Option<(usize, u32)>,
}

impl Scanner {
    /// Outside any string and any unit, where only separators or the start of a unit may come:
    /// at the top level or directly inside the array whose elements are the units.
    fn between_units(&self) -> bool {
        !self.in_str
            && self.unit.is_none()
            && (self.depth == 0 || self.elem_level == Some(self.depth))
    }

    /// Advance over byte `c` at offset `i`; `start(i)` when a unit opens, `end(start, i)` when it closes.
    fn step(
        &mut self,
        c: u8,
        i: usize,
        start: &mut dyn FnMut(usize),
        end: &mut dyn FnMut(usize, usize),
    ) {
        if self.in_str {
            if self.esc {
                self.esc = false;
            } else if c == b'\\' {
                self.esc = true;
            } else if c == b'"' {
                self.in_str = false;
                self.capturing = false;
            } else if self.capturing && self.key.len() < 16 {
                self.key.push(c);
            }
            return;
        }
        match c {
            b'"' => {
                self.in_str = true;
                if self.depth == 1 && self.top_is_obj && self.expect_key {
                    self.capturing = true;
                    self.key.clear();
                }
            }
            b'{' | b'[' => {
                if self.depth == 0 {
                    self.top_is_obj = c == b'{';
                    self.container = false;
                    if c == b'[' {
                        self.elem_level = Some(1);
                    } else {
                        self.unit = Some((i, 0));
                        start(i);
                    }
                } else if self.depth == 1
                    && self.top_is_obj
                    && c == b'['
                    && (self.key == b"records" || self.key == b"items")
                {
                    // The depth-0 object is a wrapper: its array elements are the units.
                    self.container = true;
                    self.unit = None;
                    self.elem_level = Some(2);
                } else if self.elem_level == Some(self.depth) && self.unit.is_none() {
                    self.unit = Some((i, self.depth));
                    start(i);
                }
                self.depth += 1;
                self.expect_key = self.depth == 1 && c == b'{';
            }
            b'}' | b']' => {
                if self.depth == 0 {
                    return;
                }
                self.depth -= 1;
                if let Some((s, d)) = self.unit
                    && d == self.depth
                {
                    self.unit = None;
                    end(s, i);
                }
                if let Some(l) = self.elem_level
                    && self.depth < l
                {
                    self.elem_level = None;
                }
                if self.depth == 1 {
                    self.expect_key = false;
                }
            }
            b',' if self.depth == 1 => self.expect_key = true,
            b':' if self.depth == 1 => self.expect_key = false,
            _ => {}
        }
    }
}

fn structured(
    r: &mut dyn Read,
    mut buf: Buf,
    max_unit: usize,
    sink: &mut dyn Sink,
) -> io::Result<()> {
    let mut sc = Scanner::default();
    let mut line_no: u64 = 1;
    let mut unit_line: u64 = 1;
    // Units that grew past the cap are skipped: their start line and length so far.
    let mut oversize: Option<(u64, usize)> = None;
    let mut pos = 0;
    // The last line on which stray bytes were reported.
    let mut stray_line = 0;
    loop {
        while pos < buf.filled {
            let c = buf.data[pos];
            if c == b'\n' {
                line_no += 1;
            }
            if stray_line != line_no && sc.between_units() && is_stray(c, line_no) {
                stray_line = line_no;
                sink.problem(line_no, ReadProblem::Stray, 1);
            }
            let mut opened = false;
            let mut closed: Option<(usize, usize)> = None;
            let was_container = sc.container;
            sc.step(c, pos, &mut |_| opened = true, &mut |s, e| {
                closed = Some((s, e))
            });
            if sc.container && !was_container {
                sink.container(&String::from_utf8_lossy(&sc.key));
            }
            if opened {
                unit_line = line_no;
            }
            if let Some((s, e)) = closed {
                match oversize.take() {
                    Some((at, len)) => sink.problem(at, ReadProblem::Oversize, len + e + 1),
                    None => sink.unit(&buf.data[s..=e], unit_line),
                }
            }
            pos += 1;
        }
        // Keep only the open unit (if any).
        let keep_from = match sc.unit {
            Some((s, _)) if oversize.is_none() => {
                if buf.filled - s > max_unit {
                    oversize = Some((unit_line, buf.filled - s));
                    buf.filled
                } else {
                    s
                }
            }
            _ => {
                if let Some((_, len)) = &mut oversize {
                    *len += buf.filled;
                }
                buf.filled
            }
        };
        if let Some((s, _)) = &mut sc.unit {
            *s = s.saturating_sub(keep_from);
        }
        buf.compact(keep_from);
        pos = buf.filled;
        if buf.refill(r)? == 0 {
            if sc.unit.is_some() || oversize.is_some() {
                sink.problem(unit_line, ReadProblem::Unterminated, buf.filled);
            }
            return Ok(());
        }
    }
}

/// Whether byte `c`, met between the values of a JSON document, is not JSON there (a byte-order
/// mark opening the first line is fine).
fn is_stray(c: u8, line_no: u64) -> bool {
    let separator = matches!(c, b'{' | b'[' | b']' | b'}' | b',') || c.is_ascii_whitespace();
    let bom = line_no == 1 && matches!(c, 0xef | 0xbb | 0xbf);
    !separator && !bom
}

/// Adapts the line splitter to CSV: the first line holds the headers, every other line a row.
struct CsvLines<'s> {
    sink: &'s mut dyn Sink,
    headers: Option<Vec<String>>,
}

fn csv_record(line: &[u8]) -> Result<csv::StringRecord, csv::Error> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line);
    let mut rec = csv::StringRecord::new();
    rdr.read_record(&mut rec)?;
    Ok(rec)
}

impl Sink for CsvLines<'_> {
    fn unit(&mut self, bytes: &[u8], line: u64) {
        let rec = match csv_record(bytes) {
            Ok(r) => r,
            Err(_) => {
                return self
                    .sink
                    .problem(line, ReadProblem::Unterminated, bytes.len());
            }
        };
        match &self.headers {
            None => {
                self.headers = Some(
                    rec.iter()
                        .map(|h| {
                            // The portal suffixes datetime columns with their zone: "TimeGenerated [UTC]".
                            let h = h.trim_start_matches('\u{feff}');
                            h.split(" [").next().unwrap_or(h).trim().to_string()
                        })
                        .collect(),
                )
            }
            Some(h) => self.sink.csv_row(h, &rec, line),
        }
    }
    fn problem(&mut self, line: u64, problem: ReadProblem, bytes: usize) {
        self.sink.problem(line, problem, bytes);
    }
    fn csv_row(&mut self, _: &[String], _: &csv::StringRecord, _: u64) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        units: Vec<(String, u64)>,
        problems: Vec<(u64, ReadProblem)>,
        rows: Vec<(Vec<String>, u64)>,
    }
    impl Sink for Collect {
        fn unit(&mut self, bytes: &[u8], line: u64) {
            self.units
                .push((String::from_utf8_lossy(bytes).into_owned(), line));
        }
        fn problem(&mut self, line: u64, problem: ReadProblem, _bytes: usize) {
            self.problems.push((line, problem));
        }
        fn csv_row(&mut self, _h: &[String], v: &csv::StringRecord, line: u64) {
            self.rows.push((v.iter().map(String::from).collect(), line));
        }
    }

    fn run(input: &[u8], max: usize) -> (Layout, Collect) {
        let mut c = Collect::default();
        let layout = stream(&mut &input[..], max, &mut c).unwrap();
        (layout, c)
    }

    #[test]
    fn json_lines_with_blank_and_crlf() {
        let (l, c) = run(b"{\"a\":1}\r\n\n{\"b\":2}\n{\"c\":", 1000);
        assert_eq!(l, Layout::JsonLines);
        assert_eq!(
            c.units,
            vec![
                ("{\"a\":1}".into(), 1),
                ("{\"b\":2}".into(), 3),
                ("{\"c\":".into(), 4)
            ]
        );
    }

    #[test]
    fn oversize_line_is_skipped_and_next_kept() {
        let mut input = b"{\"a\":1}\n{\"big\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 3 * CHUNK));
        input.extend(b"\"}\n{\"b\":2}\n");
        let (_, c) = run(&input, CHUNK);
        assert_eq!(c.units.len(), 2);
        assert_eq!(c.units[1], ("{\"b\":2}".into(), 3));
        assert_eq!(c.problems, vec![(2, ReadProblem::Oversize)]);
    }

    #[test]
    fn records_body_and_eventlist_and_array() {
        let body = b"{\"records\": [\n {\"x\":\"]}\"},\n {\"y\":[1]}\n]}\n";
        let (l, c) = run(body, 1000);
        assert_eq!(l, Layout::Structured);
        assert_eq!(
            c.units,
            vec![("{\"x\":\"]}\"}".into(), 2), ("{\"y\":[1]}".into(), 3)]
        );
        let list = br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{"auditID":"1"},{"auditID":"2"}]}"#;
        let (l, c) = run(list, 1000);
        assert_eq!(l, Layout::Structured);
        assert_eq!(c.units.len(), 2);
        let (l, c) = run(b"[\n{\"a\":{\"b\":1}},\n{\"c\":2}\n]", 1000);
        assert_eq!(l, Layout::Structured);
        assert_eq!(
            c.units,
            vec![("{\"a\":{\"b\":1}}".into(), 2), ("{\"c\":2}".into(), 3)]
        );
    }

    #[test]
    fn stray_text_between_document_values_is_reported() {
        let body = b"{\"records\": [\n {\"a\":1},\n garbage here,\n {\"b\":2}\n]}\n";
        let (l, c) = run(body, 1000);
        assert_eq!(l, Layout::Structured);
        assert_eq!(c.units.len(), 2);
        assert_eq!(c.problems, vec![(3, ReadProblem::Stray)]);
        // Keys and values of the wrapper object are not stray.
        let list = b"{\"kind\":\"EventList\",\n\"count\": 2, \"ok\": true,\n\"items\":[{\"auditID\":\"1\"}]}";
        let (_, c) = run(list, 1000);
        assert_eq!((c.units.len(), c.problems.len()), (1, 0));
    }

    #[test]
    fn pretty_object_is_one_unit_and_unterminated_reported() {
        let (l, c) = run(
            b"{\n \"auditID\": \"1\",\n \"verb\": \"get\"\n}\n{\n \"auditID\": \"2\"",
            1000,
        );
        assert_eq!(l, Layout::Structured);
        assert_eq!(c.units.len(), 1);
        assert_eq!(c.problems, vec![(5, ReadProblem::Unterminated)]);
    }

    #[test]
    fn structured_survives_chunk_boundaries_and_oversize() {
        let mut input = b"[".to_vec();
        for i in 0..50_000 {
            input.extend(
                format!("{{\"i\":{i},\"pad\":\"abcdefghijklmnopqrstuvwxyz\"}},\n").as_bytes(),
            );
        }
        input.extend(b"{\"big\":\"");
        input.extend(std::iter::repeat_n(b'x', 2 * CHUNK));
        input.extend(b"\"},{\"last\":1}]");
        let (_, c) = run(&input, CHUNK);
        assert_eq!(c.units.len(), 50_001);
        assert_eq!(
            c.units[49_999].0,
            "{\"i\":49999,\"pad\":\"abcdefghijklmnopqrstuvwxyz\"}"
        );
        assert_eq!(c.units[50_000], ("{\"last\":1}".into(), 50_001));
        assert_eq!(c.problems, vec![(50_001, ReadProblem::Oversize)]);
    }

    #[test]
    fn csv_detected() {
        let (l, c) = run(
            b"TimeGenerated [UTC],Verb,User\n\"2024-01-01\",get,\"{\"\"username\"\":\"\"a\"\"}\"\n",
            1000,
        );
        assert_eq!(l, Layout::Csv);
        assert_eq!(c.rows.len(), 1);
        assert_eq!(c.rows[0].0[2], "{\"username\":\"a\"}");
    }

    #[test]
    fn json_lines_opening_with_a_long_line_stay_json_lines() {
        // A first event longer than the 64 KiB head, then a truncated line and junk: each line
        // stays a unit of its own, and the events after them are kept.
        let mut input = b"{\"big\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 200 << 10));
        input.extend(b"\"}\n{\"cut\":\"ab\nnot json\n{\"a\":1}\n{\"b\":2}\n");
        let (l, c) = run(&input, CHUNK);
        assert_eq!(l, Layout::JsonLines);
        assert_eq!(c.units.len(), 5);
        assert_eq!(c.units[4], ("{\"b\":2}".into(), 5));
        // A first line longer than the cap is skipped as such.
        let mut input = b"{\"big\":\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 3 * CHUNK));
        input.extend(b"\"}\n{\"cut\":\"ab\nnot json\n{\"a\":1}\n{\"b\":2}\n");
        let (l, c) = run(&input, CHUNK);
        assert_eq!(l, Layout::JsonLines);
        assert_eq!(c.problems, vec![(1, ReadProblem::Oversize)]);
        assert_eq!(c.units.len(), 4);
    }

    #[test]
    fn junk_first_line_with_a_comma_is_not_a_csv_header() {
        let (l, c) = run(b"garbage, with a comma\n{\"a\":1}\n{\"b\":2}\n", 1000);
        assert_eq!(l, Layout::JsonLines);
        assert_eq!(
            c.units.len(),
            3,
            "the junk line is a unit (reported), then both events"
        );
        assert_eq!(c.units[1], ("{\"a\":1}".into(), 2));
    }

    #[test]
    fn csv_rows_are_bounded_and_numbered() {
        let mut input = b"AuditId,Verb\r\n1,get\r\n2,\"".to_vec();
        input.extend(std::iter::repeat_n(b'x', 3 * CHUNK));
        input.extend(b"\"\r\n3,list\r\n");
        let (_, c) = run(&input, CHUNK);
        assert_eq!(
            c.rows,
            vec![
                (vec!["1".into(), "get".into()], 2),
                (vec!["3".into(), "list".into()], 4)
            ]
        );
        assert_eq!(c.problems, vec![(3, ReadProblem::Oversize)]);
    }

    #[test]
    fn gzip_is_detected() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"{\"a\":1}\n").unwrap();
        let gz = enc.finish().unwrap();
        let (mut r, was_gz) = decompressing(&gz[..]).unwrap();
        assert!(was_gz);
        let mut c = Collect::default();
        stream(&mut r, 100, &mut c).unwrap();
        assert_eq!(c.units.len(), 1);
    }
}
