//! Attacker text stays text: one escaper per destination, shared by every area and renderer.
//!
//! Names, labels, usernames and file contents come from whoever wrote the input. Before such text
//! reaches a terminal it goes through [`terminal`] (or [`terminal_lines`]); before it is put into a
//! command line it goes through [`shell`]; before it is put into a shell comment, [`shell_comment`].

use std::borrow::Cow;

/// Characters a terminal or a text viewer acts on instead of showing: C0 controls (ESC starts
/// CSI/OSC sequences, BEL ends them), DEL, C1 controls (U+009B is a one-byte CSI), bidirectional
/// overrides and isolates (they reorder what is shown), and invisible format characters (zero
/// widths, line separators, tags) that hide or smuggle text.
pub fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{ad}'
        | '\u{61c}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}')
}

/// Text for one line of a terminal: every unsafe character (newlines and tabs included) is shown
/// as `\u{…}`, so the text can neither move the cursor, retitle the window, reorder the line nor
/// fake another line of the report.
pub fn terminal(s: &str) -> Cow<'_, str> {
    escape_with(s, |_| false)
}

/// Like [`terminal`], but a newline stays a newline (multi-line text such as a remediation, each
/// of whose lines the caller indents itself).
pub fn terminal_lines(s: &str) -> Cow<'_, str> {
    escape_with(s, |c| c == '\n')
}

fn escape_with(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_char(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Characters that mean nothing to a POSIX shell in an argument: such a word needs no quotes.
fn shell_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '_' | '-' | '.' | '/' | ':' | ',' | '@' | '%' | '+' | '=')
}

/// One word for a POSIX shell (sh, bash, zsh): the value itself when it holds only characters the
/// shell does not interpret, otherwise single-quoted, a `'` inside written as `'\''`. Nothing
/// between single quotes is expanded, so `$(…)`, backticks, `;`, globs and newlines stay data.
pub fn shell(s: &str) -> Cow<'_, str> {
    if !s.is_empty() && s.chars().all(shell_plain) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    Cow::Owned(out)
}

/// Text for a `#` comment of a generated script: a newline would end the comment and make the
/// rest of the value a command, so it is kept on one line (as [`terminal`] does).
pub fn shell_comment(s: &str) -> Cow<'_, str> {
    terminal(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_shows_controls_and_bidi_as_escapes() {
        assert_eq!(terminal("plain name-1"), "plain name-1");
        assert_eq!(terminal("a\u{1b}]0;title\u{7}b"), "a\\u{1b}]0;title\\u{7}b");
        assert_eq!(terminal("\u{1b}[2J"), "\\u{1b}[2J");
        assert_eq!(terminal("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(terminal("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(terminal("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
        assert_eq!(terminal("a\nb\tc\r"), "a\\u{a}b\\u{9}c\\u{d}");
        assert_eq!(
            terminal("\u{7f}\u{200b}\u{e0041}"),
            "\\u{7f}\\u{200b}\\u{e0041}"
        );
        // Printable text outside ASCII is left alone.
        assert_eq!(terminal("naïve — 名前 ✅"), "naïve — 名前 ✅");
    }

    #[test]
    fn terminal_lines_keeps_newlines_only() {
        assert_eq!(terminal_lines("a\nb\u{1b}[2J\r"), "a\nb\\u{1b}[2J\\u{d}");
    }

    #[test]
    fn no_unsafe_char_survives_terminal() {
        let all: String = (0u32..0x11_0000).filter_map(char::from_u32).collect();
        let out = terminal(&all);
        assert!(!out.chars().any(is_unsafe_char));
        assert!(
            !terminal_lines(&all)
                .chars()
                .any(|c| is_unsafe_char(c) && c != '\n')
        );
    }

    #[test]
    fn shell_quotes_anything_the_shell_would_read() {
        assert_eq!(shell("demo-aks_1.rg"), "demo-aks_1.rg");
        assert_eq!(shell(""), "''");
        assert_eq!(shell("demo$(touch /tmp/x)"), "'demo$(touch /tmp/x)'");
        assert_eq!(shell("a b"), "'a b'");
        assert_eq!(shell("it's"), "'it'\\''s'");
        assert_eq!(shell("`id`;x\ny"), "'`id`;x\ny'");
        assert_eq!(shell("*"), "'*'");
        assert_eq!(shell("~root"), "'~root'");
    }

    #[test]
    fn shell_comment_stays_on_one_line() {
        assert_eq!(
            shell_comment("demo\ntouch /tmp/x"),
            "demo\\u{a}touch /tmp/x"
        );
    }
}
