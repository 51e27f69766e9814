use std::path::Path;
use std::time::Duration;

use secrecy::ExposeSecret;

use super::*;

fn env_with(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml(text, Path::new("/etc/almanac/almanac.toml"), &env_with(&[("SECRET", "s3cr3t-value")]))
}

#[track_caller]
fn check_error(text: &str, expected: &str) {
    match parse(text) {
        Ok(_) => panic!("expected an error containing {expected:?}"),
        Err(err) => {
            let shown = err.to_string();
            assert!(shown.contains(expected), "{shown:?} does not contain {expected:?}");
        }
    }
}

const MINIMAL: &str = r#"
[[profile]]
name = "main"
client_host = "yourlib.libinsight.com"
client_id = "123"
client_secret_env = "SECRET"

  [[profile.dataset]]
  id = 43702
  kind = "gate-count"
"#;

#[test]
fn the_example_config_is_valid_and_shows_every_key() {
    let text = include_str!("../../config.example.toml");
    let config = Config::from_toml(text, Path::new("config.example.toml"), &env_with(&[("ALMANAC_MAIN_SECRET", "x")]))
        .expect("the example config must stay valid");
    assert_eq!(config.profiles.len(), 1);
    let profile = &config.profiles[0];
    assert_eq!(profile.base_url, "https://yourlib.libinsight.com/v1.0");
    assert_eq!(profile.datasets.len(), 3);
    assert!(matches!(&profile.datasets[2].kind, DatasetKind::Custom(m) if m.exclude.contains_key("Question Type")));
    assert!((config.checks.low_ratio - 0.3333).abs() < 1e-9, "the [checks] section is read");
}

#[test]
fn a_minimal_config_gets_the_documented_defaults() {
    let config = parse(MINIMAL).expect("valid");
    assert_eq!(config.database, Path::new("/etc/almanac/almanac.db"));
    assert_eq!(config.fiscal, FiscalCalendar::JULY);
    assert_eq!(config.schedule_every, Duration::from_secs(24 * 3600));
    let profile = &config.profiles[0];
    assert!(profile.active);
    assert_eq!(profile.auth, ClientAuth::Form);
    assert_eq!(profile.http, HttpSettings::DEFAULT);
    assert_eq!(profile.client_secret.expose_secret(), "s3cr3t-value");
    assert_eq!(profile.secret_source, SecretSource::Env("SECRET".to_string()));
    assert_eq!(profile.datasets[0].kind, DatasetKind::GateCount { granularity: Granularity::Month });
}

#[test]
fn the_secret_never_shows_in_debug_output() {
    let config = parse(MINIMAL).expect("valid");
    let debug = format!("{config:?}");
    assert!(!debug.contains("s3cr3t-value"), "{debug}");
}

#[test]
fn an_unknown_key_is_named_with_its_line() {
    let text = MINIMAL.replace("client_id = \"123\"", "client_id = \"123\"\nclientsecret = \"oops\"");
    check_error(&text, "/etc/almanac/almanac.toml:6: unknown field `clientsecret`");
}

#[test]
fn month_13_is_named_with_its_line() {
    check_error(
        &format!("fiscal_year_start_month = 13\n{MINIMAL}"),
        "almanac.toml:1: `fiscal_year_start_month` must be a month from 1 to 12, not 13",
    );
}

#[test]
fn an_unparsable_schedule_is_named() {
    check_error(
        &format!("[schedule]\nevery = \"daily\"\n{MINIMAL}"),
        "almanac.toml:2: [schedule] `every` `daily` is not a duration",
    );
}

#[test]
fn a_missing_secret_variable_is_named() {
    let text = MINIMAL.replace("SECRET", "NOT_SET_ANYWHERE");
    check_error(
        &text,
        "almanac.toml:6: profile `main`: `client_secret_env`: environment variable `NOT_SET_ANYWHERE` is not set",
    );
}

#[test]
fn an_unreadable_secret_file_is_named_with_the_file() {
    let text = MINIMAL.replace("client_secret_env = \"SECRET\"", "client_secret_file = \"/nonexistent/secret\"");
    let err = parse(&text).expect_err("the file does not exist");
    assert!(matches!(err, ConfigError::SecretFile { line: Some(6), .. }), "{err:?}");
    assert!(err.to_string().contains("cannot read /nonexistent/secret"), "{err}");
}

#[test]
fn a_secret_file_is_read_without_its_trailing_newline() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("secret"), "from-a-file\n").expect("write");
    let text = MINIMAL.replace("client_secret_env = \"SECRET\"", "client_secret_file = \"secret\"");
    let config = Config::from_toml(&text, &dir.path().join("almanac.toml"), &|_| None).expect("valid");
    assert_eq!(config.profiles[0].client_secret.expose_secret(), "from-a-file");
}

