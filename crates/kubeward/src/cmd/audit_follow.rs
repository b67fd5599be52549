//! `kubeward audit follow`: one source (files or stdin, Event Hubs over Kafka, or a storage
//! container), the `audit scan` rule configuration, and where alerts go.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use kubeward_audit::scan::ScanOptions;
use kubeward_audit::stream::StreamOptions;
use kubeward_follow::blob::{StorageAuth, StorageOptions};
use kubeward_follow::kafka::{KafkaOptions, StartAt};
use kubeward_follow::webhook::WebhookOptions;
use kubeward_follow::{FollowOptions, SecretRef, Source, Stop};

#[derive(clap::Args, Debug)]
pub struct FollowArgs {
    /// Files to follow like `tail -F` (read from their start, then followed across rotation and
    /// truncation); `-` reads standard input until it ends
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Event Hubs' Kafka endpoint (`NAMESPACE.servicebus.windows.net:9093`) or a Kafka bootstrap
    /// list
    #[arg(long, value_name = "BOOTSTRAP", help_heading = "Event Hubs (Kafka)")]
    pub kafka: Option<String>,
    /// The event hub (Kafka topic)
    #[arg(long, value_name = "NAME", help_heading = "Event Hubs (Kafka)")]
    pub topic: Option<String>,
    /// The consumer group: replicas with the same group share the partitions
    #[arg(long, value_name = "GROUP", help_heading = "Event Hubs (Kafka)")]
    pub group: Option<String>,
    /// Environment variable holding the Event Hubs connection string (SASL PLAIN over TLS)
    #[arg(
        long,
        value_name = "VAR",
        conflicts_with = "kafka_password_file",
        help_heading = "Event Hubs (Kafka)"
    )]
    pub kafka_password_env: Option<String>,
    /// File holding the Event Hubs connection string
    #[arg(long, value_name = "FILE", help_heading = "Event Hubs (Kafka)")]
    pub kafka_password_file: Option<PathBuf>,
    /// Where a group without a committed offset starts: RFC 3339 time, a duration back from
    /// now (`1h`), `earliest` or `latest` (default)
    #[arg(long, value_name = "TIME", help_heading = "Event Hubs (Kafka)")]
    pub since: Option<String>,
    /// How often positions are committed: after a crash, at most this much is alerted again
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = parse_duration)]
    pub commit_interval: Duration,
    /// How soon a replica that stopped answering loses its partitions
    #[arg(long, value_name = "DURATION", default_value = "45s", value_parser = parse_duration, help_heading = "Event Hubs (Kafka)")]
    pub session_timeout: Duration,
    /// Authenticate to Event Hubs with Microsoft Entra ID (OAUTHBEARER) through AKS workload
    /// identity (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE) instead of a
    /// connection string
    #[arg(long, conflicts_with_all = ["kafka_password_env", "kafka_password_file"], help_heading = "Event Hubs (Kafka)")]
    pub kafka_entra_id: bool,
    /// How long the brokers may stay unreachable (at start, or all of them later) before the
    /// follower exits 2
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration, help_heading = "Event Hubs (Kafka)")]
    pub kafka_connect_timeout: Duration,

    /// Environment variable holding the container URL with its SAS token
    #[arg(long, value_name = "VAR", help_heading = "Storage account")]
    pub storage_container_url_env: Option<String>,
    /// File holding the container URL with its SAS token
    #[arg(long, value_name = "FILE", help_heading = "Storage account")]
    pub storage_container_url_file: Option<PathBuf>,
    /// Environment variable holding the storage account's connection string (Shared Key)
    #[arg(long, value_name = "VAR", help_heading = "Storage account")]
    pub storage_connection_string_env: Option<String>,
    /// File holding the storage account's connection string
    #[arg(long, value_name = "FILE", help_heading = "Storage account")]
    pub storage_connection_string_file: Option<PathBuf>,
    /// The container (with a connection string or --storage-account-url):
    /// insights-logs-kube-audit or insights-logs-kube-audit-admin
    #[arg(long, value_name = "NAME", help_heading = "Storage account")]
    pub container: Option<String>,
    /// The storage account's blob endpoint (`https://ACCOUNT.blob.core.windows.net`), read with
    /// Microsoft Entra ID (needs --storage-entra-id and --container)
    #[arg(long, value_name = "URL", help_heading = "Storage account")]
    pub storage_account_url: Option<String>,
    /// Authenticate to --storage-account-url with AKS workload identity (AZURE_CLIENT_ID,
    /// AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, as the webhook injects them)
    #[arg(
        long,
        requires = "storage_account_url",
        help_heading = "Storage account"
    )]
    pub storage_entra_id: bool,
    /// Only blobs under this prefix (a subscription, a cluster, a date)
    #[arg(long, value_name = "P", help_heading = "Storage account")]
    pub prefix: Option<String>,
    /// Per-blob offsets, written atomically; a restart continues from them
    #[arg(long, value_name = "FILE", help_heading = "Storage account")]
    pub checkpoint: Option<PathBuf>,
    /// How often the container is listed and blobs checked for appended bytes
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration, help_heading = "Storage account")]
    pub poll_interval: Duration,

    /// Append alerts (one JSON object per line) to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub alerts: Option<PathBuf>,
    /// POST alerts in batches (JSON arrays) to this URL, retried with backoff; never slows reading
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// Alerts waiting for the webhook at most; more are dropped and counted
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    pub webhook_queue: usize,
    /// Window of the rules that judge an identity's repeated activity (A030, A031)
    #[arg(long, value_name = "DURATION", default_value = "15m", value_parser = parse_duration)]
    pub window: Duration,
    /// Exit 0 (after committing) once no data came for this long
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub until_idle: Option<Duration>,
    /// Serve Prometheus metrics on /metrics, and /healthz and /readyz, at this address
    /// (`0.0.0.0:9090`)
    #[arg(long, value_name = "ADDR")]
    pub metrics: Option<String>,

    /// File of identities expected to read secrets (as `audit scan`)
    #[arg(long, value_name = "FILE", help_heading = "Rules (as audit scan)")]
    pub secret_readers: Option<PathBuf>,
    /// An identity expected to read secrets (repeatable)
    #[arg(
        long = "secret-reader",
        value_name = "PATTERN",
        help_heading = "Rules (as audit scan)"
    )]
    pub secret_reader: Vec<String>,
    /// File of the non-system users allowed (enables A037)
    #[arg(long, value_name = "FILE", help_heading = "Rules (as audit scan)")]
    pub allowed_users: Option<PathBuf>,
    /// A user allowed (repeatable; enables A037)
    #[arg(
        long = "allowed-user",
        value_name = "PATTERN",
        help_heading = "Rules (as audit scan)"
    )]
    pub allowed_user: Vec<String>,
    /// A namespace that may be created (repeatable; A040)
    #[arg(
        long = "allowed-namespace",
        value_name = "PATTERN",
        help_heading = "Rules (as audit scan)"
    )]
    pub allowed_namespace: Vec<String>,
    /// An image pods may run (repeatable; enables A063)
    #[arg(
        long = "allowed-image",
        value_name = "PATTERN",
        help_heading = "Rules (as audit scan)"
    )]
    pub allowed_image: Vec<String>,
    /// An address range of the cluster's own (repeatable; enables A069)
    #[arg(
        long = "cluster-cidr",
        value_name = "CIDR",
        help_heading = "Rules (as audit scan)"
    )]
    pub cluster_cidr: Vec<String>,
    /// Longest accepted line or message in bytes; longer ones are skipped and reported
    #[arg(long, default_value_t = kubeward_audit::reader::DEFAULT_MAX_UNIT)]
    pub max_line_bytes: usize,
}

