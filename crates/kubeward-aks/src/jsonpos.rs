//! Where each value of a JSON document starts (1-based line), keyed by the same dotted path the
//! checks print (`properties.apiServerAccessProfile.enablePrivateCluster`, `agentPoolProfiles[1].name`).
//! A small scanner of its own, because serde_json keeps no positions; it only runs on text that
//! serde_json already accepted, so it never has to report errors.

use std::collections::HashMap;

#[derive(Debug, Default, Clone)]
pub struct LineIndex {
    lines: HashMap<String, u32>,
}

/// Nesting beyond this is not indexed (the JSON parser has its own recursion limit).
const MAX_DEPTH: usize = 64;

impl LineIndex {
    pub fn build(text: &str) -> Self {
        let mut scanner = Scanner {
            bytes: text.as_bytes(),
            pos: 0,
            line: 1,
            out: HashMap::new(),
        };
        scanner.skip_ws();
        scanner.value(String::new(), 0);
        LineIndex { lines: scanner.out }
    }

    pub fn line(&self, path: &str) -> Option<u32> {
        self.lines.get(path).copied()
    }
}

/// `parent.key` or `key` at the root.
pub fn join_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

pub fn join_index(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    out: HashMap<String, u32>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if self.peek() == Some(b'\n') {
            self.line += 1;
        }
        self.pos += 1;
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            if b.is_ascii_whitespace() {
                self.bump();
            } else {
                break;
            }
        }
    }

    fn value(&mut self, path: String, depth: usize) {
        self.out.entry(path.clone()).or_insert(self.line);
        match self.peek() {
            Some(b'{') if depth < MAX_DEPTH => self.object(&path, depth),
            Some(b'[') if depth < MAX_DEPTH => self.array(&path, depth),
            Some(b'"') => {
                self.string();
            }
            _ => self.scalar(),
        }
    }

    fn object(&mut self, path: &str, depth: usize) {
        self.bump();
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'}') => {
                    self.bump();
                    return;
                }
                Some(b',') => self.bump(),
                Some(b'"') => {
                    let key_line = self.line;
                    let key = self.string();
                    self.skip_ws();
                    if self.peek() == Some(b':') {
                        self.bump();
                    }
                    self.skip_ws();
                    let child = join_key(path, &key);
                    // The key's line is where a reader looks, even if the value starts later.
                    self.out.entry(child.clone()).or_insert(key_line);
                    self.value(child, depth + 1);
                }
                None => return,
                Some(_) => self.bump(),
            }
        }
    }

    fn array(&mut self, path: &str, depth: usize) {
        self.bump();
        let mut index = 0;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b']') => {
                    self.bump();
                    return;
                }
                Some(b',') => {
                    self.bump();
                    index += 1;
                }
                None => return,
                Some(_) => {
                    let child = join_index(path, index);
                    self.value(child, depth + 1);
                }
            }
        }
    }

    /// Reads a string literal and returns its (unescaped enough for keys) text.
    fn string(&mut self) -> String {
        self.bump();
        let start = self.pos;
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            match b {
                b'"' => break,
                b'\\' => {
                    self.bump();
                    if let Some(e) = self.peek() {
                        out.push(match e {
                            b'n' => b'\n',
                            b't' => b'\t',
                            other => other,
                        });
                        self.bump();
                    }
                }
                _ => {
                    out.push(b);
                    self.bump();
                }
            }
        }
        let _ = start;
        self.bump();
        String::from_utf8_lossy(&out).into_owned()
    }

    fn scalar(&mut self) {
        while let Some(b) = self.peek() {
            if b == b',' || b == b'}' || b == b']' || b.is_ascii_whitespace() {
                break;
            }
            self.bump();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_nested_keys_and_array_items() {
        let text = "{\n  \"a\": {\n    \"b\": true\n  },\n  \"list\": [\n    {\"name\": \"x\"},\n    {\"name\": \"y\"}\n  ]\n}\n";
        let idx = LineIndex::build(text);
        assert_eq!(idx.line("a"), Some(2));
        assert_eq!(idx.line("a.b"), Some(3));
        assert_eq!(idx.line("list[0].name"), Some(6));
        assert_eq!(idx.line("list[1].name"), Some(7));
        assert_eq!(idx.line("missing"), None);
    }

    #[test]
    fn escaped_quotes_do_not_confuse_the_scanner() {
        let text = "{\"k\\\"ey\": \"v\\\"al\",\n\"next\": 1}";
        let idx = LineIndex::build(text);
        assert_eq!(idx.line("next"), Some(2));
    }
}
