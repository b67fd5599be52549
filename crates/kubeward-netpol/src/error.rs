//! The area's errors. The messages are the ones users see (on the command line and, for
//! [`SpecError`], in the problems reported against a policy object), so they read as sentences.

use std::string::FromUtf8Error;

/// A field of a NetworkPolicy or AdminNetworkPolicy that the API server would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("a label selector must be an object")]
    SelectorNotObject,
    #[error("matchLabels must be a map")]
    MatchLabelsNotMap,
    #[error("matchLabels value of {0:?} must be a string")]
    MatchLabelNotString(String),
    #[error("matchExpressions must be a list")]
    ExpressionsNotList,
    #[error("matchExpressions[{0}] has no key")]
    ExpressionWithoutKey(usize),
    #[error(
        "matchExpressions[{index}] has unknown operator {operator:?} (expected In, NotIn, Exists or DoesNotExist)"
    )]
    UnknownOperator { index: usize, operator: String },
    #[error("matchExpressions[{index}] ({key} {operator}) needs at least one value")]
    ExpressionWithoutValues {
        index: usize,
        key: String,
        operator: String,
    },
    #[error("matchExpressions[{index}] ({key} {operator}) must not have values")]
    ExpressionWithValues {
        index: usize,
        key: String,
        operator: String,
    },
    #[error("selector has more than {0} requirements")]
    TooManyRequirements(usize),
    /// `what` is the field: port, endPort, start, end.
    #[error("{what} {value} is not a number")]
    PortNotNumber { what: &'static str, value: String },
    #[error("{what} {value} is outside 1-65535")]
    PortOutOfRange { what: &'static str, value: i64 },
    #[error("protocol {0:?} is not supported (TCP, UDP or SCTP)")]
    UnknownProtocol(String),
    #[error("protocol {0} is not a string")]
    ProtocolNotString(String),
    #[error("{0:?} is not a valid CIDR")]
    BadCidr(String),
    #[error("ipBlock has no cidr")]
    NoCidr,
    #[error("except entries must be strings")]
    ExceptNotString,
    #[error("except entry {0}")]
    BadExcept(Box<SpecError>),
    #[error("except {except} is not inside cidr {cidr}")]
    ExceptOutsideCidr { except: String, cidr: String },
}

/// Why `netpol list`, `diff` or `explain` cannot produce its output.
#[derive(Debug, thiserror::Error)]
pub enum NetpolError {
    #[error("unknown output format {0:?} (txt, json, csv, md, dot)")]
    UnknownListFormat(String),
    #[error("unknown diff format {0:?} (txt, csv, md, json)")]
    UnknownDiffFormat(String),
    #[error("no workload {0} among the inputs (give ns/name, ns/name[Kind] or an IPv4 address)")]
    NoSuchWorkload(String),
    #[error("{spec} is ambiguous; add the kind, e.g. {namespace}/{name}[Deployment]")]
    AmbiguousWorkload {
        spec: String,
        namespace: String,
        name: String,
    },
    #[error("port {0:?} is not a number in 1-65535")]
    BadPort(String),
    #[error("protocol {0:?} is not TCP, UDP or SCTP")]
    BadProtocol(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Utf8(#[from] FromUtf8Error),
}

/// A flows file (`netpol generate --flows`) that cannot be read, or a flow that names nothing.
#[derive(Debug, thiserror::Error)]
pub enum FlowError {
    #[error("flows JSON: {0}")]
    Json(serde_json::Error),
    #[error("flow {index}: no {field}")]
    MissingField { index: usize, field: &'static str },
    #[error("flow {index}: {error}")]
    InFlow { index: usize, error: Box<FlowError> },
    #[error("flows line {0}: expected src,dst[,port]")]
    TooFewColumns(usize),
    #[error("flows line {line}: {error}")]
    OnLine { line: usize, error: Box<FlowError> },
    #[error("more than {0} flows")]
    TooMany(usize),
    #[error("unknown protocol {0}")]
    UnknownProtocol(String),
    #[error("port {0:?} is not in 1-65535")]
    BadPort(String),
    #[error("no workload {0} among the inputs")]
    NoSuchWorkload(String),
    #[error("flow {src} -> {dst}: neither side is a workload among the inputs")]
    NoWorkloadSide { src: String, dst: String },
}
