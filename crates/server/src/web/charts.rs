//! Charts drawn on the server as SVG: no script, no library, readable by screen readers
//! (each chart carries a title and a table of its figures next to it), and colours from
//! the Okabe–Ito palette, which people with colour-blindness can tell apart.

use maud::{Markup, html};

pub const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];

/// A series of values, one per category on the x axis.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

fn nice_max(max: i64) -> i64 {
    if max <= 5 {
        return 5;
    }
    let magnitude = 10_i64.pow((max as f64).log10().floor() as u32);
    for step in [1, 2, 5, 10] {
        let candidate = step * magnitude;
        if candidate >= max {
            return candidate;
        }
    }
    10 * magnitude
}

/// Stacked columns: one column per category, one colour per series.
pub fn stacked_columns(title: &str, categories: &[String], series: &[Series]) -> Markup {
    let width = 640.0;
    let height = 260.0;
    let left = 44.0;
    let bottom = 40.0;
    let top = 12.0;
    let plot_w = width - left - 8.0;
    let plot_h = height - top - bottom;
    let totals: Vec<i64> = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = nice_max(totals.iter().copied().max().unwrap_or(0));
    let slot = if categories.is_empty() {
        plot_w
    } else {
        plot_w / categories.len() as f64
    };
    let bar_w = (slot * 0.7).max(2.0);
    let y = |v: i64| top + plot_h - (v as f64 / max as f64) * plot_h;
    let label_every = (categories.len() / 7).max(1);
    // Whole-number gridlines: 5, 50, 500 split in fifths; 10, 20, 100, 200 in quarters.
    let ticks = if max % 5 == 0 && max % 4 != 0 { 5 } else { 4 };
    // Per category: (series index, stacked base, value) of each non-empty segment.
    let segments: Vec<Vec<(usize, i64, i64)>> = (0..categories.len())
        .map(|i| {
            let mut base = 0;
            series
                .iter()
                .enumerate()
                .filter_map(|(s_index, s)| {
                    let v = s.values.get(i).copied().unwrap_or(0);
                    let segment = (s_index, base, v);
                    base += v;
                    (v > 0).then_some(segment)
                })
                .collect()
        })
        .collect();
    html! {
        // Phones scroll the chart sideways rather than shrink its labels to a few pixels.
        div.chart-wrap {
        svg.chart viewBox=(format!("0 0 {width} {height}")) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for tick in 0..=ticks {
                @let value = max * tick / ticks;
                line x1=(left) x2=(width - 8.0) y1=(format!("{:.1}", y(value))) y2=(format!("{:.1}", y(value))) stroke="#ddd" {}
                text x=(left - 6.0) y=(format!("{:.1}", y(value) + 4.0)) text-anchor="end" font-size="11" fill="#333" { (value) }
            }
            @for (i, category) in categories.iter().enumerate() {
                @let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
                @for (s_index, base, v) in &segments[i] {
                    rect x=(format!("{x:.1}")) y=(format!("{:.1}", y(base + v))) width=(format!("{bar_w:.1}"))
                        height=(format!("{:.1}", y(*base) - y(base + v))) fill=(PALETTE[s_index % PALETTE.len()]) {
                        title { (category) " · " (series[*s_index].name) ": " (v) }
                    }
                }
                @if i % label_every == 0 {
                    text x=(format!("{:.1}", x + bar_w / 2.0)) y=(height - bottom + 16.0) text-anchor="middle" font-size="11" fill="#333" { (category) }
                }
            }
            line x1=(left) x2=(width - 8.0) y1=(top + plot_h) y2=(top + plot_h) stroke="#333" {}
        }
        }
        @if series.len() > 1 {
            p.legend {
                @for (i, s) in series.iter().enumerate() {
                    span { svg width="12" height="12" aria-hidden="true" { rect width="12" height="12" fill=(PALETTE[i % PALETTE.len()]) {} } " " (s.name) }
                }
            }
        }
    }
}

/// Horizontal bars, two per row (e.g. people waiting and free beds per city).
pub fn paired_bars(title: &str, rows: &[(String, i64, i64)], first: &str, second: &str) -> Markup {
    let row_h = 34.0;
    let label_w = 150.0;
    let width = 640.0;
    let height = 24.0 + row_h * rows.len() as f64;
    let max = nice_max(rows.iter().map(|(_, a, b)| (*a).max(*b)).max().unwrap_or(0));
    let bar = |v: i64| ((v.max(0) as f64) / max as f64) * (width - label_w - 60.0);
    html! {
        // Phones scroll the chart sideways rather than shrink its labels to a few pixels.
        div.chart-wrap {
        svg.chart viewBox=(format!("0 0 {width} {height}")) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
            title { (title) }
            @for (i, (label, a, b)) in rows.iter().enumerate() {
                @let y0 = 8.0 + row_h * i as f64;
                text x=(label_w - 8.0) y=(y0 + 17.0) text-anchor="end" font-size="12" fill="#222" { (label) }
                rect x=(label_w) y=(y0) width=(format!("{:.1}", bar(*a))) height="12" fill=(PALETTE[0]) { title { (first) ": " (a) } }
                text x=(format!("{:.1}", label_w + bar(*a) + 4.0)) y=(y0 + 10.0) font-size="11" fill="#222" { (a) }
                rect x=(label_w) y=(y0 + 14.0) width=(format!("{:.1}", bar(*b))) height="12" fill=(PALETTE[2]) { title { (second) ": " (b) } }
                text x=(format!("{:.1}", label_w + bar(*b) + 4.0)) y=(y0 + 24.0) font-size="11" fill="#222" { (b) }
            }
        }
        }
        p.legend {
            span { svg width="12" height="12" aria-hidden="true" { rect width="12" height="12" fill=(PALETTE[0]) {} } " " (first) }
            span { svg width="12" height="12" aria-hidden="true" { rect width="12" height="12" fill=(PALETTE[2]) {} } " " (second) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice_max(0), 5);
        assert_eq!(nice_max(7), 10);
        assert_eq!(nice_max(130), 200);
        assert_eq!(nice_max(4_900), 5_000);
    }

    #[test]
    fn labels_from_users_are_escaped_in_svg() {
        let svg = stacked_columns(
            "t",
            &["<script>".to_owned()],
            &[Series {
                name: "a&b".into(),
                values: vec![3],
            }],
        )
        .into_string();
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("a&amp;b"));
    }
}
