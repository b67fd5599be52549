//! Live cluster source (kube-rs), snapshots and the fleet node scan.
