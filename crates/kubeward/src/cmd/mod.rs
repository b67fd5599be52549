pub mod aks;
pub mod audit;
pub mod audit_follow;
pub mod checks;
pub mod cluster;
pub mod engine;
pub mod fleet;
pub mod inputs;
pub mod netpol;
pub mod node;
pub mod policy;
pub mod profiles;
pub mod pss;
pub mod rbac;
pub mod report;
pub mod saved;
pub mod scan;
pub mod score;
pub mod snapshot;
pub mod workloads;

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// The binary's modules (cmd/*.rs by name, output, registry, term) and the ones each names
    /// through `super::x`, `crate::cmd::x` or `crate::x`.
    fn graph() -> BTreeMap<String, BTreeSet<String>> {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        for name in ["output", "registry", "term"] {
            files.push((name.to_string(), src.join(format!("{name}.rs")), false));
        }
        for e in std::fs::read_dir(src.join("cmd"))
            .expect("cmd folder")
            .flatten()
        {
            let p = e.path();
            let stem = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("")
                .to_string();
            if stem != "mod" && p.extension().is_some_and(|x| x == "rs") {
                files.push((stem, p, true));
            }
        }
        let names: BTreeSet<String> = files.iter().map(|(n, _, _)| n.clone()).collect();
        let mut graph = BTreeMap::new();
        for (name, path, in_cmd) in &files {
            let text = std::fs::read_to_string(path).expect("source");
            let mut prefixes = vec!["crate::cmd::", "crate::"];
            if *in_cmd {
                prefixes.push("super::");
            }
            let mut uses = BTreeSet::new();
            for prefix in prefixes {
                for (at, _) in text.match_indices(prefix) {
                    let rest = &text[at + prefix.len()..];
                    let end = rest
                        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                        .unwrap_or(rest.len());
                    let target = &rest[..end];
                    if target != name && names.contains(target) {
                        uses.insert(target.to_string());
                    }
                }
            }
            graph.insert(name.clone(), uses);
        }
        graph
    }

    fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
        fn visit(
            node: &str,
            graph: &BTreeMap<String, BTreeSet<String>>,
            path: &mut Vec<String>,
            found: &mut BTreeSet<String>,
        ) {
            if let Some(at) = path.iter().position(|n| n == node) {
                // Named from its smallest module, so each cycle is reported once.
                let mut cycle = path[at..].to_vec();
                let first = (0..cycle.len()).min_by_key(|&i| &cycle[i]).unwrap_or(0);
                cycle.rotate_left(first);
                cycle.push(cycle[0].clone());
                found.insert(cycle.join(" -> "));
                return;
            }
            path.push(node.to_string());
            for next in graph.get(node).into_iter().flatten() {
                visit(next, graph, path, found);
            }
            path.pop();
        }
        let mut found = BTreeSet::new();
        for node in graph.keys() {
            visit(node, graph, &mut Vec::new(), &mut found);
        }
        found
    }

    #[test]
    fn the_binary_modules_import_each_other_without_a_cycle() {
        let graph = graph();
        assert!(graph["scan"].contains("inputs"), "{graph:?}");
        let found = cycles(&graph);
        assert!(found.is_empty(), "import cycles: {found:?}");
    }

    #[test]
    fn a_cycle_is_found() {
        let mut graph = BTreeMap::new();
        graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
        graph.insert("b".to_string(), BTreeSet::from(["a".to_string()]));
        assert_eq!(cycles(&graph), BTreeSet::from(["a -> b -> a".to_string()]));
    }
}
