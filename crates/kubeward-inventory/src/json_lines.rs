//! The line of every field of a JSON document, keyed by JSON pointer — the JSON counterpart of
//! the YAML spans, so findings on JSON manifests point at the exact line too.

/// Where the scanner is inside a container.
enum Frame {
    Object {
        base: usize,
        expect_key: bool,
    },
    Array {
        base: usize,
        index: usize,
        expect_elem: bool,
    },
}

/// Pointer → 1-based line for every key and array element of `bytes` (one JSON value starting
/// on line `first_line`). Malformed input yields whatever was seen before the damage; callers
/// decode the value separately and report errors from that.
pub(crate) fn field_lines(bytes: &[u8], first_line: u32) -> Vec<(Box<str>, u32)> {
    let mut out: Vec<(Box<str>, u32)> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut ptr = String::new();
    let mut line = first_line;
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        let b = bytes[i];
        // An array element starts at any value byte.
        if let Some(Frame::Array {
            base,
            index,
            expect_elem,
        }) = stack.last_mut()
            && *expect_elem
            && !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b']' | b',')
        {
            *expect_elem = false;
            ptr.truncate(*base);
            ptr.push('/');
            ptr.push_str(&index.to_string());
            out.push((ptr.as_str().into(), line));
        }
        match b {
            b'\n' => line += 1,
            b'"' => {
                let start = i;
                i += 1;
                while i < n && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
                let end = i.min(n - 1);
                if let Some(Frame::Object { base, expect_key }) = stack.last_mut()
                    && *expect_key
                {
                    *expect_key = false;
                    let key: String =
                        serde_json::from_slice(&bytes[start..=end]).unwrap_or_else(|_| {
                            String::from_utf8_lossy(bytes.get(start + 1..end).unwrap_or(&[]))
                                .into_owned()
                        });
                    ptr.truncate(*base);
                    ptr.push('/');
                    for c in key.chars() {
                        match c {
                            '~' => ptr.push_str("~0"),
                            '/' => ptr.push_str("~1"),
                            c => ptr.push(c),
                        }
                    }
                    out.push((ptr.as_str().into(), line));
                }
            }
            b'{' => {
                if stack.is_empty() {
                    out.push(("".into(), line));
                }
                stack.push(Frame::Object {
                    base: ptr.len(),
                    expect_key: true,
                });
            }
            b'[' => {
                if stack.is_empty() {
                    out.push(("".into(), line));
                }
                stack.push(Frame::Array {
                    base: ptr.len(),
                    index: 0,
                    expect_elem: true,
                });
            }
            b'}' | b']' => {
                if let Some(Frame::Object { base, .. } | Frame::Array { base, .. }) = stack.pop() {
                    ptr.truncate(base);
                }
            }
            b',' => match stack.last_mut() {
                Some(Frame::Object { expect_key, .. }) => *expect_key = true,
                Some(Frame::Array {
                    index, expect_elem, ..
                }) => {
                    *index += 1;
                    *expect_elem = true;
                }
                None => {}
            },
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn pointers_and_lines() {
        let text = "{\n  \"kind\": \"Pod\",\n  \"metadata\": {\"annotations\": {\"a/b\": \"x\"}},\n  \"spec\": {\n    \"containers\": [\n      {\"name\": \"a\"},\n      {\n        \"name\": \"b\\\"q\"\n      }\n    ]\n  }\n}";
        let lines = super::field_lines(text.as_bytes(), 10);
        let get = |p: &str| lines.iter().find(|(k, _)| &**k == p).map(|(_, l)| *l);
        assert_eq!(get(""), Some(10));
        assert_eq!(get("/kind"), Some(11));
        assert_eq!(get("/metadata/annotations/a~1b"), Some(12));
        assert_eq!(get("/spec/containers/0"), Some(15));
        assert_eq!(get("/spec/containers/1"), Some(16));
        assert_eq!(get("/spec/containers/1/name"), Some(17));
        // Garbage does not panic.
        let _ = super::field_lines(b"{\"a\": [1, {\"b\" \\", 1);
        let _ = super::field_lines(b"]]]}}}\"", 1);
    }
}
