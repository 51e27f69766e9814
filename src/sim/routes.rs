//! The simulator's routes: one handler that names the route, applies faults and latency, and
//! answers from the fixture the way LibInsight would.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};

use super::faults::{Fault, FaultBody};
use super::fixture::{CountMethod, GateCountFixture, HalfRounding, HourKeyStyle, Reading, RecordingMode, Switches};
use super::{RequestRecord, Sim, State as SimState, Token, record_order};

pub fn router(sim: Arc<Sim>) -> Router {
    Router::new().fallback(handle).with_state(sim)
}

/// A request named: its route label and the dataset id in its path.
struct Route {
    label: &'static str,
    dataset: Option<u32>,
}

fn route_of(method: &Method, path: &str) -> Option<Route> {
    let rest = path.strip_prefix("/v1.0/")?;
    let parts: Vec<&str> = rest.split('/').collect();
    let (label, dataset) = match (method, parts.as_slice()) {
        (&Method::POST, ["oauth", "token"]) => ("token", None),
        (&Method::GET, ["gate-count", id, "libraries"]) => ("gate-count/libraries", Some(*id)),
        (&Method::GET, ["gate-count", id, "overview"]) => ("gate-count/overview", Some(*id)),
        (&Method::GET, ["reference", id, "overview"]) => ("reference/overview", Some(*id)),
        (&Method::GET, ["custom-dataset", id, "data-grid"]) => ("custom-dataset/data-grid", Some(*id)),
        _ => return None,
    };
    let dataset = match dataset {
        Some(id) => Some(id.parse().ok()?),
        None => None,
    };
    Some(Route { label, dataset })
}

/// What the normal answer is, before body faults are applied.
struct Answer {
    status: StatusCode,
    body: String,
    auth: &'static str,
}

async fn handle(State(sim): State<Arc<Sim>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap_or_default();
    let query = parts.uri.query().unwrap_or("").to_string();
    let Some(route) = route_of(&parts.method, parts.uri.path()) else {
        let answer = Answer { status: StatusCode::NOT_FOUND, body: error_envelope("Unknown API path"), auth: "" };
        return finish(&sim, "unknown", None, &parts.method, query, answer, None);
    };
    // Subscribe before the arrival is announced, so a release that follows it is never missed.
    let mut released = sim.release.subscribe();
    released.borrow_and_update();
    sim.arrive(route.label);

    let (fault, latency) = {
        let mut state = sim.lock();
        let fault = state
            .rules
            .iter_mut()
            .map(|armed| {
                let fires = armed.consider(route.label, route.dataset);
                (fires, armed.rule.fault.clone())
            })
            .filter(|(fires, _)| *fires)
            .map(|(_, fault)| fault)
            .collect::<Vec<_>>()
            .into_iter()
            .next();
        if let (Some(Fault::InsertRecord { record }), Some(dataset)) = (&fault, route.dataset)
            && let Some(custom) = state.fixture.custom.iter_mut().find(|c| c.id == dataset)
        {
            let at = custom.records.partition_point(|r| record_order(r, record) == std::cmp::Ordering::Less);
            custom.records.insert(at, record.clone());
        }
        let latency = if route.label == "token" { 0 } else { state.fixture.switches.latency_ms };
        (fault, latency)
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let early = match &fault {
        Some(Fault::Drop) => {
            record(&sim, route.label, route.dataset, &parts.method, query, "", 0);
            return dropped_connection();
        }
        Some(Fault::Delay { ms }) => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            None
        }
        Some(Fault::Hold) => {
            let _ = released.changed().await;
            None
        }
        Some(Fault::Status { status, body }) => {
            let text = match body {
                FaultBody::Html => format!(
                    "<!DOCTYPE html><html><head><title>{status} Error</title></head><body><h1>Service unavailable</h1></body></html>"
                ),
                FaultBody::Empty => String::new(),
                FaultBody::Text(text) => text.clone(),
            };
            let content_type = if matches!(body, FaultBody::Html) { "text/html" } else { "text/plain" };
            Some(raw_response(status_of(*status), text, content_type, None))
        }
        Some(Fault::ErrorEnvelope { status, message }) => {
            Some(raw_response(status_of(*status), error_envelope(message), "application/json; charset=utf-8", None))
        }
        Some(Fault::RateLimit { retry_after }) => Some(raw_response(
            StatusCode::TOO_MANY_REQUESTS,
            error_envelope("Too many requests"),
            "application/json; charset=utf-8",
            Some(retry_after.as_str()),
        )),
        Some(Fault::ExpireToken) => {
            let mut state = sim.lock();
            if let Some(token) = bearer_of(&parts.headers).and_then(|t| state.tokens.get_mut(t)) {
                token.expired = true;
            }
            None
        }
        _ => None,
    };
    if let Some(response) = early {
        let status = response.status().as_u16();
        record(&sim, route.label, route.dataset, &parts.method, query, "", status);
        return response;
    }

    let answer = {
        let mut state = sim.lock();
        if route.label == "token" {
            issue_token(&mut state, &parts.headers, &body)
        } else {
            answer_data(&mut state, &route, &parts.headers, &query)
        }
    };
    finish(&sim, route.label, route.dataset, &parts.method, query, answer, fault)
}

