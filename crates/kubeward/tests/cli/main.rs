//! The binary's end-to-end tests: every command run as a user runs it. One test binary holds them
//! all (a module per area), so the suite links once.

mod common;

mod aks_cli;
mod audit_cli;
mod audit_follow;
mod audit_follow_blob;
mod audit_follow_kafka;
mod baseline_cli;
mod cli_checks;
mod cli_html;
mod cli_output;
mod hostile_cli;
mod hostile_files;
mod live_cli;
mod netpol_cli;
mod node_cli;
mod policy_cli;
mod profiles_cli;
mod report_merge;
mod scan_examples;
mod scope_cli;
mod workloads_example;
mod workloads_exposure;
