//! Hostile and broken input: each gives a clear error naming file and line, the rest still
//! loads, and nothing panics or blows the stack.

use std::path::PathBuf;

use kubeward_inventory::{LoadOptions, load_paths, load_str};
use proptest::prelude::*;

fn opts() -> LoadOptions {
    LoadOptions::default()
}

const GOOD_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: good}\nspec:\n  containers: [{name: c, image: nginx}]\n";

#[test]
fn yaml_bomb_is_refused_not_expanded() {
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for name in ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] {
        let refs = vec![format!("*{prev}"); 9].join(",");
        bomb.push_str(&format!("{name}: &{name} [{refs}]\n"));
        prev = name;
    }
    let text = format!(
        "{GOOD_POD}---\n{bomb}---\n{}",
        GOOD_POD.replace("good", "after")
    );
    let inv = load_str("bomb.yaml", &text, &opts());
    // Refused by the replay budget (a count of events, not a time): 9^9 lols are never built.
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert!(
        inv.errors[0].message.contains("alias"),
        "{:?}",
        inv.errors[0]
    );
    assert_eq!(inv.errors[0].path, "bomb.yaml");
    let line = inv.errors[0].line.expect("line");
    assert!((7..=15).contains(&line), "{:?}", inv.errors[0]);
    let names: Vec<_> = inv.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["good", "after"]);
}

/// A document whose anchor (50 events: a sequence of 48 scalars) is replayed `n` times.
fn replays(n: usize) -> String {
    let items: Vec<String> = (0..48).map(|i| i.to_string()).collect();
    let refs = vec!["*a"; n].join(", ");
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: r}}\nfirst: &a [{}]\nrefs: [{refs}]\n",
        items.join(", ")
    )
}

#[test]
fn alias_replays_are_counted_exactly_against_the_budget() {
    let opts = LoadOptions {
        max_yaml_alias_replays: 500,
        ..opts()
    };
    // 10 replays of 50 events: exactly the budget, accepted and expanded.
    let inv = load_str("ok.yaml", &replays(10), &opts);
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let y = inv.objects[0]
        .value
        .get("refs")
        .and_then(|v| v.as_array())
        .map(<[_]>::len);
    assert_eq!(y, Some(10));
    // One replay more is refused, and nothing of the document is kept.
    let inv = load_str("over.yaml", &replays(11), &opts);
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert!(
        inv.errors[0].message.contains("alias"),
        "{:?}",
        inv.errors[0]
    );
    assert!(inv.objects.is_empty());
    // The default budget: what one document can grow to through aliases.
    assert_eq!(LoadOptions::default().max_yaml_alias_replays, 100_000);
}

#[test]
fn hundred_megabyte_document_is_refused_with_its_line() {
    let big = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: big}}\ndata:\n  blob: \"{}\"\n",
        "x".repeat(100 * 1024 * 1024)
    );
    let text = format!("{GOOD_POD}---\n{big}");
    let inv = load_str("big.yaml", &text, &opts());
    assert_eq!(inv.objects.len(), 1);
    assert_eq!(inv.errors.len(), 1);
    assert_eq!(inv.errors[0].line, Some(6));
    assert!(
        inv.errors[0].message.contains("over the"),
        "{}",
        inv.errors[0].message
    );

    let json = format!(
        "{{\"kind\": \"ConfigMap\", \"data\": {{\"blob\": \"{}\"}}}}",
        "x".repeat(100 * 1024 * 1024)
    );
    let inv = load_str("big.json", &json, &opts());
    assert!(inv.objects.is_empty());
    assert_eq!(inv.errors.len(), 1);
    assert_eq!(inv.errors[0].line, Some(1));
    assert!(
        inv.errors[0].message.contains("over the"),
        "{}",
        inv.errors[0].message
    );
}

