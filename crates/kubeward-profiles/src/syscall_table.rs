//! Syscall names and numbers per seccomp architecture.
//!
//! The tables come from the `syscalls` crate, generated from the kernel's own per-architecture
//! syscall tables (kernel 6.17: up to `file_setattr`). libseccomp (what runc resolves names with)
//! follows the same kernel tables, so a name unknown here is one runc skips as "unknown seccomp
//! syscall". Gaps, said plainly: the crate has no x32 or MIPS n32 table (their names are the 64-bit
//! ABI's, which we use), and no PA-RISC, m68k or SuperH table (names for those are not judged).

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

/// A seccomp architecture as written in `architectures` (`SCMP_ARCH_X86_64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Arch {
    X86,
    X86_64,
    X32,
    Arm,
    Aarch64,
    Mips,
    Mips64,
    Mips64n32,
    Mipsel,
    Mipsel64,
    Mipsel64n32,
    Ppc,
    Ppc64,
    Ppc64le,
    S390,
    S390x,
    Parisc,
    Parisc64,
    Riscv64,
    Loongarch64,
    M68k,
    Sh,
    Sheb,
}

const ALL_ARCHES: [(Arch, &str); 23] = [
    (Arch::X86, "SCMP_ARCH_X86"),
    (Arch::X86_64, "SCMP_ARCH_X86_64"),
    (Arch::X32, "SCMP_ARCH_X32"),
    (Arch::Arm, "SCMP_ARCH_ARM"),
    (Arch::Aarch64, "SCMP_ARCH_AARCH64"),
    (Arch::Mips, "SCMP_ARCH_MIPS"),
    (Arch::Mips64, "SCMP_ARCH_MIPS64"),
    (Arch::Mips64n32, "SCMP_ARCH_MIPS64N32"),
    (Arch::Mipsel, "SCMP_ARCH_MIPSEL"),
    (Arch::Mipsel64, "SCMP_ARCH_MIPSEL64"),
    (Arch::Mipsel64n32, "SCMP_ARCH_MIPSEL64N32"),
    (Arch::Ppc, "SCMP_ARCH_PPC"),
    (Arch::Ppc64, "SCMP_ARCH_PPC64"),
    (Arch::Ppc64le, "SCMP_ARCH_PPC64LE"),
    (Arch::S390, "SCMP_ARCH_S390"),
    (Arch::S390x, "SCMP_ARCH_S390X"),
    (Arch::Parisc, "SCMP_ARCH_PARISC"),
    (Arch::Parisc64, "SCMP_ARCH_PARISC64"),
    (Arch::Riscv64, "SCMP_ARCH_RISCV64"),
    (Arch::Loongarch64, "SCMP_ARCH_LOONGARCH64"),
    (Arch::M68k, "SCMP_ARCH_M68K"),
    (Arch::Sh, "SCMP_ARCH_SH"),
    (Arch::Sheb, "SCMP_ARCH_SHEB"),
];

/// Which generated table answers for an architecture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Table {
    X86,
    X86_64,
    Arm,
    Aarch64,
    Mips,
    Mips64,
    Ppc,
    Ppc64,
    S390x,
    Riscv64,
    Loongarch64,
}

impl Arch {
    /// Parse `SCMP_ARCH_X86_64` (the runtime-spec spelling), or a short form (`x86_64`, `amd64`,
    /// `arm64`) for command-line flags.
    pub fn parse(s: &str) -> Option<Arch> {
        if let Some((a, _)) = ALL_ARCHES.iter().find(|(_, n)| *n == s) {
            return Some(*a);
        }
        match s.to_ascii_lowercase().as_str() {
            "x86_64" | "amd64" => Some(Arch::X86_64),
            "x86" | "i386" | "386" => Some(Arch::X86),
            "x32" => Some(Arch::X32),
            "aarch64" | "arm64" => Some(Arch::Aarch64),
            "arm" => Some(Arch::Arm),
            "riscv64" => Some(Arch::Riscv64),
            "s390x" => Some(Arch::S390x),
            "ppc64le" => Some(Arch::Ppc64le),
            "loongarch64" => Some(Arch::Loongarch64),
            _ => None,
        }
    }

