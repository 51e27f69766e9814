//! The LibInsight API client: the only code that speaks HTTP or knows a URL.
//!
//! It signs in with OAuth client credentials, caches the token until 60 s before it expires,
//! renews it once when a data call answers with an auth failure, retries what is worth
//! retrying (connect errors, timeouts, 429, 5xx, bodies that are not JSON) with back-off, and
//! keeps at most `concurrency` requests of a profile in flight. It returns the payloads of
//! [`wire`] with their leaves untouched; judging values is `normalize`'s work.
//!
//! It must never put a secret or a token in a URL, a log line or an error: errors carry the
//! URL path, the status and LibInsight's own message, nothing else.

pub mod retry;
pub mod wire;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use reqwest::StatusCode;
use reqwest::header::{AUTHORIZATION, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::{Mutex, Semaphore};

use crate::config::{ClientAuth, HttpSettings, Profile};

/// Why a call to LibInsight failed. Every variant names the URL path; none holds a secret.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("LibInsight refused the client credentials of profile `{profile}` (HTTP {status}): {message}")]
    Credentials { profile: String, status: StatusCode, message: String },
    #[error(
        "LibInsight refused the access token for {path} even after a new one was fetched (HTTP {status}): {message}"
    )]
    TokenRejected { path: String, status: StatusCode, message: String },
    #[error("request to {path} failed after {attempts} attempt(s)")]
    Transport {
        path: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },
    #[error("LibInsight answered HTTP {status} for {path} after {attempts} attempt(s): {message}")]
    Unavailable { path: String, status: StatusCode, attempts: u32, message: String },
    #[error("LibInsight answered HTTP {status} for {path}: {message}")]
    Status { path: String, status: StatusCode, message: String },
    #[error("LibInsight reported an error for {path} (HTTP {status}): {message}")]
    Reported { path: String, status: StatusCode, message: String },
    #[error(
        "LibInsight sent a body that is not the expected JSON for {path} (HTTP {status}, {attempts} attempt(s)); it starts: {start}"
    )]
    NotJson { path: String, status: StatusCode, attempts: u32, start: String },
    #[error("LibInsight's answer for {path} has an unexpected shape: {message}")]
    Shape { path: String, message: String },
    #[error("cannot set up the HTTP client")]
    Setup(#[source] reqwest::Error),
    /// Signing in failed earlier in this run; every later call of the profile fails with it
    /// rather than asking the token endpoint again.
    #[error(transparent)]
    SignIn(Arc<Error>),
}

/// How LibInsight is asked to bucket an overview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    Daily,
    Monthly,
}

impl Aggregate {
    fn as_str(self) -> &'static str {
        match self {
            Aggregate::Daily => "daily",
            Aggregate::Monthly => "monthly",
        }
    }
}

/// Which kind of dataset an overview is asked of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverviewFamily {
    GateCount,
    Reference,
}

impl OverviewFamily {
    fn path(self) -> &'static str {
        match self {
            OverviewFamily::GateCount => "gate-count",
            OverviewFamily::Reference => "reference",
        }
    }
}

/// A range of days, both ends included; one request spans at most 366 of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Counts the HTTP requests made on behalf of one dataset, retries included.
#[derive(Debug, Default)]
pub struct RequestCounter(AtomicU32);