#[test]
fn ten_thousand_deep_nesting_is_an_error_not_a_stack_overflow() {
    let depth = 10_000;
    let flow = format!(
        "---\nkind: Deep\nspec: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let block_map: String = (0..depth)
        .map(|i| format!("{}k:\n", " ".repeat(i)))
        .collect();
    for (name, text) in [
        ("flow.yaml", format!("{GOOD_POD}{flow}")),
        ("block.yaml", format!("{GOOD_POD}---\n{block_map}")),
        (
            "deep.json",
            format!(
                "[{{\"kind\": \"A\"}}, {{\"kind\": \"B\", \"x\": {}{}}}, {{\"kind\": \"C\"}}]",
                "[".repeat(depth),
                "]".repeat(depth)
            ),
        ),
    ] {
        // Run on a thread with the default 2 MiB stack, as rayon workers have.
        let text2 = text.clone();
        let inv = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || load_str(name, &text2, &opts()))
            .expect("spawn")
            .join()
            .expect("no stack overflow or panic");
        assert_eq!(inv.errors.len(), 1, "{name}: {:?}", inv.errors);
        assert!(inv.errors[0].line.is_some(), "{name}");
        let good = if name.ends_with("json") { 2 } else { 1 };
        assert_eq!(inv.objects.len(), good, "{name}");
    }
    // Nesting just under the limit is accepted.
    let ok: String = (0..120).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    let inv = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || load_str("ok.yaml", &ok, &opts()))
        .expect("spawn")
        .join()
        .expect("no stack overflow");
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
}

#[test]
fn invalid_utf8_names_file_and_line_and_other_documents_load() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bytes = GOOD_POD.as_bytes().to_vec();
    bytes.extend_from_slice(b"---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\xff\xfe\n");
    bytes.extend_from_slice(format!("---\n{}", GOOD_POD.replace("good", "third")).as_bytes());
    let path = dir.path().join("mixed.yaml");
    std::fs::write(&path, bytes).expect("write");
    let inv = load_paths(std::slice::from_ref(&path), &opts());
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    assert_eq!(inv.errors[0].path, path.display().to_string());
    assert_eq!(inv.errors[0].line, Some(10));
    assert!(inv.errors[0].message.contains("UTF-8"));
    let names: Vec<_> = inv.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["good", "third"]);

    let json = dir.path().join("bad.json");
    std::fs::write(
        &json,
        b"{\"kind\": \"List\", \"items\": [\n{\"kind\": \"Pod\"},\n{\"kind\": \"P\xffd\"}\n]}",
    )
    .expect("write");
    let inv = load_paths(&[json], &opts());
    assert_eq!(inv.objects.len(), 1);
    assert_eq!(inv.errors.len(), 1);
    assert_eq!(inv.errors[0].line, Some(3));
}

#[test]
fn one_broken_document_among_good_ones() {
    let text = format!(
        "{GOOD_POD}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n---\n{}",
        GOOD_POD.replace("good", "after")
    );
    let inv = load_str("m.yaml", &text, &opts());
    assert_eq!(inv.errors.len(), 1, "{:?}", inv.errors);
    let line = inv.errors[0].line.expect("line");
    assert!((6..=11).contains(&line), "line {line}");
    assert_eq!(inv.objects.len(), 2);
    assert_eq!(inv.objects[1].origin.line, Some(12));
}

#[test]
fn directories_are_walked_sorted_and_filtered() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("sub/deeper")).expect("mkdir");
    std::fs::create_dir_all(d.join(".git")).expect("mkdir");
    std::fs::write(d.join("b.yaml"), GOOD_POD.replace("good", "b")).expect("w");
    std::fs::write(d.join("a.yml"), GOOD_POD.replace("good", "a")).expect("w");
    std::fs::write(
        d.join("sub/deeper/c.json"),
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"c\"}}",
    )
    .expect("w");
    std::fs::write(d.join("notes.txt"), "kind: Pod").expect("w");
    std::fs::write(d.join(".git/x.yaml"), GOOD_POD.replace("good", "hidden")).expect("w");
    std::fs::write(d.join("broken.yaml"), "a: [\n").expect("w");
    let inv = load_paths(&[PathBuf::from(d)], &opts());
    let names: Vec<_> = inv.objects.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b", "c"]);
    assert_eq!(inv.errors.len(), 1);
    assert!(inv.errors[0].path.ends_with("broken.yaml"));
    assert_eq!(inv.inputs.len(), 4);
    // A missing path is an input error, not a crash.
    let inv = load_paths(&[d.join("nope.yaml")], &opts());
    assert_eq!(inv.errors.len(), 1);
}