fn finish(
    sim: &Sim,
    label: &str,
    dataset: Option<u32>,
    method: &Method,
    query: String,
    answer: Answer,
    fault: Option<Fault>,
) -> Response {
    record(sim, label, dataset, method, query, answer.auth, answer.status.as_u16());
    let (body, content_type) = match fault {
        Some(Fault::Truncate) => {
            let cut = answer.body.len() / 2;
            let cut = (0..=cut).rev().find(|i| answer.body.is_char_boundary(*i)).unwrap_or(0);
            (answer.body[..cut].to_string(), "application/json; charset=utf-8")
        }
        Some(Fault::Bom) => (format!("\u{feff}{}", answer.body), "application/json; charset=utf-8"),
        Some(Fault::HtmlContentType) => (answer.body, "text/html; charset=utf-8"),
        _ => (answer.body, "application/json; charset=utf-8"),
    };
    raw_response(answer.status, body, content_type, None)
}

fn record(sim: &Sim, label: &str, dataset: Option<u32>, method: &Method, query: String, auth: &str, status: u16) {
    sim.lock().requests.push(RequestRecord {
        method: method.to_string(),
        route: label.to_string(),
        dataset,
        query,
        auth: auth.to_string(),
        status,
    });
}

fn status_of(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn raw_response(status: StatusCode, body: String, content_type: &str, retry_after: Option<&str>) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    if let Some(value) = retry_after.and_then(|v| HeaderValue::from_str(v).ok()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// A response whose body fails at once: the server closes the connection without an answer.
fn dropped_connection() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "dropped by a fault"))
    });
    Response::new(Body::from_stream(failing))
}

fn error_envelope(message: &str) -> String {
    json!({"type": "error", "payload": {"message": message}}).to_string()
}

fn success(payload: Value) -> Answer {
    Answer { status: StatusCode::OK, body: json!({"type": "success", "payload": payload}).to_string(), auth: "bearer" }
}

fn failure(status: StatusCode, message: &str) -> Answer {
    Answer { status, body: error_envelope(message), auth: "bearer" }
}

