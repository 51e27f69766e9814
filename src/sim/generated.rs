//! Generated institutions of any size, for the crash test and the benchmark: many gate-count
//! datasets with daily readings and custom datasets with many question records, from a
//! fixed-seed generator so every run sees the same data.

use chrono::{Datelike, Days, NaiveDate};
use serde_json::{Map, Value, json};

use super::fixture::{
    ClientFixture, CountMethod, CustomFixture, Fixture, GateCountFixture, LibraryFixture, Reading, RecordingMode,
};

pub const CLIENT_ID: &str = "consortium";
pub const CLIENT_SECRET: &str = "consortium-secret-5d1e";

/// How big a generated institution is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub gate_datasets: u32,
    pub libraries_per_dataset: u32,
    pub custom_datasets: u32,
    /// Question records in all custom datasets together.
    pub records: u64,
    pub from: NaiveDate,
    pub through: NaiveDate,
}

/// Gate-count dataset ids start here, custom dataset ids at `FIRST_CUSTOM`.
pub const FIRST_GATE: u32 = 50_000;
pub const FIRST_CUSTOM: u32 = 60_000;

/// The custom datasets' mode field and options.
const MODES: &[(&str, &str)] = &[("Walk-in", "in_person"), ("Phone", "phone"), ("Chat", "chat"), ("Email", "ticket")];

/// A small fixed-seed generator.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

pub fn consortium(scale: Scale) -> Fixture {
    let mut random = Lcg(0xc0_5a_71_03);
    let days: Vec<NaiveDate> = scale.from.iter_days().take_while(|d| *d <= scale.through).collect();
    let mut gate_count = Vec::new();
    for index in 0..scale.gate_datasets {
        let libraries: Vec<LibraryFixture> = (0..scale.libraries_per_dataset)
            .map(|l| LibraryFixture {
                id: i64::from(l + 1),
                name: format!("Branch {} gate {}", index + 1, l + 1),
                method: if l % 2 == 0 { CountMethod::Bidirectional } else { CountMethod::Unidirectional },
                rollover: 1_000_000,
            })
            .collect();
        let mut readings = std::collections::BTreeMap::new();
        for library in &libraries {
            let mut counter = random.below(900_000) as i64;
            let list: Vec<Reading> = days
                .iter()
                .map(|day| {
                    let weekend = day.weekday().num_days_from_monday() >= 5;
                    let typical = if weekend { 300 } else { 1500 };
                    let crossings = typical + random.below(400) as i64;
                    let end = (counter + crossings) % library.rollover;
                    let reading = Reading::Counter(day.format("%Y-%m-%d").to_string(), counter, end);
                    counter = end;
                    reading
                })
                .collect();
            readings.insert(library.id.to_string(), list);
        }
        gate_count.push(GateCountFixture {
            id: FIRST_GATE + index,
            name: format!("Branch {} entrances", index + 1),
            mode: RecordingMode::Daily,
            libraries,
            readings,
            raw_overview: None,
        });
    }
    let mut custom = Vec::new();
    let per_dataset = scale.records / u64::from(scale.custom_datasets.max(1));
    let mut next_id: i64 = 1;
    for index in 0..scale.custom_datasets {
        let mut records = Vec::with_capacity(per_dataset as usize);
        for n in 0..per_dataset {
            // Spread the records evenly over the days, in order.
            let day = days[(n * days.len() as u64 / per_dataset.max(1)) as usize];
            let (option, _) = MODES[random.below(MODES.len() as u64) as usize];
            let minute = 8 * 60 + random.below(600);
            let mut record = Map::new();
            record.insert("_id".to_string(), json!(next_id));
            record.insert(
                "_start_date".to_string(),
                json!(format!("{} {:02}:{:02}:00", day.format("%Y-%m-%d"), minute / 60, minute % 60)),
            );
            record.insert("_entered_by".to_string(), json!("staff"));
            record.insert("Mode".to_string(), json!([option]));
            let questions = 1 + random.below(3);
            let count: Value = if n % 3 == 0 { json!(questions.to_string()) } else { json!(questions) };
            record.insert("Number of questions".to_string(), count);
            record.insert("Notes".to_string(), json!(""));
            records.push(record);
            next_id += 1;
        }
        custom.push(CustomFixture { id: FIRST_CUSTOM + index, name: format!("Desk {} questions", index + 1), records });
    }
    Fixture {
        institution: "Generated Consortium".to_string(),
        clients: vec![ClientFixture { client_id: CLIENT_ID.to_string(), client_secret: CLIENT_SECRET.to_string() }],
        switches: Default::default(),
        gate_count,
        reference: Vec::new(),
        custom,
        faults: Vec::new(),
    }
}

/// The `[[profile.dataset]]` tables for a generated institution.
pub fn dataset_config(scale: Scale) -> String {
    let mut text = String::new();
    for index in 0..scale.gate_datasets {
        text.push_str(&format!(
            "  [[profile.dataset]]\n  id = {}\n  kind = \"gate-count\"\n  granularity = \"day\"\n\n",
            FIRST_GATE + index
        ));
    }
    let map = MODES.iter().map(|(option, mode)| format!("\"{option}\" = \"{mode}\"")).collect::<Vec<_>>().join(", ");
    for index in 0..scale.custom_datasets {
        text.push_str(&format!(
            "  [[profile.dataset]]\n  id = {}\n  kind = \"custom\"\n  mode_field = \"Mode\"\n  mode_map = {{ {map} }}\n  count_field = \"Number of questions\"\n\n",
            FIRST_CUSTOM + index
        ));
    }
    text
}

/// The first day of the fiscal year `years` years before the one `today` is in.
pub fn years_back(today: NaiveDate, years: i32) -> NaiveDate {
    let july = crate::fiscal::FiscalCalendar::JULY;
    july.fiscal_year(july.fiscal_year_of(today) - years).from
}

/// Yesterday.
pub fn yesterday(today: NaiveDate) -> NaiveDate {
    today - Days::new(1)
}
