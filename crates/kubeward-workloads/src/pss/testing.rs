//! Helpers for the controls' pass/fail vectors: a pod from YAML, evaluated by one control.

use kubeward_inventory::{LoadOptions, PodTemplate, load_str};

use super::{PodView, Violation, control};

/// Run control `id` on the pod spec (and optional annotations) given as YAML, at `minor`.
pub fn run(id: &str, spec_yaml: &str, minor: u32) -> Option<Violation> {
    run_with_annotations(id, spec_yaml, "{}", minor)
}

/// Control `id` allows the pod spec at `minor`.
#[track_caller]
pub fn allowed(id: &str, spec_yaml: &str, minor: u32) {
    allowed_with_annotations(id, spec_yaml, "{}", minor);
}

/// Control `id` denies the pod spec at `minor`: its violation.
#[track_caller]
pub fn denied(id: &str, spec_yaml: &str, minor: u32) -> Violation {
    denied_with_annotations(id, spec_yaml, "{}", minor)
}

/// Control `id` allows the pod spec with these annotations at `minor`.
#[track_caller]
pub fn allowed_with_annotations(id: &str, spec_yaml: &str, annotations: &str, minor: u32) {
    if let Some(v) = run_with_annotations(id, spec_yaml, annotations, minor) {
        panic!("{id} at v1.{minor} denies {spec_yaml:?}: {v:?}");
    }
}

/// Control `id` denies the pod spec with these annotations at `minor`: its violation.
#[track_caller]
pub fn denied_with_annotations(
    id: &str,
    spec_yaml: &str,
    annotations: &str,
    minor: u32,
) -> Violation {
    match run_with_annotations(id, spec_yaml, annotations, minor) {
        Some(v) => v,
        None => panic!("{id} at v1.{minor} allows {spec_yaml:?}"),
    }
}

pub fn run_with_annotations(
    id: &str,
    spec_yaml: &str,
    annotations: &str,
    minor: u32,
) -> Option<Violation> {
    let indented: String = spec_yaml.lines().map(|l| format!("  {l}\n")).collect();
    let text = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {annotations}\nspec:\n{indented}"
    );
    let inv = load_str("vector.yaml", &text, &LoadOptions::default());
    assert!(inv.errors.is_empty(), "{:?}", inv.errors);
    let t = PodTemplate::of(&inv.objects[0]).expect("pod");
    let c = control(id).expect("known control");
    let out = (c.check)(&PodView::of(&t), minor);
    if let Some(v) = &out {
        assert_eq!(v.check, c.id);
        assert!(!v.pointers.is_empty(), "a violation names its fields");
        for p in &v.pointers {
            assert!(p.starts_with("/spec") || p.starts_with("/metadata"), "{p}");
        }
    }
    out
}
