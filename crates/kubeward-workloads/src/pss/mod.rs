//! Pod Security Standards evaluator (baseline and restricted, every version).
