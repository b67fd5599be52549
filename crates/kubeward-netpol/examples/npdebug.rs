fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let inv = kubeward_netpol::load::load(&paths);
    for e in &inv.errors {
        eprintln!("input error: {e:?}");
    }
    let m = kubeward_netpol::Model::build(&inv);
    for p in &m.problems {
        eprintln!("{}", p.display());
    }
    for w in &m.workloads {
        eprintln!("workload {}", w.display_name());
    }
    for e in &m.ingress_exposure {
        eprintln!(
            "exposed {} {}",
            m.workloads[e.workload].display_name(),
            e.conns
        );
    }
}
