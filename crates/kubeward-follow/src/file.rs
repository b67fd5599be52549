//! Local files followed like `tail -F`: each read from its start, then polled for appended
//! bytes; a file renamed away (rotation) is read to its end before the new file at the path is
//! opened, and a file that became shorter (truncation) is read again from its start. Only
//! complete lines are handed out.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::lines::{Cut, Lines};
use crate::source::{Origin, Source, SourceError, Unit};

/// Bytes read from one file per turn, so that one busy file does not starve the others.
const CHUNK: usize = 1 << 20;
/// Units handed out per poll at most (the loop writes and flushes their alerts in between).
const MAX_UNITS: usize = 20_000;
/// Sleep between looks at idle files.
const TICK: Duration = Duration::from_millis(50);

pub struct FileSource {
    files: Vec<Followed>,
    problems: Vec<(Origin, String)>,
    buf: Vec<u8>,
}

struct Followed {
    path: PathBuf,
    name: Arc<str>,
    file: Option<File>,
    id: Option<(u64, u64)>,
    pos: u64,
    lines: Lines,
    /// A problem opening it was reported (once, until it opens).
    reported: bool,
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(_: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

impl FileSource {
    /// Follows `paths` (which need not exist yet); lines longer than `max_line` are skipped.
    pub fn new(paths: Vec<PathBuf>, max_line: usize) -> Self {
        FileSource {
            files: paths
                .into_iter()
                .map(|path| Followed {
                    name: Arc::from(path.display().to_string()),
                    path,
                    file: None,
                    id: None,
                    pos: 0,
                    lines: Lines::new(max_line),
                    reported: false,
                })
                .collect(),
            problems: Vec::new(),
            buf: vec![0; CHUNK],
        }
    }

    fn read_all(&mut self, out: &mut Vec<Unit>) {
        for f in &mut self.files {
            f.turn(&mut self.buf, out, &mut self.problems);
        }
    }
}

impl Followed {
    /// Reads what was appended (up to a chunk), handling rotation and truncation at the end.
    fn turn(&mut self, buf: &mut [u8], out: &mut Vec<Unit>, problems: &mut Vec<(Origin, String)>) {
        if self.file.is_none() && !self.open(problems) {
            return;
        }
        let Some(file) = self.file.as_mut() else {
            return;
        };
        match file.read(buf) {
            Ok(0) => self.at_end(out, problems),
            Ok(n) => {
                self.pos += n as u64;
                let mut cuts = Vec::new();
                self.lines.feed(&buf[..n], &mut cuts);
                self.emit(cuts, out, problems);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                problems.push((self.origin(0), format!("read error: {e}; reopening")));
                self.file = None;
            }
        }
    }

    fn open(&mut self, problems: &mut Vec<(Origin, String)>) -> bool {
        match kubeward_core::input::open(&self.path) {
            Ok(f) => {
                self.id = f.metadata().ok().as_ref().and_then(identity);
                self.file = Some(f);
                self.pos = 0;
                self.lines.reset();
                self.reported = false;
                true
            }
            Err(e) => {
                let missing = matches!(&e, kubeward_core::input::ReadError::Io(io) if io.kind() == std::io::ErrorKind::NotFound);
                if !missing && !self.reported {
                    problems.push((self.origin(0), format!("cannot open: {e}")));
                }
                self.reported = true;
                false
            }
        }
    }

    /// At the end of what the open file holds: has the path moved on to a new file, or was
    /// the file cut short?
    fn at_end(&mut self, out: &mut Vec<Unit>, problems: &mut Vec<(Origin, String)>) {
        let now = std::fs::metadata(&self.path).ok();
        let rotated = match &now {
            None => true,
            Some(m) => identity(m) != self.id,
        };
        if rotated {
            // The old file was read to its end: its last line, even without a newline, is done.
            let mut cuts = Vec::new();
            self.lines.finish(&mut cuts);
            self.emit(cuts, out, problems);
            self.file = None;
            self.id = None;
            return;
        }
        if let Some(m) = now
            && m.len() < self.pos
            && let Some(file) = self.file.as_mut()
        {
            if let Err(e) = file.seek(SeekFrom::Start(0)) {
                problems.push((self.origin(0), format!("truncated, cannot rewind: {e}")));
                self.file = None;
                return;
            }
            self.pos = 0;
            self.lines.reset();
        }
    }

    fn emit(&self, cuts: Vec<Cut>, out: &mut Vec<Unit>, problems: &mut Vec<(Origin, String)>) {
        for c in cuts {
            match c {
                Cut::Line { line, bytes } => out.push(Unit {
                    bytes,
                    origin: self.origin(line),
                }),
                Cut::TooLong { line, bytes } => problems.push((
                    self.origin(line),
                    format!("too long: {bytes} bytes, over the line limit: skipped"),
                )),
            }
        }
    }

    fn origin(&self, line: u64) -> Origin {
        Origin::File {
            path: self.name.clone(),
            line,
        }
    }
}

impl Source for FileSource {
    fn poll(&mut self, wait: Duration) -> Result<Vec<Unit>, SourceError> {
        let deadline = Instant::now() + wait;
        let mut out = Vec::new();
        loop {
            let before = out.len();
            self.read_all(&mut out);
            // Keep reading while data comes, up to the batch bound; return as soon as a turn
            // brings nothing new after something did.
            if out.len() >= MAX_UNITS || (!out.is_empty() && out.len() == before) {
                return Ok(out);
            }
            if out.len() > before {
                continue;
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(out);
            }
            std::thread::sleep(TICK.min(deadline - now));
        }
    }

    /// Files have no durable position: a restart reads them again from their start.
    fn commit(&mut self) -> Result<(), SourceError> {
        Ok(())
    }

    fn lag(&self) -> Vec<(String, u64)> {
        self.files
            .iter()
            .map(|f| {
                let size = std::fs::metadata(&f.path).map(|m| m.len()).unwrap_or(0);
                let behind = if f.file.is_some() {
                    size.saturating_sub(f.pos)
                } else {
                    size
                };
                (f.name.to_string(), behind + f.lines.pending() as u64)
            })
            .collect()
    }

    fn describe(&self) -> String {
        match self.files.len() {
            1 => format!("file {}", self.files[0].name),
            n => format!("{n} files"),
        }
    }

    fn take_problems(&mut self) -> Vec<(Origin, String)> {
        std::mem::take(&mut self.problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn lines_of(units: &[Unit]) -> Vec<(String, u64)> {
        units
            .iter()
            .map(|u| {
                let Origin::File { line, .. } = &u.origin else {
                    panic!("not a file origin")
                };
                (String::from_utf8_lossy(&u.bytes).into_owned(), *line)
            })
            .collect()
    }

    fn drain(src: &mut FileSource) -> Vec<(String, u64)> {
        let mut all = Vec::new();
        loop {
            let u = src.poll(Duration::from_millis(100)).unwrap();
            if u.is_empty() {
                return all;
            }
            all.extend(lines_of(&u));
        }
    }

    #[test]
    fn appended_rotated_and_truncated_lines_are_each_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let mut src = FileSource::new(vec![path.clone()], 1024);
        // Not there yet: nothing, no problem.
        assert!(drain(&mut src).is_empty());
        let mut f = File::create(&path).unwrap();
        f.write_all(b"a1\na2\na3-partial").unwrap();
        assert_eq!(drain(&mut src), vec![("a1".into(), 1), ("a2".into(), 2)]);
        f.write_all(b"-done\n").unwrap();
        assert_eq!(drain(&mut src), vec![("a3-partial-done".into(), 3)]);
        // Rotation: the old file gets one more line after the rename, then a new file appears.
        std::fs::rename(&path, dir.path().join("audit.log.1")).unwrap();
        f.write_all(b"a4\n").unwrap();
        let mut g = File::create(&path).unwrap();
        g.write_all(b"b1\n").unwrap();
        assert_eq!(drain(&mut src), vec![("a4".into(), 4), ("b1".into(), 1)]);
        // Truncation: the file is cut and written again.
        g.set_len(0).unwrap();
        assert!(drain(&mut src).is_empty());
        let mut g = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        g.write_all(b"c1\n").unwrap();
        assert_eq!(drain(&mut src), vec![("c1".into(), 1)]);
        assert!(src.take_problems().is_empty());
    }

    #[test]
    fn a_long_line_is_reported_with_its_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        std::fs::write(&path, format!("ok\n{}\nok2\n", "x".repeat(100))).unwrap();
        let mut src = FileSource::new(vec![path], 10);
        assert_eq!(drain(&mut src), vec![("ok".into(), 1), ("ok2".into(), 3)]);
        let p = src.take_problems();
        assert_eq!(p.len(), 1);
        assert!(matches!(p[0].0, Origin::File { line: 2, .. }));
    }
}