impl RequestCounter {
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    fn add_one(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// A signed-in view of one LibInsight instance (one profile).
pub struct Client {
    http: reqwest::Client,
    profile: String,
    base_url: String,
    client_id: String,
    client_secret: SecretString,
    auth: ClientAuth,
    settings: HttpSettings,
    token: Mutex<TokenSlot>,
    token_generation: AtomicU32,
    in_flight: Semaphore,
}

/// The token cache: nothing yet, a token, or the sign-in failure that ended this run's hopes.
enum TokenSlot {
    Empty,
    Ready(CachedToken),
    Failed(Arc<Error>),
}

struct CachedToken {
    header: HeaderValue,
    fresh_until: Instant,
    generation: u32,
}

/// The outcome of one attempt, classified for the retry loop.
enum Attempt {
    Done(Box<RawValue>),
    AuthFailed { status: StatusCode, message: String },
    Transient { failure: Transient, retry_after: Option<Duration> },
    Fatal(Error),
}

enum Transient {
    Transport(reqwest::Error),
    Status { status: StatusCode, message: String },
    NotJson { status: StatusCode, start: String },
}

impl Transient {
    fn describe(&self) -> String {
        match self {
            Transient::Transport(err) if err.is_timeout() => "timed out".to_string(),
            Transient::Transport(err) if err.is_connect() => "could not connect".to_string(),
            Transient::Transport(_) => "connection failed".to_string(),
            Transient::Status { status, .. } => format!("HTTP {status}"),
            Transient::NotJson { status, .. } => {
                format!("HTTP {status} with a body that is not JSON")
            }
        }
    }

    fn into_error(self, path: String, attempts: u32) -> Error {
        match self {
            Transient::Transport(source) => Error::Transport { path, attempts, source: source.without_url() },
            Transient::Status { status, message } => Error::Unavailable { path, status, attempts, message },
            Transient::NotJson { status, start } => Error::NotJson { path, status, attempts, start },
        }
    }
}

impl Client {
    /// A client for `profile`, with `concurrency` requests in flight at most.
    pub fn new(profile: &Profile, concurrency: u16) -> Result<Client, Error> {
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("almanac/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(profile.http.connect_timeout)
            .timeout(profile.http.request_timeout);
        if is_loopback(&profile.base_url) {
            // A proxy from the environment must not capture the simulator on loopback.
            builder = builder.no_proxy();
        }
        Ok(Client {
            http: builder.build().map_err(Error::Setup)?,
            profile: profile.name.clone(),
            base_url: profile.base_url.clone(),
            client_id: profile.client_id.clone(),
            client_secret: profile.client_secret.clone(),
            auth: profile.auth,
            settings: profile.http.clone(),
            token: Mutex::new(TokenSlot::Empty),
            token_generation: AtomicU32::new(0),
            in_flight: Semaphore::new(usize::from(concurrency.max(1))),
        })
    }

    /// Fetches a token now (for `config check --online`).
    pub async fn sign_in(&self) -> Result<(), Error> {
        let _permit = self.in_flight.acquire().await;
        self.bearer().await.map(|_| ())
    }

    /// `GET /gate-count/{id}/libraries`.
    pub async fn gate_count_libraries(&self, dataset: u32, counter: &RequestCounter) -> Result<wire::Libraries, Error> {
        let payload: wire::LibrariesPayload =
            self.get(&format!("/gate-count/{dataset}/libraries"), &[], counter).await?;
        Ok(payload.libraries)
    }

    /// One page of `GET /custom-dataset/{id}/data-grid`, oldest records first.
    pub async fn data_grid_page(
        &self,
        dataset: u32,
        span: Span,
        page: u64,
        counter: &RequestCounter,
    ) -> Result<wire::DataGridPage, Error> {
        let query = [
            ("from", span.from.to_string()),
            ("to", span.to.to_string()),
            ("page", page.to_string()),
            ("sort", "asc".to_string()),
            ("entered_by", "all".to_string()),
        ];
        self.get(&format!("/custom-dataset/{dataset}/data-grid"), &query, counter).await
    }

    /// `GET /gate-count/{id}/overview` (visitors per period per library) or
    /// `GET /reference/{id}/overview` (counts per period per mode).
    pub async fn overview(
        &self,
        family: OverviewFamily,
        dataset: u32,
        span: Span,
        aggregate: Aggregate,
        counter: &RequestCounter,
    ) -> Result<Overview, Error> {
        let query = [
            ("from", span.from.to_string()),
            ("to", span.to.to_string()),
            ("aggregate", aggregate.as_str().to_string()),
        ];
        let path = format!("/{}/{dataset}/overview", family.path());
        let payload: wire::OverviewPayload = self.get(&path, &query, counter).await?;
        let buckets = match aggregate {
            Aggregate::Daily => payload.daily,
            Aggregate::Monthly => payload.monthly,
        };
        let Some(buckets) = buckets else {
            return Err(Error::Shape {
                path: self.display_path(&path, &query),
                message: format!("the payload has no `{}` member", aggregate.as_str()),
            });
        };
        Ok(Overview { libraries: payload.libraries, buckets })
    }

    fn display_path(&self, path: &str, query: &[(&str, String)]) -> String {
        let root =
            self.base_url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("");
        let mut shown = format!("{root}{path}");
        for (i, (key, value)) in query.iter().enumerate() {
            shown.push(if i == 0 { '?' } else { '&' });
            shown.push_str(key);
            shown.push('=');
            shown.push_str(value);
        }
        shown
    }

    /// A data GET with the retry, token-renewal and concurrency rules of this module.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        counter: &RequestCounter,
    ) -> Result<T, Error> {
        let url = format!("{}{}", self.base_url, path);
        let shown = self.display_path(path, query);
        let mut attempt = 1;
        let mut renewed = false;
        loop {
            let outcome = {
                // The permit first, then the token: a request that waited for its turn must not
                // send a token that expired while it waited. A token fetch runs under the
                // permit, and so does the one retry after a refused token, so no queue of other
                // requests can spend the new token before this one uses it.
                let _permit = self.in_flight.acquire().await;
                let (mut outcome, generation) = self.send_get(&url, query, &shown, counter).await?;
                if let Attempt::AuthFailed { status, .. } = &outcome
                    && !renewed
                {
                    tracing::info!(path = %shown, %status, "LibInsight refused the access token; fetching a new one");
                    renewed = true;
                    // Any token issued before this refusal may be spent as well.
                    self.forget_tokens_up_to(self.token_generation.load(Ordering::Relaxed).max(generation)).await;
                    outcome = self.send_get(&url, query, &shown, counter).await?.0;
                }
                outcome
            };
            match outcome {
                Attempt::Done(payload) => {
                    return serde_json::from_str(payload.get())
                        .map_err(|err| Error::Shape { path: shown, message: err.to_string() });
                }
                Attempt::AuthFailed { status, message } => {
                    return Err(Error::TokenRejected { path: shown, status, message });
                }
                Attempt::Transient { failure, retry_after } if attempt < self.settings.max_attempts => {
                    let wait = retry::delay(&self.settings, attempt, retry_after);
                    tracing::warn!(
                        path = %shown,
                        error = %failure.describe(),
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Attempt::Transient { failure, .. } => {
                    return Err(failure.into_error(shown, attempt));
                }
                Attempt::Fatal(err) => return Err(err),
            }
        }
    }

    /// One GET with the current token (fetched first if needed); the caller holds a permit.
    async fn send_get(
        &self,
        url: &str,
        query: &[(&str, String)],
        shown: &str,
        counter: &RequestCounter,
    ) -> Result<(Attempt, u32), Error> {
        let (header, generation) = self.bearer().await?;
        counter.add_one();
        let started = Instant::now();
        let request = self.http.get(url).query(query).header(AUTHORIZATION, header);
        let outcome = classify(request.send().await, true, shown).await;
        tracing::debug!(path = %shown, elapsed_ms = started.elapsed().as_millis() as u64, "GET");
        Ok((outcome, generation))
    }

    /// The `Authorization` header of a fresh token, and the token's generation (tokens are
    /// numbered in the order they were issued).
    async fn bearer(&self) -> Result<(HeaderValue, u32), Error> {
        let mut slot = self.token.lock().await;
        match &*slot {
            TokenSlot::Ready(token) if Instant::now() < token.fresh_until => {
                return Ok((token.header.clone(), token.generation));
            }
            TokenSlot::Failed(err) => return Err(Error::SignIn(Arc::clone(err))),
            _ => {}
        }
        match self.fetch_token().await {
            Ok(token) => {
                let result = (token.header.clone(), token.generation);
                *slot = TokenSlot::Ready(token);
                Ok(result)
            }
            Err(err) => {
                let shared = Arc::new(err);
                *slot = TokenSlot::Failed(Arc::clone(&shared));
                Err(Error::SignIn(shared))
            }
        }
    }

    /// Drops the cached token if it was issued no later than `generation`.
    async fn forget_tokens_up_to(&self, generation: u32) {
        let mut slot = self.token.lock().await;
        if matches!(&*slot, TokenSlot::Ready(t) if t.generation <= generation) {
            *slot = TokenSlot::Empty;
        }
    }

    async fn fetch_token(&self) -> Result<CachedToken, Error> {
        let url = format!("{}/oauth/token", self.base_url);
        let shown = self.display_path("/oauth/token", &[]);
        let mut attempt = 1;
        loop {
            let request = self.http.post(&url);
            let request = match self.auth {
                ClientAuth::Form => request.form(&[
                    ("grant_type", "client_credentials"),
                    ("client_id", self.client_id.as_str()),
                    ("client_secret", self.client_secret.expose_secret()),
                ]),
                ClientAuth::Basic => request
                    .basic_auth(&self.client_id, Some(self.client_secret.expose_secret()))
                    .form(&[("grant_type", "client_credentials")]),
            };
            let issued = Instant::now();
            // Called under the caller's permit, which this request uses.
            let outcome = classify(request.send().await, false, &shown).await;
            match outcome {
                Attempt::Done(body) => return self.read_token(&shown, body.get(), issued),
                Attempt::Transient { failure, retry_after } if attempt < self.settings.max_attempts => {
                    let wait = retry::delay(&self.settings, attempt, retry_after);
                    tracing::warn!(
                        path = %shown,
                        error = %failure.describe(),
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Attempt::Transient { failure, .. } => {
                    return Err(failure.into_error(shown, attempt));
                }
                Attempt::AuthFailed { status, message }
                | Attempt::Fatal(Error::Status { status, message, .. } | Error::Reported { status, message, .. })
                    if matches!(status.as_u16(), 200 | 400 | 401 | 403) =>
                {
                    return Err(Error::Credentials { profile: self.profile.clone(), status, message });
                }
                Attempt::AuthFailed { status, message } => {
                    return Err(Error::Status { path: shown, status, message });
                }
                Attempt::Fatal(err) => return Err(err),
            }
        }
    }

    fn read_token(&self, shown: &str, body: &str, issued: Instant) -> Result<CachedToken, Error> {
        let response: wire::TokenResponse = serde_json::from_str(body)
            .map_err(|err| Error::Shape { path: shown.to_string(), message: format!("the token answer: {err}") })?;
        if response.access_token.is_empty() {
            return Err(Error::Shape {
                path: shown.to_string(),
                message: "the token answer has an empty `access_token`".to_string(),
            });
        }
        let lifetime = response
            .expires_in
            .as_ref()
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())))
            .unwrap_or(3600);
        let scheme = response.token_type.filter(|t| !t.trim().is_empty()).unwrap_or_else(|| "Bearer".to_string());
        let mut header =
            HeaderValue::from_str(&format!("{} {}", scheme.trim(), response.access_token)).map_err(|_| {
                Error::Shape {
                    path: shown.to_string(),
                    message: "the access token holds characters a header cannot carry".to_string(),
                }
            })?;
        header.set_sensitive(true);
        let generation = self.token_generation.fetch_add(1, Ordering::Relaxed) + 1;
        tracing::debug!(profile = %self.profile, expires_in = lifetime, "fetched an access token");
        Ok(CachedToken { header, fresh_until: issued + Duration::from_secs(lifetime.saturating_sub(60)), generation })
    }
}

/// An overview payload reduced to the requested aggregate.
#[derive(Debug)]
pub struct Overview {
    pub libraries: wire::Libraries,
    pub buckets: wire::Entries<wire::Entries<Value>>,
}

fn is_loopback(base_url: &str) -> bool {
    let host = base_url.split_once("://").map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or("")).unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// Sorts one response into done, auth failure, transient or fatal. `enveloped` says whether
/// the body is a `{type, payload}` envelope (data routes) or bare JSON (the token endpoint).
async fn classify(sent: Result<reqwest::Response, reqwest::Error>, enveloped: bool, path: &str) -> Attempt {
    let response = match sent {
        Ok(response) => response,
        Err(err) => {
            return Attempt::Transient { failure: Transient::Transport(err), retry_after: None };
        }
    };
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry::parse_retry_after(v, Utc::now()));
    let bytes = match response.bytes().await {
        Ok(bytes) => bytes,
        Err(err) => {
            return Attempt::Transient { failure: Transient::Transport(err), retry_after: None };
        }
    };
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let parsed: Option<Body<'_>> = serde_json::from_str(text).ok();
    let message = parsed.as_ref().map(Body::message).unwrap_or_else(|| first_bytes(text));

    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Attempt::Transient { failure: Transient::Status { status, message }, retry_after };
    }
    let auth_failure = status == StatusCode::UNAUTHORIZED || parsed.as_ref().is_some_and(Body::says_token_failed);
    if !status.is_success() {
        if auth_failure && enveloped {
            return Attempt::AuthFailed { status, message };
        }
        return Attempt::Fatal(Error::Status { path: path.to_string(), status, message });
    }
    let Some(body) = parsed else {
        return Attempt::Transient {
            failure: Transient::NotJson { status, start: first_bytes(text) },
            retry_after: None,
        };
    };
    if !enveloped {
        return match RawValue::from_string(text.to_string()) {
            Ok(raw) => Attempt::Done(raw),
            Err(_) => Attempt::Transient {
                failure: Transient::NotJson { status, start: first_bytes(text) },
                retry_after: None,
            },
        };
    }
    match body.kind.as_deref() {
        Some("success") => match body.payload {
            Some(payload) => Attempt::Done(payload.to_owned()),
            None => Attempt::Fatal(Error::Shape {
                path: path.to_string(),
                message: "a success envelope without `payload`".to_string(),
            }),
        },
        _ if auth_failure => Attempt::AuthFailed { status, message },
        Some("error") => Attempt::Fatal(Error::Reported { path: path.to_string(), status, message }),
        _ => Attempt::Fatal(Error::Shape {
            path: path.to_string(),
            message: format!("no `\"type\": \"success\"` in the answer; it starts: {}", first_bytes(text)),
        }),
    }
}

/// The parts of any LibInsight answer that say what happened.
#[derive(Deserialize)]
struct Body<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
    message: Option<Value>,
    error: Option<Value>,
    error_description: Option<Value>,
}

