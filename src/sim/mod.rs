//! The LibInsight simulator: a real HTTP server on loopback that serves one institution from a
//! [`Fixture`], following the "Simulator spec" of `research/libinsight-api.md`.
//!
//! `demo`, `sim` and the tests use it; nothing else in almanac may depend on it. It records
//! every request (never a secret or a token) and counts calls per route, and its
//! [`faults`] make routes fail the ways LibInsight and networks fail. A [`SimHandle`] runs it
//! on its own thread and runtime, so synchronous tests can start one, drive the real binary
//! against it and inspect it afterwards.

pub mod demo;
pub mod faults;
pub mod fixture;
pub mod generated;
mod routes;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::oneshot;

pub use faults::{Fault, FaultBody, FaultRule, When};
pub use fixture::Fixture;

use self::faults::ArmedRule;
use self::fixture::{GateCountFixture, Reading};

/// One request as the simulator saw it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestRecord {
    pub method: String,
    /// The route label (`token`, `gate-count/overview`, …) or `unknown`.
    pub route: String,
    pub dataset: Option<u32>,
    /// The query string as sent.
    pub query: String,
    /// How the caller authenticated: `form`, `basic`, `json` (token route) or `bearer`.
    pub auth: String,
    pub status: u16,
}

struct Token {
    issued: Instant,
    ttl_seconds: u64,
    calls: u32,
    expired: bool,
}

/// The simulator's state, shared by the handlers of one server.
pub struct Sim {
    state: Mutex<State>,
    /// Signalled whenever a request arrives, for tests that act at the Nth request.
    arrival: Condvar,
    /// Bumped to release requests parked by a `hold` fault.
    release: tokio::sync::watch::Sender<u64>,
}

struct State {
    fixture: Fixture,
    tokens: HashMap<String, Token>,
    requests: Vec<RequestRecord>,
    rules: Vec<ArmedRule>,
    /// Requests that have arrived per route (counted before any fault or answer).
    arrived: HashMap<String, usize>,
}

impl Sim {
    pub fn new(mut fixture: Fixture) -> Sim {
        for custom in &mut fixture.custom {
            custom.records.sort_by(record_order);
        }
        for gate in &mut fixture.gate_count {
            for readings in gate.readings.values_mut() {
                readings.sort_by(|a, b| a.period().cmp(b.period()));
            }
        }
        let rules = fixture.faults.iter().cloned().map(ArmedRule::new).collect();
        Sim {
            state: Mutex::new(State {
                fixture,
                tokens: HashMap::new(),
                requests: Vec::new(),
                rules,
                arrived: HashMap::new(),
            }),
            arrival: Condvar::new(),
            release: tokio::sync::watch::Sender::new(0),
        }
    }

