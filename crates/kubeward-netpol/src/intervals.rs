//! A canonical set of inclusive `u128` intervals: sorted, disjoint, never adjacent. Used for ports
//! (1–65535) and for IP addresses (IPv4 and IPv6 kept in separate sets).

/// Sorted, disjoint, non-adjacent inclusive intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntervalSet {
    spans: Vec<(u128, u128)>,
}

impl IntervalSet {
    pub fn new() -> Self {
        Self::default()
    }

    /// `[lo, hi]`; empty when `lo > hi`.
    pub fn range(lo: u128, hi: u128) -> Self {
        if lo > hi {
            return Self::default();
        }
        IntervalSet {
            spans: vec![(lo, hi)],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn spans(&self) -> &[(u128, u128)] {
        &self.spans
    }

    /// Is every value of `[lo, hi]` in the set?
    pub fn contains_range(&self, lo: u128, hi: u128) -> bool {
        // spans are sorted: find the last span starting at or before lo
        let idx = self.spans.partition_point(|&(s, _)| s <= lo);
        idx > 0 && self.spans[idx - 1].1 >= hi
    }

    pub fn contains(&self, v: u128) -> bool {
        self.contains_range(v, v)
    }

    /// Does the set hold exactly `[lo, hi]`?
    pub fn is_exactly(&self, lo: u128, hi: u128) -> bool {
        self.spans.len() == 1 && self.spans[0] == (lo, hi)
    }

    pub fn insert(&mut self, lo: u128, hi: u128) {
        if lo > hi {
            return;
        }
        *self = self.union(&IntervalSet::range(lo, hi));
    }

    pub fn union(&self, other: &IntervalSet) -> IntervalSet {
        if other.spans.is_empty() {
            return self.clone();
        }
        if self.spans.is_empty() {
            return other.clone();
        }
        let mut all: Vec<(u128, u128)> = Vec::with_capacity(self.spans.len() + other.spans.len());
        let (mut i, mut j) = (0, 0);
        while i < self.spans.len() || j < other.spans.len() {
            let take_self = j >= other.spans.len()
                || (i < self.spans.len() && self.spans[i].0 <= other.spans[j].0);
            let next = if take_self {
                i += 1;
                self.spans[i - 1]
            } else {
                j += 1;
                other.spans[j - 1]
            };
            match all.last_mut() {
                Some(last) if next.0 <= last.1.saturating_add(1) => {
                    last.1 = last.1.max(next.1);
                }
                _ => all.push(next),
            }
        }
        IntervalSet { spans: all }
    }

    pub fn intersect(&self, other: &IntervalSet) -> IntervalSet {
        let mut out = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < self.spans.len() && j < other.spans.len() {
            let (a0, a1) = self.spans[i];
            let (b0, b1) = other.spans[j];
            let lo = a0.max(b0);
            let hi = a1.min(b1);
            if lo <= hi {
                out.push((lo, hi));
            }
            if a1 < b1 {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet { spans: out }
    }

    pub fn subtract(&self, other: &IntervalSet) -> IntervalSet {
        if other.spans.is_empty() || self.spans.is_empty() {
            return self.clone();
        }
        let mut out = Vec::new();
        let mut j = 0;
        for &(lo, hi) in &self.spans {
            let mut cur = lo;
            let mut open = true;
            while j < other.spans.len() && other.spans[j].1 < cur {
                j += 1;
            }
            let mut k = j;
            while k < other.spans.len() && other.spans[k].0 <= hi {
                let (b0, b1) = other.spans[k];
                if b0 > cur {
                    out.push((cur, b0 - 1));
                }
                if b1 >= hi {
                    open = false;
                    break;
                }
                cur = b1 + 1;
                k += 1;
            }
            if open {
                out.push((cur, hi));
            }
        }
        IntervalSet { spans: out }
    }

    pub fn is_subset_of(&self, other: &IntervalSet) -> bool {
        self.subtract(other).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(spans: &[(u128, u128)]) -> IntervalSet {
        let mut s = IntervalSet::new();
        for &(a, b) in spans {
            s.insert(a, b);
        }
        s
    }

    #[test]
    fn union_merges_adjacent_and_overlapping() {
        let s = set(&[(1, 5), (6, 8), (20, 30), (25, 40)]);
        assert_eq!(s.spans(), &[(1, 8), (20, 40)]);
    }

    #[test]
    fn subtract_splits() {
        let s = set(&[(1, 65535)]).subtract(&set(&[(80, 80), (443, 443)]));
        assert_eq!(s.spans(), &[(1, 79), (81, 442), (444, 65535)]);
        assert!(set(&[(1, 10)]).subtract(&set(&[(0, 20)])).is_empty());
        assert_eq!(
            set(&[(1, 10), (20, 30)]).subtract(&set(&[(5, 25)])).spans(),
            &[(1, 4), (26, 30)]
        );
    }

    #[test]
    fn intersect_and_contains() {
        let s = set(&[(1, 10), (20, 30)]).intersect(&set(&[(5, 25)]));
        assert_eq!(s.spans(), &[(5, 10), (20, 25)]);
        assert!(s.contains_range(6, 9));
        assert!(!s.contains_range(9, 21));
        assert!(!s.contains(0));
    }

    #[test]
    fn full_u128_range_does_not_overflow() {
        let all = set(&[(0, u128::MAX)]);
        assert!(all.subtract(&set(&[(0, u128::MAX)])).is_empty());
        assert_eq!(
            all.subtract(&set(&[(u128::MAX, u128::MAX)])).spans(),
            &[(0, u128::MAX - 1)]
        );
        assert_eq!(set(&[(0, 5), (u128::MAX, u128::MAX)]).union(&all), all);
    }
}
