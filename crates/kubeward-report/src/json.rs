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

/// The same bytes as [`render`], written as they are produced.
pub fn render_to(report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut w, report).map_err(|e| {
        if e.is_io() {
            RenderError::Write(e.into())
        } else {
            RenderError::Serialize(e.to_string())
        }
    })?;
    std::io::Write::write_all(&mut w, b"\n")?;
    std::io::Write::flush(&mut w)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use kubeward_core::{Report, Resource, Status};

    #[test]
    fn streamed_json_is_the_rendered_json() {
        let mut report = Report::new("workloads");
        report.findings.push(kubeward_core::Finding::new(
            &kubeward_core::waiver::WAIVER_UNUSED,
            Status::Fail,
            Resource::new("Node", "n"),
            "m",
        ));
        report.finish();
        let whole = super::render(&report).expect("renders");
        let mut streamed = Vec::new();
        super::render_to(&report, &mut streamed).expect("streams");
        assert_eq!(whole.as_bytes(), streamed.as_slice());
    }
}
