//! One large JSON-lines file on every core: the file is cut at line boundaries into parts, the
//! parts are decoded and judged in parallel, and a merge walks their events in file order so
//! that the result is the one a scan from start to end gives (same counts, same evidence, same
//! order, same errors with the same lines).
//!
//! What an event's verdict depends on besides the event itself is the per-file request state
//! (streams opened, requests seen before their completion, stage-less copies, refusal bursts)
//! and the shape hint. A part starts with an empty state and a guessed hint, and logs, for every
//! event, the few facts the state reads ([`ReqKey`]) and the flags its own state gave. The merge
//! replays those facts through the file's state in order: where the true flags differ (a
//! request whose earlier stage lies in an earlier part, a burst spanning two parts), the event
//! is read again and judged with them. A part whose guessed hint is not the one the file had
//! there is scanned again with the right one. Evidence is read again only for the matches kept
//! as samples, so parts hold no strings per event.
//!
//! Reads are positioned (`pread`) on the already opened regular file: no memory map (a file
//! truncated meanwhile would kill the process), and memory stays bounded by a few parts in
//! flight whatever the file's size.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use memchr::memchr;

use crate::reader::{self, Buf, Layout, Line, ReadProblem, Sink};
use crate::rules::CHECKS;
use crate::scan::{
    EvRec, FileScan, FileScanner, PartLog, ReqState, RuleHits, ScanOptions, Shape, Stats,
    guess_hint,
};

/// Reads `[pos, end)` of a file with positioned reads, leaving its cursor alone.
struct RangeReader<'f> {
    file: &'f File,
    pos: u64,
    end: u64,
}

impl Read for RangeReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.end.saturating_sub(self.pos);
        let n = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        if n == 0 {
            return Ok(0);
        }
        let got = self.file.read_at(&mut buf[..n], self.pos)?;
        self.pos += got as u64;
        Ok(got)
    }
}

/// The start offsets of the parts of a file of `size` bytes: 0, then the byte after the first
/// newline at or past each `part` bytes from the previous start.
pub(crate) fn plan(file: &File, size: u64, part: u64) -> io::Result<Vec<u64>> {
    let part = part.max(1);
    let mut starts = vec![0u64];
    let mut block = vec![0u8; 64 << 10];
    let mut at = part;
    'parts: while at < size {
        let mut pos = at;
        loop {
            let want = block
                .len()
                .min(usize::try_from(size - pos).unwrap_or(usize::MAX));
            if want == 0 {
                break 'parts;
            }
            let n = file.read_at(&mut block[..want], pos)?;
            if n == 0 {
                break 'parts;
            }
            if let Some(i) = memchr(b'\n', &block[..n]) {
                let next = pos + i as u64 + 1;
                if next >= size {
                    break 'parts;
                }
                starts.push(next);
                at = next + part;
                continue 'parts;
            }
            pos += n as u64;
        }
    }
    Ok(starts)
}

/// What one part gave.
struct PartOut {
    /// The hint the part started with; `None` when it had no unit (nothing depended on it).
    start_hint: Option<Shape>,
    end_hint: Shape,
    stats: Stats,
    errors: Vec<(Option<u64>, String)>,
    errors_not_listed: u64,
    log: Box<PartLog>,
    /// Newlines in the part.
    lines: u64,
    fatal: Option<String>,
}

