//! What one lint check concluded about one profile. Profile lint reports a PASS for every check
//! that judged a profile and found nothing, so a clean profile shows what was looked at; the
//! result type keeps "judged, nothing wrong" apart from "nothing to judge here", so a check never
//! passes what it did not look at.

use kubeward_core::{CheckMeta, Finding, Resource, Status};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The check judged the profile and found nothing wrong: reported as one PASS.
    Clean,
    /// The check judged the profile and found these problems (never empty: see [`Verdict::judged`]).
    Problems(Vec<Finding>),
    /// The profile has nothing this check judges (e.g. a file without a profile block): reported
    /// as NOT_APPLICABLE with the reason, so the report says what was not judged and why.
    NotApplicable(&'static str),
}

impl Verdict {
    /// The verdict of a check that looked and collected `problems`: none means clean.
    pub fn judged(problems: Vec<Finding>) -> Self {
        if problems.is_empty() {
            Verdict::Clean
        } else {
            Verdict::Problems(problems)
        }
    }

    pub fn is_clean(&self) -> bool {
        matches!(self, Verdict::Clean)
    }

    /// The problems found; empty when clean or not applicable.
    pub fn into_findings(self) -> Vec<Finding> {
        match self {
            Verdict::Problems(v) => v,
            Verdict::Clean | Verdict::NotApplicable(_) => Vec::new(),
        }
    }

    /// The findings the report shows: one PASS on `resource` when clean, one NOT_APPLICABLE with
    /// its reason when there was nothing to judge.
    pub fn report(
        self,
        meta: &'static CheckMeta,
        resource: impl FnOnce() -> Resource,
    ) -> Vec<Finding> {
        match self {
            // An empty list built by hand still means "judged, nothing found".
            Verdict::Clean => vec![Finding::new(
                meta,
                Status::Pass,
                resource(),
                "no problem found",
            )],
            Verdict::Problems(v) if v.is_empty() => {
                vec![Finding::new(
                    meta,
                    Status::Pass,
                    resource(),
                    "no problem found",
                )]
            }
            Verdict::Problems(v) => v,
            Verdict::NotApplicable(why) => {
                vec![Finding::new(meta, Status::NotApplicable, resource(), why)]
            }
        }
    }
}

/// Collecting a check's problems judges the profile: none collected means clean.
impl FromIterator<Finding> for Verdict {
    fn from_iter<I: IntoIterator<Item = Finding>>(iter: I) -> Self {
        Verdict::judged(iter.into_iter().collect())
    }
}
