//! The tokenizer: AppArmor text cut into statements (each with the line it starts on) and block
//! closes, so the parser never deals with quotes, comments or line continuations.

use super::model::SyntaxError;

/// Most statements read from one file.
pub const MAX_STATEMENTS: usize = 50_000;

/// One raw statement: its text and the line it starts on.
pub(super) struct Stmt {
    pub(super) line: u32,
    pub(super) end_line: u32,
    pub(super) text: String,
    /// Terminated by `{` (a profile head) rather than `,` or a line end.
    pub(super) opens_block: bool,
}

/// Split text into statements, blocks and comments. Handles quotes, `#include`, line-terminated
/// statements (includes, variables), glob braces inside paths and parentheses in flags/peers.
pub(super) fn split(text: &str, errors: &mut Vec<SyntaxError>) -> Vec<(Option<Stmt>, Option<u32>)> {
    // Each item is either a statement or a block close (`}` at a line).
    let mut out = Vec::new();
    let mut buf = String::new();
    let mut start_line = 1;
    let mut line: u32 = 1;
    let mut chars = text.chars().peekable();
    let mut parens = 0i32;
    let mut glob_braces = 0i32;
    let mut in_quote = false;
    let line_terminated = |b: &str| {
        let t = b.trim_start();
        t.starts_with("#include")
            || t.starts_with("include")
            || t.starts_with("@{") && t.contains('=')
    };
    while let Some(c) = chars.next() {
        if in_quote {
            buf.push(c);
            if c == '"' {
                in_quote = false;
            } else if c == '\n' {
                errors.push(SyntaxError {
                    line,
                    message: "unterminated quoted string".into(),
                });
                in_quote = false;
                line += 1;
            }
            continue;
        }
        match c {
            '\n' => {
                if line_terminated(&buf) {
                    out.push((
                        Some(Stmt {
                            line: start_line,
                            end_line: line,
                            text: std::mem::take(&mut buf).trim().to_string(),
                            opens_block: false,
                        }),
                        None,
                    ));
                } else if !buf.trim().is_empty() {
                    buf.push(' ');
                }
                line += 1;
            }
            '#' => {
                // `#include` is a directive; anything else is a comment to the end of the line.
                let rest: String = chars.clone().take(7).collect();
                if buf.trim().is_empty() && rest == "include" {
                    start_line = line;
                    buf.clear();
                    buf.push('#');
                } else {
                    for n in chars.by_ref() {
                        if n == '\n' {
                            if !line_terminated(&buf) && !buf.trim().is_empty() {
                                buf.push(' ');
                            }
                            if line_terminated(&buf) {
                                out.push((
                                    Some(Stmt {
                                        line: start_line,
                                        end_line: line,
                                        text: std::mem::take(&mut buf).trim().to_string(),
                                        opens_block: false,
                                    }),
                                    None,
                                ));
                            }
                            line += 1;
                            break;
                        }
                    }
                }
            }
            '"' => {
                if buf.trim().is_empty() {
                    start_line = line;
                }
                in_quote = true;
                buf.push(c);
            }
            '(' => {
                parens += 1;
                buf.push(c);
            }
            ')' => {
                parens -= 1;
                buf.push(c);
            }
            '{' => {
                let prev = buf.chars().last();
                let word = buf.rsplit(char::is_whitespace).next().unwrap_or("");
                let word_glob = matches!(prev, Some(p) if !p.is_whitespace() && p != ')')
                    && (word.contains('/') || word.contains('@') || prev == Some('@'));
                if word_glob {
                    glob_braces += 1;
                    buf.push(c);
                } else {
                    let head = std::mem::take(&mut buf).trim().to_string();
                    if head.is_empty() {
                        errors.push(SyntaxError {
                            line,
                            message: "`{` without a profile name before it".into(),
                        });
                    }
                    out.push((
                        Some(Stmt {
                            line: start_line,
                            end_line: line,
                            text: head,
                            opens_block: true,
                        }),
                        None,
                    ));
                    parens = 0;
                }
            }
            '}' => {
                if glob_braces > 0 {
                    glob_braces -= 1;
                    buf.push(c);
                } else {
                    if !buf.trim().is_empty() {
                        errors.push(SyntaxError {
                            line: start_line,
                            message: format!(
                                "`{}` is not terminated by `,` before `}}`",
                                buf.trim()
                            ),
                        });
                        buf.clear();
                    }
                    out.push((None, Some(line)));
                }
            }
            ',' if parens <= 0 && glob_braces == 0 => {
                let text = std::mem::take(&mut buf).trim().to_string();
                if text.is_empty() {
                    errors.push(SyntaxError {
                        line,
                        message: "empty rule (a stray `,`)".into(),
                    });
                } else {
                    out.push((
                        Some(Stmt {
                            line: start_line,
                            end_line: line,
                            text,
                            opens_block: false,
                        }),
                        None,
                    ));
                }
            }
            _ => {
                if buf.trim().is_empty() && !c.is_whitespace() {
                    start_line = line;
                    buf.clear();
                }
                buf.push(c);
            }
        }
        if out.len() > MAX_STATEMENTS {
            errors.push(SyntaxError {
                line,
                message: format!("more than {MAX_STATEMENTS} statements; stopped reading"),
            });
            return out;
        }
    }
    let rest = buf.trim();
    if !rest.is_empty() {
        if line_terminated(rest) {
            out.push((
                Some(Stmt {
                    line: start_line,
                    end_line: line,
                    text: rest.to_string(),
                    opens_block: false,
                }),
                None,
            ));
        } else {
            errors.push(SyntaxError {
                line: start_line,
                message: format!("`{rest}` is not terminated by `,`"),
            });
        }
    }
    out
}