/// `500ms`, `5s`, `15m`, `1h`, `2d`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 500ms, 5s, 15m, 1h"))?;
    let ms = match unit {
        "ms" => 1,
        "s" | "" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("{s:?}: the unit is one of ms, s, m, h, d")),
    };
    n.checked_mul(ms)
        .map(Duration::from_millis)
        .ok_or_else(|| format!("{s:?} is too long"))
}

fn parse_seconds(s: &str) -> Result<Duration, String> {
    let n: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(0.0..=1e9).contains(&n) {
        return Err(format!("{s:?} is out of range"));
    }
    Ok(Duration::from_secs_f64(n))
}

fn start_at(since: Option<&str>) -> anyhow::Result<StartAt> {
    let Some(s) = since else {
        return Ok(StartAt::Latest);
    };
    match s.trim() {
        "latest" => return Ok(StartAt::Latest),
        "earliest" => return Ok(StartAt::Earliest),
        _ => {}
    }
    if let Ok(t) =
        time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
    {
        return Ok(StartAt::Time((t.unix_timestamp_nanos() / 1_000_000) as i64));
    }
    let back = parse_duration(s).map_err(|_| {
        anyhow::anyhow!("--since {s:?}: give an RFC 3339 time, a duration (1h), earliest or latest")
    })?;
    let now = time::OffsetDateTime::now_utc() - back;
    Ok(StartAt::Time(
        (now.unix_timestamp_nanos() / 1_000_000) as i64,
    ))
}

