//! The test environment: a temporary folder, a simulator on loopback, a config pointing at it,
//! and the real `almanac` binary run as a child process.

use std::path::{Path, PathBuf};
use std::process::Command;

use almanac::sim::{Fixture, SimHandle};
use almanac::store::Store;
use serde_json::Value;

/// The datasets of `fixtures/reliability.json`, as a profile's `[[profile.dataset]]` tables.
pub const RELIABILITY_DATASETS: &str = r#"
  [[profile.dataset]]
  id = 43702
  kind = "gate-count"
  granularity = "day"

  [[profile.dataset]]
  id = 21034
  kind = "reference"

  [[profile.dataset]]
  id = 28364
  kind = "custom"
  mode_field = "Mode"
  mode_map = { "Chat" = "chat", "Walk-in" = "in_person", "Phone" = "phone" }
  count_field = "Number of questions"
"#;

/// The environment variable the test configs read the client secret from.
pub const SECRET_VAR: &str = "ALMANAC_TEST_SECRET";

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub sim: SimHandle,
    /// The client secret the simulator accepts (from the fixture's first client).
    pub secret: String,
    pub client_id: String,
}

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "exit code\n--- stdout\n{}\n--- stderr\n{}", self.stdout, self.stderr);
        self
    }

    #[track_caller]
    pub fn success(&self) -> &Run {
        self.assert_code(0)
    }

    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|err| panic!("stdout is not JSON ({err}):\n{}", self.stdout))
    }

    #[track_caller]
    pub fn stderr_contains(&self, text: &str) -> &Run {
        assert!(self.stderr.contains(text), "stderr lacks {text:?}:\n{}", self.stderr);
        self
    }
}

pub fn fixture(name: &str) -> Fixture {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    Fixture::load(&path).unwrap_or_else(|err| panic!("fixture {name}: {err}"))
}

impl TestEnv {
    pub fn with_fixture(name: &str) -> TestEnv {
        TestEnv::start(fixture(name))
    }

    pub fn start(fixture: Fixture) -> TestEnv {
        let client = fixture.clients.first().expect("the fixture has a client").clone();
        let sim = SimHandle::start(fixture, 0).expect("the simulator starts");
        TestEnv {
            dir: tempfile::tempdir().expect("a temporary folder"),
            sim,
            secret: client.client_secret,
            client_id: client.client_id,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn config_path(&self) -> PathBuf {
        self.path("almanac.toml")
    }

    pub fn db(&self) -> PathBuf {
        self.path("almanac.db")
    }

    /// A profile named `main` pointing at the simulator, with `datasets` (TOML) and `extra`
    /// profile keys.
    pub fn profile(&self, extra: &str, datasets: &str) -> String {
        format!(
            r#"
[[profile]]
name = "main"
base_url = "{base_url}"
client_id = "{client_id}"
client_secret_env = "{SECRET_VAR}"
backfill_from = "2024-06-01"
backoff_base = "1ms"
backoff_cap = "20ms"
{extra}
{datasets}
"#,
            base_url = self.sim.base_url(),
            client_id = self.client_id,
        )
    }

    /// The standard config: one daily gate-count dataset, 43702.
    pub fn write_gate_config(&self) {
        self.write_config(
            &self
                .profile("", "  [[profile.dataset]]\n  id = 43702\n  kind = \"gate-count\"\n  granularity = \"day\"\n"),
        );
    }

    pub fn write_config(&self, text: &str) {
        self.write_config_file("almanac.toml", "almanac.db", text);
    }

    /// Writes a config file named `name` whose database is `database`.
    pub fn write_config_file(&self, name: &str, database: &str, text: &str) {
        std::fs::write(self.path(name), format!("database = \"{database}\"\n{text}")).expect("write the config");
    }

    /// Runs `almanac --config <config> <args>` with the test secret in the environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[(SECRET_VAR, &self.secret)])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let output = self.command("almanac.toml", args, env).output().expect("the binary runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs with another config file of the test folder.
    pub fn run_config(&self, config: &str, args: &[&str]) -> Run {
        let output = self.command(config, args, &[(SECRET_VAR, &self.secret)]).output().expect("the binary runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The command for `almanac --config <config> <args>`, not yet started.
    pub fn command(&self, config: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_almanac"));
        command
            .current_dir(self.dir.path())
            .env_remove("ALMANAC_CONFIG")
            .env_remove(SECRET_VAR)
            .arg("--config")
            .arg(self.path(config))
            .args(args);
        for (key, value) in env {
            command.env(key, value);
        }
        command
    }

    /// The store, read-only.
    pub fn store(&self) -> Store {
        Store::open_read_only(&self.db()).expect("the store opens")
    }

    /// Every data row of the store, as text (run bookkeeping left out).
    pub fn dump(&self) -> String {
        self.store().canonical_dump().expect("the dump")
    }

    /// The dump of another database of the test folder.
    pub fn dump_of(&self, database: &str) -> String {
        Store::open_read_only(&self.path(database)).expect("the store opens").canonical_dump().expect("the dump")
    }
}

/// The dump's rows of one dataset (`main/<id>`).
pub fn rows_of(dump: &str, dataset: u32) -> Vec<String> {
    let marker = format!("|main|{dataset}|");
    dump.lines().filter(|l| l.contains(&marker)).map(String::from).collect()
}

/// Today, as the binary sees it, as `YYYY-MM-DD`.
pub fn today() -> String {
    chrono::Local::now().date_naive().format("%Y-%m-%d").to_string()
}