    pub fn scmp_name(self) -> &'static str {
        ALL_ARCHES
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("SCMP_ARCH_UNKNOWN")
    }

    pub fn all_scmp_names() -> impl Iterator<Item = &'static str> {
        ALL_ARCHES.iter().map(|(_, n)| *n)
    }

    /// The compat architectures a runtime lists with a native one (containerd / Docker archMap).
    pub fn with_compat(self) -> Vec<Arch> {
        match self {
            Arch::X86_64 => vec![Arch::X86_64, Arch::X86, Arch::X32],
            Arch::Aarch64 => vec![Arch::Aarch64, Arch::Arm],
            Arch::S390x => vec![Arch::S390x, Arch::S390],
            other => vec![other],
        }
    }

    fn table(self) -> Option<Table> {
        Some(match self {
            Arch::X86 => Table::X86,
            Arch::X86_64 | Arch::X32 => Table::X86_64,
            Arch::Arm => Table::Arm,
            Arch::Aarch64 => Table::Aarch64,
            Arch::Mips | Arch::Mipsel => Table::Mips,
            Arch::Mips64 | Arch::Mips64n32 | Arch::Mipsel64 | Arch::Mipsel64n32 => Table::Mips64,
            Arch::Ppc => Table::Ppc,
            Arch::Ppc64 | Arch::Ppc64le => Table::Ppc64,
            Arch::S390 | Arch::S390x => Table::S390x,
            Arch::Riscv64 => Table::Riscv64,
            Arch::Loongarch64 => Table::Loongarch64,
            Arch::Parisc | Arch::Parisc64 | Arch::M68k | Arch::Sh | Arch::Sheb => return None,
        })
    }

    /// Is `name` a syscall of this architecture? `None` when kubeward has no table for it.
    pub fn knows(self, name: &str) -> Option<bool> {
        self.table().map(|t| tables(t).by_name.contains_key(name))
    }

    pub fn number(self, name: &str) -> Option<u32> {
        self.table()
            .and_then(|t| tables(t).by_name.get(name).copied())
    }

    /// Name of syscall `nr` on this architecture. x32 numbers carry bit 30 (`0x40000000`).
    pub fn name_of(self, nr: u32) -> Option<&'static str> {
        let nr = if self == Arch::X32 {
            nr & !0x4000_0000
        } else {
            nr
        };
        self.table()
            .and_then(|t| tables(t).by_number.get(&nr).copied())
    }

    /// Every syscall name of this architecture, sorted.
    pub fn names(self) -> BTreeSet<&'static str> {
        self.table()
            .map(|t| tables(t).by_name.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The `arch=` field of a kernel audit record (`AUDIT_ARCH_*`, hex).
    pub fn from_audit(hex: &str) -> Option<Arch> {
        let v = u32::from_str_radix(hex.trim_start_matches("0x"), 16).ok()?;
        Some(match v {
            0xc000_003e => Arch::X86_64,
            0x4000_0003 => Arch::X86,
            0xc000_00b7 => Arch::Aarch64,
            0x4000_0028 => Arch::Arm,
            0xc000_00f3 => Arch::Riscv64,
            0x8000_0016 => Arch::S390x,
            0x0000_0016 => Arch::S390,
            0xc000_0015 => Arch::Ppc64le,
            0x8000_0015 => Arch::Ppc64,
            0x0000_0014 => Arch::Ppc,
            0xc000_0102 => Arch::Loongarch64,
            _ => return None,
        })
    }
}

struct NameTable {
    by_name: HashMap<&'static str, u32>,
    by_number: HashMap<u32, &'static str>,
}

