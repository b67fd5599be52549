//! The one place where the CLI's own text (tables, warnings, notes, errors) is made safe for a
//! terminal: names from the input cannot move the cursor, retitle the window, clear the screen or
//! reorder a line. Reports rendered by kubeward-report escape their fields themselves (so the
//! colours kubeward adds still work); machine formats (JSON, YAML manifests, scripts) are left to
//! their own quoting.

use std::borrow::Cow;

/// Text for the terminal: control, bidi and invisible format characters shown as `\u{…}`;
/// newlines kept (the CLI writes multi-line text).
pub fn safe(text: &str) -> Cow<'_, str> {
    kubeward_core::escape::terminal_lines(text)
}

/// `eprintln!` for messages that may carry input text (input errors, warnings, notes).
#[macro_export]
macro_rules! eprintln_safe {
    ($($arg:tt)*) => {
        anstream::eprintln!("{}", $crate::term::safe(&format!($($arg)*)))
    };
}

/// `println!` for the CLI's own tables and lines that carry input text.
#[macro_export]
macro_rules! println_safe {
    ($($arg:tt)*) => {
        println!("{}", $crate::term::safe(&format!($($arg)*)))
    };
}

/// `print!` for the CLI's own tables that carry input text.
#[macro_export]
macro_rules! print_safe {
    ($($arg:tt)*) => {
        print!("{}", $crate::term::safe(&format!($($arg)*)))
    };
}

/// The one way every command shows an input error on standard error: `input error: path:line:
/// message`, escaped like all the CLI's text.
pub fn input_error(e: &kubeward_core::InputError) {
    crate::eprintln_safe!("input error: {e}");
}
