//! `policy verify`: Gatekeeper test suites (`test.gatekeeper.sh/v1alpha1` Suite), judged as
//! `gator verify` judges them.
//!
//! Each test names a template and a constraint; each case an object (a plain object or an
//! AdmissionReview), optional inventory files (they fill `data.inventory` and give the
//! Namespaces for `namespaceSelector`), and assertions: `violations: yes|no|N` (at least one,
//! none, exactly N; `yes` when absent) over the violations whose message matches the optional
//! `message` regular expression (any violation when absent). Paths are relative to the suite's
//! folder. Workloads are not expanded unless the suite's objects include ExpansionTemplates.

use std::path::{Path, PathBuf};

use kubeward_inventory::{LoadOptions, Object, Value, load_paths};

use crate::load::PolicySet;
use crate::model::*;
use kubeward_core::walk::{WalkOptions, walk};

/// How to verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyOptions {
    /// `Some(engine)`: evaluate with this engine; templates without code for it are skipped
    /// (their tests are reported as skipped). `None`: Gatekeeper's choice.
    pub engine: Option<Engine>,
    pub budget: std::time::Duration,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            engine: None,
            budget: DEFAULT_BUDGET,
        }
    }
}

/// Every suite found under the paths.
#[derive(Debug, Clone, Default)]
pub struct SuiteReport {
    pub suites: Vec<SuiteResult>,
}

/// One suite file.
#[derive(Debug, Clone)]
pub struct SuiteResult {
    pub path: PathBuf,
    pub name: String,
    /// The suite itself could not be read.
    pub error: Option<String>,
    pub tests: Vec<TestResult>,
}

/// One test: a template and a constraint.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    /// The template or constraint could not be loaded (every case then fails).
    pub error: Option<String>,
    /// Skipped (`skip: true`, or no code for the engine asked for).
    pub skipped: Option<String>,
    pub cases: Vec<CaseResult>,
}

/// One case.
#[derive(Debug, Clone)]
pub struct CaseResult {
    pub name: String,
    pub ok: bool,
    /// Why it failed (or was skipped).
    pub reason: Option<String>,
    pub skipped: bool,
}

impl SuiteReport {
    /// True when every suite was read and every assertion held (skipped tests aside).
    pub fn passed(&self) -> bool {
        self.suites.iter().all(SuiteResult::passed)
    }
    /// (passed, failed, skipped) cases.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut n = (0, 0, 0);
        for s in &self.suites {
            for t in &s.tests {
                for c in &t.cases {
                    if c.skipped {
                        n.2 += 1;
                    } else if c.ok {
                        n.0 += 1;
                    } else {
                        n.1 += 1;
                    }
                }
            }
        }
        n
    }
}

impl SuiteResult {
    pub fn passed(&self) -> bool {
        self.error.is_none()
            && self.tests.iter().all(|t| {
                t.skipped.is_some()
                    || (t.error.is_none() && t.cases.iter().all(|c| c.ok || c.skipped))
            })
    }
}

/// The `suite.yaml` files under `paths` (a file named on its own is taken as a suite whatever
/// its name), in sorted order, through the project's one walker (hidden folders skipped, links
/// never followed out of the tree); what could not be walked comes back as a suite that failed,
/// so it is reported, never skipped.
pub fn find_suites(paths: &[PathBuf]) -> Vec<Result<PathBuf, SuiteResult>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(Ok(p.clone()));
            continue;
        }
        let walked = walk(
            p,
            &|f| f.file_name().is_some_and(|n| n == "suite.yaml"),
            &WalkOptions::default(),
        );
        out.extend(walked.files.into_iter().map(Ok));
        out.extend(walked.errors.into_iter().map(|e| {
            Err(SuiteResult {
                name: e.path.display().to_string(),
                path: e.path,
                error: Some(e.reason),
                tests: Vec::new(),
            })
        }));
    }
    out
}

/// Runs every suite under `paths`.
pub fn verify(paths: &[PathBuf], opts: &VerifyOptions) -> SuiteReport {
    SuiteReport {
        suites: find_suites(paths)
            .into_iter()
            .map(|found| match found {
                Ok(path) => run_suite(&path, opts),
                Err(unwalkable) => unwalkable,
            })
            .collect(),
    }
}

