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

/// One JSON object per line, each with a `record` field saying what it is: `finding` (the
/// finding's fields, as in the JSON report), `gone` (a baseline finding not found again: fixed
/// or not evaluated), `input_error`, and last `summary` (command, tool, counts, baseline counts).
pub fn render_lines_to(report: &Report, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    use serde_json::{Map, Value};
    let ser = |e: serde_json::Error| RenderError::Serialize(e.to_string());
    let mut w = std::io::BufWriter::with_capacity(1 << 16, out);
    let mut line = |record: &str, body: Value| -> Result<(), RenderError> {
        let mut m = Map::new();
        m.insert("record".into(), Value::from(record));
        if let Value::Object(fields) = body {
            m.extend(fields);
        }
        serde_json::to_writer(&mut w, &Value::Object(m)).map_err(ser)?;
        std::io::Write::write_all(&mut w, b"\n")?;
        Ok(())
    };
    for f in &report.findings {
        line("finding", serde_json::to_value(f).map_err(ser)?)?;
    }
    if let Some(b) = &report.baseline {
        for e in &b.gone {
            line("gone", serde_json::to_value(e).map_err(ser)?)?;
        }
    }
    for e in &report.input_errors {
        line("input_error", serde_json::to_value(e).map_err(ser)?)?;
    }
    let mut summary = serde_json::to_value(&report.summary).map_err(ser)?;
    if let Value::Object(m) = &mut summary {
        m.insert("command".into(), Value::from(report.command.as_str()));
        m.insert(
            "tool".into(),
            serde_json::to_value(&report.tool).map_err(ser)?,
        );
        m.insert(
            "schema_version".into(),
            Value::from(report.schema_version.as_str()),
        );
        if let Some(b) = &report.baseline {
            let mut counts = serde_json::to_value(b).map_err(ser)?;
            if let Value::Object(c) = &mut counts {
                c.remove("gone");
            }
            m.insert("baseline".into(), counts);
        }
    }
    line("summary", summary)?;
    std::io::Write::flush(&mut w)?;
    Ok(())
}

pub fn render_lines(report: &Report) -> Result<String, RenderError> {
    let mut out = Vec::new();
    render_lines_to(report, &mut out)?;
    String::from_utf8(out).map_err(|e| RenderError::Serialize(e.to_string()))
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

    #[test]
    fn json_lines_hold_one_finding_a_line_then_the_summary() {
        let mut report = Report::new("workloads");
        for name in ["a", "b"] {
            report.findings.push(kubeward_core::Finding::new(
                &kubeward_core::waiver::WAIVER_UNUSED,
                Status::Fail,
                Resource::new("Node", name),
                "line one\nline two",
            ));
        }
        report.finish();
        let text = super::render_lines(&report).expect("renders");
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["record"], "finding");
        assert_eq!(lines[1]["resource"]["name"], "b");
        assert_eq!(lines[2]["record"], "summary");
        assert_eq!(lines[2]["total"], 2);
    }
}