/// Scan `[start, end)`, which begins at a line start. `hint`: the hint to start with, or
/// `None` to guess it from the first unit.
fn run_part(
    file: &File,
    name: &Arc<str>,
    opts: &ScanOptions,
    (start, end): (u64, u64),
    hint: Option<Shape>,
) -> PartOut {
    let mut sc = FileScanner::for_part(name.clone(), opts, hint.unwrap_or_default());
    let mut start_hint = hint;
    let mut first = true;
    let mut rd = RangeReader {
        file,
        pos: start,
        end,
    };
    // One buffer per thread, reused from part to part: a fresh megabyte per part costs page
    // faults.
    thread_local! {
        static BUF: std::cell::RefCell<Option<Buf>> = const { std::cell::RefCell::new(None) };
    }
    let mut buf = BUF.with(|b| b.borrow_mut().take()).unwrap_or_else(Buf::new);
    buf.reset();
    let res = reader::split_lines(&mut rd, &mut buf, start, opts.max_unit, &mut |l| match l {
        Line::Unit {
            bytes,
            offset,
            line,
        } => {
            if first {
                first = false;
                if start_hint.is_none() {
                    let g = guess_hint(bytes);
                    sc.set_hint(g);
                    start_hint = Some(g);
                }
            }
            sc.part_unit(bytes, offset, line);
        }
        Line::Oversize { line, len } => sc.problem(line, ReadProblem::Oversize, len),
    });
    BUF.with(|b| *b.borrow_mut() = Some(buf));
    let (lines, fatal) = match res {
        Ok(n) => (n, None),
        Err(e) => (
            0,
            Some(format!(
                "read error (the events before it were scanned): {e}"
            )),
        ),
    };
    let end_hint = sc.hint();
    let (stats, errors, errors_not_listed, log) = sc.finish_part();
    PartOut {
        start_hint: if first { None } else { start_hint },
        end_hint,
        stats,
        errors,
        errors_not_listed,
        log,
        lines,
        fatal,
    }
}

/// The whole file's state and results, fed the parts in order.
struct Merger<'a> {
    file: &'a File,
    name: &'a Arc<str>,
    opts: &'a ScanOptions,
    state: ReqState,
    hint: Shape,
    /// Newlines before the part being merged.
    line_base: u64,
    stats: Stats,
    hits: Vec<RuleHits>,
    errors: Vec<(Option<u64>, String)>,
    errors_not_listed: u64,
    fatal: Option<String>,
    /// Events judged again because their flags differed from their part's.
    rejudged: u64,
}

impl Merger<'_> {
    fn error(&mut self, line: Option<u64>, msg: String) {
        if self.errors.len() < self.opts.max_errors {
            self.errors.push((line, msg));
        } else {
            self.errors_not_listed += 1;
        }
    }

    fn unit_bytes(&self, rec: &EvRec) -> io::Result<Vec<u8>> {
        let mut bytes = vec![0; rec.pos.len];
        self.file.read_exact_at(&mut bytes, rec.pos.offset)?;
        Ok(bytes)
    }

    fn replay(
        &mut self,
        rec: &EvRec,
        line: u64,
        flags: crate::scan::Flags,
    ) -> Option<crate::scan::Replay> {
        match self.unit_bytes(rec) {
            Ok(bytes) => Some(FileScanner::replay(
                self.name.clone(),
                self.opts,
                &bytes,
                &rec.pos,
                line,
                flags,
            )),
            Err(e) => {
                *self.stats.malformed.entry("read error").or_default() += 1;
                self.error(
                    Some(line),
                    format!("read error: the event could not be read again for its evidence: {e}"),
                );
                None
            }
        }
    }

    fn absorb(&mut self, mut part: PartOut, range: (u64, u64)) {
        if self.fatal.is_some() {
            return;
        }
        if let Some(h) = part.start_hint
            && h != self.hint
        {
            // The guess was wrong: this part's units may decode otherwise from the right hint.
            part = run_part(self.file, self.name, self.opts, range, Some(self.hint));
        }
        if part.start_hint.is_some() {
            self.hint = part.end_hint;
        }
        let base = self.line_base;
        self.stats.absorb(part.stats, &part.log.order);
        for (line, msg) in part.errors {
            self.error(line.map(|l| l + base), msg);
        }
        self.errors_not_listed += part.errors_not_listed;
        let log = part.log;
        for rec in &log.events {
            let truth = self.state.advance(&rec.key);
            let line = rec.line + base;
            let logged = if truth == rec.flags {
                Some(rec.matches)
            } else {
                rec.alt.filter(|(f, _)| *f == truth).map(|(_, m)| m)
            };
            if let Some((from, n)) = logged {
                let user: &str = log.users.get(rec.user as usize).map_or("", |u| u);
                let (from, n) = (from as usize, n as usize);
                let mut want = Vec::new();
                for &m in log.matches.get(from..from + n).unwrap_or_default() {
                    let m = usize::from(m);
                    if self.hits[m].count_one(user, self.opts).is_some() {
                        want.push(m);
                    }
                }
                if want.is_empty() {
                    continue;
                }
                let Some(r) = self.replay(rec, line, truth) else {
                    continue;
                };
                let mut found = r.matches;
                for m in want {
                    if let Some(k) = found.iter().position(|(i, _)| *i == m)
                        && let Some(g) = self.hits[m].groups.get_mut(user)
                    {
                        g.samples.push(found.swap_remove(k).1);
                    }
                }
            } else {
                self.rejudged += 1;
                let Some(r) = self.replay(rec, line, truth) else {
                    continue;
                };
                let user = r.user.unwrap_or_default();
                for (m, sample) in r.matches {
                    if let Some(g) = self.hits[m].count_one(&user, self.opts) {
                        g.samples.push(sample);
                    }
                }
            }
        }
        self.line_base += part.lines;
        self.fatal = part.fatal;
    }
}

