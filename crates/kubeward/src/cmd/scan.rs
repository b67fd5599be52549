#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    pub args: Vec<String>,
}
#[derive(clap::Args, Debug)]
pub struct SnapshotArgs {
    pub args: Vec<String>,
}
#[derive(clap::Args, Debug)]
pub struct FleetArgs {
    pub args: Vec<String>,
}
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    pub args: Vec<String>,
}

pub fn run_scan(_args: ScanArgs) -> anyhow::Result<u8> {
    super::not_yet("scan")
}
pub fn run_snapshot(_args: SnapshotArgs) -> anyhow::Result<u8> {
    super::not_yet("snapshot")
}
pub fn run_fleet(_args: FleetArgs) -> anyhow::Result<u8> {
    super::not_yet("fleet")
}
pub fn run_report(_args: ReportArgs) -> anyhow::Result<u8> {
    super::not_yet("report")
}
