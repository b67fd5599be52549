//! A small JSON reader that keeps the line of every value and key, so lint evidence can point at
//! `file:line`. serde_json drops positions once parsed; profiles are small, so a second, bounded
//! reader is cheap. Depth and element counts are bounded; errors carry line and column.

use crate::error::ProfileError;

/// Deepest nesting accepted (a seccomp profile needs 5).
pub const MAX_DEPTH: usize = 64;
/// Most elements in one array or object.
pub const MAX_ELEMENTS: usize = 100_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number as written, so 64-bit masks keep their exact value.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub line: u32,
    pub column: u32,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub line: u32,
    pub value: Node,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(m) => m.iter().find(|m| m.key == key).map(|m| &m.value),
            _ => None,
        }
    }
    pub fn members(&self) -> &[Member] {
        match &self.value {
            Value::Object(m) => m,
            _ => &[],
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
    /// A non-negative integer that fits u64 (`1`, `2114060288`, `18446744073709551615`).
    pub fn as_u64(&self) -> Option<u64> {
        match &self.value {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

pub fn parse(path: &str, text: &str) -> Result<Node, ProfileError> {
    let mut p = Parser {
        path,
        bytes: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
    };
    if text.starts_with('\u{feff}') {
        // Go's decoder (containerd) refuses a byte-order mark too; say what it is.
        return Err(p.error(
            "the file starts with a UTF-8 byte-order mark, which containerd refuses; save it without one",
        ));
    }
    p.skip_ws();
    if p.pos >= p.bytes.len() {
        return Err(p.error("the file is empty; a seccomp profile is a JSON object"));
    }
    let v = p.value(0)?;
    p.skip_ws();
    if p.pos < p.bytes.len() {
        return Err(p.error("unexpected text after the JSON value"));
    }
    Ok(v)
}

struct Parser<'a> {
    path: &'a str,
    bytes: &'a [u8],
    pos: usize,
    line: u32,
    line_start: usize,
}

impl Parser<'_> {
    fn column(&self) -> u32 {
        (self.pos.saturating_sub(self.line_start) + 1) as u32
    }
    fn error(&self, message: &str) -> ProfileError {
        ProfileError::Syntax {
            path: self.path.to_string(),
            line: self.line,
            column: self.column(),
            message: format!("not valid JSON: {message}"),
        }
    }
    fn skip_ws(&mut self) {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
    }
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn expect(&mut self, b: u8) -> Result<(), ProfileError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(&format!("expected `{}`", b as char)))
        }
    }
    fn value(&mut self, depth: usize) -> Result<Node, ProfileError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.skip_ws();
        let (line, column) = (self.line, self.column());
        let value = match self.peek() {
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.literal("true", Value::Bool(true))?,
            Some(b'f') => self.literal("false", Value::Bool(false))?,
            Some(b'n') => self.literal("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.error("expected a value")),
            None => return Err(self.error("unexpected end of file")),
        };
        Ok(Node {
            line,
            column,
            value,
        })
    }
    fn literal(&mut self, word: &str, v: Value) -> Result<Value, ProfileError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(v)
        } else {
            Err(self.error("expected a value"))
        }
    }
    fn number(&mut self) -> Result<Value, ProfileError> {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E') {
                self.pos += 1;
            } else {
                break;
            }
        }
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or_default();
        if text.parse::<f64>().is_err() {
            return Err(self.error(&format!("bad number {text:?}")));
        }
        Ok(Value::Number(text.to_string()))
    }
    fn string(&mut self) -> Result<String, ProfileError> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            self.pos += 1;
            match b {
                b'"' => break,
                b'\n' => return Err(self.error("line break inside a string")),
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return Err(self.error("unterminated string"));
                    };
                    self.pos += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let hex = self
                                .bytes
                                .get(self.pos..self.pos + 4)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u32::from_str_radix(h, 16).ok())
                                .ok_or_else(|| self.error("bad \\u escape"))?;
                            self.pos += 4;
                            let c = char::from_u32(hex).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(self.error("bad escape in a string")),
                    }
                }
                _ => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|_| self.error("string is not UTF-8"))
    }
    fn array(&mut self, depth: usize) -> Result<Value, ProfileError> {
        self.expect(b'[')?;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            if items.len() >= MAX_ELEMENTS {
                return Err(self.error(&format!("more than {MAX_ELEMENTS} array elements")));
            }
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }
    fn object(&mut self, depth: usize) -> Result<Value, ProfileError> {
        self.expect(b'{')?;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            if members.len() >= MAX_ELEMENTS {
                return Err(self.error(&format!("more than {MAX_ELEMENTS} object members")));
            }
            self.skip_ws();
            let line = self.line;
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a quoted key"));
            }
            let key = self.string()?;
            self.skip_ws();
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            members.push(Member { key, line, value });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_lines_of_keys_and_values() {
        let n = parse(
            "p.json",
            "{\n  \"a\": [1,\n  \"x\"],\n  \"b\": {\"c\": true}\n}",
        )
        .unwrap();
        let a = n.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[0].line, 2);
        assert_eq!(a[1].line, 3);
        assert_eq!(n.members()[1].line, 4);
        assert_eq!(
            n.get("b").unwrap().get("c").unwrap().value,
            Value::Bool(true)
        );
    }

    #[test]
    fn big_numbers_are_exact() {
        let n = parse("p", "[18446744073709551615]").unwrap();
        assert_eq!(n.as_array().unwrap()[0].as_u64(), Some(u64::MAX));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("p.json", "{\n  \"a\": 1,\n  oops\n}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("p.json:3:3"), "{e}");
        assert!(parse("p", "").is_err());
        assert!(parse("p", "{} x").is_err());
        assert!(parse("p", "\"abc").is_err());
    }

    #[test]
    fn byte_order_mark_is_named() {
        let e = parse("p.json", "\u{feff}{}").unwrap_err().to_string();
        assert!(
            e.contains("p.json:1:1: not valid JSON: the file starts with a UTF-8 byte-order mark"),
            "{e}"
        );
    }

    #[test]
    fn depth_is_bounded() {
        let deep = "[".repeat(MAX_DEPTH + 5) + &"]".repeat(MAX_DEPTH + 5);
        assert!(
            parse("p", &deep)
                .unwrap_err()
                .to_string()
                .contains("deeper")
        );
    }
}
