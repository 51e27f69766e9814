//! Crash safety: an import killed with SIGKILL at many points (while fetching and while the
//! writer stages and commits) leaves a store that the next run completes to exactly what an
//! uninterrupted import gives, with no run left "running" and an intact database file.

use std::time::Duration;

use almanac::sim::generated::{self, Scale};
use almanac::store::Store;
use chrono::Local;

use crate::support::TestEnv;

#[test]
fn an_import_killed_at_many_points_is_completed_by_the_next_run() {
    let today = Local::now().date_naive();
    let scale = Scale {
        gate_datasets: 8,
        libraries_per_dataset: 3,
        custom_datasets: 2,
        records: 6000,
        from: generated::years_back(today, 2),
        through: generated::yesterday(today),
    };
    let env = TestEnv::start(generated::consortium(scale));
    let profile = env
        .profile("concurrency = 2", &generated::dataset_config(scale))
        .replace("backfill_from = \"2024-06-01\"", &format!("backfill_from = \"{}\"", scale.from));
    env.write_config_file("clean.toml", "clean.db", &profile);
    env.run_config("clean.toml", &["import", "run", "--now"]).success();
    let clean = env.dump_of("clean.db");
    let total = env.sim.count("*");
    assert!(total > 60, "a large import: {total} requests");

    // Kill points spread over the whole import, from its first request to its last.
    let kill_points: Vec<usize> = (0..18).map(|i| 1 + i * (total - 1) / 17).collect();
    let datasets = (scale.gate_datasets + scale.custom_datasets) as usize;
    // How many datasets each kill found committed: 0 is a kill while fetching before the
    // first commit; between 1 and all but one, a kill among the writer's commits.
    let mut committed_at_kill = Vec::new();
    for (index, kill_at) in kill_points.iter().enumerate() {
        let database = format!("killed-{index}.db");
        let config = format!("killed-{index}.toml");
        env.write_config_file(&config, &database, &profile);
        env.sim.clear_requests();
        let mut child = env
            .command(&config, &["import", "run", "--now"], &[(crate::support::SECRET_VAR, &env.secret)])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the importer starts");
        assert!(env.sim.wait_for_arrivals("*", *kill_at, Duration::from_secs(60)), "request {kill_at} never came");
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let path = env.path(&database);
        if path.exists() {
            let store = Store::open_existing(&path).expect("the killed store opens");
            assert_eq!(store.integrity_check().expect("a check"), "ok", "kill point {kill_at}");
            let dump = store.canonical_dump().expect("a dump");
            committed_at_kill.push(dump.lines().filter(|l| l.starts_with("bookmark|")).count());
        }

        let rerun = env.run_config(&config, &["import", "run", "--now"]);
        rerun.success();
        assert_eq!(env.dump_of(&database), clean, "kill point {kill_at}: the store equals an uninterrupted import's");
        let store = Store::open_existing(&path).expect("the store opens");
        assert_eq!(store.integrity_check().expect("a check"), "ok");
        let runs = store.runs(10).expect("history");
        assert!(runs.iter().all(|r| r.status != "Running"), "kill point {kill_at}: {runs:?}");
        assert_eq!(runs[0].status, "Completed Successfully");
        if runs.len() > 1 {
            assert_eq!(runs[1].status, "Failed: interrupted", "kill point {kill_at}");
        }
    }
    eprintln!(
        "{} kill points over {total} requests; datasets committed at each kill (of {datasets}): {committed_at_kill:?}",
        kill_points.len()
    );
    // Some kills landed among the writer's commits, not only before the first one.
    let among_commits = committed_at_kill.iter().filter(|n| **n > 0 && **n < datasets).count();
    assert!(among_commits >= 3, "only {among_commits} kills landed among commits: {committed_at_kill:?}");
}