fn secret(env: &Option<String>, file: &Option<PathBuf>) -> Option<SecretRef> {
    match (env, file) {
        (Some(v), _) => Some(SecretRef::Env(v.clone())),
        (None, Some(f)) => Some(SecretRef::File(f.clone())),
        (None, None) => None,
    }
}

fn open_source(a: &FollowArgs) -> anyhow::Result<Box<dyn Source>> {
    let url = secret(&a.storage_container_url_env, &a.storage_container_url_file);
    let conn = secret(
        &a.storage_connection_string_env,
        &a.storage_connection_string_file,
    );
    let storage = url.is_some() || conn.is_some() || a.storage_account_url.is_some();
    let chosen = [!a.files.is_empty(), a.kafka.is_some(), storage];
    match chosen.iter().filter(|c| **c).count() {
        0 => bail!(
            "nothing to follow: give files (or - for standard input), --kafka, or a --storage-… option"
        ),
        1 => {}
        _ => bail!("follow one source at a time: files, --kafka or a storage container"),
    }
    if [
        a.storage_container_url_env.is_some(),
        a.storage_container_url_file.is_some(),
        a.storage_connection_string_env.is_some(),
        a.storage_connection_string_file.is_some(),
        a.storage_account_url.is_some(),
    ]
    .iter()
    .filter(|c| **c)
    .count()
        > 1
    {
        bail!(
            "give one storage credential: a container URL or a connection string (from one variable or file), or --storage-account-url with --storage-entra-id"
        );
    }
    if let Some(bootstrap) = &a.kafka {
        let (Some(topic), Some(group)) = (&a.topic, &a.group) else {
            bail!("--kafka needs --topic and --group");
        };
        let opts = KafkaOptions {
            bootstrap: bootstrap.clone(),
            topic: topic.clone(),
            group: group.clone(),
            password: secret(&a.kafka_password_env, &a.kafka_password_file),
            start: start_at(a.since.as_deref())?,
            commit_interval: a.commit_interval,
            session_timeout: a.session_timeout,
            entra_id: a.kafka_entra_id,
            max_message_bytes: a.max_line_bytes.max(1024),
            connect_timeout: a.kafka_connect_timeout,
        };
        return Ok(kubeward_follow::kafka::open(&opts)?);
    }
    if a.kafka_entra_id {
        bail!("--kafka-entra-id goes with --kafka");
    }
    if a.topic.is_some() || a.group.is_some() || a.since.is_some() {
        bail!("--topic, --group and --since go with --kafka");
    }
    if storage {
        let auth = match (url, conn, &a.storage_account_url) {
            (Some(u), None, None) => {
                if a.container.is_some() {
                    bail!(
                        "--container goes with a connection string; the container URL names its container"
                    );
                }
                StorageAuth::ContainerUrl(u)
            }
            (None, Some(c), None) => StorageAuth::ConnectionString {
                secret: c,
                container: a
                    .container
                    .clone()
                    .context("a connection string needs --container NAME")?,
            },
            (None, None, Some(account_url)) => {
                if !a.storage_entra_id {
                    bail!(
                        "--storage-account-url is read with Microsoft Entra ID: add --storage-entra-id (a SAS goes in --storage-container-url-env)"
                    );
                }
                StorageAuth::EntraId {
                    account_url: account_url.clone(),
                    container: a
                        .container
                        .clone()
                        .context("--storage-account-url needs --container NAME")?,
                }
            }
            _ => bail!("give one storage credential"),
        };
        let opts = StorageOptions {
            prefix: a.prefix.clone(),
            checkpoint: a.checkpoint.clone(),
            poll_interval: a.poll_interval,
            max_line: a.max_line_bytes.max(1024),
            ..StorageOptions::new(auth)
        };
        return Ok(kubeward_follow::blob::open(&opts)?);
    }
    if a.container.is_some() || a.prefix.is_some() || a.checkpoint.is_some() {
        bail!("--container, --prefix and --checkpoint go with a storage container");
    }
    let max_line = a.max_line_bytes.max(1024);
    if a.files.iter().any(|f| f.as_os_str() == "-") {
        if a.files.len() > 1 {
            bail!("standard input (-) is followed alone");
        }
        return Ok(Box::new(kubeward_follow::stdin::StdinSource::new(max_line)));
    }
    if let Some(d) = a.files.iter().find(|f| f.is_dir()) {
        bail!("{} is a directory: name the files to follow", d.display());
    }
    Ok(Box::new(kubeward_follow::file::FileSource::new(
        a.files.clone(),
        max_line,
    )))
}

