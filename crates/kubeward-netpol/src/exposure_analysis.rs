//! netpol-analyzer style exposure analysis (`list --exposure`).

use std::io::{self, Write};

use crate::connlist::{ConnList, Format};
use crate::engine::Analysis;

pub fn render(
    _a: &Analysis,
    list: &ConnList,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<()> {
    crate::connlist::render(list, format, out)
}
