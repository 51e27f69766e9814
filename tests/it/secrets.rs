//! The client secret and the access tokens appear in no output at any verbosity, in no
//! error and in no byte of the database; an inline secret in a file others can read is
//! warned about.

use crate::support::{SECRET_VAR, TestEnv};

const GATE: &str = "  [[profile.dataset]]\n  id = 43702\n  kind = \"gate-count\"\n  granularity = \"day\"\n";

#[track_caller]
fn assert_clean(env: &TestEnv, text: &str, what: &str) {
    assert!(!text.contains(&env.secret), "the secret is in {what}:\n{text}");
    for token in env.sim.issued_tokens() {
        assert!(!text.contains(token.as_str()), "a token is in {what}:\n{text}");
    }
}

#[test]
fn no_output_error_or_database_byte_holds_the_secret_or_a_token() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_config(&env.profile("", GATE));
    let mut outputs = Vec::new();
    for flags in [&[][..], &["-q"], &["-v"], &["-vv"], &["-vvv"], &["-vvv", "--log-format", "json"]] {
        let mut args: Vec<&str> = flags.to_vec();
        args.extend(["import", "run", "--now"]);
        let run = env.run(&args);
        run.success();
        outputs.push(run);
    }
    // An expired token mid-run, and an error the user sees.
    env.sim.update_switches(|s| s.token_max_calls = Some(1));
    outputs.push(env.run(&["-vvv", "import", "run", "--now"]));
    outputs.push(env.run_with(&["-vvv", "import", "run", "--now"], &[(SECRET_VAR, "a-wrong-secret-9")]));
    outputs.push(env.run(&["-vvv", "config", "check", "--online"]));
    outputs.push(env.run(&["import", "history", "--format", "json"]));
    outputs.push(env.run(&["import", "history", "--run", "1"]));
    assert!(env.sim.issued_tokens().len() >= 7);
    for run in &outputs {
        assert_clean(&env, &run.stdout, "stdout");
        assert_clean(&env, &run.stderr, "stderr");
        assert!(!run.stderr.contains("a-wrong-secret-9"), "{}", run.stderr);
    }
    for file in ["almanac.db", "almanac.db-wal"] {
        if let Ok(bytes) = std::fs::read(env.path(file)) {
            let text = String::from_utf8_lossy(&bytes);
            assert_clean(&env, &text, file);
        }
    }
}

#[cfg(unix)]
#[test]
fn an_inline_secret_in_a_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::with_fixture("gate-counts.json");
    let inline = env
        .profile("", GATE)
        .replace(&format!("client_secret_env = \"{SECRET_VAR}\""), &format!("client_secret = \"{}\"", env.secret));
    env.write_config(&inline);
    let config = env.config_path();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let run = env.run(&["import", "run", "--now"]);
    run.success().stderr_contains(&format!(
        "{} holds a client secret and can be read by other users; run `chmod 600",
        config.display()
    ));
    assert_clean(&env, &run.stderr, "the warning");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let quiet = env.run(&["import", "run", "--now"]);
    assert_eq!(quiet.stderr, "");
}

#[test]
fn json_logs_are_one_object_a_line() {
    let env = TestEnv::with_fixture("gate-counts.json");
    env.write_config(&env.profile("", GATE));
    let run = env.run(&["-vv", "--log-format", "json", "import", "run", "--now"]);
    run.success();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines.len() >= 3, "{}", run.stderr);
    for line in lines {
        let object: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(object["level"].is_string() && object["message"].is_string(), "{line}");
    }
}
