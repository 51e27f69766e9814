//! The dashboard: one self-contained HTML page (no scripts, fonts, styles or images from
//! anywhere else, so it works offline, from a shared drive and as an e-mail attachment) with
//! three tabs: Gate Counts, Library Services to Individuals, and the ACRL lines. Each chart
//! has a table beside it carrying the same numbers. The page states the period, the
//! fiscal-year rule, when each dataset was last imported, and every warning.
//!
//! Pure: the reports come in, a string goes out.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use super::acrl::AcrlReport;
use super::chart::{self, BarChart, Series};
use super::gate_counts::GateCountReport;
use super::provenance::{Provenance, shown_time};
use super::render::thousands;
use super::services::{FAQ, ServicesReport, mode_label};
use super::{Cell, Tabular};

/// What the page is made of.
pub struct Dashboard<'a> {
    pub gate: &'a GateCountReport,
    pub services: &'a ServicesReport,
    pub acrl: &'a AcrlReport,
    /// Every dataset's freshness.
    pub provenance: &'a Provenance,
    /// How fiscal and survey years are counted here, in a sentence.
    pub fiscal_rule: String,
    /// When the page was made (RFC 3339).
    pub generated: String,
}

/// Chart labels: "Jul", with the year added to the first month and to January ("Jul 2024",
/// "Jan 2025"), so twelve labels fit under the bars.
fn chart_months(months: &[String]) -> Vec<String> {
    months
        .iter()
        .enumerate()
        .map(|(i, month)| {
            let full = month_label(month);
            if i == 0 || month.ends_with("-01") { full } else { full.split(' ').next().unwrap_or("").to_string() }
        })
        .collect()
}

/// "2024-07" → "Jul 2024".
fn month_label(month: &str) -> String {
    const NAMES: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let parsed = month.split_once('-').and_then(|(year, m)| Some((year, m.parse::<usize>().ok()?)));
    match parsed {
        Some((year, m)) if (1..=12).contains(&m) => format!("{} {year}", NAMES[m - 1]),
        _ => month.to_string(),
    }
}

fn gate_chart(gate: &GateCountReport) -> BarChart {
    BarChart {
        title: format!("Visitors by month, {}", gate.period.label),
        y_label: "Visitors".to_string(),
        x_label: "Month".to_string(),
        months: chart_months(&gate.rows.iter().map(|r| r.month.clone()).collect::<Vec<_>>()),
        stacks: gate
            .libraries
            .iter()
            .map(|name| Series {
                name: name.clone(),
                values: gate.rows.iter().map(|r| r.visitors.get(name).copied().flatten()).collect(),
            })
            .collect(),
        line: gate
            .year_before
            .iter()
            .any(Option::is_some)
            .then(|| Series { name: "All libraries, a year earlier".to_string(), values: gate.year_before.clone() }),
    }
}

fn services_chart(services: &ServicesReport) -> BarChart {
    // FAQ views dwarf staff contacts; they are in the table, not in the bars.
    BarChart {
        title: format!("Staff-mediated services by mode, {}", services.period.label),
        y_label: "Services".to_string(),
        x_label: "Month".to_string(),
        months: chart_months(&services.rows.iter().map(|r| r.month.clone()).collect::<Vec<_>>()),
        stacks: services
            .modes
            .iter()
            .filter(|m| m.as_str() != FAQ)
            .map(|mode| Series {
                name: mode_label(mode),
                values: services.rows.iter().map(|r| r.counts.get(mode).copied().flatten()).collect(),
            })
            .collect(),
        line: None,
    }
}

/// A report's rows as an HTML table, the Total row (if any) in `<tfoot>`.
fn table(id: &str, report: &dyn Tabular) -> Markup {
    let rows = report.rows();
    let split = if report.has_total_row() { rows.len().saturating_sub(1) } else { rows.len() };
    let (body, foot) = rows.split_at(split);
    let cell = |c: &Cell| match c {
        Cell::Text(text) => html! { td { (text) } },
        Cell::Number(Some(n)) => html! { td class="number" { (thousands(*n)) } },
        Cell::Number(None) => html! { td class="number missing" title="no data" { "—" } },
    };
    html! {
        table id=(id) {
            caption { (report.title()) }
            thead { tr { @for header in report.headers() { th scope="col" { (header) } } } }
            tbody { @for row in body { tr { @for c in row { (cell(c)) } } } }
            @if !foot.is_empty() {
                tfoot { @for row in foot { tr { @for c in row { (cell(c)) } } } }
            }
        }
    }
}

