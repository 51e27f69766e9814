//! The bundled demo institution, generated in code relative to today so that the demo always
//! has more than two complete fiscal years behind it.
//!
//! Three gate locations with different count methods (a bidirectional counter that rolls
//! over, a unidirectional one with a small rollover, a manual count), daily readings with a
//! weekly rhythm and an academic calendar (busy semesters, quiet summers, closed over the
//! winter holidays); a Reference dataset (chats, SMS, tickets, FAQ views per day); a custom
//! dataset of desk questions recorded one by one, with LibInsight's quirks (one-element
//! arrays, numbers as strings, directional questions to leave out); and a custom dataset of
//! research consultations. The numbers come from a fixed-seed generator, so a day's figures
//! are the same on every run.

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::{Map, Value, json};

use super::fixture::{
    ClientFixture, CountMethod, CustomFixture, Fixture, GateCountFixture, LibraryFixture, Reading, RecordingMode,
    ReferenceFixture,
};
use crate::fiscal::FiscalCalendar;

pub const CLIENT_ID: &str = "demo";
pub const CLIENT_SECRET: &str = "demo-client-secret";
pub const GATE_DATASET: u32 = 43702;
pub const REFERENCE_DATASET: u32 = 21034;
pub const DESK_DATASET: u32 = 28364;
pub const CONSULTATION_DATASET: u32 = 28400;

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
        let method = libraries.iter().find(|l| l.id == library_id).map_or(CountMethod::Manual, |l| l.method);
        let rollover = libraries.iter().find(|l| l.id == library_id).map_or(1_000_000, |l| l.rollover);
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
        clients: vec![ClientFixture { client_id: CLIENT_ID.to_string(), client_secret: CLIENT_SECRET.to_string() }],
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
        reference: vec![reference(from, through, &mut random)],
        custom: vec![desk_questions(from, through, &mut random), consultations(from, through, &mut random)],
        faults: Vec::new(),
    }
}

/// Every day from `from` through `through`.
fn days(from: NaiveDate, through: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |day| *day <= through)
}

/// A count around `typical × activity`.
fn draw(random: &mut Lcg, typical: f64, day: NaiveDate) -> i64 {
    (typical * activity(day) * (0.7 + 0.6 * random.next_unit())).round() as i64
}

/// LibAnswers-style counts per day: chats, SMS, tickets and FAQ page views.
fn reference(from: NaiveDate, through: NaiveDate, random: &mut Lcg) -> ReferenceFixture {
    let mut counts = Vec::new();
    for day in days(from, through) {
        let date = day.format("%Y-%m-%d").to_string();
        for (mode, typical) in [("chat", 14.0), ("sms", 2.0), ("ticket", 6.0), ("faq", 210.0)] {
            counts.push((date.clone(), mode.to_string(), draw(random, typical, day)));
        }
    }
    ReferenceFixture { id: REFERENCE_DATASET, name: "Ask a Librarian".to_string(), counts, raw_overview: None }
}

/// A record as the data grid sends it.
fn record(
    id: i64,
    day: NaiveDate,
    minute_of_day: i64,
    entered_by: &str,
    fields: &[(&str, Value)],
) -> Map<String, Value> {
    let mut record = Map::new();
    record.insert("_id".to_string(), json!(id));
    record.insert(
        "_start_date".to_string(),
        json!(format!("{} {:02}:{:02}:00", day.format("%Y-%m-%d"), minute_of_day / 60, minute_of_day % 60)),
    );
    record.insert("_entered_by".to_string(), json!(entered_by));
    for (label, value) in fields {
        record.insert((*label).to_string(), value.clone());
    }
    record
}

/// Desk questions recorded one by one: walk-ins, phone calls and roving, a few directional.
fn desk_questions(from: NaiveDate, through: NaiveDate, random: &mut Lcg) -> CustomFixture {
    let mut records = Vec::new();
    let mut id = 100_000;
    for day in days(from, through) {
        for _ in 0..draw(random, 22.0, day) {
            id += 1;
            let pick = random.next_unit();
            let mode = if pick < 0.62 {
                "Walk-in"
            } else if pick < 0.87 {
                "Phone"
            } else {
                "Roving"
            };
            let kind = if random.next_unit() < 0.2 { "Directional" } else { "Reference" };
            let questions = if random.next_unit() < 0.1 { 2 } else { 1 };
            // LibInsight sends numbers as numbers or as strings, at random.
            let questions = if random.next_unit() < 0.3 { json!(questions.to_string()) } else { json!(questions) };
            let minute = 9 * 60 + (random.next_unit() * 600.0) as i64;
            records.push(record(
                id,
                day,
                minute,
                "desk",
                &[
                    ("Mode", json!([mode])),
                    ("Question Type", json!([kind])),
                    ("Number of questions", questions),
                    ("Notes", json!("")),
                ],
            ));
        }
    }
    CustomFixture { id: DESK_DATASET, name: "Reference desk questions".to_string(), records }
}

/// Research consultations by appointment.
fn consultations(from: NaiveDate, through: NaiveDate, random: &mut Lcg) -> CustomFixture {
    let mut records = Vec::new();
    let mut id = 500_000;
    for day in days(from, through) {
        for _ in 0..draw(random, 3.0, day) {
            id += 1;
            let mode = if random.next_unit() < 0.6 { "In person" } else { "Zoom" };
            let minute = 10 * 60 + (random.next_unit() * 420.0) as i64;
            records.push(record(
                id,
                day,
                minute,
                "research",
                &[("Format", json!([mode])), ("Department", json!(["History"]))],
            ));
        }
    }
    CustomFixture { id: CONSULTATION_DATASET, name: "Research consultations".to_string(), records }
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
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}
