//! The alert line: one JSON object per alert (schema in docs/audit-follow.md), written to stdout
//! or appended to a file, and flushed before the source may commit past it.

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::path::Path;

use kubeward_audit::stream::Alert;
use serde::Serialize;

use crate::source::Origin;

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum Where<'a> {
    Kafka {
        topic: &'a str,
        partition: i32,
        offset: i64,
    },
    Blob {
        container: &'a str,
        blob: &'a str,
        offset: u64,
        line: u64,
    },
    File {
        path: &'a str,
        line: u64,
    },
    Stdin {
        line: u64,
    },
}

impl<'a> From<&'a Origin> for Where<'a> {
    fn from(o: &'a Origin) -> Self {
        match o {
            Origin::Kafka {
                topic,
                partition,
                offset,
            } => Where::Kafka {
                topic,
                partition: *partition,
                offset: *offset,
            },
            Origin::Blob {
                container,
                blob,
                offset,
                line,
            } => Where::Blob {
                container,
                blob,
                offset: *offset,
                line: *line,
            },
            Origin::File { path, line } => Where::File { path, line: *line },
            Origin::Stdin { line } => Where::Stdin { line: *line },
        }
    }
}

#[derive(Serialize)]
struct Line<'a> {
    time: &'a str,
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    status: &'a str,
    user: &'a str,
    source_ip: &'a str,
    verb: &'a str,
    resource: &'a str,
    namespace: Option<&'a str>,
    object_name: Option<&'a str>,
    audit_id: &'a str,
    stage: &'a str,
    cluster: Option<&'a str>,
    origin: Where<'a>,
    message: &'a str,
}

/// The alert as one line of JSON (without the newline).
pub fn to_json(a: &Alert, origin: &Origin) -> String {
    let line = Line {
        time: &a.time,
        code: a.code,
        name: a.name,
        severity: a.severity,
        status: a.status,
        user: &a.user,
        source_ip: &a.source_ip,
        verb: &a.verb,
        resource: &a.resource,
        namespace: a.namespace.as_deref(),
        object_name: a.object_name.as_deref(),
        audit_id: &a.audit_id,
        stage: &a.stage,
        cluster: a.cluster.as_deref(),
        origin: origin.into(),
        message: &a.message,
    };
    // Serialising strings and integers cannot fail.
    serde_json::to_string(&line).unwrap_or_default()
}

/// Where a unit came from, in words (malformed-input reports).
pub fn origin_text(o: &Origin) -> String {
    match o {
        Origin::Kafka {
            topic,
            partition,
            offset,
        } => format!("topic {topic} partition {partition} offset {offset}"),
        Origin::Blob {
            container,
            blob,
            offset,
            line,
        } => format!("blob {container}/{blob} line {line} (byte {offset})"),
        Origin::File { path, line } => format!("{path}:{line}"),
        Origin::Stdin { line } => format!("(stdin):{line}"),
    }
}

/// Alert lines to stdout or a file (appended: a restart adds to it).
pub struct AlertWriter {
    out: BufWriter<Box<dyn Write + Send>>,
    pub name: String,
}

impl AlertWriter {
    pub fn stdout() -> Self {
        AlertWriter {
            out: BufWriter::new(Box::new(std::io::stdout())),
            name: "standard output".into(),
        }
    }

    pub fn file(path: &Path) -> std::io::Result<Self> {
        // A FIFO or device would block the open or never hold the alerts.
        if let Ok(m) = std::fs::metadata(path)
            && !m.is_file()
        {
            return Err(std::io::Error::other("not a regular file"));
        }
        let f = OpenOptions::new().create(true).append(true).open(path)?;
        if !f.metadata()?.is_file() {
            return Err(std::io::Error::other("not a regular file"));
        }
        Ok(AlertWriter {
            out: BufWriter::new(Box::new(f)),
            name: path.display().to_string(),
        })
    }

    pub fn write(&mut self, line: &str) -> std::io::Result<()> {
        self.out.write_all(line.as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Everything written so far handed to the operating system.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn line_carries_every_field_and_the_origin() {
        let a = Alert {
            time: "2026-12-07T02:10:00.1Z".into(),
            code: "A001",
            name: "pod-exec",
            severity: "medium",
            status: "WARN",
            user: "alice".into(),
            source_ip: "203.0.113.7".into(),
            verb: "create".into(),
            resource: "pods/exec".into(),
            namespace: Some("prod".into()),
            object_name: None,
            audit_id: "e1".into(),
            stage: "ResponseStarted".into(),
            cluster: None,
            message: "sh".into(),
        };
        let o = Origin::Kafka {
            topic: Arc::from("t"),
            partition: 2,
            offset: 12,
        };
        let v: serde_json::Value = serde_json::from_str(&to_json(&a, &o)).unwrap();
        assert_eq!(
            v["origin"],
            serde_json::json!({"kind": "kafka", "topic": "t", "partition": 2, "offset": 12})
        );
        assert_eq!(v["object_name"], serde_json::Value::Null);
        assert_eq!(v["namespace"], "prod");
        assert_eq!(v.as_object().unwrap().len(), 16);
        let f = Origin::File {
            path: Arc::from("a.log"),
            line: 3,
        };
        let v: serde_json::Value = serde_json::from_str(&to_json(&a, &f)).unwrap();
        assert_eq!(
            v["origin"],
            serde_json::json!({"kind": "file", "path": "a.log", "line": 3})
        );
    }
}
