//! The config file: raw TOML in, a validated [`Config`] out, resolved once at start-up.
//!
//! Every error names the file, the key and, where TOML gives one, the line. Secrets are read
//! here (inline, from an environment variable or from a file) and held as [`SecretString`]
//! from then on, so no later `Debug`, log line or error can show them. Nothing outside this
//! module reads the environment for configuration.
//!
//! This module does no logging: what deserves a warning (an inline secret in a file others can
//! read) comes back in [`Config::warnings`] for the caller to report.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use secrecy::SecretString;
use serde::Deserialize;
use toml::Spanned;

use crate::fiscal::FiscalCalendar;

/// Where the config file was looked for, so "not found" can say how to point at another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigSource {
    Flag,
    EnvVar,
    Default,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("config file {} not found{}", path.display(), hint_for(*source_kind))]
    NotFound { path: PathBuf, source_kind: ConfigSource },
    #[error("cannot read config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {message}", Location(path, *line))]
    Invalid { path: PathBuf, line: Option<usize>, message: String },
    #[error("{}: `client_secret_file` of profile `{profile}`: cannot read {}", Location(path, *line), file.display())]
    SecretFile {
        path: PathBuf,
        line: Option<usize>,
        profile: String,
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn hint_for(source_kind: ConfigSource) -> &'static str {
    match source_kind {
        ConfigSource::Flag => "",
        ConfigSource::EnvVar => " (named by $ALMANAC_CONFIG)",
        ConfigSource::Default => " (pass --config PATH or set $ALMANAC_CONFIG)",
    }
}

struct Location<'a>(&'a Path, Option<usize>);

impl fmt::Display for Location<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(line) => write!(f, "{}:{line}", self.0.display()),
            None => write!(f, "{}", self.0.display()),
        }
    }
}

/// The validated configuration. Built once by [`Config::load`] and passed down by reference.
#[derive(Debug)]
pub struct Config {
    /// The file this came from.
    pub path: PathBuf,
    /// The SQLite store, resolved against the config file's folder.
    pub database: PathBuf,
    pub fiscal: FiscalCalendar,
    /// A scheduled run imports only when the last successful run started longer ago than this.
    pub schedule_every: Duration,
    pub profiles: Vec<Profile>,
    /// Thresholds for the anomaly warnings of the monthly reports.
    pub checks: Checks,
    /// Things worth a warning that do not stop the tool (an inline secret others can read).
    pub warnings: Vec<String>,
}

/// One LibInsight "integration profile": an instance, its credentials and its datasets.
#[derive(Debug)]
pub struct Profile {
    pub name: String,
    pub active: bool,
    /// The API root, such as `https://yourlib.libinsight.com/v1.0`, without a trailing slash.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    /// Where the secret came from, for `config check` (never the secret itself).
    pub secret_source: SecretSource,
    pub auth: ClientAuth,
    /// The first day of a dataset's first import; `None` means the start of the previous
    /// fiscal year.
    pub backfill_from: Option<NaiveDate>,
    pub http: HttpSettings,
    pub datasets: Vec<DatasetConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    Inline,
    Env(String),
    File(PathBuf),
}

impl fmt::Display for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Inline => f.write_str("inline in the config file"),
            SecretSource::Env(name) => write!(f, "from ${name}"),
            SecretSource::File(path) => write!(f, "from {}", path.display()),
        }
    }
}

/// How the client credentials are presented to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the form body (the common style).
    Form,
    /// HTTP Basic, with only `grant_type` in the body.
    Basic,
}

/// Timeouts, retries and the request ceiling of one profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first back-off; it doubles per attempt, with full jitter.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// The longest `Retry-After` honoured.
    pub retry_after_cap: Duration,
    /// Requests in flight at once for this profile.
    pub concurrency: u16,
}

impl HttpSettings {
    pub const DEFAULT: HttpSettings = HttpSettings {
        connect_timeout: Duration::from_secs(10),
        request_timeout: Duration::from_secs(30),
        max_attempts: 5,
        backoff_base: Duration::from_millis(500),
        backoff_cap: Duration::from_secs(30),
        retry_after_cap: Duration::from_secs(120),
        concurrency: 4,
    };
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetConfig {
    pub id: u32,
    pub kind: DatasetKind,
}

impl DatasetConfig {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            DatasetKind::GateCount { .. } => "gate-count",
            DatasetKind::Reference { .. } => "reference",
            DatasetKind::Custom(_) => "custom",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatasetKind {
    GateCount { granularity: Granularity },
    Reference { granularity: Granularity },
    Custom(CustomMapping),
}

/// The period LibInsight is asked to aggregate by, and the period rows are stored per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Granularity {
    Day,
    Month,
}

impl Granularity {
    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Month => "month",
        }
    }
}

