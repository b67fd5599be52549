//! Attacker text stays text in every format. The shared report is given a hostile suffix on every
//! string it holds (names, messages, evidence, remediation, paths, facts, the command…), as a
//! saved report given to `kubeward render` could carry, then rendered in each format:
//! no control or bidi character reaches a terminal, no HTML or code span escapes in Markdown,
//! JUnit and SARIF stay valid and carry the text back intact, HTML escapes it.
#![allow(clippy::unwrap_used)]

mod common;

use kubeward_core::Report;
use kubeward_report::{Format, RenderOptions, render};

/// OSC window title, clear screen, a C1 CSI, a bidi override and isolate, a zero-width space, a
/// newline, shell syntax, a backtick run, HTML, table pipes and a closing `</details>`.
const HOSTILE: &str = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202e}\u{2066}\u{200b}\nnext `` `x` $(touch /tmp/pwned) <img src=x onerror=alert(1)> | a | </details>";

fn hostile(v: &mut serde_json::Value, key: &str) {
    match v {
        serde_json::Value::String(s) if !matches!(key, "status" | "severity") => {
            s.push_str(HOSTILE);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|i| hostile(i, key)),
        serde_json::Value::Object(map) => {
            let keys: Vec<String> = map.keys().cloned().collect();
            for k in keys {
                if let Some(child) = map.get_mut(&k) {
                    hostile(child, &k);
                }
            }
            // Keys of facts are input too (a user name, a namespace).
            if key == "facts" {
                let entries: Vec<(String, serde_json::Value)> =
                    std::mem::take(map).into_iter().collect();
                for (k, v) in entries {
                    map.insert(format!("{k}{HOSTILE}"), v);
                }
            }
        }
        _ => {}
    }
}

fn hostile_report() -> Report {
    let mut report = common::report();
    report.facts.insert(
        "audit".into(),
        serde_json::json!({"top_users": [{"user": "alice", "requests": 3}], "by_user": {"bob": 2}}),
    );
    report.finish();
    let mut v = serde_json::to_value(&report).unwrap();
    hostile(&mut v, "");
    serde_json::from_value(v).unwrap()
}

fn rendered(format: Format, color: bool) -> String {
    let options = RenderOptions {
        color,
        verbose: true,
        ..Default::default()
    };
    render(&hostile_report(), format, &common::registry(), &options).unwrap()
}

/// kubeward's own colours: `ESC [ digits ; … m`.
fn strip_own_colours(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\u{1b}[") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let n = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[n..].starts_with('m') {
            rest = &after[n + 1..];
        } else {
            out.push_str("\u{1b}[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn assert_terminal_safe(text: &str) {
    for (i, line) in text.lines().enumerate() {
        assert!(
            !line.chars().any(kubeward_core::escape::is_unsafe_char),
            "line {} carries a raw control, bidi or format character: {line:?}",
            i + 1
        );
        assert!(
            !line.starts_with("next "),
            "an input newline started a line: {line:?}"
        );
    }
}

#[test]
fn text_shows_hostile_text_escaped_without_and_with_colour() {
    let plain = rendered(Format::Text, false);
    assert_terminal_safe(&plain);
    assert!(plain.contains(
        "\\u{1b}]0;pwned\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}\\u{2066}\\u{200b}\\u{a}next"
    ));
    let coloured = rendered(Format::Text, true);
    assert!(
        coloured.contains("\u{1b}[31m"),
        "kubeward's own colours still work"
    );
    assert_terminal_safe(&strip_own_colours(&coloured));
}

/// Markdown as GitHub reads it: the only HTML is kubeward's own `<details>` and `<summary>`.
#[test]
fn markdown_lets_no_html_or_code_span_escape() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let md = rendered(Format::Markdown, false);
    let mut in_code_block = false;
    for event in Parser::new_ext(&md, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Html(h) | Event::InlineHtml(h) => {
                let h = h.trim();
                assert!(
                    matches!(h, "<details><summary>Remediation</summary>" | "</details>"),
                    "HTML from input reached the Markdown: {h:?}"
                );
            }
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code_block = false,
            Event::Start(Tag::Image { .. } | Tag::Link { .. } | Tag::Strikethrough) => {
                panic!("input text became markup: {event:?}")
            }
            Event::Text(t) | Event::Code(t) if !in_code_block => {
                assert!(
                    !t.chars().any(kubeward_core::escape::is_unsafe_char),
                    "raw control character in Markdown text: {t:?}"
                );
            }
            _ => {}
        }
    }
    // Every remediation block opened is closed by kubeward's own tag, not the input's.
    assert_eq!(
        md.matches("<details>").count(),
        md.lines().filter(|l| *l == "</details>").count()
    );
    // The hostile text is still there, as text.
    assert!(md.contains("onerror=alert(1)"));
}

#[test]
fn junit_is_valid_xml_and_keeps_the_text() {
    let xml = rendered(Format::Junit, false);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let text: String = doc
        .descendants()
        .flat_map(|n| {
            n.attributes()
                .map(|a| a.value().to_string())
                .chain(n.text().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(text.contains("<img src=x onerror=alert(1)>"));
    assert!(!doc.descendants().any(|n| n.has_tag_name("img")));
}

#[test]
fn sarif_is_valid_json_and_keeps_the_text() {
    let sarif = rendered(Format::Sarif, false);
    let v: serde_json::Value = serde_json::from_str(&sarif).expect("valid JSON");
    let messages: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["message"]["text"].as_str())
        .collect();
    assert!(!messages.is_empty());
    assert!(messages.iter().all(|m| m.contains(HOSTILE)), "{messages:?}");
}

#[test]
fn html_escapes_every_hostile_field() {
    let html = rendered(Format::Html, false);
    assert!(!html.contains("<img"), "raw HTML from input");
    assert!(!html.contains("</details>") || !html.contains("| a | </details>"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn json_round_trips_the_hostile_text() {
    let json = rendered(Format::Json, false);
    let back: Report = serde_json::from_str(&json).unwrap();
    assert!(back.findings.iter().all(|f| f.message.ends_with(HOSTILE)));
}