#[test]
fn two_profiles_with_one_name_are_refused_at_the_second() {
    let text = format!("{MINIMAL}\n{}", MINIMAL.trim_start());
    check_error(&text, "almanac.toml:13: two profiles are named `main`");
}

#[test]
fn a_dataset_listed_twice_in_a_profile_is_refused() {
    let text = format!("{MINIMAL}\n  [[profile.dataset]]\n  id = 43702\n  kind = \"reference\"\n");
    check_error(&text, "almanac.toml:13: profile `main`: dataset 43702 is listed twice");
}

#[test]
fn host_and_base_url_together_are_refused() {
    let text = MINIMAL.replace(
        "client_host = \"yourlib.libinsight.com\"",
        "client_host = \"yourlib.libinsight.com\"\nbase_url = \"http://127.0.0.1:1/v1.0\"",
    );
    check_error(&text, "give `client_host` or `base_url`, not both");
}

#[test]
fn a_bad_kind_and_a_custom_key_on_a_gate_count_dataset_are_named() {
    check_error(
        &MINIMAL.replace("\"gate-count\"", "\"gatecount\""),
        "almanac.toml:10: profile `main`: dataset 43702: `kind` must be",
    );
    check_error(
        &MINIMAL.replace("kind = \"gate-count\"", "kind = \"gate-count\"\n  mode_field = \"Mode\""),
        "`mode_field` is only for datasets of kind \"custom\"",
    );
}

#[test]
fn a_custom_dataset_needs_a_mode_field_and_map() {
    check_error(&MINIMAL.replace("\"gate-count\"", "\"custom\""), "dataset 43702: custom datasets need `mode_field`");
    let text = MINIMAL.replace(
        "kind = \"gate-count\"",
        "kind = \"custom\"\n  mode_field = \"  Mode \"\n  mode_map = { \"Walk  in\" = \"in_person\" }\n  counts_as = \"consultations\"",
    );
    let config = parse(&text).expect("valid");
    let DatasetKind::Custom(mapping) = &config.profiles[0].datasets[0].kind else {
        panic!("a custom dataset");
    };
    assert_eq!(mapping.mode_field, "Mode");
    assert_eq!(mapping.mode_map.get("Walk in").map(String::as_str), Some("in_person"));
    assert_eq!(mapping.counts_as, CountsAs::Consultations);
}

#[test]
fn http_settings_are_read_per_profile() {
    let text = MINIMAL.replace(
        "client_id = \"123\"",
        "client_id = 123\nconcurrency = 8\nmax_attempts = 3\nbackoff_base = \"5ms\"\nrequest_timeout = \"2s\"\nauth = \"basic\"",
    );
    let profile = &parse(&text).expect("valid").profiles[0];
    assert_eq!(profile.client_id, "123");
    assert_eq!(profile.auth, ClientAuth::Basic);
    assert_eq!(profile.http.concurrency, 8);
    assert_eq!(profile.http.max_attempts, 3);
    assert_eq!(profile.http.backoff_base, Duration::from_millis(5));
    assert_eq!(profile.http.request_timeout, Duration::from_secs(2));
}

#[test]
fn invalid_toml_is_reported_with_its_line() {
    check_error("database = \n", "almanac.toml:1:");
}

#[test]
fn durations_in_every_unit() {
    assert_eq!(parse_duration("24h"), Ok(Duration::from_secs(86_400)));
    assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172_800)));
    assert_eq!(parse_duration("1w"), Ok(Duration::from_secs(604_800)));
    assert!(parse_duration("").is_err());
    assert!(parse_duration("h").is_err());
    assert!(parse_duration("10 parsecs").is_err());
}

#[test]
fn the_config_file_is_found_by_flag_then_variable_then_default() {
    let env = env_with(&[("ALMANAC_CONFIG", "/from/env.toml")]);
    assert_eq!(
        locate(Some(Path::new("/from/flag.toml")), &env),
        (PathBuf::from("/from/flag.toml"), ConfigSource::Flag)
    );
    assert_eq!(locate(None, &env), (PathBuf::from("/from/env.toml"), ConfigSource::EnvVar));
    assert_eq!(locate(None, &|_| None), (PathBuf::from("almanac.toml"), ConfigSource::Default));
}

#[cfg(unix)]
#[test]
fn an_inline_secret_in_a_file_others_can_read_gets_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("almanac.toml");
    let text = MINIMAL.replace("client_secret_env = \"SECRET\"", "client_secret = \"inline\"");
    std::fs::write(&path, text).expect("write");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let config = Config::load(&path, ConfigSource::Flag, &|_| None).expect("valid");
    assert_eq!(config.warnings.len(), 1);
    assert!(config.warnings[0].contains("chmod 600"), "{:?}", config.warnings);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let config = Config::load(&path, ConfigSource::Flag, &|_| None).expect("valid");
    assert!(config.warnings.is_empty());
}