/// How question-level records of a custom dataset become counts by mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomMapping {
    /// The field label holding the mode, compared after trimming and collapsing whitespace.
    pub mode_field: String,
    /// LibInsight option text (whitespace-collapsed) to mode name.
    pub mode_map: BTreeMap<String, String>,
    /// A number per record; every record counts 1 without it.
    pub count_field: Option<String>,
    /// Records whose field holds only listed values are left out (directional questions).
    pub exclude: BTreeMap<String, Vec<String>>,
    pub counts_as: CountsAs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountsAs {
    Transactions,
    Consultations,
}

impl CountsAs {
    pub fn as_str(self) -> &'static str {
        match self {
            CountsAs::Transactions => "transactions",
            CountsAs::Consultations => "consultations",
        }
    }
}

/// Thresholds for the anomaly warnings in `gate-counts` and `services`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Checks {
    /// A month below this fraction of the same month a year earlier is flagged.
    pub low_ratio: f64,
    /// A month above this multiple of the same month a year earlier is flagged.
    pub high_ratio: f64,
}

impl Checks {
    pub const DEFAULT: Checks = Checks { low_ratio: 1.0 / 3.0, high_ratio: 3.0 };
}

/// Collapses runs of whitespace to one space and trims the ends, the way LibInsight labels
/// and option texts are compared.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses a duration such as `24h`, `90s`, `500ms`, `1h30m`, `2d` or `1w`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("is empty".to_string());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    while !rest.is_empty() {
        let digits_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits_end == 0 {
            return Err(format!("`{text}` is not a duration such as 24h, 30m, 90s or 500ms"));
        }
        let number: u64 = rest[..digits_end].parse().map_err(|_| format!("`{text}` has a number too large"))?;
        rest = &rest[digits_end..];
        let unit_end = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = rest[..unit_end].trim();
        rest = &rest[unit_end..];
        let seconds_per_unit = match unit {
            "ms" => {
                total += Duration::from_millis(number);
                continue;
            }
            "s" => 1,
            "m" | "min" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 604_800,
            _ => {
                return Err(format!("`{text}` is not a duration such as 24h, 30m, 90s or 500ms (unit `{unit}`)"));
            }
        };
        total += Duration::from_secs(number.saturating_mul(seconds_per_unit));
    }
    Ok(total)
}

/// Where the config file is, by the documented precedence: `--config`, `$ALMANAC_CONFIG`,
/// `./almanac.toml`.
pub fn locate(flag: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> (PathBuf, ConfigSource) {
    if let Some(path) = flag {
        return (path.to_path_buf(), ConfigSource::Flag);
    }
    if let Some(path) = env("ALMANAC_CONFIG").filter(|p| !p.is_empty()) {
        return (PathBuf::from(path), ConfigSource::EnvVar);
    }
    (PathBuf::from("almanac.toml"), ConfigSource::Default)
}

impl Config {
    /// Reads and validates the file. `env` looks up environment variables (for
    /// `client_secret_env`); pass `|name| std::env::var(name).ok()` outside tests.
    pub fn load(
        path: &Path,
        source_kind: ConfigSource,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::NotFound { path: path.to_path_buf(), source_kind });
            }
            Err(source) => {
                return Err(ConfigError::Read { path: path.to_path_buf(), source });
            }
        };
        let mut config = Config::from_toml(&text, path, env)?;
        if config.profiles.iter().any(|p| p.secret_source == SecretSource::Inline) && readable_by_others(path) {
            config.warnings.push(format!(
                "{} holds a client secret and can be read by other users; run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
        Ok(config)
    }

    /// Validates config text that came from `path` (used for messages and relative paths).
    pub fn from_toml(text: &str, path: &Path, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let checker = Checker { path, text };
        let raw: RawConfig = toml::from_str(text).map_err(|err| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: err.span().map(|span| checker.line_of(span.start)),
            message: err.message().trim_end().to_string(),
        })?;
        checker.resolve(raw, env)
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).map(|meta| meta.permissions().mode() & 0o077 != 0).unwrap_or(false)
}

