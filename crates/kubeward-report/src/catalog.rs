//! The check catalogue as a table (`kubeward checks`), from the registry's metadata.

use comfy_table::{ContentArrangement, Table, presets};
use kubeward_core::CheckMeta;

/// A table of checks: code, name, severity, title, references, profiles. With `fit_terminal`, the
/// table wraps to the terminal's width; otherwise lines are never wrapped (stable for pipes).
/// `benchmark` (framework, version) keeps only that benchmark's references, when a listing is for
/// one profile.
pub fn checks_table(
    checks: &[&CheckMeta],
    fit_terminal: bool,
    benchmark: Option<(&str, &str)>,
) -> String {
    let mut table = Table::new();
    table.load_style(presets::UTF8_BORDERS_ONLY);
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
        let refs: Vec<String> = c
            .references
            .iter()
            .filter(|r| benchmark.is_none_or(|(f, v)| r.framework == f && r.version == v))
            .map(|r| r.display())
            .collect();
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
