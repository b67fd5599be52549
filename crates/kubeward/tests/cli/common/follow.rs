//! Helpers of the `audit follow` tests (files, storage, Kafka): alert lines, waiting without
//! ever hanging, a follower's stderr as it comes.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// Longest a blocking read (a channel, a socket) may wait before the test fails as hung.
pub const HANG: Duration = Duration::from_secs(150);
/// The pause between two looks at a condition, and how many looks a wait may take (a budget of
/// polls, never a clock: the tests assert no speed).
pub const POLL: Duration = Duration::from_millis(50);
pub const MAX_POLLS: u32 = 3_000;

/// Alert lines of a file, as (code, audit_id) → count.
pub fn alerts_in(text: &str) -> BTreeMap<(String, String), usize> {
    let mut m = BTreeMap::new();
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(l).expect("an alert line is JSON");
        let key = (
            v["code"].as_str().unwrap().to_string(),
            v["audit_id"].as_str().unwrap().to_string(),
        );
        *m.entry(key).or_default() += 1;
    }
    m
}

/// One A001 (pod-exec) alert for each request id.
pub fn a001(ids: &[&str]) -> BTreeMap<(String, String), usize> {
    ids.iter()
        .map(|i| (("A001".to_string(), i.to_string()), 1))
        .collect()
}

/// Waits until `cond` holds, failing the test on a hang.
pub fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let mut polls = 0;
    while !cond() {
        polls += 1;
        assert!(polls < MAX_POLLS, "hung waiting for {what}");
        std::thread::sleep(POLL);
    }
}

/// Waits for the child's exit, killing it and failing the test on a hang.
pub fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..MAX_POLLS {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(POLL);
    }
    let _ = child.kill();
    panic!("the follower did not exit");
}

/// Stderr lines as they come.
pub fn stderr_lines(child: &mut Child) -> Receiver<String> {
    let (tx, rx) = channel();
    let err = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(err).lines().map_while(Result::ok) {
            if tx.send(l).is_err() {
                return;
            }
        }
    });
    rx
}
