//! The integration tests: one binary, driving the real `almanac` against the simulator on
//! loopback with a real SQLite file in a temporary folder.

mod bad_input;
mod cli;
mod concurrency;
mod crash;
mod dashboard;
mod dry_run;
mod faults;
mod gate_counts;
mod nightly;
mod secrets;
mod services;
mod support;
mod warnings;

/// Every `.rs` file here must be declared above, or its tests would silently never run.
#[test]
fn every_test_file_is_a_module() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it");
    let main = std::fs::read_to_string(dir.join("main.rs")).expect("read main.rs");
    for entry in std::fs::read_dir(&dir).expect("read tests/it") {
        let path = entry.expect("an entry").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "main" {
            assert!(main.contains(&format!("mod {stem};")), "tests/it/{stem}.rs is not declared in main.rs");
        }
    }
}
