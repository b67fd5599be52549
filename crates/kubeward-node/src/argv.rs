//! The kubelet's command line as the kubelet (pflag) reads it, from `/proc/<pid>/cmdline`.
//!
//! NUL-separated argv; `--flag=value` and `--flag value`; boolean flags never take the next word
//! (`--anonymous-auth false` leaves `false` as a stray argument, as pflag does); the last occurrence
//! wins; `--feature-gates` occurrences merge into one map (later keys win), like the kubelet's
//! map-valued flag.

use std::collections::BTreeMap;

/// Kubelet flags that are booleans (pflag `NoOptDefVal`): they never consume the next word.
const BOOL_FLAGS: &[&str] = &[
    "add-dir-header",
    "alsologtostderr",
    "anonymous-auth",
    "authentication-token-webhook",
    "cgroups-per-qos",
    "cpu-cfs-quota",
    "enable-controller-attach-detach",
    "enable-debugging-handlers",
    "enable-load-reader",
    "enable-server",
    "exit-on-lock-contention",
    "fail-cgroupv1",
    "fail-swap-on",
    "help",
    "kernel-memcg-notification",
    "keep-terminated-pod-volumes",
    "local-storage-capacity-isolation",
    "log-flush-frequency-disabled",
    "logtostderr",
    "make-iptables-util-chains",
    "one-output",
    "protect-kernel-defaults",
    "register-node",
    "register-schedulable",
    "rotate-certificates",
    "rotate-server-certificates",
    "seccomp-default",
    "serialize-image-pulls",
    "skip-headers",
    "skip-log-headers",
    "version",
];

/// At most this many arguments are looked at (a real kubelet has ~30).
const MAX_ARGS: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagValue {
    pub value: String,
    /// 0-based index in argv of the occurrence that won.
    pub index: usize,
    /// How many times the flag was given.
    pub occurrences: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Argv {
    pub program: String,
    pub flags: BTreeMap<String, FlagValue>,
    /// `--feature-gates` merged over every occurrence: gate → (value, argv index).
    pub feature_gates: BTreeMap<String, (bool, usize)>,
    /// Feature-gate entries that were not `Name=bool` (reported, otherwise ignored).
    pub bad_feature_gates: Vec<String>,
    /// Words that are not flags nor flag values.
    pub positional: Vec<String>,
}

impl Argv {
    /// Parse a raw `cmdline` (NUL-separated, trailing NUL optional).
    pub fn from_cmdline(raw: &[u8]) -> Argv {
        let words: Vec<String> = raw
            .split(|b| *b == 0)
            .take(MAX_ARGS)
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect();
        let mut words = words;
        while words.last().is_some_and(|w| w.is_empty()) {
            words.pop();
        }
        Argv::parse(&words)
    }

    pub fn parse(words: &[String]) -> Argv {
        let mut out = Argv {
            program: words.first().cloned().unwrap_or_default(),
            ..Default::default()
        };
        let mut i = 1;
        while i < words.len() {
            let w = &words[i];
            let name_part = if let Some(s) = w.strip_prefix("--") {
                s
            } else if let Some(s) = w.strip_prefix('-').filter(|s| !s.is_empty()) {
                s
            } else {
                out.positional.push(w.clone());
                i += 1;
                continue;
            };
            if name_part.is_empty() {
                // `--` ends the flags.
                out.positional.extend(words[i + 1..].iter().cloned());
                break;
            }
            let index = i;
            // The kubelet normalises `_` in flag names to `-` (`--read_only_port` is `--read-only-port`).
            let (name, value) = match name_part.split_once('=') {
                Some((n, v)) => (n.replace('_', "-"), v.to_string()),
                None => {
                    let n = name_part.replace('_', "-");
                    if BOOL_FLAGS.contains(&n.as_str()) {
                        (n, "true".into())
                    } else {
                        let v = words.get(i + 1).cloned().unwrap_or_default();
                        i += 1;
                        (n, v)
                    }
                }
            };
            if name == "feature-gates" {
                out.merge_gates(&value, index);
            }
            let occurrences = out.flags.get(&name).map_or(0, |f| f.occurrences) + 1;
            out.flags.insert(
                name,
                FlagValue {
                    value,
                    index,
                    occurrences,
                },
            );
            i += 1;
        }
        out
    }

    fn merge_gates(&mut self, value: &str, index: usize) {
        for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            match item
                .split_once('=')
                .and_then(|(k, v)| Some((k, parse_bool(v)?)))
            {
                Some((k, b)) => {
                    self.feature_gates.insert(k.trim().to_string(), (b, index));
                }
                None => self.bad_feature_gates.push(item.to_string()),
            }
        }
    }

    pub fn get(&self, flag: &str) -> Option<&FlagValue> {
        self.flags.get(flag.trim_start_matches('-'))
    }

    pub fn value(&self, flag: &str) -> Option<&str> {
        self.get(flag).map(|f| f.value.as_str())
    }

    /// The program's base name (`kubelet` for `/opt/bin/kubelet`).
    pub fn program_name(&self) -> &str {
        self.program.rsplit('/').next().unwrap_or(&self.program)
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(s: &str) -> Argv {
        Argv::from_cmdline(s.replace(' ', "\0").as_bytes())
    }

    #[test]
    fn both_forms_last_wins_and_bools_do_not_eat_values() {
        let a = argv(
            "/opt/bin/kubelet --config /etc/default/kubeletconfig.json --v=2 --read-only-port 10255 \
             --read-only-port=0 --anonymous-auth --rotate-certificates=false",
        );
        assert_eq!(a.program_name(), "kubelet");
        assert_eq!(a.value("--config"), Some("/etc/default/kubeletconfig.json"));
        assert_eq!(a.value("v"), Some("2"));
        let port = a.get("read-only-port").unwrap();
        assert_eq!((port.value.as_str(), port.occurrences), ("0", 2));
        assert_eq!(a.value("anonymous-auth"), Some("true"));
        assert_eq!(a.value("rotate-certificates"), Some("false"));
    }

    #[test]
    fn underscores_in_flag_names_are_dashes() {
        let a = argv("kubelet --read_only_port 10255 --anonymous_auth --event-qps=0");
        assert_eq!(a.value("read-only-port"), Some("10255"));
        assert_eq!(a.value("anonymous-auth"), Some("true"));
        assert!(a.positional.is_empty(), "{:?}", a.positional);
    }

    #[test]
    fn space_separated_value_is_not_true() {
        // kube-bench's regex reads `--read-only-port 10255` as "true"; the kubelet reads 10255.
        let a = argv("kubelet --read-only-port 10255");
        assert_eq!(a.value("read-only-port"), Some("10255"));
    }

    #[test]
    fn feature_gates_merge_across_occurrences() {
        let a = argv(
            "kubelet --feature-gates=A=true,RotateKubeletServerCertificate=true,B=false \
             --feature-gates A=false,junk",
        );
        assert_eq!(
            a.feature_gates.get("RotateKubeletServerCertificate"),
            Some(&(true, 1))
        );
        assert_eq!(a.feature_gates.get("A"), Some(&(false, 2)));
        assert_eq!(a.feature_gates.get("B"), Some(&(false, 1)));
        assert_eq!(a.bad_feature_gates, vec!["junk".to_string()]);
    }

    #[test]
    fn bool_flag_followed_by_word_leaves_the_word_positional() {
        let a = argv("kubelet --anonymous-auth false --v 3");
        assert_eq!(a.value("anonymous-auth"), Some("true"));
        assert_eq!(a.positional, vec!["false".to_string()]);
        assert_eq!(a.value("v"), Some("3"));
    }
}