/// `POST /oauth/token`: credentials from a form body, HTTP Basic or a JSON body.
fn issue_token(state: &mut SimState, headers: &HeaderMap, body: &Bytes) -> Answer {
    let oauth_error = |status: StatusCode, error: &str, description: &str, auth: &'static str| Answer {
        status,
        body: json!({"error": error, "error_description": description}).to_string(),
        auth,
    };
    let is_json =
        headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    let fields: BTreeMap<String, String> = if is_json {
        serde_json::from_slice::<Map<String, Value>>(body)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
            .collect()
    } else {
        form_urlencoded::parse(body).into_owned().collect()
    };
    let basic = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok())
        .and_then(|decoded| String::from_utf8(decoded).ok())
        .and_then(|pair| pair.split_once(':').map(|(id, secret)| (id.to_string(), secret.to_string())));
    let (auth, credentials) = match basic {
        Some(pair) => ("basic", Some(pair)),
        None => (
            if is_json { "json" } else { "form" },
            fields.get("client_id").zip(fields.get("client_secret")).map(|(id, secret)| (id.clone(), secret.clone())),
        ),
    };
    if fields.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", "The grant type is unsupported", auth);
    }
    let Some((client_id, client_secret)) = credentials else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "The client credentials are missing", auth);
    };
    let known = state.fixture.clients.iter().any(|c| c.client_id == client_id && c.client_secret == client_secret);
    if !known {
        let status = if auth == "basic" { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
        return oauth_error(status, "invalid_client", "The client credentials are invalid", auth);
    }
    let token: String = (0..40).map(|_| char::from_digit(fastrand::u32(0..16), 16).unwrap_or('0')).collect();
    let ttl = state.fixture.switches.token_ttl_seconds;
    state.tokens.insert(token.clone(), Token { issued: Instant::now(), ttl_seconds: ttl, calls: 0, expired: false });
    let scope = fields.get("scope").cloned();
    Answer {
        status: StatusCode::OK,
        body: json!({"access_token": token, "expires_in": ttl, "token_type": "Bearer", "scope": scope}).to_string(),
        auth,
    }
}

