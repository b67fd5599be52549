//! Connection sets: per protocol, the allowed destination ports as an interval set, plus named
//! ports that could not be resolved to numbers (kept symbolically, printed by name).

use std::collections::BTreeSet;
use std::fmt;

use crate::intervals::IntervalSet;

pub const MIN_PORT: u128 = 1;
pub const MAX_PORT: u128 = 65535;

/// The L4 protocols NetworkPolicy knows, in the order they are printed (lexical).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Protocol {
    Sctp,
    Tcp,
    Udp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Sctp, Protocol::Tcp, Protocol::Udp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Sctp => "SCTP",
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        }
    }

    /// Parse `TCP`/`UDP`/`SCTP` (case-insensitive).
    pub fn parse(s: &str) -> Option<Protocol> {
        match s.to_ascii_uppercase().as_str() {
            "TCP" => Some(Protocol::Tcp),
            "UDP" => Some(Protocol::Udp),
            "SCTP" => Some(Protocol::Sctp),
            _ => None,
        }
    }

    fn idx(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A set of (protocol, port) pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnSet {
    ports: [IntervalSet; 3],
    named: [BTreeSet<String>; 3],
    /// Named ports of unknown protocol (AdminNetworkPolicy `namedPort` towards unknown pods).
    named_any: BTreeSet<String>,
}

fn full_ports() -> IntervalSet {
    IntervalSet::range(MIN_PORT, MAX_PORT)
}

impl ConnSet {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn all() -> Self {
        ConnSet {
            ports: [full_ports(), full_ports(), full_ports()],
            named: Default::default(),
            named_any: BTreeSet::new(),
        }
    }

    /// Every port of one protocol.
    pub fn protocol(p: Protocol) -> Self {
        let mut c = Self::none();
        c.ports[p.idx()] = full_ports();
        c
    }

    /// `lo..=hi` of one protocol (clamped to 1–65535).
    pub fn ports(p: Protocol, lo: u128, hi: u128) -> Self {
        let mut c = Self::none();
        c.ports[p.idx()] = IntervalSet::range(lo.max(MIN_PORT), hi.min(MAX_PORT));
        c
    }

    /// A named port that is not resolved to a number.
    pub fn named(p: Protocol, name: &str) -> Self {
        let mut c = Self::none();
        c.named[p.idx()].insert(name.to_string());
        c
    }

    /// A named port whose protocol depends on the destination's container.
    pub fn named_any_protocol(name: &str) -> Self {
        let mut c = Self::none();
        c.named_any.insert(name.to_string());
        c
    }

    pub fn port_set(&self, p: Protocol) -> &IntervalSet {
        &self.ports[p.idx()]
    }

    pub fn named_ports(&self, p: Protocol) -> &BTreeSet<String> {
        &self.named[p.idx()]
    }

    pub fn is_empty(&self) -> bool {
        self.ports.iter().all(IntervalSet::is_empty)
            && self.named.iter().all(BTreeSet::is_empty)
            && self.named_any.is_empty()
    }

    pub fn is_all(&self) -> bool {
        self.ports.iter().all(|s| s.is_exactly(MIN_PORT, MAX_PORT))
            && self.named.iter().all(BTreeSet::is_empty)
            && self.named_any.is_empty()
    }

    fn proto_full(&self, i: usize) -> bool {
        self.ports[i].is_exactly(MIN_PORT, MAX_PORT)
    }

    pub fn union(&self, other: &ConnSet) -> ConnSet {
        let mut out = self.clone();
        out.union_with(other);
        out
    }

    pub fn union_with(&mut self, other: &ConnSet) {
        self.named_any.extend(other.named_any.iter().cloned());
        for i in 0..3 {
            if !other.ports[i].is_empty() {
                self.ports[i] = self.ports[i].union(&other.ports[i]);
            }
            for n in &other.named[i] {
                self.named[i].insert(n.clone());
            }
            if self.proto_full(i) {
                // every number is in: names add nothing
                self.named[i].clear();
            }
        }
    }

    pub fn intersect(&self, other: &ConnSet) -> ConnSet {
        if other.is_all() {
            return self.clone();
        }
        if self.is_all() {
            return other.clone();
        }
        let mut out = ConnSet::none();
        for i in 0..3 {
            out.ports[i] = self.ports[i].intersect(&other.ports[i]);
            let mut names: BTreeSet<String> = self.named[i]
                .intersection(&other.named[i])
                .cloned()
                .collect();
            if other.proto_full(i) {
                names.extend(self.named[i].iter().cloned());
            }
            if self.proto_full(i) {
                names.extend(other.named[i].iter().cloned());
            }
            out.named[i] = names;
        }
        out.named_any = self
            .named_any
            .intersection(&other.named_any)
            .cloned()
            .collect();
        if (0..3).all(|i| other.proto_full(i)) {
            out.named_any.extend(self.named_any.iter().cloned());
        }
        if (0..3).all(|i| self.proto_full(i)) {
            out.named_any.extend(other.named_any.iter().cloned());
        }
        out
    }

    pub fn subtract(&self, other: &ConnSet) -> ConnSet {
        if other.is_empty() {
            return self.clone();
        }
        let mut out = ConnSet::none();
        for i in 0..3 {
            out.ports[i] = self.ports[i].subtract(&other.ports[i]);
            if !other.proto_full(i) {
                out.named[i] = self.named[i].difference(&other.named[i]).cloned().collect();
            }
        }
        if !(0..3).all(|i| other.proto_full(i)) {
            out.named_any = self
                .named_any
                .difference(&other.named_any)
                .cloned()
                .collect();
        }
        out
    }

    /// Is every connection of `self` also in `other`?
    pub fn is_subset_of(&self, other: &ConnSet) -> bool {
        self.subtract(other).is_empty()
    }

    /// `All Connections`, `No Connections`, or `SCTP 9003,TCP 1-79,81-65535,UDP 53`.
    pub fn render(&self) -> String {
        if self.is_all() {
            return "All Connections".into();
        }
        if self.is_empty() {
            return "No Connections".into();
        }
        let mut parts = Vec::new();
        if !self.named_any.is_empty() {
            // the protocol is not known: printed as an empty protocol name
            let names: Vec<&str> = self.named_any.iter().map(String::as_str).collect();
            parts.push(format!(" {}", names.join(",")));
        }
        for p in Protocol::ALL {
            let i = p.idx();
            if self.ports[i].is_empty() && self.named[i].is_empty() {
                continue;
            }
            let mut items: Vec<String> = self.ports[i]
                .spans()
                .iter()
                .map(|&(lo, hi)| {
                    if lo == hi {
                        lo.to_string()
                    } else {
                        format!("{lo}-{hi}")
                    }
                })
                .collect();
            items.extend(self.named[i].iter().cloned());
            parts.push(format!("{} {}", p.as_str(), items.join(",")));
        }
        parts.join(",")
    }
}

impl fmt::Display for ConnSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_the_reference_analyser() {
        assert_eq!(ConnSet::all().render(), "All Connections");
        assert_eq!(ConnSet::none().render(), "No Connections");
        let c = ConnSet::ports(Protocol::Tcp, 10053, 10054).union(&ConnSet::ports(
            Protocol::Udp,
            10053,
            10053,
        ));
        assert_eq!(c.render(), "TCP 10053-10054,UDP 10053");
        let c = ConnSet::all().subtract(&ConnSet::ports(Protocol::Tcp, 80, 80));
        assert_eq!(c.render(), "SCTP 1-65535,TCP 1-79,81-65535,UDP 1-65535");
        let c =
            ConnSet::ports(Protocol::Tcp, 8080, 8080).union(&ConnSet::named(Protocol::Tcp, "http"));
        assert_eq!(c.render(), "TCP 8080,http");
    }

    #[test]
    fn named_ports_survive_intersection_with_whole_protocol() {
        let named = ConnSet::named(Protocol::Tcp, "http");
        assert_eq!(named.intersect(&ConnSet::protocol(Protocol::Tcp)), named);
        assert!(
            named
                .intersect(&ConnSet::protocol(Protocol::Udp))
                .is_empty()
        );
        assert!(named.subtract(&ConnSet::protocol(Protocol::Tcp)).is_empty());
    }
}
