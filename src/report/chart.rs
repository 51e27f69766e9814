//! SVG charts for the dashboard: stacked bars by month with an optional comparison line, a
//! title, axis labels, a legend, and colours from the Okabe–Ito palette (distinguishable with
//! the common colour-vision deficiencies). No browser, no script: plain SVG.
//!
//! [`layout`] computes every shape's position (pure, tested); [`render`] writes them out.

use maud::{Markup, html};

use super::render::thousands;

/// Okabe–Ito: blue, orange, bluish green, reddish purple, sky blue, vermilion, yellow, grey.
pub const PALETTE: [&str; 8] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];

/// One named series of monthly values; `None` is a month without data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<i64>>,
}

#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    pub y_label: String,
    pub x_label: String,
    /// One label per month, such as "Jul 2024".
    pub months: Vec<String>,
    /// Stacked bottom to top.
    pub stacks: Vec<Series>,
    /// Drawn as a dashed line over the bars (the year before).
    pub line: Option<Series>,
}

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 400.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 44.0;
const PLOT_BOTTOM: f64 = 300.0;

/// A bar segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub series: usize,
    pub tooltip: String,
}

/// Everything [`render`] draws, in chart coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub bars: Vec<Bar>,
    /// (y, label) of each y-axis tick.
    pub ticks: Vec<(f64, String)>,
    /// (x, label) of each month.
    pub months: Vec<(f64, String)>,
    /// Months without any data: (x, label) for a "no data" mark.
    pub empty: Vec<f64>,
    /// The comparison line, split where it has no data.
    pub line: Vec<Vec<(f64, f64)>>,
}

/// A round axis maximum at or above `max`, and the step between ticks (1, 2 or 5 × 10ⁿ, for
/// four to ten ticks).
pub fn nice_axis(max: i64) -> (i64, i64) {
    if max <= 0 {
        return (10, 2);
    }
    let mut step = 1i64;
    loop {
        for factor in [1, 2, 5] {
            let candidate = step * factor;
            let steps = (max + candidate - 1) / candidate;
            if steps <= 8 {
                return (steps * candidate, candidate);
            }
        }
        step *= 10;
    }
}

