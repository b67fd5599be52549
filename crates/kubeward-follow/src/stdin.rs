//! Standard input (`-`): lines as they come, for example from an audit webhook sink. A thread
//! reads and cuts lines; the loop receives them through a bounded channel, so a fast writer
//! waits for the detector instead of filling memory.

use std::io::Read;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TryRecvError, sync_channel};
use std::time::Duration;

use crate::lines::{Cut, Lines};
use crate::source::{Origin, Source, SourceError, Unit};

/// Batches in flight between the reading thread and the loop.
const QUEUE: usize = 16;
const READ: usize = 256 * 1024;
const MAX_UNITS: usize = 20_000;

enum Msg {
    Units(Vec<Unit>),
    Problem(Origin, String),
}

pub struct StdinSource {
    rx: Receiver<Msg>,
    problems: Vec<(Origin, String)>,
    ended: bool,
}

impl StdinSource {
    pub fn new(max_line: usize) -> Self {
        Self::from_reader(Box::new(std::io::stdin()), max_line)
    }

    /// Any reader standing for stdin (tests).
    pub fn from_reader(r: Box<dyn Read + Send>, max_line: usize) -> Self {
        let (tx, rx) = sync_channel(QUEUE);
        std::thread::spawn(move || pump(r, max_line, &tx));
        StdinSource {
            rx,
            problems: Vec::new(),
            ended: false,
        }
    }

    fn take(&mut self, m: Msg, out: &mut Vec<Unit>) {
        match m {
            Msg::Units(u) => out.extend(u),
            Msg::Problem(o, p) => self.problems.push((o, p)),
        }
    }
}

fn pump(mut r: Box<dyn Read + Send>, max_line: usize, tx: &SyncSender<Msg>) {
    let mut lines = Lines::new(max_line);
    let mut buf = vec![0; READ];
    loop {
        let mut cuts = Vec::new();
        let end = match r.read(&mut buf) {
            Ok(0) => {
                lines.finish(&mut cuts);
                true
            }
            Ok(n) => {
                lines.feed(&buf[..n], &mut cuts);
                false
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                let _ = tx.send(Msg::Problem(
                    Origin::Stdin { line: 0 },
                    format!("read error, standard input ends here: {e}"),
                ));
                lines.finish(&mut cuts);
                true
            }
        };
        let mut units = Vec::new();
        for c in cuts {
            match c {
                Cut::Line { line, bytes } => units.push(Unit {
                    bytes,
                    origin: Origin::Stdin { line },
                }),
                Cut::TooLong { line, bytes } => {
                    if tx
                        .send(Msg::Problem(
                            Origin::Stdin { line },
                            format!("too long: {bytes} bytes, over the line limit: skipped"),
                        ))
                        .is_err()
                    {
                        return;
                    }
                }
            }
        }
        if !units.is_empty() && tx.send(Msg::Units(units)).is_err() {
            return;
        }
        if end {
            return;
        }
    }
}

impl Source for StdinSource {
    fn poll(&mut self, wait: Duration) -> Result<Vec<Unit>, SourceError> {
        let mut out = Vec::new();
        if self.ended {
            return Ok(out);
        }
        match self.rx.recv_timeout(wait) {
            Ok(m) => self.take(m, &mut out),
            Err(RecvTimeoutError::Timeout) => return Ok(out),
            Err(RecvTimeoutError::Disconnected) => {
                self.ended = true;
                return Ok(out);
            }
        }
        while out.len() < MAX_UNITS {
            match self.rx.try_recv() {
                Ok(m) => self.take(m, &mut out),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    self.ended = true;
                    break;
                }
            }
        }
        Ok(out)
    }

    fn commit(&mut self) -> Result<(), SourceError> {
        Ok(())
    }

    fn describe(&self) -> String {
        "standard input".into()
    }

    fn take_problems(&mut self) -> Vec<(Origin, String)> {
        std::mem::take(&mut self.problems)
    }

    fn finished(&self) -> bool {
        self.ended
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_then_end() {
        let data = b"one\ntwo\nthree".to_vec();
        let mut s = StdinSource::from_reader(Box::new(std::io::Cursor::new(data)), 100);
        let mut got = Vec::new();
        for _ in 0..1000 {
            if s.finished() {
                break;
            }
            for u in s.poll(Duration::from_millis(100)).unwrap() {
                got.push((String::from_utf8(u.bytes).unwrap(), u.origin));
            }
        }
        assert!(s.finished());
        assert_eq!(
            got,
            vec![
                ("one".to_string(), Origin::Stdin { line: 1 }),
                ("two".to_string(), Origin::Stdin { line: 2 }),
                ("three".to_string(), Origin::Stdin { line: 3 }),
            ]
        );
    }
}
