//! The JSON report: a serde serialisation of [`Report`], documented field by field in
//! docs/report-schema.md (versioned by `schema_version`).

use kubeward_core::Report;

use crate::RenderError;

pub fn render(report: &Report) -> Result<String, RenderError> {
    let mut s =
        serde_json::to_string_pretty(report).map_err(|e| RenderError::Serialize(e.to_string()))?;
    s.push('\n');
    Ok(s)
}