pub fn run(a: FollowArgs) -> anyhow::Result<u8> {
    let mut scan = ScanOptions {
        max_unit: a.max_line_bytes.max(1024),
        ..ScanOptions::default()
    };
    if let Some(f) = &a.secret_readers {
        scan.config.secret_readers = kubeward_audit::rules::read_pattern_list(f)
            .with_context(|| format!("cannot read {}", f.display()))?;
    }
    scan.config
        .secret_readers
        .extend(a.secret_reader.iter().cloned());
    if a.allowed_users.is_some() || !a.allowed_user.is_empty() {
        let mut list = match &a.allowed_users {
            Some(f) => kubeward_audit::rules::read_pattern_list(f)
                .with_context(|| format!("cannot read {}", f.display()))?,
            None => Vec::new(),
        };
        list.extend(a.allowed_user.iter().cloned());
        scan.config.allowed_users = Some(list);
    }
    scan.config.allowed_namespaces = a.allowed_namespace.clone();
    if !a.allowed_image.is_empty() {
        scan.config.allowed_images = Some(a.allowed_image.clone());
    }
    scan.config.cluster_cidrs = a
        .cluster_cidr
        .iter()
        .map(|c| kubeward_audit::rules::parse_cluster_cidr(c))
        .collect::<Result<_, _>>()
        .context("--cluster-cidr")?;
    let webhook = a.webhook.clone().map(|url| WebhookOptions {
        queue: a.webhook_queue.max(1),
        ..WebhookOptions::new(url)
    });
    let opts = FollowOptions {
        detector: StreamOptions {
            scan,
            window_secs: a.window.as_secs().max(1),
            ..StreamOptions::default()
        },
        alerts: a.alerts.clone(),
        webhook,
        metrics: a.metrics.clone(),
        until_idle: a.until_idle,
        commit_interval: a.commit_interval,
        status: true,
    };
    let source = open_source(&a)?;
    let what = source.describe();
    let mut log = |m: &str| crate::eprintln_safe!("{m}");
    let s = kubeward_follow::run(source, &opts, &mut log)?;
    let why = match s.stop {
        Stop::Signal => "stopped by a signal",
        Stop::Idle => "no new data for --until-idle",
        Stop::End => "the input ended",
    };
    let mut msg = format!(
        "{what}: {why}; {} events, {} alerts, {} redeliveries skipped, {} malformed",
        s.events, s.alerts, s.duplicates, s.malformed
    );
    if s.malformed_not_listed > 0 {
        msg.push_str(&format!(
            " ({} not listed above; see kubeward_follow_malformed_total)",
            s.malformed_not_listed
        ));
    }
    if a.webhook.is_some() {
        msg.push_str(&format!(
            "; webhook: {} sent, {} dropped (queue full), {} dropped (failed)",
            s.webhook_sent, s.webhook_dropped_full, s.webhook_dropped_failed
        ));
    }
    crate::eprintln_safe!("{msg}");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
        assert!(matches!(
            start_at(Some("2026-12-07T00:00:00Z")),
            Ok(StartAt::Time(1_796_601_600_000))
        ));
        assert!(matches!(start_at(Some("1h")), Ok(StartAt::Time(_))));
        assert!(start_at(Some("yesterday")).is_err());
    }
}