/// A file of a suite that does not load: where, and the loader's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub(crate) struct SuiteFileError {
    path: String,
    line: Option<u32>,
    message: String,
}

fn load(path: &Path) -> Result<Vec<Object>, SuiteFileError> {
    let inv = load_paths(&[path.to_path_buf()], &LoadOptions::default());
    if let Some(e) = inv.errors.first() {
        return Err(SuiteFileError {
            path: e.path.clone(),
            line: e.line,
            message: e.message.clone(),
        });
    }
    Ok(inv.objects)
}

fn str_at<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Runs one suite file.
pub fn run_suite(path: &Path, opts: &VerifyOptions) -> SuiteResult {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut result = SuiteResult {
        path: path.to_path_buf(),
        name: String::new(),
        error: None,
        tests: Vec::new(),
    };
    let suite = match load(path) {
        Ok(objs) => match objs.into_iter().find(|o| o.kind == "Suite") {
            Some(s) => s,
            None => {
                result.error = Some("no Suite object".into());
                return result;
            }
        },
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    result.name = suite.name.clone();
    for test in suite
        .value
        .get("tests")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        result.tests.push(run_test(dir, test, opts));
    }
    result
}

fn run_test(dir: &Path, test: &Value, opts: &VerifyOptions) -> TestResult {
    let mut out = TestResult {
        name: str_at(test, "name").unwrap_or("").to_string(),
        error: None,
        skipped: None,
        cases: Vec::new(),
    };
    let case_names = || {
        test.get("cases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|c| str_at(c, "name").unwrap_or("").to_string())
    };
    if test.get("skip").and_then(Value::as_bool) == Some(true) {
        out.skipped = Some("skip: true".into());
        out.cases = case_names()
            .map(|name| CaseResult {
                name,
                ok: true,
                reason: Some("skipped".into()),
                skipped: true,
            })
            .collect();
        return out;
    }
    let mut policy_objects = Vec::new();
    for key in ["template", "constraint"] {
        match str_at(test, key) {
            Some(rel) => match load(&dir.join(rel)) {
                Ok(objs) => policy_objects.extend(objs),
                Err(e) => out.error = Some(format!("{key}: {e}")),
            },
            None => out.error = Some(format!("the test has no {key}")),
        }
    }
    let (set, _, errors) = if out.error.is_none() {
        PolicySet::load(&policy_objects)
    } else {
        Default::default()
    };
    if out.error.is_none() {
        if let Some(e) = errors.first() {
            out.error = Some(e.to_string());
        } else if set.constraints.is_empty() {
            out.error = Some("no constraint of the template was loaded".into());
        }
    }
    if let Some(e) = &out.error {
        out.cases = case_names()
            .map(|name| CaseResult {
                name,
                ok: false,
                reason: Some(e.clone()),
                skipped: false,
            })
            .collect();
        return out;
    }
    if let Some(engine) = opts.engine
        && set.templates().any(|t| !t.engines.contains(&engine))
    {
        out.skipped = Some(format!("the template has no {} code", engine.as_str()));
        out.cases = case_names()
            .map(|name| CaseResult {
                name,
                ok: true,
                reason: out.skipped.clone(),
                skipped: true,
            })
            .collect();
        return out;
    }
    let eval = EvalOptions {
        engine: opts.engine,
        budget: opts.budget,
        expand_workloads: false,
    };
    for case in test
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.cases.push(run_case(dir, case, &set, &eval));
    }
    out
}

fn fail(name: &str, reason: String) -> CaseResult {
    CaseResult {
        name: name.to_string(),
        ok: false,
        reason: Some(reason),
        skipped: false,
    }
}

