//! AppArmor profile text: the subset of the policy language that container profiles use (profile
//! heads and flags, includes, abi, variables, file/capability/network/mount/... rules with
//! qualifiers), parsed with line numbers. Syntax problems are collected, not fatal, so one file
//! yields every error at once, each with its line.

pub mod generate;
pub mod glob;
mod lexer;
pub mod lint;
mod model;
mod parse;

pub use lexer::MAX_STATEMENTS;
pub use model::{AppArmorFile, Perms, ProfileBlock, Qualifiers, Rule, RuleKind, SyntaxError};
pub use parse::{CAPABILITIES, MAX_NESTING, PermsError, parse, parse_perms};
