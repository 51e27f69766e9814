//! `config check [--online]`: the resolved config, secrets masked; with `--online`, a token
//! fetched for each active profile.

use std::io::Write;

use super::{Outcome, shown, write};
use crate::config::{ClientAuth, Config, DatasetKind};
use crate::error::Error;
use crate::libinsight::Client;

pub fn run(config: &Config, online: bool, out: &mut dyn Write) -> Result<Outcome, Error> {
    write(out, &describe(config))?;
    if !online {
        return Ok(Outcome::Success);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| Error::Usage(format!("cannot start a runtime: {err}")))?;
    let mut failed = Vec::new();
    for profile in config.profiles.iter().filter(|p| p.active) {
        let result = Client::new(profile, 1).map(|client| runtime.block_on(async { client.sign_in().await }));
        let line = match result {
            Ok(Ok(())) => format!("profile `{}`: signed in to {}\n", profile.name, profile.base_url),
            Ok(Err(err)) | Err(err) => {
                let reason = crate::error::chain(&err);
                failed.push(format!("profile `{}`: {reason}", profile.name));
                format!("profile `{}`: cannot sign in: {reason}\n", profile.name)
            }
        };
        write(out, &line)?;
    }
    match failed.len() {
        0 => Ok(Outcome::Success),
        _ => Ok(Outcome::PartlyFailed(format!("cannot sign in: {}", failed.join("; ")))),
    }
}

fn describe(config: &Config) -> String {
    let mut out = String::new();
    let fiscal = config.fiscal;
    out.push_str(&format!("config: {}\n", shown(&config.path)));
    out.push_str(&format!("database: {}\n", shown(&config.database)));
    out.push_str(&format!("fiscal year: starts in month {} (fiscal year N ends in year N)\n", fiscal.start_month()));
    out.push_str(&format!("schedule: every {}s\n", config.schedule_every.as_secs()));
    if config.profiles.is_empty() {
        out.push_str("profiles: none\n");
    }
    for profile in &config.profiles {
        let http = &profile.http;
        out.push_str(&format!(
            "\nprofile `{}` ({})\n",
            profile.name,
            if profile.active { "active" } else { "inactive" }
        ));
        out.push_str(&format!("  base_url: {}\n", profile.base_url));
        out.push_str(&format!("  client_id: {}\n", profile.client_id));
        out.push_str(&format!("  client_secret: ******** ({})\n", profile.secret_source));
        out.push_str(&format!(
            "  auth: {}\n",
            match profile.auth {
                ClientAuth::Form => "form body",
                ClientAuth::Basic => "HTTP Basic",
            }
        ));
        out.push_str(&format!(
            "  backfill_from: {}\n",
            profile.backfill_from.map_or("the start of the previous fiscal year".to_string(), |d| d.to_string())
        ));
        out.push_str(&format!(
            "  http: connect timeout {:?}, request timeout {:?}, {} attempts, back-off {:?} to {:?}, Retry-After up to {:?}, {} requests at once\n",
            http.connect_timeout, http.request_timeout, http.max_attempts, http.backoff_base, http.backoff_cap, http.retry_after_cap, http.concurrency
        ));
        if profile.datasets.is_empty() {
            out.push_str("  datasets: none\n");
        }
        for dataset in &profile.datasets {
            let detail = match &dataset.kind {
                DatasetKind::GateCount { granularity } | DatasetKind::Reference { granularity } => {
                    format!("by {}", granularity.as_str())
                }
                DatasetKind::Custom(mapping) => {
                    let mut parts = vec![
                        format!("mode field `{}`", mapping.mode_field),
                        format!(
                            "modes {}",
                            mapping
                                .mode_map
                                .iter()
                                .map(|(option, mode)| format!("{option} → {mode}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ];
                    if let Some(field) = &mapping.count_field {
                        parts.push(format!("count field `{field}`"));
                    }
                    for (field, values) in &mapping.exclude {
                        parts.push(format!("excluding `{field}` = {}", values.join(" | ")));
                    }
                    parts.push(format!("counts as {}", mapping.counts_as.as_str()));
                    parts.join("; ")
                }
            };
            out.push_str(&format!("  dataset {}: {}, {detail}\n", dataset.id, dataset.kind_name()));
        }
    }
    out
}