fn run_case(dir: &Path, case: &Value, set: &PolicySet, eval: &EvalOptions) -> CaseResult {
    let name = str_at(case, "name").unwrap_or("");
    if case.get("skip").and_then(Value::as_bool) == Some(true) {
        return CaseResult {
            name: name.to_string(),
            ok: true,
            reason: Some("skipped".into()),
            skipped: true,
        };
    }
    let Some(object_path) = str_at(case, "object") else {
        return fail(name, "the case has no object".into());
    };
    let objects = match load(&dir.join(object_path)) {
        Ok(o) => o,
        Err(e) => return fail(name, format!("object: {e}")),
    };
    let mut inventory = Vec::new();
    for inv in case
        .get("inventory")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        match load(&dir.join(inv)) {
            Ok(o) => inventory.extend(o),
            Err(e) => return fail(name, format!("inventory: {e}")),
        }
    }
    // ExpansionTemplates in a case's object file are not applied (the suites have none).
    let (_, reviews, errors) = PolicySet::load(&objects);
    if let Some(e) = errors.first() {
        return fail(name, format!("object: {e}"));
    }
    if reviews.is_empty() {
        return fail(name, "the object file holds nothing to review".into());
    }
    let outcomes = crate::evaluate(set, &reviews, &inventory, eval);
    let mut messages = Vec::new();
    for o in &outcomes {
        match o {
            Outcome::Violation(v) => messages.push(v.message.as_str()),
            Outcome::Error(e) => {
                return fail(
                    name,
                    format!("{} on {}: {}", e.constraint.code(), e.object.name, e.reason),
                );
            }
        }
    }
    for (i, a) in case
        .get("assertions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Err(reason) = check_assertion(a, &messages) {
            return fail(name, format!("assertions[{i}]: {reason}"));
        }
    }
    CaseResult {
        name: name.to_string(),
        ok: true,
        reason: None,
        skipped: false,
    }
}

/// Why an assertion of a suite case does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AssertionError {
    #[error("message {pattern:?} is not a regular expression: {reason}")]
    BadPattern { pattern: String, reason: String },
    #[error("violations {0:?} is not yes, no or a number")]
    BadCountText(String),
    #[error("violations must be yes, no or a number")]
    BadCount,
    #[error("expected at least one of the {what}, got none (violations: {listed})")]
    NoneMatched { what: String, listed: String },
    #[error("expected {expected} {what}, got {matched} (violations: {listed})")]
    WrongCount {
        expected: usize,
        what: String,
        matched: usize,
        listed: String,
    },
}

/// One assertion over the violation messages (gator's semantics: `violations` is yes, the
/// default, no or a count of the messages matching `message`, an unanchored regex).
pub(crate) fn check_assertion(a: &Value, messages: &[&str]) -> Result<(), AssertionError> {
    let pattern = a.get("message").and_then(Value::as_str);
    let matched = match pattern {
        Some(p) => {
            let re = regex::Regex::new(p).map_err(|e| AssertionError::BadPattern {
                pattern: p.to_string(),
                reason: e.to_string(),
            })?;
            messages.iter().filter(|m| re.is_match(m)).count()
        }
        None => messages.len(),
    };
    let what = match pattern {
        Some(p) => format!("violations matching {p:?}"),
        None => "violations".to_string(),
    };
    let expected = match a.get("violations") {
        None | Some(Value::Null) => Expect::AtLeastOne,
        Some(Value::String(s)) => match s.as_str() {
            "yes" => Expect::AtLeastOne,
            "no" => Expect::Exactly(0),
            other => match other.parse() {
                Ok(n) => Expect::Exactly(n),
                Err(_) => return Err(AssertionError::BadCountText(other.to_string())),
            },
        },
        Some(Value::Bool(true)) => Expect::AtLeastOne,
        Some(Value::Bool(false)) => Expect::Exactly(0),
        Some(v) => match v.as_u64() {
            Some(n) => Expect::Exactly(n as usize),
            None => return Err(AssertionError::BadCount),
        },
    };
    let listed = || {
        if messages.is_empty() {
            "none".to_string()
        } else {
            messages
                .iter()
                .map(|m| format!("{m:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    match expected {
        Expect::AtLeastOne if matched == 0 => Err(AssertionError::NoneMatched {
            what,
            listed: listed(),
        }),
        Expect::Exactly(n) if matched != n => Err(AssertionError::WrongCount {
            expected: n,
            what,
            matched,
            listed: listed(),
        }),
        _ => Ok(()),
    }
}

enum Expect {
    AtLeastOne,
    Exactly(usize),
}
