#[derive(clap::Args, Debug)]
pub struct Args {
    pub args: Vec<String>,
}

pub fn run(_args: Args) -> anyhow::Result<u8> {
    super::not_yet("pss")
}