#[cfg(not(unix))]
fn readable_by_others(_path: &Path) -> bool {
    false
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    database: Option<Spanned<String>>,
    fiscal_year_start_month: Option<Spanned<i64>>,
    schedule: Option<RawSchedule>,
    #[serde(default)]
    profile: Vec<RawProfile>,
    checks: Option<RawChecks>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    every: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecks {
    low_ratio: Option<Spanned<f64>>,
    high_ratio: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    active: Option<bool>,
    client_host: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    client_id: Spanned<toml::Value>,
    client_secret: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_file: Option<Spanned<String>>,
    auth: Option<Spanned<String>>,
    backfill_from: Option<Spanned<toml::Value>>,
    concurrency: Option<Spanned<i64>>,
    max_attempts: Option<Spanned<i64>>,
    backoff_base: Option<Spanned<String>>,
    backoff_cap: Option<Spanned<String>>,
    retry_after_cap: Option<Spanned<String>>,
    connect_timeout: Option<Spanned<String>>,
    request_timeout: Option<Spanned<String>>,
    #[serde(default)]
    dataset: Vec<RawDataset>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    id: Spanned<i64>,
    kind: Spanned<String>,
    granularity: Option<Spanned<String>>,
    mode_field: Option<Spanned<String>>,
    mode_map: Option<Spanned<BTreeMap<String, String>>>,
    count_field: Option<Spanned<String>>,
    exclude: Option<Spanned<BTreeMap<String, Vec<String>>>>,
    counts_as: Option<Spanned<String>>,
}

/// Carries the file's path and text so every check can name a line.
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
}

