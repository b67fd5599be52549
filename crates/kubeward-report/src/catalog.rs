//! The check catalogue as a table (`kubeward checks`), from the registry's metadata.

use comfy_table::{ContentArrangement, Table, presets};
use kubeward_core::CheckMeta;

/// A table of checks: code, name, severity, title, references, profiles. With `fit_terminal`, the
/// table wraps to the terminal's width; otherwise lines are never wrapped (stable for pipes).
pub fn checks_table(checks: &[&CheckMeta], fit_terminal: bool) -> String {
    let mut table = Table::new();
    table.load_style(presets::UTF8_HORIZONTAL_ONLY);
    if fit_terminal {
        table.set_content_arrangement(ContentArrangement::Dynamic);
    } else {
        table.force_no_tty();
    }
    table.set_header([
        "Code",
        "Name",
        "Severity",
        "Title",
        "References",
        "Profiles",
    ]);
    for c in checks {
        let own = if c.kubeward_own { " [kubeward]" } else { "" };
        let refs: Vec<String> = c.references.iter().map(|r| r.display()).collect();
        table.add_row([
            c.code.to_string(),
            c.name.to_string(),
            c.severity.as_str().to_string(),
            format!("{}{own}", c.title),
            refs.join(", "),
            c.profiles.join(", "),
        ]);
    }
    format!("{table}\n")
}
