//! AKS-supported Kubernetes minor versions, built in. The table states its own date: a version
//! released after it is unknown to kubeward, never guessed at.

use time::{Date, Month};

/// The date of the AKS release calendar this table was taken from.
pub const TABLE_AS_OF: &str = "2026-08-05";

/// One minor version on AKS: end of community support, and end of long-term support (LTS) for
/// clusters on `supportPlan: AKSLongTermSupport` (Premium tier).
#[derive(Debug, Clone, Copy)]
pub struct MinorSupport {
    pub minor: u32,
    /// Last day of support (the calendar's "Mar 2026" means March 31, 2026).
    pub end_of_life: (i32, u8, u8),
    pub lts_end_of_life: Option<(i32, u8, u8)>,
}

/// From the AKS Kubernetes release calendar (supported-kubernetes-versions, dated August 2026).
pub const TABLE: &[MinorSupport] = &[
    MinorSupport {
        minor: 29,
        end_of_life: (2025, 3, 31),
        lts_end_of_life: Some((2026, 4, 30)),
    },
    MinorSupport {
        minor: 30,
        end_of_life: (2025, 8, 22),
        lts_end_of_life: Some((2026, 7, 31)),
    },
    MinorSupport {
        minor: 31,
        end_of_life: (2025, 11, 1),
        lts_end_of_life: Some((2026, 11, 30)),
    },
    MinorSupport {
        minor: 32,
        end_of_life: (2026, 3, 31),
        lts_end_of_life: Some((2027, 3, 31)),
    },
    MinorSupport {
        minor: 33,
        end_of_life: (2026, 7, 31),
        lts_end_of_life: Some((2027, 7, 31)),
    },
    MinorSupport {
        minor: 34,
        end_of_life: (2026, 11, 30),
        lts_end_of_life: Some((2027, 11, 30)),
    },
    MinorSupport {
        minor: 35,
        end_of_life: (2027, 3, 31),
        lts_end_of_life: Some((2028, 3, 31)),
    },
    MinorSupport {
        minor: 36,
        end_of_life: (2027, 6, 30),
        lts_end_of_life: Some((2028, 6, 30)),
    },
    MinorSupport {
        minor: 37,
        end_of_life: (2027, 10, 31),
        lts_end_of_life: Some((2028, 10, 31)),
    },
];

/// Support ending within this many days is a warning.
pub const WARN_DAYS: i64 = 60;

pub fn date((y, m, d): (i32, u8, u8)) -> Option<Date> {
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// `1.33`, `1.33.5`, `v1.33.5` → 33.
pub fn parse_minor(version: &str) -> Option<u32> {
    let v = version.trim().trim_start_matches(['v', 'V']);
    let mut parts = v.split('.');
    let major: u32 = parts.next()?.parse().ok()?;
    let minor: u32 = parts.next()?.split(['-', '+']).next()?.parse().ok()?;
    (major == 1).then_some(minor)
}

/// `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    date((y, m, d))
}

/// Today's date (UTC) from the system clock: the default of `--as-of`.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Support {
    Supported {
        until: Date,
        days_left: i64,
        lts: bool,
    },
    Ended {
        on: Date,
        lts: bool,
    },
    /// Older than the first row: out of support long before the table's date.
    OlderThanTable,
    /// Newer than the last row: released after the table's date.
    NewerThanTable,
}

pub fn support(minor: u32, lts: bool, as_of: Date) -> Support {
    let (Some(first), Some(last)) = (TABLE.first(), TABLE.last()) else {
        return Support::NewerThanTable;
    };
    if minor < first.minor {
        return Support::OlderThanTable;
    }
    if minor > last.minor {
        return Support::NewerThanTable;
    }
    let Some(row) = TABLE.iter().find(|r| r.minor == minor) else {
        return Support::NewerThanTable;
    };
    let (end, used_lts) = match (lts, row.lts_end_of_life) {
        (true, Some(l)) => (l, true),
        _ => (row.end_of_life, false),
    };
    let Some(end) = date(end) else {
        return Support::NewerThanTable;
    };
    if as_of > end {
        Support::Ended {
            on: end,
            lts: used_lts,
        }
    } else {
        Support::Supported {
            until: end,
            days_left: (end - as_of).whole_days(),
            lts: used_lts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_versions_parse() {
        assert_eq!(parse_minor("1.33"), Some(33));
        assert_eq!(parse_minor("1.33.5"), Some(33));
        assert_eq!(parse_minor("v1.29.0-rc.1"), Some(29));
        assert_eq!(parse_minor("2.1"), None);
        assert_eq!(parse_minor("latest"), None);
    }

    #[test]
    fn support_windows() {
        let d = |s| parse_date(s).expect("date");
        assert!(matches!(
            support(33, false, d("2026-08-01")),
            Support::Ended { .. }
        ));
        assert!(matches!(
            support(33, true, d("2026-08-01")),
            Support::Supported { lts: true, .. }
        ));
        assert!(matches!(
            support(34, false, d("2026-08-01")),
            Support::Supported { days_left: 121, .. }
        ));
        assert_eq!(support(27, false, d("2026-08-01")), Support::OlderThanTable);
        assert_eq!(support(40, false, d("2026-08-01")), Support::NewerThanTable);
        assert!(matches!(
            support(34, false, d("2026-11-30")),
            Support::Supported { days_left: 0, .. }
        ));
        assert!(matches!(
            support(34, false, d("2026-12-01")),
            Support::Ended { .. }
        ));
    }

    #[test]
    fn table_dates_are_valid_and_ordered() {
        let mut prev = 0;
        for r in TABLE {
            assert!(r.minor > prev);
            prev = r.minor;
            assert!(date(r.end_of_life).is_some());
            assert!(r.lts_end_of_life.map(date).is_none_or(|d| d.is_some()));
        }
        assert!(parse_date(TABLE_AS_OF).is_some());
    }
}