impl Body<'_> {
    /// The message LibInsight gave, wherever it put it (section 4.4 of the API research).
    fn message(&self) -> String {
        let payload: Option<Value> = self.payload.and_then(|p| serde_json::from_str(p.get()).ok());
        let from_payload = match &payload {
            Some(Value::String(text)) => Some(text.clone()),
            Some(Value::Object(map)) => map.get("message").and_then(text_of),
            _ => None,
        };
        let parts: Vec<String> = [
            from_payload,
            self.message.as_ref().and_then(text_of),
            self.error.as_ref().and_then(text_of),
            self.error_description.as_ref().and_then(text_of),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() { "no message".to_string() } else { parts.join(": ") }
    }

    /// Whether the answer says the access token is expired, invalid or missing.
    fn says_token_failed(&self) -> bool {
        if self.error.as_ref().and_then(Value::as_str) == Some("invalid_token") {
            return true;
        }
        if self.kind.as_deref() != Some("error") {
            return false;
        }
        let message = self.message().to_lowercase();
        message.contains("token") && ["expired", "invalid", "missing"].iter().any(|w| message.contains(w))
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(text) if !text.trim().is_empty() => Some(text.trim().to_string()),
        Value::Null | Value::String(_) => None,
        other => Some(other.to_string()),
    }
}

/// The start of a body, for messages about bodies that are not what was expected.
fn first_bytes(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.is_empty() {
        return "(an empty body)".to_string();
    }
    let mut cut: String = flat.chars().take(80).collect();
    if flat.chars().count() > 80 {
        cut.push('…');
    }
    format!("`{cut}`")
}
