//! YAML breaks lines at a lone `\r` too; input errors still name a line of the file as counted in
//! `\n`s, and their message carries no second, document-relative position (found by fuzzing).

use kubeward_inventory::{LoadOptions, load_bytes};

#[test]
fn a_syntax_error_after_lone_carriage_returns_names_a_line_of_the_file() {
    let text = b"apiVersion: v1\r\r\r\r\r\rkind: ConfigMap\rmetadata: {name: x\n";
    let inv = load_bytes("cr.yaml", text, &LoadOptions::default());
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert_eq!(inv.errors[0].line, Some(1));
    assert!(
        !inv.errors[0].message.contains("at line"),
        "{}",
        inv.errors[0].message
    );
}

#[test]
fn a_later_document_counts_from_its_own_first_line() {
    let text = b"kind: A\n---\nkind: B\r\rmetadata:\n  name: x\n  namespace: a: b\n";
    let inv = load_bytes("cr.yaml", text, &LoadOptions::default());
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    // `namespace: a: b` is line 5 of the file (the parser counts it as line 5 of the document).
    assert_eq!(inv.errors[0].line, Some(5));
    assert_eq!(
        inv.errors[0].message,
        "invalid YAML: mapping values are not allowed in this context"
    );
}