#[test]
fn yaml_list_items_keep_their_own_lines() {
    let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p1}\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: d1}\n  spec:\n    template:\n      spec:\n        hostNetwork: true\n";
    let inv = load_str("list.yaml", text, &opts());
    assert!(inv.errors.is_empty());
    assert_eq!(inv.objects.len(), 2);
    assert_eq!(inv.objects[0].origin.line, Some(4));
    let d = &inv.objects[1];
    assert_eq!(d.origin.line, Some(7));
    assert_eq!(d.line_of("/spec/template/spec/hostNetwork"), Some(13));
    // A missing field points at its nearest present ancestor.
    assert_eq!(
        d.line_of("/spec/template/spec/securityContext/runAsNonRoot"),
        Some(12)
    );
    assert_eq!(d.source("/spec/template/spec/hostNetwork").line, Some(13));
}

#[test]
fn kubectl_json_list_and_octal_yaml() {
    let json = "{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n        {\n            \"apiVersion\": \"v1\",\n            \"kind\": \"Namespace\",\n            \"metadata\": {\"name\": \"a\"}\n        },\n        {\n            \"apiVersion\": \"v1\",\n            \"kind\": \"Namespace\",\n            \"metadata\": {\"name\": \"b\"}\n        }\n    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n";
    let inv = load_str("snap.json", json, &opts());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let got: Vec<_> = inv
        .objects
        .iter()
        .map(|o| (o.name.as_str(), o.origin.line))
        .collect();
    assert_eq!(got, vec![("a", Some(4)), ("b", Some(9))]);
    // JSON manifests of ordinary size get field lines too.
    assert_eq!(inv.objects[1].line_of("/metadata/name"), Some(12));
    assert_eq!(inv.objects[1].line_of("/spec/missing"), Some(9));
    let inv = load_str(
        "o.yaml",
        "kind: Pod\nspec:\n  volumes:\n  - secret: {defaultMode: 0644}\n",
        &opts(),
    );
    assert_eq!(
        inv.objects[0].value["spec"]["volumes"][0]["secret"]["defaultMode"],
        420
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]
    #[test]
    fn json_like_input_never_panics(
        parts in proptest::collection::vec(prop_oneof![
            Just("{"), Just("}"), Just("["), Just("]"), Just("\""), Just("\\"), Just(","), Just(":"),
            Just("\n"), Just("\"kind\""), Just("\"items\""), Just("\"List\""), Just("1"), Just(" "),
        ], 1..80)
    ) {
        let s: String = std::iter::once("{").chain(parts.iter().copied()).collect();
        let _ = load_str("fuzz.json", &s, &opts());
    }


    #[test]
    fn load_str_never_panics_on_arbitrary_text(s in "\\PC{0,300}") {
        let _ = load_str("fuzz", &s, &opts());
    }

    #[test]
    fn load_str_never_panics_on_yaml_like_text(
        parts in proptest::collection::vec(prop_oneof![
            Just("---\n"), Just("kind: Pod\n"), Just("  a: "), Just("[{"), Just("}]"), Just("&x "),
            Just("*x "), Just("- "), Just("\"q"), Just("items:\n"), Just("{\"items\": ["), Just("]}"),
            Just("\n"), Just("...\n"), Just(": "), Just("0644"), Just("'"), Just("\\"), Just(","),
        ], 0..60)
    ) {
        let s: String = parts.concat();
        let _ = load_str("fuzz", &s, &opts());
    }
}
