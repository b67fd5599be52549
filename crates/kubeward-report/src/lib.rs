//! Report renderers. They read a finished [`Report`] and the [`Registry`] (for rule help) and know
//! nothing about areas: sections, tables and rules are built from the findings' own fields.

mod catalog;
mod html;
mod json;
mod junit;
mod markdown;
pub mod recognize;
mod sarif;
mod text;
mod util;

pub use catalog::checks_table;
use kubeward_core::{Registry, Report};

/// Output formats every command accepts with `-o/--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Text,
    Json,
    /// One JSON object per line: each finding, each input error, then the summary (for log
    /// pipelines such as Container Insights).
    Jsonl,
    Junit,
    Sarif,
    Markdown,
    Html,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Text,
        Format::Json,
        Format::Jsonl,
        Format::Junit,
        Format::Sarif,
        Format::Markdown,
        Format::Html,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Junit => "junit",
            Format::Sarif => "sarif",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }
    /// The usual file extension for this format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Text => "txt",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Junit => "xml",
            Format::Sarif => "sarif",
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "jsonl" | "ndjson" => Ok(Format::Jsonl),
            "junit" | "xml" => Ok(Format::Junit),
            "sarif" => Ok(Format::Sarif),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            other => Err(format!(
                "unknown output format {other:?}: expected text, json, jsonl, junit, sarif, markdown or html"
            )),
        }
    }
}

/// How to render (colour only matters for text on a terminal).
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Colour the text output with ANSI escapes (the caller decides: terminal, NO_COLOR).
    pub color: bool,
    /// Show PASS/NOT_APPLICABLE findings in text and Markdown output too (they are always counted,
    /// and always present in the machine formats).
    pub verbose: bool,
    /// With a baseline: list fixed (absent) findings as SARIF results too.
    pub sarif_include_absent: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("{0} output is not available yet")]
    Unsupported(&'static str),
    #[error("cannot serialise the report: {0}")]
    Serialize(String),
    #[error("cannot render the HTML report: {0}")]
    Template(String),
    #[error("cannot write the report: {0}")]
    Write(#[from] std::io::Error),
}

/// Render a finished report ([`Report::finish`] must have been called).
pub fn render(
    report: &Report,
    format: Format,
    registry: &Registry,
    options: &RenderOptions,
) -> Result<String, RenderError> {
    match format {
        Format::Json => json::render(report),
        Format::Jsonl => json::render_lines(report),
        Format::Text => Ok(text::render(report, registry, options)),
        Format::Junit => junit::render(report),
        Format::Sarif => sarif::render(report, registry, options),
        Format::Markdown => Ok(markdown::render(report, options)),
        Format::Html => html::render(report),
    }
}

/// Render a finished report straight into `out`. The JSON report is streamed (a report of
/// hundreds of thousands of findings is never held as one string); the other formats are built
/// in memory first, then written.
pub fn render_to(
    report: &Report,
    format: Format,
    registry: &Registry,
    options: &RenderOptions,
    out: &mut dyn std::io::Write,
) -> Result<(), RenderError> {
    match format {
        Format::Json => json::render_to(report, out),
        Format::Jsonl => json::render_lines_to(report, out),
        other => {
            let text = render(report, other, registry, options)?;
            out.write_all(text.as_bytes())?;
            Ok(())
        }
    }
}