const STYLE: &str = r#"
:root { --ink: #1d2433; --muted: #5b6472; --line: #d9dde3; --accent: #0072B2; --paper: #ffffff; --soft: #f4f6f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--ink); background: var(--soft); }
header, main, .about, footer { max-width: 1500px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 24px 0 8px; }
.period { font-size: 17px; margin: 0; }
.rule { color: var(--muted); margin: 4px 0 12px; }
.tabs > input { position: absolute; opacity: 0; }
.tabs > label { display: inline-block; padding: 10px 18px; margin-right: 4px; border: 1px solid var(--line); border-bottom: none;
  border-radius: 6px 6px 0 0; background: #e8ebef; cursor: pointer; font-weight: 600; }
.tabs > input:checked + label { background: var(--paper); color: var(--accent); }
.tabs > input:focus-visible + label { outline: 2px solid var(--accent); }
.panel { display: none; background: var(--paper); border: 1px solid var(--line); padding: 18px; border-radius: 0 6px 6px 6px; }
#tab-gate:checked ~ #panel-gate, #tab-services:checked ~ #panel-services, #tab-acrl:checked ~ #panel-acrl { display: block; }
.pair { display: flex; flex-wrap: wrap; gap: 20px; align-items: flex-start; }
.pair > .chart-box { flex: 1 1 520px; min-width: 0; max-width: 900px; }
.pair > .table-box { flex: 1.2 1 520px; overflow-x: auto; }
.pair.stacked { flex-direction: column; }
.pair.stacked > .chart-box, .pair.stacked > .table-box { flex: none; width: 100%; }
svg.chart { width: 100%; height: auto; background: var(--paper); }
svg .chart-title { font-size: 16px; font-weight: 600; fill: var(--ink); }
svg .tick, svg .legend { font-size: 12px; fill: var(--ink); }
svg .axis-label { font-size: 13px; fill: var(--muted); }
svg .no-data { font-size: 10px; fill: var(--muted); }
svg .grid { stroke: #e3e6ea; stroke-width: 1; }
svg .axis { stroke: var(--ink); stroke-width: 1; }
svg .comparison { fill: none; stroke: #000; stroke-width: 2; stroke-dasharray: 6 4; }
svg .comparison-point { fill: #000; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; font-variant-numeric: tabular-nums; }
#freshness { width: auto; }
caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; }
td:first-child, th:first-child { white-space: nowrap; }
th { background: var(--soft); font-weight: 600; }
td.number { text-align: right; }
td.missing { color: var(--muted); }
tfoot td { font-weight: 700; border-top: 2px solid var(--ink); }
.note { color: var(--muted); font-size: 13px; }
.warnings li { margin: 2px 0; }
footer { color: var(--muted); font-size: 13px; padding-bottom: 24px; }
@media print {
  body { background: #fff; }
  .tabs > input, .tabs > label { display: none; }
  .panel { display: block !important; border: none; page-break-after: always; }
}
"#;

/// The whole page.
pub fn render(dashboard: &Dashboard<'_>) -> String {
    let (gate, services, acrl) = (dashboard.gate, dashboard.services, dashboard.acrl);
    let mut warnings: Vec<&String> = Vec::new();
    for warning in gate.warnings.iter().chain(&services.warnings).chain(&acrl.warnings) {
        if !warnings.contains(&warning) {
            warnings.push(warning);
        }
    }
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(concat!("almanac ", env!("CARGO_PKG_VERSION")));
                title { "ACRL and IPEDS dashboard, " (gate.period.label) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    h1 { "ACRL and IPEDS dashboard" }
                    p class="period" {
                        strong { (gate.period.label) } ": " (gate.period.from) " to " (gate.period.to)
                        " · ACRL survey year " (acrl.survey_year)
                    }
                    p class="rule" { (dashboard.fiscal_rule) }
                }
                main class="tabs" {
                    input type="radio" name="tab" id="tab-gate" checked;
                    label for="tab-gate" { "Gate Counts" }
                    input type="radio" name="tab" id="tab-services";
                    label for="tab-services" { "Library Services to Individuals" }
                    input type="radio" name="tab" id="tab-acrl";
                    label for="tab-acrl" { "ACRL lines" }
                    section class="panel" id="panel-gate" {
                        div class="pair" {
                            div class="chart-box" { (chart::render(&gate_chart(gate))) }
                            div class="table-box" { (table("gate-counts", gate)) }
                        }
                        @for note in gate.notes() { p class="note" { (note) } }
                    }
                    section class="panel" id="panel-services" {
                        // Ten columns and more: the table needs the width, so it goes below.
                        div class="pair stacked" {
                            div class="chart-box" { (chart::render(&services_chart(services))) }
                            div class="table-box" { (table("services", services)) }
                        }
                        p class="note" { "The chart shows staff-mediated services; FAQ views are in the table." }
                        @for note in services.notes() { p class="note" { (note) } }
                    }
                    section class="panel" id="panel-acrl" {
                        (table("acrl", acrl))
                        p class="note" {
                            "Survey year " (acrl.survey_year) " reports " (acrl.period.label) " (" (acrl.period.from)
                            " to " (acrl.period.to) "). IPEDS Academic Libraries collects none of these lines, and ends after 2024-25."
                        }
                    }
                }
                section class="about" {
                    h2 { "Data freshness" }
                    table id="freshness" {
                        thead {
                            tr {
                                th scope="col" { "Dataset" }
                                th scope="col" { "Kind" }
                                th scope="col" { "Last successful import" }
                                th scope="col" { "Last import" }
                            }
                        }
                        tbody {
                            @for source in &dashboard.provenance.sources {
                                tr {
                                    td { (source.label) }
                                    td { (source.kind) }
                                    td { (source.last_success.as_deref().map_or("never".to_string(), shown_time)) }
                                    td { @if source.last_failed { "failed" } @else if source.last_success.is_some() { "succeeded" } @else { "—" } }
                                }
                            }
                        }
                    }
                    h2 { "Warnings (" (warnings.len()) ")" }
                    @if warnings.is_empty() {
                        p { "None." }
                    } @else {
                        ul class="warnings" { @for warning in &warnings { li { (warning) } } }
                    }
                }
                footer { "Made by almanac " (env!("CARGO_PKG_VERSION")) " at " (shown_time(&dashboard.generated)) "." }
            }
        }
    };
    page.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_labels_read_like_dates() {
        assert_eq!(month_label("2024-07"), "Jul 2024");
        assert_eq!(month_label("2025-12"), "Dec 2025");
        assert_eq!(month_label("odd"), "odd");
        let months: Vec<String> = ["2024-11", "2024-12", "2025-01", "2025-02"].map(String::from).to_vec();
        assert_eq!(chart_months(&months), ["Nov 2024", "Dec", "Jan 2025", "Feb"]);
    }
}
