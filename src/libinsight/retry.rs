//! How long to wait before the next attempt: exponential back-off with full jitter, and
//! `Retry-After` as a floor. Pure arithmetic apart from the random draw.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::HttpSettings;

/// The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
///
/// Without `Retry-After`: a random wait up to `base × 2^(attempt−1)`, capped (full jitter, so
/// many clients that failed together do not come back together). With it: the server's wait,
/// capped by `retry_after_cap`, plus a little jitter on top: the server's number is a floor,
/// never replaced by a shorter random one.
pub fn delay(settings: &HttpSettings, attempt: u32, retry_after: Option<Duration>) -> Duration {
    let jitter_bound = settings.backoff_base.min(settings.backoff_cap);
    match retry_after {
        Some(wait) => wait.min(settings.retry_after_cap) + random_up_to(jitter_bound),
        None => {
            let exponent = attempt.saturating_sub(1).min(30);
            let ceiling = settings.backoff_base.saturating_mul(1u32 << exponent).min(settings.backoff_cap);
            random_up_to(ceiling)
        }
    }
}

fn random_up_to(bound: Duration) -> Duration {
    let bound_micros = u64::try_from(bound.as_micros()).unwrap_or(u64::MAX);
    Duration::from_micros(fastrand::u64(0..=bound_micros))
}

/// Reads a `Retry-After` value: whole seconds, or an HTTP date (then the time until it).
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> HttpSettings {
        HttpSettings {
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            retry_after_cap: Duration::from_secs(120),
            ..HttpSettings::DEFAULT
        }
    }

    #[test]
    fn backoff_grows_exponentially_and_stays_under_the_cap() {
        let settings = settings();
        for _ in 0..200 {
            assert!(delay(&settings, 1, None) <= Duration::from_millis(500));
            assert!(delay(&settings, 3, None) <= Duration::from_millis(2000));
            assert!(delay(&settings, 12, None) <= Duration::from_secs(30));
        }
        let longest_third = (0..200).map(|_| delay(&settings, 3, None)).max().unwrap_or_default();
        assert!(longest_third > Duration::from_millis(500), "jitter should reach past the first step");
    }

    #[test]
    fn retry_after_is_a_floor_and_is_capped() {
        let settings = settings();
        for _ in 0..100 {
            let wait = delay(&settings, 1, Some(Duration::from_secs(7)));
            assert!(wait >= Duration::from_secs(7) && wait <= Duration::from_millis(7500));
            let capped = delay(&settings, 1, Some(Duration::from_secs(3600)));
            assert!(capped >= Duration::from_secs(120) && capped <= Duration::from_millis(120_500));
        }
    }

    #[test]
    fn retry_after_in_seconds_or_as_an_http_date() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:27:30Z").expect("valid").with_timezone(&Utc);
        assert_eq!(parse_retry_after("5", now), Some(Duration::from_secs(5)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
