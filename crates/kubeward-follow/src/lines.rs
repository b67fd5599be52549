//! Cutting a byte stream into complete lines, each at most a bounded length: what the file and
//! stdin sources hand out. A line longer than the bound is skipped (its bytes are not kept) and
//! reported with its number.

/// One cut: a complete line (without its `\n` or `\r\n`), or a skipped one.
#[derive(Debug, PartialEq, Eq)]
pub enum Cut {
    Line { line: u64, bytes: Vec<u8> },
    TooLong { line: u64, bytes: usize },
}

#[derive(Debug)]
pub struct Lines {
    partial: Vec<u8>,
    max: usize,
    /// Bytes of the current line already skipped, when it is over the bound.
    oversize: Option<usize>,
    next_line: u64,
}

impl Lines {
    pub fn new(max: usize) -> Self {
        Lines {
            partial: Vec::new(),
            max: max.max(1),
            oversize: None,
            next_line: 1,
        }
    }

    /// Cuts every line `data` completes; the rest waits for more.
    pub fn feed(&mut self, mut data: &[u8], out: &mut Vec<Cut>) {
        while let Some(i) = memchr::memchr(b'\n', data) {
            self.accumulate(&data[..i]);
            self.end_line(out);
            data = &data[i + 1..];
        }
        self.accumulate(data);
    }

    /// The source ended (stdin's end, a rotated file read to its end): a last line without
    /// its newline is still a line.
    pub fn finish(&mut self, out: &mut Vec<Cut>) {
        if !self.partial.is_empty() || self.oversize.is_some() {
            self.end_line(out);
        }
    }

    /// Starts over at line 1 (a truncated or new file); a partial line is dropped.
    pub fn reset(&mut self) {
        self.partial.clear();
        self.oversize = None;
        self.next_line = 1;
    }

    /// Bytes waiting for their line's end.
    pub fn pending(&self) -> usize {
        self.partial.len() + self.oversize.unwrap_or(0)
    }

    fn accumulate(&mut self, piece: &[u8]) {
        if let Some(n) = self.oversize.as_mut() {
            *n += piece.len();
        } else if self.partial.len() + piece.len() > self.max {
            self.oversize = Some(self.partial.len() + piece.len());
            self.partial = Vec::new();
        } else {
            self.partial.extend_from_slice(piece);
        }
    }

    fn end_line(&mut self, out: &mut Vec<Cut>) {
        let line = self.next_line;
        self.next_line += 1;
        if let Some(bytes) = self.oversize.take() {
            out.push(Cut::TooLong { line, bytes });
            return;
        }
        let mut bytes = std::mem::take(&mut self.partial);
        if bytes.last() == Some(&b'\r') {
            bytes.pop();
        }
        out.push(Cut::Line { line, bytes });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u64, s: &str) -> Cut {
        Cut::Line {
            line: n,
            bytes: s.as_bytes().to_vec(),
        }
    }

    #[test]
    fn only_complete_lines_are_cut() {
        let mut l = Lines::new(100);
        let mut out = Vec::new();
        l.feed(b"{\"a\":1}\n{\"b\"", &mut out);
        assert_eq!(out, vec![line(1, "{\"a\":1}")]);
        out.clear();
        l.feed(b":2}\r\n\n", &mut out);
        assert_eq!(out, vec![line(2, "{\"b\":2}"), line(3, "")]);
        assert_eq!(l.pending(), 0);
    }

    #[test]
    fn long_lines_are_skipped_and_counted() {
        let mut l = Lines::new(4);
        let mut out = Vec::new();
        l.feed(b"abc", &mut out);
        l.feed(b"defgh", &mut out);
        l.feed(b"ij\nok\n", &mut out);
        assert_eq!(
            out,
            vec![Cut::TooLong { line: 1, bytes: 10 }, line(2, "ok")]
        );
        // Nothing of the long line was kept.
        assert_eq!(l.partial.capacity(), 0);
    }

    #[test]
    fn finish_cuts_the_last_line_and_reset_starts_over() {
        let mut l = Lines::new(100);
        let mut out = Vec::new();
        l.feed(b"x\ny", &mut out);
        l.finish(&mut out);
        assert_eq!(out, vec![line(1, "x"), line(2, "y")]);
        l.feed(b"half", &mut out);
        l.reset();
        out.clear();
        l.feed(b"z\n", &mut out);
        assert_eq!(out, vec![line(1, "z")]);
    }
}