impl Checker<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        self.text.as_bytes()[..offset].iter().filter(|&&b| b == b'\n').count() + 1
    }

    fn invalid<T>(&self, at: &Spanned<T>, message: String) -> ConfigError {
        ConfigError::Invalid { path: self.path.to_path_buf(), line: Some(self.line_of(at.span().start)), message }
    }

    fn duration(&self, value: &Spanned<String>, key: &str, owner: &str) -> Result<Duration, ConfigError> {
        parse_duration(value.get_ref()).map_err(|why| self.invalid(value, format!("{owner}`{key}` {why}")))
    }

    fn resolve(&self, raw: RawConfig, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let base_dir = self.path.parent().unwrap_or(Path::new(""));
        let database = match &raw.database {
            Some(db) if db.get_ref().trim().is_empty() => {
                return Err(self.invalid(db, "`database` is empty".to_string()));
            }
            Some(db) => base_dir.join(db.get_ref()),
            None => base_dir.join("almanac.db"),
        };
        let fiscal = match &raw.fiscal_year_start_month {
            Some(month) => {
                let value = *month.get_ref();
                match u32::try_from(value).ok().and_then(FiscalCalendar::new) {
                    Some(fiscal) => fiscal,
                    None => {
                        return Err(self.invalid(
                            month,
                            format!("`fiscal_year_start_month` must be a month from 1 to 12, not {value}"),
                        ));
                    }
                }
            }
            None => FiscalCalendar::JULY,
        };
        let schedule_every = match raw.schedule.as_ref().and_then(|s| s.every.as_ref()) {
            Some(every) => {
                let duration = self.duration(every, "every", "[schedule] ")?;
                if duration.is_zero() {
                    return Err(self.invalid(every, "[schedule] `every` must be longer than 0".to_string()));
                }
                duration
            }
            None => Duration::from_secs(24 * 3600),
        };
        let checks = self.resolve_checks(raw.checks.as_ref())?;

        let mut profiles: Vec<Profile> = Vec::new();
        let mut names = HashSet::new();
        for raw_profile in &raw.profile {
            let profile = self.resolve_profile(raw_profile, base_dir, env)?;
            if !names.insert(profile.name.clone()) {
                return Err(self.invalid(
                    &raw_profile.name,
                    format!("two profiles are named `{}`; profile names must differ", profile.name),
                ));
            }
            profiles.push(profile);
        }
        Ok(Config {
            path: self.path.to_path_buf(),
            database,
            fiscal,
            schedule_every,
            profiles,
            checks,
            warnings: Vec::new(),
        })
    }

    fn resolve_checks(&self, raw: Option<&RawChecks>) -> Result<Checks, ConfigError> {
        let mut checks = Checks::DEFAULT;
        let Some(raw) = raw else { return Ok(checks) };
        if let Some(low) = &raw.low_ratio {
            if !(*low.get_ref() > 0.0 && *low.get_ref() < 1.0) {
                return Err(self.invalid(low, "[checks] `low_ratio` must be between 0 and 1".to_string()));
            }
            checks.low_ratio = *low.get_ref();
        }
        if let Some(high) = &raw.high_ratio {
            if *high.get_ref() <= 1.0 || !high.get_ref().is_finite() {
                return Err(self.invalid(high, "[checks] `high_ratio` must be greater than 1".to_string()));
            }
            checks.high_ratio = *high.get_ref();
        }
        Ok(checks)
    }

    fn resolve_profile(
        &self,
        raw: &RawProfile,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Profile, ConfigError> {
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(self.invalid(&raw.name, "profile `name` is empty".to_string()));
        }
        let owner = format!("profile `{name}`: ");
        let base_url = match (&raw.client_host, &raw.base_url) {
            (Some(host), None) => {
                let host_text = host.get_ref().trim();
                if host_text.is_empty() || host_text.contains('/') || host_text.contains(char::is_whitespace) {
                    return Err(self.invalid(
                        host,
                        format!(
                            "{owner}`client_host` must be a host name such as yourlib.libinsight.com, not `{host_text}`"
                        ),
                    ));
                }
                format!("https://{host_text}/v1.0")
            }
            (None, Some(url)) => {
                let url_text = url.get_ref().trim().trim_end_matches('/');
                if !(url_text.starts_with("https://") || url_text.starts_with("http://")) {
                    return Err(self.invalid(
                        url,
                        format!("{owner}`base_url` must start with https:// or http://, not `{url_text}`"),
                    ));
                }
                url_text.to_string()
            }
            (Some(_), Some(url)) => {
                return Err(self.invalid(url, format!("{owner}give `client_host` or `base_url`, not both")));
            }
            (None, None) => {
                return Err(self.invalid(&raw.name, format!("{owner}`client_host` or `base_url` is missing")));
            }
        };
        let client_id = match raw.client_id.get_ref() {
            toml::Value::String(text) if !text.trim().is_empty() => text.trim().to_string(),
            toml::Value::Integer(number) => number.to_string(),
            _ => {
                return Err(
                    self.invalid(&raw.client_id, format!("{owner}`client_id` must be a non-empty string or a number"))
                );
            }
        };
        let (client_secret, secret_source) = self.resolve_secret(raw, &owner, &name, base_dir, env)?;
        let auth = match raw.auth.as_ref() {
            None => ClientAuth::Form,
            Some(auth) => match auth.get_ref().as_str() {
                "form" => ClientAuth::Form,
                "basic" => ClientAuth::Basic,
                other => {
                    return Err(
                        self.invalid(auth, format!("{owner}`auth` must be \"form\" or \"basic\", not `{other}`"))
                    );
                }
            },
        };
        let backfill_from = match &raw.backfill_from {
            None => None,
            Some(value) => {
                let text = match value.get_ref() {
                    toml::Value::String(text) => text.clone(),
                    toml::Value::Datetime(datetime) => datetime.to_string(),
                    _ => String::new(),
                };
                match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
                    Ok(date) => Some(date),
                    Err(_) => {
                        return Err(self
                            .invalid(value, format!("{owner}`backfill_from` must be a date such as \"2019-07-01\"")));
                    }
                }
            }
        };
        let http = self.resolve_http(raw, &owner)?;

        let mut datasets: Vec<DatasetConfig> = Vec::new();
        let mut ids = HashSet::new();
        for raw_dataset in &raw.dataset {
            let dataset = self.resolve_dataset(raw_dataset, &owner)?;
            if !ids.insert(dataset.id) {
                return Err(self.invalid(&raw_dataset.id, format!("{owner}dataset {} is listed twice", dataset.id)));
            }
            datasets.push(dataset);
        }
        Ok(Profile {
            name,
            active: raw.active.unwrap_or(true),
            base_url,
            client_id,
            client_secret,
            secret_source,
            auth,
            backfill_from,
            http,
            datasets,
        })
    }

    fn resolve_secret(
        &self,
        raw: &RawProfile,
        owner: &str,
        name: &str,
        base_dir: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(SecretString, SecretSource), ConfigError> {
        match (&raw.client_secret, &raw.client_secret_env, &raw.client_secret_file) {
            (Some(inline), None, None) => {
                if inline.get_ref().is_empty() {
                    return Err(self.invalid(inline, format!("{owner}`client_secret` is empty")));
                }
                Ok((SecretString::from(inline.get_ref().clone()), SecretSource::Inline))
            }
            (None, Some(var), None) => {
                let var_name = var.get_ref().trim();
                match env(var_name) {
                    Some(value) if !value.is_empty() => {
                        Ok((SecretString::from(value), SecretSource::Env(var_name.to_string())))
                    }
                    _ => Err(self.invalid(
                        var,
                        format!("{owner}`client_secret_env`: environment variable `{var_name}` is not set"),
                    )),
                }
            }
            (None, None, Some(file)) => {
                let file_path = base_dir.join(file.get_ref().trim());
                let contents = std::fs::read_to_string(&file_path).map_err(|source| ConfigError::SecretFile {
                    path: self.path.to_path_buf(),
                    line: Some(self.line_of(file.span().start)),
                    profile: name.to_string(),
                    file: file_path.clone(),
                    source,
                })?;
                let secret = contents.trim_end_matches(['\n', '\r']).to_string();
                if secret.is_empty() {
                    return Err(
                        self.invalid(file, format!("{owner}`client_secret_file`: {} is empty", file_path.display()))
                    );
                }
                Ok((SecretString::from(secret), SecretSource::File(file_path)))
            }
            (None, None, None) => Err(self.invalid(
                &raw.name,
                format!("{owner}one of `client_secret`, `client_secret_env` or `client_secret_file` is needed"),
            )),
            _ => Err(self.invalid(
                &raw.name,
                format!("{owner}give only one of `client_secret`, `client_secret_env` and `client_secret_file`"),
            )),
        }
    }

    fn resolve_http(&self, raw: &RawProfile, owner: &str) -> Result<HttpSettings, ConfigError> {
        let mut http = HttpSettings::DEFAULT;
        if let Some(concurrency) = &raw.concurrency {
            http.concurrency = u16::try_from(*concurrency.get_ref())
                .ok()
                .filter(|n| (1..=64).contains(n))
                .ok_or_else(|| self.invalid(concurrency, format!("{owner}`concurrency` must be from 1 to 64")))?;
        }
        if let Some(attempts) = &raw.max_attempts {
            http.max_attempts = u32::try_from(*attempts.get_ref())
                .ok()
                .filter(|n| (1..=20).contains(n))
                .ok_or_else(|| self.invalid(attempts, format!("{owner}`max_attempts` must be from 1 to 20")))?;
        }
        let durations: [(&Option<Spanned<String>>, &str, &mut Duration); 5] = [
            (&raw.backoff_base, "backoff_base", &mut http.backoff_base),
            (&raw.backoff_cap, "backoff_cap", &mut http.backoff_cap),
            (&raw.retry_after_cap, "retry_after_cap", &mut http.retry_after_cap),
            (&raw.connect_timeout, "connect_timeout", &mut http.connect_timeout),
            (&raw.request_timeout, "request_timeout", &mut http.request_timeout),
        ];
        for (value, key, slot) in durations {
            if let Some(value) = value {
                *slot = self.duration(value, key, owner)?;
            }
        }
        for (value, key) in [(&raw.connect_timeout, "connect_timeout"), (&raw.request_timeout, "request_timeout")] {
            if let Some(value) = value
                && parse_duration(value.get_ref()).is_ok_and(|d| d.is_zero())
            {
                return Err(self.invalid(value, format!("{owner}`{key}` must be longer than 0")));
            }
        }
        Ok(http)
    }

    fn resolve_dataset(&self, raw: &RawDataset, owner: &str) -> Result<DatasetConfig, ConfigError> {
        let id = u32::try_from(*raw.id.get_ref())
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(|| self.invalid(&raw.id, format!("{owner}dataset `id` must be a positive number")))?;
        let owner = format!("{owner}dataset {id}: ");
        let granularity = match &raw.granularity {
            None => Granularity::Month,
            Some(value) => match value.get_ref().as_str() {
                "month" => Granularity::Month,
                "day" => Granularity::Day,
                other => {
                    return Err(self
                        .invalid(value, format!("{owner}`granularity` must be \"month\" or \"day\", not `{other}`")));
                }
            },
        };
        let kind_text = raw.kind.get_ref().as_str();
        let custom_only: [(&str, Option<usize>); 5] = [
            ("mode_field", raw.mode_field.as_ref().map(|v| v.span().start)),
            ("mode_map", raw.mode_map.as_ref().map(|v| v.span().start)),
            ("count_field", raw.count_field.as_ref().map(|v| v.span().start)),
            ("exclude", raw.exclude.as_ref().map(|v| v.span().start)),
            ("counts_as", raw.counts_as.as_ref().map(|v| v.span().start)),
        ];
        let kind = match kind_text {
            "gate-count" | "reference" => {
                if let Some((key, Some(start))) = custom_only.iter().find(|(_, at)| at.is_some()) {
                    return Err(ConfigError::Invalid {
                        path: self.path.to_path_buf(),
                        line: Some(self.line_of(*start)),
                        message: format!("{owner}`{key}` is only for datasets of kind \"custom\""),
                    });
                }
                if kind_text == "gate-count" {
                    DatasetKind::GateCount { granularity }
                } else {
                    DatasetKind::Reference { granularity }
                }
            }
            "custom" => {
                if let Some(value) = &raw.granularity {
                    return Err(self.invalid(
                        value,
                        format!(
                            "{owner}`granularity` does not apply to custom datasets (records carry their own dates)"
                        ),
                    ));
                }
                DatasetKind::Custom(self.resolve_mapping(raw, &owner)?)
            }
            other => {
                return Err(self.invalid(
                    &raw.kind,
                    format!("{owner}`kind` must be \"gate-count\", \"reference\" or \"custom\", not `{other}`"),
                ));
            }
        };
        Ok(DatasetConfig { id, kind })
    }

    fn resolve_mapping(&self, raw: &RawDataset, owner: &str) -> Result<CustomMapping, ConfigError> {
        let mode_field = match &raw.mode_field {
            Some(field) if !field.get_ref().trim().is_empty() => collapse_whitespace(field.get_ref()),
            Some(field) => return Err(self.invalid(field, format!("{owner}`mode_field` is empty"))),
            None => {
                return Err(self.invalid(&raw.kind, format!("{owner}custom datasets need `mode_field`")));
            }
        };
        let mode_map = match &raw.mode_map {
            Some(map) if !map.get_ref().is_empty() => {
                let mut resolved = BTreeMap::new();
                for (option, mode) in map.get_ref() {
                    let mode = mode.trim();
                    if mode.is_empty() {
                        return Err(self.invalid(map, format!("{owner}`mode_map` maps `{option}` to an empty mode")));
                    }
                    resolved.insert(collapse_whitespace(option), mode.to_string());
                }
                resolved
            }
            Some(map) => return Err(self.invalid(map, format!("{owner}`mode_map` is empty"))),
            None => {
                return Err(self.invalid(&raw.kind, format!("{owner}custom datasets need `mode_map`")));
            }
        };
        let count_field = match &raw.count_field {
            Some(field) if field.get_ref().trim().is_empty() => {
                return Err(self.invalid(field, format!("{owner}`count_field` is empty")));
            }
            Some(field) => Some(collapse_whitespace(field.get_ref())),
            None => None,
        };
        let exclude = raw
            .exclude
            .as_ref()
            .map(|map| {
                map.get_ref()
                    .iter()
                    .map(|(field, values)| {
                        (collapse_whitespace(field), values.iter().map(|v| collapse_whitespace(v)).collect())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let counts_as = match &raw.counts_as {
            None => CountsAs::Transactions,
            Some(value) => match value.get_ref().as_str() {
                "transactions" => CountsAs::Transactions,
                "consultations" => CountsAs::Consultations,
                other => {
                    return Err(self.invalid(
                        value,
                        format!("{owner}`counts_as` must be \"transactions\" or \"consultations\", not `{other}`"),
                    ));
                }
            },
        };
        Ok(CustomMapping { mode_field, mode_map, count_field, exclude, counts_as })
    }
}

#[cfg(test)]
mod tests;
