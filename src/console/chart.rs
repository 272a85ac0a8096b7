//! Bar charts drawn on the server as inline SVG (no chart script, nothing for the CSP to
//! allow). Each chart is decoration beside a table holding the same numbers, and says so
//! to screen readers with its `aria-label`.

use handlebars::html_escape;

/// One coloured set of bars; `class` picks the colour in console.css (`s1`, `s2`, …).
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'a str,
    pub values: Vec<u64>,
}

const WIDTH: u64 = 640;
const HEIGHT: u64 = 180;
const BASE: u64 = 150;
const LEFT: u64 = 40;

/// Grouped vertical bars: one group per category, one bar per series.
pub fn bars(label: &str, categories: &[String], series: &[Series]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let groups = u64::try_from(categories.len()).unwrap_or(1).max(1);
    let group_width = (WIDTH - LEFT) / groups;
    let count = u64::try_from(series.len()).unwrap_or(1).max(1);
    let bar_width = (group_width.saturating_sub(8) / count).max(2);
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{}\">",
        html_escape(label)
    );
    svg.push_str(&format!(
        "<text class=\"axis\" x=\"0\" y=\"12\">{max}</text><text class=\"axis\" x=\"0\" y=\"{BASE}\">0</text>\
         <line class=\"axis\" x1=\"{LEFT}\" y1=\"{BASE}\" x2=\"{WIDTH}\" y2=\"{BASE}\"/>"
    ));
    for (g, category) in (0u64..).zip(categories) {
        let x0 = LEFT + g * group_width + 4;
        for (i, s) in (0u64..).zip(series) {
            let value = s
                .values
                .get(usize::try_from(g).unwrap_or(0))
                .copied()
                .unwrap_or(0);
            let h = value * (BASE - 10) / max;
            svg.push_str(&format!(
                "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{bar_width}\" height=\"{h}\"><title>{}: {value}</title></rect>",
                html_escape(s.class),
                x0 + i * bar_width,
                BASE - h,
                html_escape(&format!("{} {category}", s.name)),
            ));
        }
        svg.push_str(&format!(
            "<text class=\"axis\" x=\"{x0}\" y=\"{}\">{}</text>",
            BASE + 16,
            html_escape(category)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_labels_and_scales_to_the_largest_value() {
        let svg = bars(
            "a<b",
            &["<x>".to_owned(), "y".to_owned()],
            &[Series {
                name: "n",
                class: "s1",
                values: vec![0, 10],
            }],
        );
        assert!(svg.contains("aria-label=\"a&lt;b\""));
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
        assert!(svg.contains("height=\"140\""), "{svg}");
    }
}
