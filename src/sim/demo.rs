//! The bundled demo institution, generated in code relative to today so that the demo always
//! has more than two complete fiscal years behind it.
//!
//! Three gate locations with different count methods (a bidirectional counter that rolls
//! over, a unidirectional one with a small rollover, a manual count), daily readings with a
//! weekly rhythm and an academic calendar (busy semesters, quiet summers, closed over the
//! winter holidays). The numbers come from a fixed-seed generator, so a day's figures are the
//! same on every run.

use chrono::{Datelike, Days, NaiveDate, Weekday};

use super::fixture::{ClientFixture, CountMethod, Fixture, GateCountFixture, LibraryFixture, Reading, RecordingMode};
use crate::fiscal::FiscalCalendar;

pub const CLIENT_ID: &str = "demo";
pub const CLIENT_SECRET: &str = "demo-client-secret";
pub const GATE_DATASET: u32 = 43702;

/// The first day of the demo data: the start of the fiscal year two years before today's.
pub fn first_day(today: NaiveDate) -> NaiveDate {
    let july = FiscalCalendar::JULY;
    july.fiscal_year(july.fiscal_year_of(today) - 2).from
}

/// The demo fixture, with data from [`first_day`] through yesterday.
pub fn fixture(today: NaiveDate) -> Fixture {
    let from = first_day(today);
    let through = today - Days::new(1);
    let mut random = Lcg(0x5eed_a1ac);
    let libraries = vec![
        LibraryFixture {
            id: 3,
            name: "Main Entrance".to_string(),
            method: CountMethod::Bidirectional,
            rollover: 1_000_000,
        },
        LibraryFixture {
            id: 4,
            name: "Science Library".to_string(),
            method: CountMethod::Unidirectional,
            rollover: 100_000,
        },
        LibraryFixture {
            id: 5,
            name: "Special Collections".to_string(),
            method: CountMethod::Manual,
            rollover: 1_000_000,
        },
    ];
    // (library id, typical visitors on a busy weekday, counter reading on the first day)
    let plan: [(i64, f64, i64); 3] = [(3, 2400.0, 612_000), (4, 650.0, 71_000), (5, 45.0, 0)];
    let mut readings = std::collections::BTreeMap::new();
    for (library_id, busy_day, first_reading) in plan {
        let method = libraries
            .iter()
            .find(|l| l.id == library_id)
            .map_or(CountMethod::Manual, |l| l.method);
        let rollover = libraries
            .iter()
            .find(|l| l.id == library_id)
            .map_or(1_000_000, |l| l.rollover);
        let mut counter = first_reading;
        let mut list = Vec::new();
        let mut day = from;
        while day <= through {
            let noise = 0.85 + 0.3 * random.next_unit();
            let visitors = (busy_day * activity(day) * noise).round() as i64;
            let period = day.format("%Y-%m-%d").to_string();
            match method {
                CountMethod::Manual => list.push(Reading::Count(period, visitors)),
                CountMethod::Unidirectional | CountMethod::Bidirectional => {
                    let crossings = if method == CountMethod::Bidirectional {
                        // Most people leave the way they came; a few stay past closing.
                        visitors * 2 - i64::from(random.next_unit() < 0.3)
                    } else {
                        visitors
                    };
                    let end = (counter + crossings.max(0)) % rollover;
                    list.push(Reading::Counter(period, counter, end));
                    counter = end;
                }
            }
            day = day + Days::new(1);
        }
        readings.insert(library_id.to_string(), list);
    }
    Fixture {
        institution: "Demo University".to_string(),
        clients: vec![ClientFixture {
            client_id: CLIENT_ID.to_string(),
            client_secret: CLIENT_SECRET.to_string(),
        }],
        switches: super::fixture::Switches {
            half_rounding: super::fixture::HalfRounding::KeepFraction,
            ..Default::default()
        },
        gate_count: vec![GateCountFixture {
            id: GATE_DATASET,
            name: "Library entrances".to_string(),
            mode: RecordingMode::Daily,
            libraries,
            readings,
            raw_overview: None,
        }],
        reference: Vec::new(),
        custom: Vec::new(),
        faults: Vec::new(),
    }
}

/// How busy a day is, from 0 (closed) to about 1: the academic calendar times the weekday.
fn activity(day: NaiveDate) -> f64 {
    let (month, date) = (day.month(), day.day());
    let closed = (month == 12 && date >= 24) || (month == 1 && date == 1) || (month == 7 && date == 4);
    if closed {
        return 0.0;
    }
    let season = match (month, date) {
        (1, 1..=14) | (12, 16..=23) => 0.35,
        (5, 11..=31) | (6 | 7, _) | (8, 1..=20) => 0.3,
        (3, 9..=15) => 0.45,
        (4, 20..=30) | (12, 1..=15) => 1.15,
        _ => 1.0,
    };
    let weekday = match day.weekday() {
        Weekday::Mon | Weekday::Tue | Weekday::Wed => 1.0,
        Weekday::Thu => 0.95,
        Weekday::Fri => 0.75,
        Weekday::Sat => 0.3,
        Weekday::Sun => 0.45,
    };
    season * weekday
}

/// A small fixed-seed generator: the demo must look the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next_unit(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
