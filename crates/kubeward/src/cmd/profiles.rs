#[derive(clap::Args, Debug)]
pub struct SeccompArgs {
    pub args: Vec<String>,
}
#[derive(clap::Args, Debug)]
pub struct AppArmorArgs {
    pub args: Vec<String>,
}
#[derive(clap::Args, Debug)]
pub struct ProfilesArgs {
    pub args: Vec<String>,
}

pub fn run_seccomp(_args: SeccompArgs) -> anyhow::Result<u8> {
    super::not_yet("seccomp")
}
pub fn run_apparmor(_args: AppArmorArgs) -> anyhow::Result<u8> {
    super::not_yet("apparmor")
}
pub fn run_profiles(_args: ProfilesArgs) -> anyhow::Result<u8> {
    super::not_yet("profiles")
}