pub fn layout(chart: &BarChart) -> Layout {
    let n = chart.months.len().max(1);
    let slot = (WIDTH - LEFT - RIGHT) / n as f64;
    let bar_width = slot * 0.62;
    let month_total =
        |i: usize| -> i64 { chart.stacks.iter().filter_map(|s| s.values.get(i).copied().flatten()).sum() };
    let line_max = chart.line.iter().flat_map(|s| s.values.iter().flatten()).copied().max().unwrap_or(0);
    let max = (0..n).map(month_total).max().unwrap_or(0).max(line_max);
    let (axis_max, step) = nice_axis(max);
    let plot_height = PLOT_BOTTOM - TOP;
    let y_of = |value: i64| PLOT_BOTTOM - plot_height * value as f64 / axis_max as f64;
    let center = |i: usize| LEFT + slot * (i as f64 + 0.5);

    let mut bars = Vec::new();
    let mut empty = Vec::new();
    for i in 0..n {
        let mut base = 0i64;
        let mut any = false;
        for (series_index, series) in chart.stacks.iter().enumerate() {
            let Some(value) = series.values.get(i).copied().flatten() else { continue };
            any = true;
            if value > 0 {
                let (top, bottom) = (y_of(base + value), y_of(base));
                bars.push(Bar {
                    x: center(i) - bar_width / 2.0,
                    y: top,
                    width: bar_width,
                    height: bottom - top,
                    series: series_index,
                    tooltip: format!(
                        "{}, {}: {}",
                        series.name,
                        chart.months.get(i).map_or("", String::as_str),
                        thousands(value)
                    ),
                });
            }
            base += value;
        }
        if !any {
            empty.push(center(i));
        }
    }
    let ticks = (0..=axis_max / step).map(|k| (y_of(k * step), thousands(k * step))).collect();
    let months = chart.months.iter().enumerate().map(|(i, label)| (center(i), label.clone())).collect();
    let mut line = Vec::new();
    if let Some(series) = &chart.line {
        let mut run = Vec::new();
        for (i, value) in series.values.iter().enumerate() {
            match value {
                Some(v) => run.push((center(i), y_of(*v))),
                None if !run.is_empty() => line.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            line.push(run);
        }
    }
    Layout { bars, ticks, months, empty, line }
}

fn points(run: &[(f64, f64)]) -> String {
    run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

/// The chart as an inline `<svg>` element.
pub fn render(chart: &BarChart) -> Markup {
    let layout = layout(chart);
    let legend_y = HEIGHT - 22.0;
    let mut legend_x = LEFT;
    let mut legend = Vec::new();
    for (index, series) in chart.stacks.iter().enumerate() {
        legend.push((legend_x, Some(PALETTE[index % PALETTE.len()]), series.name.clone()));
        legend_x += 26.0 + 7.0 * series.name.chars().count() as f64;
    }
    let line_legend = chart.line.as_ref().map(|s| (legend_x, s.name.clone()));
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox={"0 0 " (WIDTH) " " (HEIGHT)} role="img"
            aria-label=(chart.title) class="chart" {
            title { (chart.title) }
            text x=(WIDTH / 2.0) y="24" text-anchor="middle" class="chart-title" { (chart.title) }
            @for (y, label) in &layout.ticks {
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(format!("{y:.1}")) y2=(format!("{y:.1}")) class="grid" {}
                text x=(LEFT - 8.0) y=(format!("{:.1}", y + 4.0)) text-anchor="end" class="tick" { (label) }
            }
            @for bar in &layout.bars {
                rect x=(format!("{:.1}", bar.x)) y=(format!("{:.1}", bar.y)) width=(format!("{:.1}", bar.width))
                    height=(format!("{:.1}", bar.height)) fill=(PALETTE[bar.series % PALETTE.len()]) {
                    title { (bar.tooltip) }
                }
            }
            @for x in &layout.empty {
                text x=(format!("{x:.1}")) y=(PLOT_BOTTOM - 6.0) text-anchor="middle" class="no-data" { "no data" }
            }
            @for run in &layout.line {
                polyline points=(points(run)) class="comparison" {}
                @for (x, y) in run {
                    circle cx=(format!("{x:.1}")) cy=(format!("{y:.1}")) r="3" class="comparison-point" {}
                }
            }
            line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(PLOT_BOTTOM) y2=(PLOT_BOTTOM) class="axis" {}
            @for (x, label) in &layout.months {
                text x=(format!("{x:.1}")) y=(PLOT_BOTTOM + 16.0) text-anchor="middle" class="tick" { (label) }
            }
            text x=((LEFT + WIDTH - RIGHT) / 2.0) y=(PLOT_BOTTOM + 40.0) text-anchor="middle" class="axis-label" {
                (chart.x_label)
            }
            text transform={"translate(18 " ((TOP + PLOT_BOTTOM) / 2.0) ") rotate(-90)"} text-anchor="middle"
                class="axis-label" { (chart.y_label) }
            @for (x, colour, name) in &legend {
                rect x=(format!("{x:.1}")) y=(legend_y - 10.0) width="12" height="12" fill=[colour] {}
                text x=(format!("{:.1}", x + 16.0)) y=(legend_y) class="legend" { (name) }
            }
            @if let Some((x, name)) = &line_legend {
                line x1=(format!("{x:.1}")) x2=(format!("{:.1}", x + 18.0)) y1=(legend_y - 4.0) y2=(legend_y - 4.0)
                    class="comparison" {}
                text x=(format!("{:.1}", x + 24.0)) y=(legend_y) class="legend" { (name) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(stacks: Vec<Series>, line: Option<Series>) -> BarChart {
        BarChart {
            title: "Visitors".to_string(),
            y_label: "Visitors".to_string(),
            x_label: "Month".to_string(),
            months: vec!["Jul".to_string(), "Aug".to_string(), "Sep".to_string()],
            stacks,
            line,
        }
    }

    fn series(name: &str, values: &[Option<i64>]) -> Series {
        Series { name: name.to_string(), values: values.to_vec() }
    }

    #[test]
    fn axes_end_on_round_numbers_with_few_ticks() {
        assert_eq!(nice_axis(0), (10, 2));
        assert_eq!(nice_axis(7), (7, 1));
        assert_eq!(nice_axis(9), (10, 2));
        assert_eq!(nice_axis(1234), (1400, 200));
        assert_eq!(nice_axis(76_771), (80_000, 10_000));
    }

    #[test]
    fn stacked_bars_are_proportional_and_missing_months_draw_nothing() {
        let layout = layout(&chart(
            vec![series("Main", &[Some(600), None, Some(0)]), series("Science", &[Some(200), None, Some(400)])],
            None,
        ));
        // July: 600 then 200 stacked on it; August: nothing; September: only Science (0 draws nothing).
        assert_eq!(layout.bars.len(), 3);
        let (main, science) = (&layout.bars[0], &layout.bars[1]);
        assert!((main.height / science.height - 3.0).abs() < 1e-9, "600 is three times 200");
        assert!((science.y + science.height - main.y).abs() < 1e-9, "Science sits on Main");
        assert_eq!(layout.empty.len(), 1, "August is marked as no data");
        assert_eq!(main.tooltip, "Main, Jul: 600");
        // The axis runs to 800 (the tallest stack), in steps of 100.
        assert_eq!(layout.ticks.last().map(|t| t.1.as_str()), Some("800"));
    }

    #[test]
    fn the_comparison_line_breaks_where_the_year_before_has_no_data() {
        let layout = layout(&chart(
            vec![series("Main", &[Some(1), Some(1), Some(1)])],
            Some(series("FY2024", &[Some(5), None, Some(7)])),
        ));
        assert_eq!(layout.line.len(), 2);
        assert_eq!(layout.ticks.last().map(|t| t.1.as_str()), Some("7"), "the line sets the axis");
    }

    #[test]
    fn the_svg_has_a_title_a_legend_entry_per_series_and_escapes_names() {
        let svg = render(&chart(
            vec![
                series("Main & <Annex>", &[Some(1), Some(2), Some(3)]),
                series("Science", &[Some(1), Some(1), Some(1)]),
            ],
            Some(series("The year before", &[Some(2), Some(2), Some(2)])),
        ))
        .into_string();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("<title>Visitors</title>"));
        assert!(svg.contains("Main &amp; &lt;Annex&gt;"));
        assert!(!svg.contains("<Annex>"));
        assert_eq!(svg.matches("class=\"legend\"").count(), 3);
        assert!(svg.contains(PALETTE[0]) && svg.contains(PALETTE[1]));
    }
}