    /// Counts a request's arrival and wakes whoever waits for it.
    fn arrive(&self, route: &str) {
        *self.lock().arrived.entry(route.to_string()).or_insert(0) += 1;
        self.arrival.notify_all();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked while holding the lock leaves plain data behind; use it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Requests that arrived at `route`; `*` counts every route but the token endpoint.
    fn arrivals(&self, route: &str) -> usize {
        match route {
            "*" => self.arrived.iter().filter(|(r, _)| r.as_str() != "token").map(|(_, n)| n).sum(),
            _ => self.arrived.get(route).copied().unwrap_or(0),
        }
    }
}

/// The order the data grid sorts by: `_start_date`, then `_id`.
fn record_order(a: &Map<String, Value>, b: &Map<String, Value>) -> std::cmp::Ordering {
    let key = |r: &Map<String, Value>| {
        (
            r.get("_start_date").and_then(Value::as_str).unwrap_or("").to_string(),
            r.get("_id").and_then(Value::as_i64).unwrap_or(0),
        )
    };
    key(a).cmp(&key(b))
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot listen on 127.0.0.1:{port}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot start the simulator's runtime")]
    Runtime(#[source] std::io::Error),
    #[error("the simulator stopped before it was ready")]
    Stopped,
}

/// A simulator running on its own thread. Dropping the handle stops it.
pub struct SimHandle {
    addr: SocketAddr,
    sim: Arc<Sim>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SimHandle {
    /// Starts a simulator on `127.0.0.1:port` (0 picks a free port) and returns once it
    /// accepts connections.
    pub fn start(fixture: Fixture, port: u16) -> Result<SimHandle, SimError> {
        let sim = Arc::new(Sim::new(fixture));
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("almanac-sim")
            .enable_all()
            .build()
            .map_err(SimError::Runtime)?;
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
            .map_err(|source| SimError::Bind { port, source })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind { port, source })?;
        let (shutdown, stop) = oneshot::channel::<()>();
        let app = routes::router(Arc::clone(&sim));
        let thread = std::thread::Builder::new()
            .name("almanac-sim".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let served = axum::serve(listener, app).with_graceful_shutdown(async {
                        let _ = stop.await;
                    });
                    if let Err(err) = served.await {
                        tracing::error!(error = %err, "the simulator stopped");
                    }
                });
            })
            .map_err(SimError::Runtime)?;
        Ok(SimHandle { addr, sim, shutdown: Some(shutdown), thread: Some(thread) })
    }

    /// The API root, such as `http://127.0.0.1:40123/v1.0`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1.0", self.addr)
    }

    /// Blocks until the server stops (for `almanac sim`, which runs until killed).
    pub fn wait(mut self) {
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.sim.lock().requests.clone()
    }

    /// How many requests arrived at `route` so far (including ones still being answered, or
    /// given up on by the client), since the start or the last [`SimHandle::clear_requests`].
    pub fn count(&self, route: &str) -> usize {
        self.sim.lock().arrivals(route)
    }

    /// Blocks until `n` requests have arrived at `route` (`*`: any data route) since the start or the last
    /// [`SimHandle::clear_requests`] (or `timeout` passes); says whether they did. Arrival is counted before faults apply, so a
    /// held or delayed request counts as soon as it comes in.
    pub fn wait_for_arrivals(&self, route: &str, n: usize, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.sim.lock();
        loop {
            if state.arrivals(route) >= n {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = match self.sim.arrival.wait_timeout(state, left) {
                Ok((guard, _)) => guard,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Lets every request parked by a `hold` fault go on.
    pub fn release_holds(&self) {
        self.sim.release.send_modify(|generation| *generation += 1);
    }

    /// Forgets the request log and the arrival counts (to count the requests of one run).
    pub fn clear_requests(&self) {
        let mut state = self.sim.lock();
        state.requests.clear();
        state.arrived.clear();
    }

    /// Every access token issued so far (for tests that check tokens never leak).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.sim.lock().tokens.keys().cloned().collect()
    }

    pub fn add_fault(&self, rule: FaultRule) {
        self.sim.lock().rules.push(ArmedRule::new(rule));
    }

    pub fn clear_faults(&self) {
        self.sim.lock().rules.clear();
    }

    /// Changes (or adds) a gate-count reading, as someone correcting LibInsight would.
    pub fn set_reading(&self, dataset: u32, library: i64, reading: Reading) {
        let mut state = self.sim.lock();
        if let Some(gate) = state.fixture.gate_count.iter_mut().find(|g| g.id == dataset) {
            set_reading(gate, library, reading);
        }
    }

    /// Adds a day's count of one mode to a Reference dataset.
    pub fn add_reference_count(&self, dataset: u32, day: &str, mode: &str, count: i64) {
        let mut state = self.sim.lock();
        if let Some(reference) = state.fixture.reference.iter_mut().find(|r| r.id == dataset) {
            reference.counts.push((day.to_string(), mode.to_string(), count));
        }
    }

    /// Adds a record to a custom dataset.
    pub fn add_record(&self, dataset: u32, record: Map<String, Value>) {
        let mut state = self.sim.lock();
        if let Some(custom) = state.fixture.custom.iter_mut().find(|c| c.id == dataset) {
            let at = custom.records.partition_point(|r| record_order(r, &record) == std::cmp::Ordering::Less);
            custom.records.insert(at, record);
        }
    }

    /// Replaces a custom dataset's records.
    pub fn set_records(&self, dataset: u32, mut records: Vec<Map<String, Value>>) {
        records.sort_by(record_order);
        let mut state = self.sim.lock();
        if let Some(custom) = state.fixture.custom.iter_mut().find(|c| c.id == dataset) {
            custom.records = records;
        }
    }

    /// Changes the switches (latency, paging, rounding) while running.
    pub fn update_switches(&self, change: impl FnOnce(&mut fixture::Switches)) {
        change(&mut self.sim.lock().fixture.switches);
    }
}

fn set_reading(gate: &mut GateCountFixture, library: i64, reading: Reading) {
    let readings = gate.readings.entry(library.to_string()).or_default();
    match readings.iter_mut().find(|r| r.period() == reading.period()) {
        Some(existing) => *existing = reading,
        None => {
            let at = readings.partition_point(|r| r.period() < reading.period());
            readings.insert(at, reading);
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
