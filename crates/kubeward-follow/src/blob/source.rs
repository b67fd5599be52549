//! The storage source: list the container every poll interval, read what each blob gained
//! since the position handed out (ranged reads, bounded chunks), hand out complete lines, keep
//! the partial last line in memory for the next read, and write the positions to the checkpoint
//! when the loop commits.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::checkpoint::{self, Checkpoint, Entry, RETAIN_SECS};
use super::client::{BlobClient, ClientError, Listed};
use crate::source::{Origin, Source, SourceError, Unit};

/// Bytes read from one blob per request.
const CHUNK: u64 = 4 << 20;
/// Requests per poll at most, so that the loop writes alerts and commits in between.
const MAX_REQUESTS: usize = 8;
/// Units handed out per poll at most.
const MAX_UNITS: usize = 20_000;
/// Bytes read first from a new blob to tell JSON lines from the `{"records": [...]}` form.
const PEEK: u64 = 512;
/// A `{"records": [...]}` blob is read whole; a bigger one is skipped and reported.
pub const MAX_RECORDS_BLOB: u64 = 256 << 20;
/// Blobs followed at once at most (an AKS cluster writes 24 a day).
const MAX_BLOBS: usize = 100_000;
/// List Blobs pages per listing at most (5,000 blobs each).
const MAX_PAGES: usize = 1_000;
/// Lag entries exposed (the largest first).
const MAX_LAG_ENTRIES: usize = 200;
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Nothing read yet.
    Unknown,
    /// JSON lines, read as they are appended.
    Lines,
    /// One `{"records": [...]}` document, read once the blob is complete.
    Records,
}

#[derive(Debug)]
struct Blob {
    name: Arc<str>,
    /// The end of the hour in the name (`…/y=2026/m=12/d=07/h=02/m=00/PT1H.json`), Unix seconds.
    hour_end: Option<i64>,
    len: u64,
    modified: Option<i64>,
    /// The length did not change between the last two listings.
    stable: bool,
    /// The next byte to read.
    fetched: u64,
    /// The start of the line being read: every line before it was handed out.
    start: u64,
    /// Lines before `start`.
    line: u64,
    /// The partial line `start..fetched`, unless it is over the bound (`skipping`).
    tail: Vec<u8>,
    skipping: bool,
    form: Form,
}

impl Blob {
    fn new(name: &str, at: Option<&Entry>) -> Self {
        let (start, line) = at.map_or((0, 0), |e| (e.offset, e.line));
        Blob {
            name: Arc::from(name),
            hour_end: hour_end(name),
            len: 0,
            modified: None,
            stable: false,
            fetched: start,
            start,
            line,
            tail: Vec::new(),
            skipping: false,
            // A position past 0 was read as lines (a records blob is read whole, to its end).
            form: if start > 0 {
                Form::Lines
            } else {
                Form::Unknown
            },
        }
    }

    fn origin(&self, container: &Arc<str>, offset: u64, line: u64) -> Origin {
        Origin::Blob {
            container: container.clone(),
            blob: self.name.clone(),
            offset,
            line,
        }
    }
}

