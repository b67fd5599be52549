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

#[test]
fn objects_and_fields_after_lone_carriage_returns_name_lines_of_the_file() {
    let text = b"kind: A\n---\n\r\r\r\rapiVersion: v1\rkind: Pod\rmetadata: {name: p}\n  # more\n";
    let inv = load_bytes("cr.yaml", text, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let pod = &inv.objects[1];
    assert_eq!(pod.kind, "Pod");
    // Everything of the Pod is on line 3 of the file, however YAML counts its lines.
    assert_eq!(pod.origin.line, Some(3));
    assert_eq!(pod.line_of("/metadata/name"), Some(3));
    assert_eq!(pod.line_of("/kind"), Some(3));
}
