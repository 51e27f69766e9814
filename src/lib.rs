//! almanac: imports Springshare LibInsight gate counts and reference data into an embedded
//! SQLite store, and reports the figures a library submits every year (gate counts by
//! month, library services to individuals by mode, the ACRL and IPEDS lines).
//!
//! The modules follow the data's path: [`config`] → [`import`] ([`libinsight`] →
//! [`normalize`] → [`store`]) and [`report`] ([`store`] → figures → text). `ARCHITECTURE.md`
//! states the boundaries between them. The library has no semantic-version promises; it
//! exists so the binary, the tests and the benchmark share one implementation.

pub mod cli;
pub mod commands;
pub mod config;
pub mod error;
pub mod fiscal;
pub mod import;
pub mod libinsight;
pub mod logging;
pub mod model;
pub mod normalize;
pub mod report;
pub mod sim;
pub mod store;

pub use commands::{Outcome, run};
pub use error::Error;
