//! Rendering: a report as a terminal table, CSV or JSON text. Pure; the caller writes it.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};
use serde::Serialize;

use super::{Cell, ReportError, Tabular};

/// A table for people: numbers with thousands separators, "—" where there is no data, then
/// notes and warnings.
pub fn table(report: &dyn Tabular) -> String {
    let mut table = new_table(report.headers());
    if let Some(width) = report.wrap_width() {
        table.set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
        table.set_width(width);
    }
    let rows = report.rows();
    for row in &rows {
        table.add_row(row.iter().map(|cell| {
            let (text, right) = match cell {
                Cell::Text(text) => (text.clone(), false),
                Cell::Number(Some(n)) => (thousands(*n), true),
                Cell::Number(None) => ("—".to_string(), true),
            };
            let cell = comfy_table::Cell::new(text);
            if right { cell.set_alignment(CellAlignment::Right) } else { cell }
        }));
    }
    let mut out = format!("{}\n{table}\n", report.title());
    for note in report.notes() {
        out.push_str(&format!("{note}\n"));
    }
    if !report.warnings().is_empty() {
        out.push_str(&format!("\nWarnings ({}):\n", report.warnings().len()));
        for warning in report.warnings() {
            out.push_str(&format!("  - {warning}\n"));
        }
    }
    out
}

/// An empty terminal table with these headers, in the house style.
pub fn new_table<T: Into<comfy_table::Row>>(headers: T) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    table.set_header(headers);
    table
}

/// CSV for spreadsheets: plain numbers, an empty cell where there is no data, and notes and
/// warnings as trailing `#` comment lines.
pub fn csv(report: &dyn Tabular) -> Result<String, ReportError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let write_error = |err: csv::Error| ReportError::Write(std::io::Error::other(err));
    writer.write_record(report.headers()).map_err(write_error)?;
    for row in report.rows() {
        writer.write_record(row.iter().map(ToString::to_string)).map_err(write_error)?;
    }
    let bytes = writer.into_inner().map_err(|err| ReportError::Write(std::io::Error::other(err.to_string())))?;
    let mut out = String::from_utf8_lossy(&bytes).into_owned();
    out.push_str(&format!("# {}\n", report.title()));
    for note in report.notes() {
        out.push_str(&format!("# {note}\n"));
    }
    for warning in report.warnings() {
        out.push_str(&format!("# warning: {warning}\n"));
    }
    Ok(out)
}

/// Pretty JSON with a final newline.
pub fn json<T: Serialize>(report: &T) -> Result<String, ReportError> {
    let mut text =
        serde_json::to_string_pretty(report).map_err(|err| ReportError::Write(std::io::Error::other(err)))?;
    text.push('\n');
    Ok(text)
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1234), "-1,234");
    }
}