fn bearer_of(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

/// Checks the bearer token; `Err` is the auth error answer.
fn check_bearer(state: &mut SimState, headers: &HeaderMap) -> Result<(), Answer> {
    let status = status_of(state.fixture.switches.auth_error_status);
    let max_calls = state.fixture.switches.token_max_calls;
    let Some(presented) = bearer_of(headers) else {
        return Err(failure(status, "The access token is missing"));
    };
    let Some(token) = state.tokens.get_mut(presented) else {
        return Err(failure(status, "The access token provided is invalid"));
    };
    token.calls += 1;
    let too_old = token.issued.elapsed() >= Duration::from_secs(token.ttl_seconds);
    let too_used = max_calls.is_some_and(|max| token.calls > max);
    if token.expired || too_old || too_used {
        token.expired = true;
        return Err(failure(status, "The access token provided has expired"));
    }
    Ok(())
}

fn answer_data(state: &mut SimState, route: &Route, headers: &HeaderMap, query: &str) -> Answer {
    if let Err(answer) = check_bearer(state, headers) {
        return answer;
    }
    let params: BTreeMap<String, String> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    let Some(dataset) = route.dataset else {
        return failure(StatusCode::NOT_FOUND, "Invalid dataset");
    };
    let switches = state.fixture.switches.clone();
    match route.label {
        "gate-count/libraries" => match state.fixture.gate_count.iter().find(|g| g.id == dataset) {
            Some(gate) => success(json!({"libraries": libraries_payload(gate, &switches)})),
            None => failure(StatusCode::NOT_FOUND, "Invalid dataset"),
        },
        "gate-count/overview" => {
            let Some(gate) = state.fixture.gate_count.iter().find(|g| g.id == dataset) else {
                return failure(StatusCode::NOT_FOUND, "Invalid dataset");
            };
            let (from, to) = match date_range(&params, &switches) {
                Ok(range) => range,
                Err(answer) => return answer,
            };
            if let Some(raw) = &gate.raw_overview {
                return success(raw.clone());
            }
            let aggregate = params.get("aggregate").map(String::as_str).unwrap_or("daily");
            match gate_overview(gate, from, to, aggregate, &switches) {
                Ok(payload) => success(payload),
                Err(message) => failure(StatusCode::BAD_REQUEST, &message),
            }
        }
        "reference/overview" => {
            let Some(reference) = state.fixture.reference.iter().find(|r| r.id == dataset) else {
                return failure(StatusCode::NOT_FOUND, "Invalid dataset");
            };
            let (from, to) = match date_range(&params, &switches) {
                Ok(range) => range,
                Err(answer) => return answer,
            };
            if let Some(raw) = &reference.raw_overview {
                return success(raw.clone());
            }
            let aggregate = params.get("aggregate").map(String::as_str).unwrap_or("daily");
            let mut buckets: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
            for (day, mode, count) in &reference.counts {
                let Ok(date) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else {
                    continue;
                };
                if date < from || date > to {
                    continue;
                }
                let key = match aggregate {
                    "monthly" => date.format("%Y-%m").to_string(),
                    "daily" => date.format("%Y-%m-%d").to_string(),
                    _ => return failure(StatusCode::BAD_REQUEST, "Invalid aggregate"),
                };
                *buckets.entry(key).or_default().entry(mode.clone()).or_insert(0) += count;
            }
            let buckets: Map<String, Value> = buckets
                .into_iter()
                .map(|(key, modes)| {
                    let modes: Map<String, Value> =
                        modes.into_iter().map(|(mode, count)| (mode, number(count, &switches))).collect();
                    (key, Value::Object(modes))
                })
                .collect();
            success(json!({ aggregate: empty_as_list(buckets) }))
        }
        "custom-dataset/data-grid" => data_grid(state, dataset, &params, &switches),
        _ => failure(StatusCode::NOT_FOUND, "Unknown API path"),
    }
}

fn libraries_payload(gate: &GateCountFixture, switches: &Switches) -> Value {
    if switches.libraries_as_map {
        Value::Object(gate.libraries.iter().map(|l| (l.id.to_string(), Value::from(l.name.clone()))).collect())
    } else {
        Value::Array(gate.libraries.iter().map(|l| json!({"id": l.id, "name": l.name})).collect())
    }
}

fn date_range(params: &BTreeMap<String, String>, switches: &Switches) -> Result<(NaiveDate, NaiveDate), Answer> {
    let date = |name: &str| {
        params
            .get(name)
            .and_then(|v| NaiveDate::parse_from_str(v, "%Y-%m-%d").ok())
            .ok_or_else(|| failure(StatusCode::BAD_REQUEST, &format!("Invalid or missing `{name}` date")))
    };
    let (from, to) = (date("from")?, date("to")?);
    if to < from {
        return Err(failure(StatusCode::BAD_REQUEST, "The `to` date is before the `from` date"));
    }
    if (to - from).num_days() + 1 > switches.max_range_days {
        return Err(failure(
            StatusCode::BAD_REQUEST,
            &format!("The date range may not exceed {} days", switches.max_range_days),
        ));
    }
    Ok((from, to))
}

/// PHP sends an empty map as `[]`.
fn empty_as_list(map: Map<String, Value>) -> Value {
    if map.is_empty() { Value::Array(Vec::new()) } else { Value::Object(map) }
}

fn number(count: i64, switches: &Switches) -> Value {
    if switches.numbers_as_strings { Value::from(count.to_string()) } else { Value::from(count) }
}

/// Visitors of one reading, in halves: LibInsight's formula, with the counter wrapping at its
/// rollover and a bidirectional gate's crossings halved.
pub fn reading_halves(method: CountMethod, rollover: i64, reading: &Reading) -> Option<i64> {
    match (method, reading) {
        (CountMethod::Manual, Reading::Count(_, count) | Reading::Counter(_, count, _)) => Some(count * 2),
        (CountMethod::Unidirectional | CountMethod::Bidirectional, Reading::Counter(_, start, end)) => {
            let crossings = if end >= start { end - start } else { rollover - start + end };
            Some(if method == CountMethod::Bidirectional { crossings } else { crossings * 2 })
        }
        _ => None,
    }
}

/// The day and hour a reading's period starts at.
fn reading_start(mode: RecordingMode, period: &str) -> Option<(NaiveDate, u32)> {
    match mode {
        RecordingMode::Hourly => {
            let (day, hour) = period.split_once(' ')?;
            let hour: u32 = hour.trim().parse().ok()?;
            (hour < 24).then_some(())?;
            Some((NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?, hour))
        }
        RecordingMode::Daily => Some((NaiveDate::parse_from_str(period, "%Y-%m-%d").ok()?, 0)),
        RecordingMode::Monthly => Some((NaiveDate::parse_from_str(&format!("{period}-01"), "%Y-%m-%d").ok()?, 0)),
    }
}

fn hour_key(day: NaiveDate, hour: u32, style: HourKeyStyle) -> String {
    let (twelve, suffix) = match hour {
        0 => (12, "AM"),
        1..=11 => (hour, "AM"),
        12 => (12, "PM"),
        _ => (hour - 12, "PM"),
    };
    match style {
        HourKeyStyle::NoLeadingZero => format!("{day} {twelve}{suffix}"),
        HourKeyStyle::Padded => format!("{day} {twelve:02}{suffix}"),
        HourKeyStyle::Spaced => format!("{day} {twelve} {suffix}"),
    }
}

fn gate_overview(
    gate: &GateCountFixture,
    from: NaiveDate,
    to: NaiveDate,
    aggregate: &str,
    switches: &Switches,
) -> Result<Value, String> {
    let mut buckets: BTreeMap<String, BTreeMap<i64, i64>> = BTreeMap::new();
    for library in &gate.libraries {
        let Some(readings) = gate.readings.get(&library.id.to_string()) else {
            continue;
        };
        for reading in readings {
            let Some((day, hour)) = reading_start(gate.mode, reading.period()) else {
                continue;
            };
            if day < from || day > to {
                continue;
            }
            let Some(halves) = reading_halves(library.method, library.rollover, reading) else {
                continue;
            };
            let key = match aggregate {
                "hourly" => hour_key(day, hour, switches.hour_key_style),
                "daily" => day.format("%Y-%m-%d").to_string(),
                "weekly" => (day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday())))
                    .format("%Y-%m-%d")
                    .to_string(),
                "monthly" => day.format("%Y-%m").to_string(),
                other => return Err(format!("Invalid aggregate `{other}`")),
            };
            *buckets.entry(key).or_default().entry(library.id).or_insert(0) += halves;
        }
    }
    let buckets: Map<String, Value> = buckets
        .into_iter()
        .map(|(key, libraries)| {
            let counts: Map<String, Value> =
                libraries.into_iter().map(|(id, halves)| (id.to_string(), visitors_value(halves, switches))).collect();
            (key, Value::Object(counts))
        })
        .collect();
    let libraries: Map<String, Value> =
        gate.libraries.iter().map(|l| (l.id.to_string(), Value::from(l.name.clone()))).collect();
    Ok(json!({"libraries": libraries, aggregate: empty_as_list(buckets)}))
}