/// Where the crate's name for a syscall differs from libseccomp's (the name runc resolves):
/// the generic 64-bit ABI (arm64, loongarch64) calls number 79 `fstatat`, libseccomp and the
/// runtime default profiles call it `newfstatat`, as on x86_64.
fn libseccomp_name(name: &'static str) -> &'static str {
    match name {
        "fstatat" => "newfstatat",
        other => other,
    }
}

macro_rules! build {
    ($m:ident) => {{
        let mut by_name = HashMap::new();
        let mut by_number = HashMap::new();
        for s in syscalls::$m::Sysno::iter() {
            let name = libseccomp_name(s.name());
            by_name.insert(name, s.id() as u32);
            by_number.insert(s.id() as u32, name);
        }
        NameTable { by_name, by_number }
    }};
}

fn tables(t: Table) -> &'static NameTable {
    static CELLS: [OnceLock<NameTable>; 11] = [const { OnceLock::new() }; 11];
    let (i, make): (usize, fn() -> NameTable) = match t {
        Table::X86 => (0, || build!(x86)),
        Table::X86_64 => (1, || build!(x86_64)),
        Table::Arm => (2, || {
            let mut t = build!(arm);
            // Names libseccomp resolves on 32-bit Arm that the kernel table lists differently
            // or not at all: an alias of arm_sync_file_range, and the Arm-private calls
            // (`__ARM_NR_BASE` 0x0f0000 + n). containerd's arm64 default allows several.
            for (name, nr) in [
                ("sync_file_range2", 341),
                ("breakpoint", 0x000f_0001),
                ("cacheflush", 0x000f_0002),
                ("usr26", 0x000f_0003),
                ("usr32", 0x000f_0004),
                ("set_tls", 0x000f_0005),
            ] {
                t.by_name.insert(name, nr);
                t.by_number.entry(nr).or_insert(name);
            }
            t
        }),
        Table::Aarch64 => (3, || build!(aarch64)),
        Table::Mips => (4, || build!(mips)),
        Table::Mips64 => (5, || build!(mips64)),
        Table::Ppc => (6, || build!(powerpc)),
        Table::Ppc64 => (7, || build!(powerpc64)),
        Table::S390x => (8, || build!(s390x)),
        Table::Riscv64 => (9, || build!(riscv64)),
        Table::Loongarch64 => (10, || build!(loongarch64)),
    };
    CELLS[i].get_or_init(make)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numbers_per_arch() {
        assert_eq!(Arch::X86_64.number("chmod"), Some(90));
        assert_eq!(Arch::X86_64.name_of(51), Some("getsockname"));
        assert_eq!(Arch::X86.number("chmod"), Some(15));
        assert_eq!(Arch::X86_64.knows("fchmodat2"), Some(true));
        // Not a syscall anywhere: the MS Learn sample's typo.
        assert_eq!(Arch::X86_64.knows("chmodat"), Some(false));
        // 32-bit only names are known on x86 and not on x86_64.
        assert_eq!(Arch::X86.knows("socketcall"), Some(true));
        assert_eq!(Arch::X86_64.knows("socketcall"), Some(false));
        // aarch64 has no legacy open/chmod.
        assert_eq!(Arch::Aarch64.knows("chmod"), Some(false));
        assert_eq!(Arch::Aarch64.knows("fchmodat"), Some(true));
        // libseccomp's name for arm64's stat-at (79), which runc resolves; `fstatat` is not one.
        assert_eq!(Arch::Aarch64.number("newfstatat"), Some(79));
        assert_eq!(Arch::Aarch64.name_of(79), Some("newfstatat"));
        assert_eq!(Arch::Aarch64.knows("fstatat"), Some(false));
        // Arm-private calls containerd allows for 32-bit Arm processes on arm64 nodes.
        for n in ["breakpoint", "cacheflush", "set_tls", "sync_file_range2"] {
            assert_eq!(Arch::Arm.knows(n), Some(true), "{n}");
        }
        assert_eq!(Arch::Arm.name_of(341), Some("arm_sync_file_range"));
        assert_eq!(Arch::Parisc.knows("read"), None);
        assert_eq!(Arch::X32.name_of(0x4000_0000), Some("read"));
    }

    #[test]
    fn table_size_is_that_of_a_current_kernel() {
        let n = Arch::X86_64.names().len();
        assert!((370..=400).contains(&n), "{n}");
    }

    #[test]
    fn arch_spellings() {
        assert_eq!(Arch::parse("SCMP_ARCH_X86_64"), Some(Arch::X86_64));
        assert_eq!(Arch::parse("amd64"), Some(Arch::X86_64));
        assert_eq!(Arch::parse("SCMP_ARCH_BOGUS"), None);
        assert_eq!(Arch::from_audit("c000003e"), Some(Arch::X86_64));
        assert_eq!(Arch::X86_64.scmp_name(), "SCMP_ARCH_X86_64");
        assert_eq!(Arch::all_scmp_names().count(), 23);
    }
}
