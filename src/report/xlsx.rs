//! Spreadsheets: any report as an `.xlsx` file that opens in Excel, with numbers stored as
//! numbers, a bold frozen header row, fitted column widths, the totals row in bold, and a
//! second sheet saying which period it is, by which rules, how fresh the data is, and every
//! warning.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::provenance::shown_time;
use super::{Cell, ReportError, Tabular};

fn failed(path: &Path) -> impl Fn(XlsxError) -> ReportError + '_ {
    move |err| ReportError::Spreadsheet { path: path.to_path_buf(), source: err }
}

/// Writes `report` to `path`. `fiscal_rule` says how the period was chosen.
pub fn write(report: &dyn Tabular, fiscal_rule: &str, path: &Path) -> Result<(), ReportError> {
    let fail = failed(path);
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let whole = Format::new().set_num_format("#,##0");
    let bold_whole = Format::new().set_bold().set_num_format("#,##0");

    let sheet = workbook.add_worksheet();
    sheet.set_name(report.sheet_name()).map_err(&fail)?;
    for (col, header) in report.headers().iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, header, &bold).map_err(&fail)?;
    }
    let rows = report.rows();
    let last = rows.len();
    for (index, row) in rows.iter().enumerate() {
        let (at, total_row) = ((index + 1) as u32, report.has_total_row() && index + 1 == last);
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(text) if total_row => sheet.write_string_with_format(at, col, text, &bold),
                Cell::Text(text) => sheet.write_string(at, col, text),
                Cell::Number(Some(n)) if total_row => sheet.write_number_with_format(at, col, *n as f64, &bold_whole),
                Cell::Number(Some(n)) => sheet.write_number_with_format(at, col, *n as f64, &whole),
                // No data: an empty cell, never 0.
                Cell::Number(None) => continue,
            }
            .map_err(&fail)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(&fail)?;
    sheet.autofit();

    let about = workbook.add_worksheet();
    about.set_name("About").map_err(&fail)?;
    let period = report.period();
    let mut lines: Vec<(String, String)> = vec![
        ("Report".to_string(), report.title()),
        ("Period".to_string(), format!("{} ({} to {})", period.label, period.from, period.to)),
        ("Fiscal year".to_string(), fiscal_rule.to_string()),
    ];
    lines.extend(report.notes().into_iter().filter(|n| !n.starts_with("Data as of")).map(|n| ("Rule".to_string(), n)));
    lines.push((
        "Rule".to_string(),
        "A month without data is an empty cell and a warning, never 0; halves are kept exact and rounded half up only when shown.".to_string(),
    ));
    for (dataset, when) in &report.data_as_of().0 {
        let shown = when.as_deref().map_or("never imported".to_string(), shown_time);
        lines.push((format!("Data as of: {dataset}"), shown));
    }
    if report.warnings().is_empty() {
        lines.push(("Warnings".to_string(), "none".to_string()));
    }
    for warning in report.warnings() {
        lines.push(("Warning".to_string(), warning.clone()));
    }
    for (row, (key, value)) in lines.iter().enumerate() {
        about.write_string_with_format(row as u32, 0, key, &bold).map_err(&fail)?;
        about.write_string(row as u32, 1, value).map_err(&fail)?;
    }
    about.autofit();
    workbook.save(path).map_err(&fail)?;
    Ok(())
}
