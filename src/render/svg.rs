//! Charts as inline SVG, drawn from the data: no script, no network, prints
//! crisply. Every chart has a title and text labels, so that it reads without
//! colour and with a screen reader.

use std::fmt::Write;

/// Escapes text for SVG/XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const BAR: &str = "#1f5fa8";
const MISSING: &str = "#767676";
const YES: &str = "#1b7f3b";
const NO: &str = "#b3261e";
const UNKNOWN: &str = "#d9d9d9";

/// Horizontal bars, one per row; a row without a value says so instead of drawing zero.
///
/// ```
/// let svg = tonghop::render::svg::bar_chart("B01", &[("Hà Nội".into(), Some(10.0)), ("Huế".into(), None)], "chưa báo cáo", &|v| v.to_string());
/// assert!(svg.starts_with("<svg") && svg.contains("Hà Nội") && svg.contains("chưa báo cáo"));
/// ```
pub fn bar_chart(
    title: &str,
    rows: &[(String, Option<f64>)],
    missing_label: &str,
    format: &dyn Fn(f64) -> String,
) -> String {
    let (label_w, bar_w, value_w, row_h, top) = (170.0, 420.0, 110.0, 18.0, 28.0);
    let width = label_w + bar_w + value_w;
    let height = top + row_h * rows.len() as f64 + 8.0;
    let max = rows.iter().filter_map(|(_, v)| *v).fold(0.0_f64, f64::max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{t}" class="chart"><title>{t}</title><text x="0" y="16" class="chart-title">{t}</text>"#,
        t = escape(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" class="label">{}</text>"#,
            label_w - 6.0,
            y + 13.0,
            escape(label)
        );
        match value {
            Some(v) => {
                let w = if max > 0.0 { (v / max * bar_w).max(1.0) } else { 1.0 };
                let _ = write!(
                    svg,
                    r#"<rect x="{label_w}" y="{}" width="{w:.1}" height="{}" fill="{BAR}"><title>{}: {}</title></rect><text x="{}" y="{}" class="value">{}</text>"#,
                    y + 3.0,
                    row_h - 6.0,
                    escape(label),
                    escape(&format(*v)),
                    label_w + w + 4.0,
                    y + 13.0,
                    escape(&format(*v))
                );
            }
            None => {
                let _ = write!(
                    svg,
                    r#"<text x="{}" y="{}" class="missing" fill="{MISSING}">{}</text>"#,
                    label_w + 4.0,
                    y + 13.0,
                    escape(missing_label)
                );
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Cycles a trend should show; fewer are drawn with a note saying how many.
pub const TREND_POINTS: usize = 6;

/// A small line chart of one figure over cycles; points without data are gaps.
///
/// The scale is visible and honest: the value axis starts at zero for
/// figures that cannot be negative, with its baseline, a middle line and the
/// top labelled, so that a flat change is drawn flat. The first and last
/// values are written beside their points, inside the chart, on a white halo
/// so that the line never hides them. With fewer than [`TREND_POINTS`]
/// cycles of data, `fewer` (its `{n}` the number) is written under the title.
///
/// ```
/// let points = vec![("18/09".to_string(), Some(0.91)), ("02/10".to_string(), Some(0.911))];
/// let svg = tonghop::render::svg::trend_chart("R03", &points, &|v| format!("{:.1}%", v * 100.0), "{n} kỳ có số liệu", Some(1.0));
/// assert!(svg.contains(">0.0%<") && svg.contains("2 kỳ có số liệu"));
/// ```
pub fn trend_chart(
    title: &str,
    points: &[(String, Option<f64>)],
    format: &dyn Fn(f64) -> String,
    fewer: &str,
    ceiling: Option<f64>,
) -> String {
    let (w, h, left, right, top, bottom, pad) = (360.0, 170.0, 62.0, 14.0, 34.0, 30.0, 22.0);
    let values: Vec<f64> = points.iter().filter_map(|(_, v)| *v).collect();
    let (lo, hi) = value_range(&values, ceiling);
    let n = points.len().max(2) as f64 - 1.0;
    let x = |i: usize| left + pad + (w - left - right - 2.0 * pad) * i as f64 / n;
    let y = |v: f64| top + (h - top - bottom) * (1.0 - (v - lo) / (hi - lo));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{t}" class="chart trend"><title>{t}</title><text x="0" y="14" class="chart-title">{t}</text>"#,
        t = escape(title)
    );
    if values.len() < TREND_POINTS {
        let note = fewer.replace("{n}", &values.len().to_string());
        let _ = write!(svg, r#"<text x="0" y="28" class="axis">{}</text>"#, escape(&note));
    }
    for (k, v) in [lo, (lo + hi) / 2.0, hi].into_iter().enumerate() {
        let stroke = if k == 0 { "#555" } else { "#d9d9d9" };
        let _ = write!(
            svg,
            r#"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{stroke}" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end" class="axis">{}</text>"#,
            w - right,
            left - 4.0,
            y(v) + 4.0,
            escape(&format(v)),
            y = y(v)
        );
    }
    let mut path = String::new();
    for (i, (_, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let cmd = if path.is_empty() || points.get(i.wrapping_sub(1)).is_some_and(|(_, p)| p.is_none()) {
                'M'
            } else {
                'L'
            };
            let _ = write!(path, "{cmd}{:.1},{:.1} ", x(i), y(*v));
        }
    }
    let _ = write!(svg, r#"<path d="{}" fill="none" stroke="{BAR}" stroke-width="2"/>"#, path.trim());
    let first = points.iter().position(|(_, v)| v.is_some());
    let last = points.iter().rposition(|(_, v)| v.is_some());
    for (i, (label, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="{}" fill="{BAR}"><title>{}: {}</title></circle>"#,
                x(i),
                y(*v),
                if Some(i) == last { 4 } else { 3 },
                escape(label),
                escape(&format(*v))
            );
            if Some(i) == first || Some(i) == last {
                // The first value reads rightwards from its point, the last leftwards: both stay inside.
                let (anchor, dx) = if Some(i) == last && last != first { ("end", 4.0) } else { ("start", -4.0) };
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" class="value" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
                    x(i) + dx,
                    (y(*v) - 8.0).max(top + 10.0),
                    escape(&format(*v))
                );
            }
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" class="axis">{}</text>"#,
            x(i),
            h - 10.0,
            escape(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The value axis: from zero (or the lowest value, when one is negative) to a
/// little above the highest, so that a change is drawn in proportion to the
/// value; never above `ceiling` (100 % for a share) when no value is.
fn value_range(values: &[f64], ceiling: Option<f64>) -> (f64, f64) {
    let lo = values.iter().copied().fold(0.0_f64, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !hi.is_finite() || hi <= lo {
        return (lo, lo + 1.0);
    }
    let top = hi + (hi - lo) * 0.12;
    match ceiling {
        Some(c) if hi <= c => (lo, top.min(c)),
        _ => (lo, top),
    }
}

/// One cell of the status grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Yes,
    No,
    NotReported,
}

/// Units × items grid: ✓ done, ✗ not done, – not reported (shape and colour both tell).
pub fn status_grid(title: &str, items: &[String], units: &[(String, Vec<Mark>)], legend: [&str; 3]) -> String {
    let (label_w, cell, top) = (150.0, 26.0, 44.0);
    let width = label_w + cell * items.len() as f64 + 4.0;
    let height = top + cell * units.len() as f64 + 30.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{t}" class="chart grid"><title>{t}</title><text x="0" y="14" class="chart-title">{t}</text>"#,
        t = escape(title)
    );
    for (j, item) in items.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" class="axis">{}</text>"#,
            label_w + cell * j as f64 + cell / 2.0,
            top - 8.0,
            escape(item)
        );
    }
    for (i, (unit, marks)) in units.iter().enumerate() {
        let y = top + cell * i as f64;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" class="label">{}</text>"#,
            label_w - 6.0,
            y + 17.0,
            escape(unit)
        );
        for (j, mark) in marks.iter().enumerate() {
            let (fill, symbol, text_fill, word) = match mark {
                Mark::Yes => (YES, "✓", "#ffffff", legend[0]),
                Mark::No => (NO, "✗", "#ffffff", legend[1]),
                Mark::NotReported => (UNKNOWN, "–", "#333333", legend[2]),
            };
            let cx = label_w + cell * j as f64;
            let _ = write!(
                svg,
                r##"<g><title>{}, {}: {}</title><rect x="{cx:.1}" y="{y:.1}" width="{}" height="{}" fill="{fill}" stroke="#ffffff"/><text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{text_fill}" class="mark">{symbol}</text></g>"##,
                escape(unit),
                escape(items.get(j).map(String::as_str).unwrap_or("")),
                escape(word),
                cell - 2.0,
                cell - 2.0,
                cx + cell / 2.0 - 1.0,
                y + 17.0
            );
        }
    }
    let ly = top + cell * units.len() as f64 + 18.0;
    let _ = write!(
        svg,
        r#"<text x="0" y="{ly}" class="legend"><tspan fill="{YES}">✓</tspan> {} · <tspan fill="{NO}">✗</tspan> {} · – {}</text>"#,
        escape(legend[0]),
        escape(legend[1]),
        escape(legend[2])
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_charts_is_escaped() {
        let svg = bar_chart("<b>", &[("<script>x</script>".into(), Some(1.0))], "-", &|v| v.to_string());
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
        let grid = status_grid("t", &["H01".into()], &[("a&b".into(), vec![Mark::Yes])], ["y", "n", "?"]);
        assert!(grid.contains("a&amp;b"));
    }

    #[test]
    fn trend_with_gaps_and_flat_series() {
        let points = [("a".into(), Some(0.5)), ("b".into(), None), ("c".into(), Some(0.5))];
        let svg = trend_chart("R01", &points, &|v| format!("{v}"), "{n} cycles", None);
        assert_eq!(svg.matches('M').count(), 2, "a gap starts a new line segment: {svg}");
    }

    /// The y of each point of a chart's path, in order.
    fn path_ys(svg: &str) -> Vec<f64> {
        let path = svg.split("<path d=\"").nth(1).and_then(|p| p.split('"').next()).unwrap_or("");
        path.split_whitespace().filter_map(|step| step[1..].split(',').nth(1)?.parse().ok()).collect()
    }

    #[test]
    fn a_small_change_is_drawn_small_and_the_scale_is_labelled() {
        // 91.0 % → 91.1 %: a tenth of a point must not climb the chart's height.
        let points = [("18/09".into(), Some(0.910)), ("02/10".into(), Some(0.911))];
        let svg = trend_chart("R03", &points, &|v| format!("{:.1}%", v * 100.0), "{n} cycles", Some(1.0));
        assert!(svg.contains(">100.0%<") && !svg.contains(">101"), "a share tops out at 100 %: {svg}");
        let ys = path_ys(&svg);
        assert_eq!(ys.len(), 2);
        assert!((ys[0] - ys[1]).abs() < 1.0, "drawn flat: {ys:?}");
        assert!(svg.contains(">0.0%<"), "the baseline is labelled: {svg}");
        assert!(svg.contains("2 cycles"), "fewer cycles than a trend shows are said: {svg}");
        // A doubling is drawn as one.
        let doubling = [("a".into(), Some(10.0)), ("b".into(), Some(20.0))];
        let ys = path_ys(&trend_chart("B01", &doubling, &|v| format!("{v}"), "{n}", None));
        let base = 170.0 - 30.0;
        assert!(((base - ys[1]) / (base - ys[0]) - 2.0).abs() < 0.01, "{ys:?}");
    }
}