/// Scan `file` in parallel parts when it is worth it and the result can be the same as a scan
/// from start to end: a regular file of known size over [`ScanOptions::part_bytes`], laid out
/// as JSON lines (not gzip), with more than one thread to run on. `None` otherwise (nothing was
/// consumed: reads are positioned).
pub(crate) fn scan_in_parts(name: &str, file: &File, opts: &ScanOptions) -> Option<FileScan> {
    if rayon::current_num_threads() < 2 {
        return None;
    }
    scan_parts(name, file, opts)
}

/// As [`scan_in_parts`], whatever the number of threads (tests compare it with the scan from
/// start to end).
pub(crate) fn scan_parts(name: &str, file: &File, opts: &ScanOptions) -> Option<FileScan> {
    let size = file.metadata().ok()?.len();
    if size <= opts.part_bytes {
        return None;
    }
    let mut head = RangeReader {
        file,
        pos: 0,
        end: size,
    };
    let (buf, layout) = reader::read_head(&mut head, opts.max_unit).ok()?;
    if layout != Layout::JsonLines || buf.bytes().starts_with(&[0x1f, 0x8b]) {
        return None;
    }
    drop(buf);
    let starts = plan(file, size, opts.part_bytes).ok()?;
    let ranges: Vec<(u64, u64)> = starts
        .iter()
        .zip(starts.iter().skip(1).copied().chain([size]))
        .map(|(&s, e)| (s, e))
        .collect();
    let name: Arc<str> = Arc::from(name);
    let mut m = Merger {
        file,
        name: &name,
        opts,
        state: ReqState::default(),
        hint: Shape::default(),
        line_base: 0,
        stats: Stats::default(),
        hits: vec![RuleHits::default(); CHECKS.len()],
        errors: Vec::new(),
        errors_not_listed: 0,
        fatal: None,
        rejudged: 0,
    };
    // A few parts per thread in flight: the merge of one batch runs while the next is scanned.
    use rayon::prelude::*;
    let batch = rayon::current_num_threads().max(2) * 2;
    let mut ready: Vec<(PartOut, (u64, u64))> = Vec::new();
    for (b, group) in ranges.chunks(batch).enumerate() {
        let (_, outs) = rayon::join(
            || {
                for (p, r) in ready.drain(..) {
                    m.absorb(p, r);
                }
            },
            || {
                group
                    .par_iter()
                    .enumerate()
                    .map(|(i, &r)| {
                        // The first part starts where the file does, with the initial hint.
                        let hint = (b == 0 && i == 0).then(Shape::default);
                        (run_part(file, &name, opts, r, hint), r)
                    })
                    .collect::<Vec<_>>()
            },
        );
        ready = outs;
        if m.fatal.is_some() {
            break;
        }
    }
    for (p, r) in ready {
        m.absorb(p, r);
    }
    Some(FileScan {
        name: name.clone(),
        gzip: false,
        layout: Some(Layout::JsonLines),
        stats: m.stats,
        hits: m.hits,
        errors: m.errors,
        errors_not_listed: m.errors_not_listed,
        fatal: m.fatal,
        parts: ranges.len(),
        rejudged: m.rejudged,
    })
}