/// The end of the hour named by an AKS blob path, Unix seconds.
fn hour_end(name: &str) -> Option<i64> {
    let (mut y, mut mo, mut d, mut h) = (None, None, None, None);
    for seg in name.split('/') {
        let Some((k, v)) = seg.split_once('=') else {
            continue;
        };
        let Ok(n) = v.parse::<i32>() else {
            continue;
        };
        match k {
            "y" => y = Some(n),
            // The first m= is the month, the second the minute.
            "m" if mo.is_none() && y.is_some() => mo = Some(n),
            "d" => d = Some(n),
            "h" => h = Some(n),
            _ => {}
        }
    }
    let month = time::Month::try_from(u8::try_from(mo?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(y?, month, u8::try_from(d?).ok()?).ok()?;
    let h = i64::from(h?);
    if !(0..24).contains(&h) {
        return None;
    }
    Some(date.midnight().assume_utc().unix_timestamp() + (h + 1) * 3600)
}

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub struct BlobSource {
    client: BlobClient,
    container: Arc<str>,
    prefix: Option<String>,
    checkpoint: Option<PathBuf>,
    /// The checkpoint's container URL and horizon (its blobs are in `blobs`).
    cp: Checkpoint,
    /// Positions from the checkpoint of blobs not listed yet.
    saved: BTreeMap<String, Entry>,
    blobs: BTreeMap<String, Blob>,
    poll_interval: Duration,
    settle: i64,
    max_line: usize,
    next_list: Instant,
    retry_at: Option<Instant>,
    backoff: Duration,
    errors: u64,
    streak: u64,
    problems: Vec<(Origin, String)>,
    dirty: bool,
    too_many_reported: bool,
}

pub(super) struct Settings {
    pub prefix: Option<String>,
    pub checkpoint: Option<PathBuf>,
    pub poll_interval: Duration,
    pub settle: Duration,
    pub max_line: usize,
}

impl BlobSource {
    pub(super) fn new(client: BlobClient, s: Settings) -> Result<Self, SourceError> {
        let url = client.target().container_url.to_string();
        let cp = match &s.checkpoint {
            Some(p) => checkpoint::load(p, &url).map_err(|e| SourceError::Config(e.to_string()))?,
            None => Checkpoint {
                version: checkpoint::VERSION,
                container: url,
                ..Checkpoint::default()
            },
        };
        let container = Arc::from(client.target().container.as_str());
        let mut src = BlobSource {
            client,
            container,
            prefix: s.prefix,
            checkpoint: s.checkpoint,
            saved: cp.blobs.clone(),
            cp,
            blobs: BTreeMap::new(),
            poll_interval: s.poll_interval.max(Duration::from_millis(100)),
            settle: s.settle.as_secs() as i64,
            max_line: s.max_line.max(1024),
            next_list: Instant::now(),
            retry_at: None,
            backoff: FIRST_BACKOFF,
            errors: 0,
            streak: 0,
            problems: Vec::new(),
            dirty: false,
            too_many_reported: false,
        };
        src.first_listing()?;
        Ok(src)
    }

    /// The first listing, at start: refused credentials or a missing container stop here (exit
    /// 2 before anything is read); a host that cannot be reached is tried three times.
    fn first_listing(&mut self) -> Result<(), SourceError> {
        let mut wait = FIRST_BACKOFF;
        for attempt in 1..=3 {
            match self.list_all() {
                Ok(()) => {
                    self.next_list = Instant::now() + self.poll_interval;
                    return Ok(());
                }
                Err(ClientError::Transient(_)) if attempt < 3 => {
                    self.errors += 1;
                    std::thread::sleep(wait);
                    wait *= 2;
                }
                Err(e) => return Err(self.fatal(e)),
            }
        }
        Err(SourceError::Config(
            "the container could not be listed".into(),
        ))
    }

    fn fatal(&self, e: ClientError) -> SourceError {
        match e {
            ClientError::Auth(m) => SourceError::Auth(m),
            ClientError::NotFound(m) => SourceError::Config(format!(
                "container {}: not found ({m})",
                self.client.target().container
            )),
            ClientError::Transient(m) => {
                SourceError::Config(format!("cannot reach the storage account: {m}"))
            }
            ClientError::Fatal(m) => SourceError::Fatal(m),
        }
    }

    /// Lists the container (every page) and updates the blobs' lengths.
    fn list_all(&mut self) -> Result<(), ClientError> {
        let mut listed: Vec<Listed> = Vec::new();
        let mut marker: Option<String> = None;
        let mut complete = false;
        for _ in 0..MAX_PAGES {
            let page = self
                .client
                .list(self.prefix.as_deref(), marker.as_deref())?;
            listed.extend(page.blobs);
            match page.next_marker {
                Some(m) => marker = Some(m),
                None => {
                    complete = true;
                    break;
                }
            }
        }
        if !complete && !self.too_many_reported {
            self.too_many_reported = true;
            self.problems.push((
                Origin::Blob {
                    container: self.container.clone(),
                    blob: Arc::from(""),
                    offset: 0,
                    line: 0,
                },
                format!(
                    "the container lists over {} blobs under the prefix: only the first are followed; narrow --prefix",
                    MAX_PAGES * super::client::PAGE as usize
                ),
            ));
        }
        let horizon = self.cp.horizon;
        let mut present = std::collections::HashSet::new();
        for l in listed {
            // AKS writes PT1H.json; anything else in the container is not a log.
            if !l.name.ends_with(".json") {
                continue;
            }
            present.insert(l.name.clone());
            let b = match self.blobs.get_mut(&l.name) {
                Some(b) => b,
                None => {
                    let saved = self.saved.remove(&l.name);
                    let he = hour_end(&l.name);
                    if saved.is_none()
                        && let (Some(h), Some(e)) = (horizon, he)
                        && e <= h
                    {
                        // Read and forgotten by an earlier run.
                        continue;
                    }
                    if self.blobs.len() >= MAX_BLOBS {
                        if !self.too_many_reported {
                            self.too_many_reported = true;
                            self.problems.push((
                                Origin::Blob {
                                    container: self.container.clone(),
                                    blob: Arc::from(l.name.as_str()),
                                    offset: 0,
                                    line: 0,
                                },
                                format!("over {MAX_BLOBS} blobs followed: this one and later ones are not; narrow --prefix"),
                            ));
                        }
                        continue;
                    }
                    self.blobs
                        .entry(l.name.clone())
                        .or_insert_with(|| Blob::new(&l.name, saved.as_ref()))
                }
            };
            b.stable = b.len == l.len && b.modified == l.modified;
            b.modified = l.modified;
            if l.len < b.start {
                // Deleted and written again under the same name: read it from its start.
                self.problems.push((
                    b.origin(&self.container, 0, 0),
                    format!(
                        "the blob shrank from {} to {} bytes (replaced?): reading it again from its start",
                        b.start, l.len
                    ),
                ));
                *b = Blob::new(&l.name, None);
                self.dirty = true;
            }
            b.len = l.len;
        }
        if complete {
            // Deleted blobs (the account's retention): nothing more to read.
            let before = self.blobs.len();
            self.blobs.retain(|k, _| present.contains(k));
            self.dirty |= self.blobs.len() != before;
        }
        Ok(())
    }

    fn complete(&self, b: &Blob, now: i64) -> bool {
        is_complete(b, self.settle, now)
    }

    fn has_work(&self, b: &Blob, now: i64) -> bool {
        match b.form {
            Form::Unknown => b.len > 0,
            Form::Lines => {
                b.fetched < b.len || ((!b.tail.is_empty() || b.skipping) && self.complete(b, now))
            }
            Form::Records => b.start < b.len && self.complete(b, now),
        }
    }

    /// Reads what is waiting, a bounded amount, oldest blob (by name) first.
    fn read_some(&mut self, out: &mut Vec<Unit>) -> Result<(), ClientError> {
        let now = now_unix();
        let names: Vec<String> = self
            .blobs
            .iter()
            .filter(|(_, b)| self.has_work(b, now))
            .map(|(k, _)| k.clone())
            .collect();
        let mut requests = 0;
        for name in names {
            loop {
                if requests >= MAX_REQUESTS || out.len() >= MAX_UNITS {
                    return Ok(());
                }
                let Some(b) = self.blobs.get(&name) else {
                    break;
                };
                if !self.has_work(b, now) {
                    break;
                }
                let complete = self.complete(b, now);
                requests += 1;
                match self.step(&name, complete, out) {
                    Ok(()) => {}
                    Err(ClientError::NotFound(_)) => {
                        // Deleted since the listing.
                        self.blobs.remove(&name);
                        self.dirty = true;
                        break;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// One read of one blob.
    fn step(&mut self, name: &str, complete: bool, out: &mut Vec<Unit>) -> Result<(), ClientError> {
        let container = self.container.clone();
        let max_line = self.max_line;
        let Some(b) = self.blobs.get_mut(name) else {
            return Ok(());
        };
        match b.form {
            Form::Unknown => {
                let end = b.len.min(PEEK) - 1;
                let r = self.client.read_range(name, 0, end)?;
                if let Some(t) = r.total {
                    b.len = t;
                }
                if r.bytes.is_empty() {
                    b.len = 0;
                    return Ok(());
                }
                if is_records_form(&r.bytes) {
                    b.form = Form::Records;
                    return Ok(());
                }
                b.form = Form::Lines;
                feed(b, &r.bytes, max_line, &container, out, &mut self.problems);
                self.dirty = true;
            }
            Form::Lines if b.fetched < b.len => {
                let end = b.len.min(b.fetched.saturating_add(CHUNK)) - 1;
                let r = self.client.read_range(name, b.fetched, end)?;
                if let Some(t) = r.total {
                    b.len = t;
                }
                if r.bytes.is_empty() {
                    // The listing was ahead of the blob: wait for the next one.
                    b.len = b.fetched;
                    return Ok(());
                }
                feed(b, &r.bytes, max_line, &container, out, &mut self.problems);
                self.dirty = true;
            }
            Form::Lines => {
                // Complete, read to its end: its last line, without a newline, is whole.
                if complete {
                    finish(b, &container, out, &mut self.problems);
                    self.dirty = true;
                }
            }
            Form::Records => {
                if b.start > 0 {
                    // Read whole already: a document cannot grow and stay one. Not read again
                    // (that would alert it twice); the change is reported.
                    self.problems.push((
                        b.origin(&container, b.start, b.line + 1),
                        format!(
                            "a {{\"records\": [...]}} blob grew from {} to {} bytes after it was read: the new bytes are not read",
                            b.start, b.len
                        ),
                    ));
                } else if b.len > MAX_RECORDS_BLOB {
                    self.problems.push((
                        b.origin(&container, 0, 1),
                        format!(
                            "a {{\"records\": [...]}} blob of {} bytes is over the {} bytes read whole: skipped",
                            b.len, MAX_RECORDS_BLOB
                        ),
                    ));
                } else {
                    let mut doc = Vec::with_capacity(b.len as usize);
                    while (doc.len() as u64) < b.len {
                        let from = doc.len() as u64;
                        let end = b.len.min(from.saturating_add(CHUNK)) - 1;
                        let r = self.client.read_range(name, from, end)?;
                        if r.bytes.is_empty() {
                            break;
                        }
                        doc.extend_from_slice(&r.bytes);
                    }
                    b.len = doc.len() as u64;
                    out.push(Unit {
                        bytes: doc,
                        origin: b.origin(&container, 0, 1),
                    });
                }
                b.fetched = b.len;
                b.start = b.len;
                b.line = 1;
                self.dirty = true;
            }
        }
        Ok(())
    }

    fn entries(&self, now: i64) -> (BTreeMap<String, Entry>, Option<i64>) {
        positions(&self.blobs, &self.saved, self.cp.horizon, self.settle, now)
    }
}

/// Complete: its hour ended `settle` ago (or, without an hour in its name, its last change) and
/// its length held between two listings.
fn is_complete(b: &Blob, settle: i64, now: i64) -> bool {
    let settled = match (b.hour_end, b.modified) {
        (Some(e), _) => now >= e + settle,
        (None, Some(m)) => now >= m + settle,
        (None, None) => false,
    };
    settled && b.stable
}

/// The checkpoint's entries and horizon: blobs read to their end whose hour ended over
/// RETAIN_SECS ago are left out, the horizon moving up to the latest of their hours.
fn positions(
    blobs: &BTreeMap<String, Blob>,
    saved: &BTreeMap<String, Entry>,
    horizon: Option<i64>,
    settle: i64,
    now: i64,
) -> (BTreeMap<String, Entry>, Option<i64>) {
    let mut horizon = horizon;
    let mut out = BTreeMap::new();
    for (k, b) in blobs {
        let done =
            b.start >= b.len && b.tail.is_empty() && !b.skipping && is_complete(b, settle, now);
        if done
            && let Some(e) = b.hour_end
            && e + RETAIN_SECS < now
        {
            horizon = Some(horizon.map_or(e, |h| h.max(e)));
            continue;
        }
        out.insert(
            k.clone(),
            Entry {
                offset: b.start,
                line: b.line,
                done,
            },
        );
    }
    // Positions from the checkpoint of blobs not listed in this run (yet): kept until the
    // horizon passes their hour (commit() drops them then).
    for (k, e) in saved {
        if !out.contains_key(k) {
            out.insert(k.clone(), e.clone());
        }
    }
    (out, horizon)
}

/// JSON lines start with a record (`{"time": …` or similar); the older form starts with
/// `{"records":` (maybe with whitespace).
fn is_records_form(head: &[u8]) -> bool {
    let mut it = head.iter().copied().skip_while(u8::is_ascii_whitespace);
    if it.next() != Some(b'{') {
        return false;
    }
    let rest: Vec<u8> = it.skip_while(u8::is_ascii_whitespace).take(9).collect();
    rest == b"\"records\""
}

/// Cuts the complete lines of `data` (read at `b.fetched`), keeping the partial last one.
fn feed(
    b: &mut Blob,
    data: &[u8],
    max_line: usize,
    container: &Arc<str>,
    out: &mut Vec<Unit>,
    problems: &mut Vec<(Origin, String)>,
) {
    let base = b.fetched;
    let mut pos = 0;
    while let Some(i) = memchr::memchr(b'\n', &data[pos..]) {
        let piece = &data[pos..pos + i];
        let line = b.line + 1;
        let next = base + (pos + i) as u64 + 1;
        if b.skipping || b.tail.len() + piece.len() > max_line {
            problems.push((
                b.origin(container, b.start, line),
                format!(
                    "line of {} bytes is over --max-line-bytes ({max_line}): skipped",
                    next - 1 - b.start
                ),
            ));
        } else {
            let mut bytes = if b.tail.is_empty() {
                piece.to_vec()
            } else {
                let mut t = std::mem::take(&mut b.tail);
                t.extend_from_slice(piece);
                t
            };
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            out.push(Unit {
                bytes,
                origin: b.origin(container, b.start, line),
            });
        }
        b.tail.clear();
        b.skipping = false;
        b.line = line;
        b.start = next;
        pos += i + 1;
    }
    let rest = &data[pos..];
    if !b.skipping {
        if b.tail.len() + rest.len() > max_line {
            b.skipping = true;
            b.tail = Vec::new();
        } else {
            b.tail.extend_from_slice(rest);
        }
    }
    b.fetched = base + data.len() as u64;
}

/// The blob is complete: its partial last line is a line.
fn finish(
    b: &mut Blob,
    container: &Arc<str>,
    out: &mut Vec<Unit>,
    problems: &mut Vec<(Origin, String)>,
) {
    let line = b.line + 1;
    if b.skipping {
        problems.push((
            b.origin(container, b.start, line),
            format!(
                "last line of {} bytes is over --max-line-bytes: skipped",
                b.fetched - b.start
            ),
        ));
    } else if !b.tail.is_empty() {
        out.push(Unit {
            bytes: std::mem::take(&mut b.tail),
            origin: b.origin(container, b.start, line),
        });
    }
    b.tail = Vec::new();
    b.skipping = false;
    b.line = line;
    b.start = b.fetched;
}

impl Source for BlobSource {
    fn poll(&mut self, wait: Duration) -> Result<Vec<Unit>, SourceError> {
        let now = Instant::now();
        if let Some(t) = self.retry_at {
            if now < t {
                std::thread::sleep(wait.min(t - now));
                return Ok(Vec::new());
            }
            self.retry_at = None;
        }
        let mut out = Vec::new();
        let mut r = Ok(());
        if now >= self.next_list {
            r = self.list_all();
            if r.is_ok() {
                self.next_list = Instant::now() + self.poll_interval;
            }
        }
        if r.is_ok() {
            r = self.read_some(&mut out);
        }
        match r {
            Ok(()) => {
                if self.streak > 0 {
                    eprintln!(
                        "storage: reading again after {} failed attempts",
                        self.streak
                    );
                }
                self.streak = 0;
                self.backoff = FIRST_BACKOFF;
            }
            Err(ClientError::Transient(m)) => {
                // Retried after a backoff; what was read before the failure is handed out.
                self.errors += 1;
                self.streak += 1;
                if self.streak == 1 || self.streak.is_multiple_of(10) {
                    eprintln!(
                        "storage: {}; retrying in {:.1}s (attempt {})",
                        kubeward_core::escape::terminal(&m),
                        self.backoff.as_secs_f64(),
                        self.streak
                    );
                }
                self.retry_at = Some(Instant::now() + self.backoff);
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
            }
            Err(e) => return Err(self.fatal(e)),
        }
        if out.is_empty() && self.retry_at.is_none() {
            let t = now_unix();
            let busy = self.blobs.values().any(|b| self.has_work(b, t));
            if !busy {
                let until = self.next_list.saturating_duration_since(Instant::now());
                std::thread::sleep(wait.min(until));
            }
        }
        Ok(out)
    }

    fn commit(&mut self) -> Result<(), SourceError> {
        let now = now_unix();
        let (entries, horizon) = self.entries(now);
        if horizon != self.cp.horizon {
            // Forget what the horizon now stands for.
            let h = horizon.unwrap_or(i64::MIN);
            self.blobs.retain(|k, _| entries.contains_key(k));
            self.saved
                .retain(|k, _| hour_end(k).is_none_or(|e| e > h) || entries.contains_key(k));
            self.dirty = true;
        }
        if !self.dirty {
            return Ok(());
        }
        self.cp.horizon = horizon;
        self.cp.blobs = entries;
        if let Some(p) = &self.checkpoint {
            checkpoint::save(p, &self.cp).map_err(|e| SourceError::Fatal(e.to_string()))?;
        }
        self.dirty = false;
        Ok(())
    }

    fn lag(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self
            .blobs
            .values()
            .filter(|b| b.len > b.start)
            .map(|b| (b.name.to_string(), b.len - b.start))
            .collect();
        if v.len() > MAX_LAG_ENTRIES {
            v.sort_by_key(|e| std::cmp::Reverse(e.1));
            v.truncate(MAX_LAG_ENTRIES);
        }
        v
    }

    fn errors(&self) -> u64 {
        self.errors
    }

    fn describe(&self) -> String {
        let t = self.client.target();
        format!(
            "storage container {} ({}, {})",
            t.container,
            t.container_url,
            t.credential.kind()
        )
    }

    fn take_problems(&mut self) -> Vec<(Origin, String)> {
        std::mem::take(&mut self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(chunks: &[&[u8]], max: usize) -> (Vec<(u64, u64, String)>, Vec<String>, Blob) {
        let mut b = Blob::new("x/PT1H.json", None);
        b.form = Form::Lines;
        let c: Arc<str> = Arc::from("c");
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for ch in chunks {
            feed(&mut b, ch, max, &c, &mut out, &mut problems);
        }
        let units = out
            .into_iter()
            .map(|u| match u.origin {
                Origin::Blob { offset, line, .. } => {
                    (offset, line, String::from_utf8(u.bytes).unwrap())
                }
                _ => panic!("blob origin"),
            })
            .collect();
        let p = problems.into_iter().map(|(_, m)| m).collect();
        (units, p, b)
    }

    #[test]
    fn complete_lines_with_their_offsets_and_the_tail_kept() {
        let (u, p, b) = cut(&[b"{\"a\":1}\n{\"b\"", b":2}\r\n{\"c\":"], 100);
        assert_eq!(
            u,
            vec![(0, 1, "{\"a\":1}".into()), (8, 2, "{\"b\":2}".into())]
        );
        assert!(p.is_empty());
        // The position to commit is the partial line's start; it is kept, not read again.
        assert_eq!((b.start, b.line, b.fetched), (17, 2, 22));
        assert_eq!(b.tail, b"{\"c\":");
    }

    #[test]
    fn an_over_long_line_is_skipped_without_keeping_it() {
        let (u, p, b) = cut(&[b"ok\n0123456789", b"0123456789\nnext\n"], 8);
        assert_eq!(u, vec![(0, 1, "ok".into()), (24, 3, "next".into())]);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("20 bytes"), "{p:?}");
        assert_eq!(b.tail.capacity(), 0);
        assert_eq!((b.start, b.line), (29, 3));
    }

    #[test]
    fn the_last_line_of_a_complete_blob_is_whole() {
        let (_, _, mut b) = cut(&[b"a\nb"], 100);
        let mut out = Vec::new();
        finish(&mut b, &Arc::from("c"), &mut out, &mut Vec::new());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].bytes, b"b");
        assert_eq!((b.start, b.line), (3, 2));
    }

    #[test]
    fn old_blobs_read_to_their_end_give_way_to_the_horizon() {
        let now = 1_796_601_600 + 12 * 3600; // 2026-12-07 12:00
        let blob = |name: &str, len: u64, start: u64| {
            let mut b = Blob::new(name, None);
            (b.len, b.start, b.fetched, b.line, b.stable) = (len, start, start, 3, true);
            (name.to_string(), b)
        };
        let old_read = "c/y=2026/m=12/d=04/h=01/m=00/PT1H.json";
        let old_unread = "c/y=2026/m=12/d=04/h=02/m=00/PT1H.json";
        let recent = "c/y=2026/m=12/d=07/h=10/m=00/PT1H.json";
        let current = "c/y=2026/m=12/d=07/h=12/m=00/PT1H.json";
        let blobs: BTreeMap<String, Blob> = [
            blob(old_read, 100, 100),
            blob(old_unread, 100, 40),
            blob(recent, 100, 100),
            blob(current, 100, 100),
        ]
        .into_iter()
        .collect();
        let saved: BTreeMap<String, Entry> = [(
            "c/y=2026/m=12/d=01/h=00/m=00/PT1H.json".to_string(),
            Entry::default(),
        )]
        .into_iter()
        .collect();
        let (entries, horizon) = positions(&blobs, &saved, None, 900, now);
        // The blob read to its end three days ago is forgotten; the horizon stands for it.
        assert_eq!(horizon, hour_end(old_read));
        assert!(!entries.contains_key(old_read));
        // One not read to its end stays, whatever its age; so do recent ones.
        assert_eq!(entries[old_unread].offset, 40);
        assert!(!entries[old_unread].done);
        assert!(entries[recent].done);
        // The current hour is not complete.
        assert!(!entries[current].done);
        assert!(entries.contains_key("c/y=2026/m=12/d=01/h=00/m=00/PT1H.json"));
    }

    /// A Blob service on 127.0.0.1 answering each request with `answer(request head)`.
    fn service(
        answer: impl Fn(&str) -> (u16, String, Vec<u8>) + Send + 'static,
    ) -> (String, std::thread::JoinHandle<()>) {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/acct/c", l.local_addr().unwrap());
        let h = std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { return };
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && s.read(&mut b).unwrap_or(0) == 1 {
                    head.push(b[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let (status, headers, body) = answer(&head);
                let _ = s.write_all(
                    format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: {}\r\nconnection: close\r\n{headers}\r\n",
                        body.len()
                    )
                    .as_bytes(),
                );
                let _ = s.write_all(&body);
            }
        });
        (url, h)
    }

    #[test]
    fn transient_failures_are_retried_and_counted() {
        let name = "c/y=2026/m=01/d=05/h=03/m=00/PT1H.json";
        let content = b"{\"a\":1}\n{\"b\":2}\n{\"c\"".to_vec();
        let lists = std::sync::atomic::AtomicU32::new(0);
        let body = content.clone();
        let (url, _h) = service(move |head| {
            if head.contains("comp=list") {
                // The first listing meets a busy server.
                if lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    return (503, "x-ms-error-code: ServerBusy\r\n".into(), Vec::new());
                }
                let xml = format!(
                    "<EnumerationResults><Blobs><Blob><Name>{name}</Name><Properties><Content-Length>{}</Content-Length></Properties></Blob></Blobs><NextMarker/></EnumerationResults>",
                    body.len()
                );
                return (200, String::new(), xml.into_bytes());
            }
            let range = head
                .lines()
                .find_map(|l| l.strip_prefix("x-ms-range: bytes="))
                .unwrap();
            let (a, b) = range.split_once('-').unwrap();
            let (a, b): (usize, usize) = (a.parse().unwrap(), b.parse().unwrap());
            let b = b.min(body.len() - 1);
            (
                206,
                format!("content-range: bytes {a}-{b}/{}\r\n", body.len()),
                body[a..=b].to_vec(),
            )
        });
        let target = super::super::auth::Target {
            container_url: reqwest::Url::parse(&url).unwrap(),
            container: "c".into(),
            credential: super::super::auth::Credential::Anonymous,
        };
        let client = BlobClient::new(target, None).unwrap();
        let mut src = BlobSource::new(
            client,
            Settings {
                prefix: None,
                checkpoint: None,
                poll_interval: Duration::from_secs(60),
                settle: Duration::from_secs(900),
                max_line: 1024,
            },
        )
        .unwrap();
        assert_eq!(src.errors(), 1);
        let units = src.poll(Duration::ZERO).unwrap();
        let texts: Vec<&[u8]> = units.iter().map(|u| u.bytes.as_slice()).collect();
        assert_eq!(texts, vec![b"{\"a\":1}".as_slice(), b"{\"b\":2}"]);
        // The partial last line waits; the lag counts it.
        assert_eq!(src.lag(), vec![(name.to_string(), 4)]);
    }

    /// Entra ID: the token from the token endpoint goes to the Blob service as a bearer token,
    /// with the API version (what Azure requires of OAuth requests).
    #[test]
    fn an_entra_token_is_sent_as_a_bearer_token() {
        let (token_url, _t) = service(|head| {
            assert!(
                head.starts_with("POST /tenant-1/oauth2/v2.0/token "),
                "{head}"
            );
            (
                200,
                String::new(),
                br#"{"token_type":"Bearer","expires_in":3599,"access_token":"at-1"}"#.to_vec(),
            )
        });
        let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let s2 = seen.clone();
        let (url, _h) = service(move |head| {
            s2.lock().unwrap().push_str(head);
            (
                200,
                String::new(),
                b"<EnumerationResults><Blobs/><NextMarker/></EnumerationResults>".to_vec(),
            )
        });
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("token");
        std::fs::write(&f, "eyJhbGciOiJSUzI1NiJ9.e30.c2ln").unwrap();
        let authority = token_url.trim_end_matches("/acct/c");
        let id = super::super::entra::WorkloadIdentity::new(
            f,
            "client-1".into(),
            "tenant-1".into(),
            authority,
        )
        .unwrap();
        let account = url.trim_end_matches("/c");
        let target = super::super::auth::from_account_url(account, "c").unwrap();
        let client = BlobClient::new(target, Some(id)).unwrap();
        let src = BlobSource::new(
            client,
            Settings {
                prefix: Some("resourceId=/SUBSCRIPTIONS/S/".into()),
                checkpoint: None,
                poll_interval: Duration::from_secs(60),
                settle: Duration::from_secs(900),
                max_line: 1024,
            },
        )
        .unwrap();
        assert_eq!(src.errors(), 0);
        let head = seen.lock().unwrap().to_ascii_lowercase();
        assert!(head.contains("authorization: bearer at-1\r\n"), "{head}");
        assert!(head.contains("x-ms-version: 2021-08-06\r\n"), "{head}");
        assert!(
            head.contains("prefix=resourceid%3d%2fsubscriptions%2fs%2f"),
            "{head}"
        );
    }

    #[test]
    fn forms_and_hours() {
        assert!(is_records_form(b" {\n  \"records\": ["));
        assert!(!is_records_form(b"{\"time\":\"2026\"}"));
        assert!(!is_records_form(b"{\"recor"));
        assert_eq!(
            hour_end(
                "resourceId=/SUBSCRIPTIONS/S/RESOURCEGROUPS/R/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C/y=2026/m=12/d=07/h=02/m=00/PT1H.json"
            ),
            Some(1_796_601_600 + 3 * 3600)
        );
        assert_eq!(hour_end("a/b/PT1H.json"), None);
        assert_eq!(hour_end("y=2026/m=13/d=07/h=02/m=00/PT1H.json"), None);
    }
}