fn visitors_value(halves: i64, switches: &Switches) -> Value {
    let value = match switches.half_rounding {
        HalfRounding::Floor => Value::from(halves.div_euclid(2)),
        HalfRounding::Round => Value::from((halves + 1).div_euclid(2)),
        HalfRounding::KeepFraction if halves % 2 == 0 => Value::from(halves / 2),
        HalfRounding::KeepFraction => Value::from(halves as f64 / 2.0),
    };
    if switches.numbers_as_strings { Value::from(value.to_string()) } else { value }
}

fn data_grid(state: &SimState, dataset: u32, params: &BTreeMap<String, String>, switches: &Switches) -> Answer {
    let Some(custom) = state.fixture.custom.iter().find(|c| c.id == dataset) else {
        return failure(StatusCode::NOT_FOUND, "Invalid dataset");
    };
    let (from, to) = match date_range(params, switches) {
        Ok(range) => range,
        Err(answer) => return answer,
    };
    let page: usize = match params.get("page").map(|p| p.parse::<usize>()) {
        None => 1,
        Some(Ok(page)) if page >= 1 => page,
        Some(_) => return failure(StatusCode::BAD_REQUEST, "Invalid page"),
    };
    let (from, to) = (from.format("%Y-%m-%d").to_string(), to.format("%Y-%m-%d").to_string());
    let day_of = |r: &Map<String, Value>| -> String {
        r.get("_start_date").and_then(Value::as_str).map(|d| d.chars().take(10).collect()).unwrap_or_default()
    };
    let start = custom.records.partition_point(|r| day_of(r) < from);
    let end = custom.records.partition_point(|r| day_of(r) <= to);
    let entered_by = params.get("entered_by").map(String::as_str).unwrap_or("all");
    let mut selected: Vec<&Map<String, Value>> = custom.records[start..end.max(start)]
        .iter()
        .filter(|r| entered_by == "all" || r.get("_entered_by").and_then(Value::as_str) == Some(entered_by))
        .collect();
    if params.get("sort").map(String::as_str) != Some("asc") {
        selected.reverse();
    }
    let size = switches.page_size.max(1);
    let total_records = selected.len();
    let total_pages = if total_records == 0 { switches.empty_total_pages } else { total_records.div_ceil(size) as u64 };
    let records: Vec<Value> =
        selected.iter().skip((page - 1) * size).take(size).map(|r| Value::Object((*r).clone())).collect();
    success(json!({
        "records": records,
        "displayed_page": page,
        "total_pages": total_pages,
        "total_records": total_records,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_become_visitors_the_way_libinsight_computes_them() {
        let counter = |start, end| Reading::Counter("2024-07-01".to_string(), start, end);
        assert_eq!(reading_halves(CountMethod::Unidirectional, 1_000_000, &counter(100, 350)), Some(500));
        // Bidirectional: 1201 crossings are 600.5 visitors, kept as 1201 halves.
        assert_eq!(reading_halves(CountMethod::Bidirectional, 1_000_000, &counter(0, 1201)), Some(1201));
        // R5: a counter with maximum 999 999 wraps to 0: 999 900 → 150 is 250 visitors.
        assert_eq!(reading_halves(CountMethod::Unidirectional, 1_000_000, &counter(999_900, 150)), Some(500));
        assert_eq!(
            reading_halves(CountMethod::Manual, 1_000_000, &Reading::Count("2024-07".to_string(), 42)),
            Some(84)
        );
        assert_eq!(
            reading_halves(CountMethod::Unidirectional, 1_000_000, &Reading::Count("2024-07".to_string(), 42)),
            None
        );
    }

    #[test]
    fn hour_keys_in_each_style() {
        let day = NaiveDate::from_ymd_opt(2023, 6, 26).expect("valid");
        assert_eq!(hour_key(day, 9, HourKeyStyle::NoLeadingZero), "2023-06-26 9AM");
        assert_eq!(hour_key(day, 0, HourKeyStyle::NoLeadingZero), "2023-06-26 12AM");
        assert_eq!(hour_key(day, 13, HourKeyStyle::Padded), "2023-06-26 01PM");
        assert_eq!(hour_key(day, 12, HourKeyStyle::Spaced), "2023-06-26 12 PM");
    }

    #[test]
    fn odd_halves_follow_the_rounding_switch() {
        let mut switches = Switches::default();
        assert_eq!(visitors_value(1201, &switches), json!(600));
        switches.half_rounding = HalfRounding::Round;
        assert_eq!(visitors_value(1201, &switches), json!(601));
        switches.half_rounding = HalfRounding::KeepFraction;
        assert_eq!(visitors_value(1201, &switches), json!(600.5));
        assert_eq!(visitors_value(1200, &switches), json!(600));
    }
}
