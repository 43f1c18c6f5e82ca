//! SVG bar charts drawn on the server: no script, no external asset, the
//! labels escaped by the template like any other text.

use askama::Template;

/// One bar.
pub(crate) struct Bar {
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub label_x: String,
    pub class: &'static str,
    pub label: String,
    pub value: String,
}

/// A bar chart with an optional target line.
#[derive(Template)]
#[template(path = "chart.html")]
pub(crate) struct BarChart {
    pub title: String,
    pub width: u32,
    pub height: u32,
    pub base: String,
    pub bars: Vec<Bar>,
    pub target: Option<String>,
    pub target_label: String,
}

/// A value to draw: its label under the bar, its text on hover, and whether it met its target.
pub(crate) struct Point {
    pub label: String,
    pub value: Option<f64>,
    pub text: String,
    pub good: Option<bool>,
}

/// Draws `points` as bars, with `target` as a dashed line; the SVG as text.
pub(crate) fn bars(title: &str, points: &[Point], target: Option<f64>) -> String {
    let (width, height) = (320_u32, 150_u32);
    let (top, bottom, side) = (10.0, 20.0, 6.0);
    let plot = f64::from(height) - top - bottom;
    let max = points
        .iter()
        .filter_map(|p| p.value)
        .chain(target)
        .fold(0.0_f64, f64::max)
        .max(f64::MIN_POSITIVE)
        * 1.1;
    let slot = (f64::from(width) - 2.0 * side) / points.len().max(1) as f64;
    let y_of = |v: f64| top + plot - (v.max(0.0) / max) * plot;
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let v = p.value.unwrap_or(0.0);
            let x = side + slot * i as f64 + slot * 0.15;
            let y = y_of(v);
            Bar {
                x: format!("{x:.1}"),
                y: format!("{y:.1}"),
                w: format!("{:.1}", slot * 0.7),
                h: format!("{:.1}", (top + plot - y).max(0.0)),
                label_x: format!("{:.1}", x + slot * 0.35),
                class: match p.good {
                    Some(true) => "good",
                    Some(false) => "bad",
                    None => "neutral",
                },
                label: p.label.clone(),
                value: p.text.clone(),
            }
        })
        .collect();
    let chart = BarChart {
        title: title.to_string(),
        width,
        height,
        base: format!("{:.1}", top + plot + 14.0),
        bars,
        target: target.map(|t| format!("{:.1}", y_of(t))),
        target_label: target.map(|_| "target".to_string()).unwrap_or_default(),
    };
    chart.render().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value_and_escape_labels() {
        let points = [
            Point {
                label: "<b>".into(),
                value: Some(50.0),
                text: "50".into(),
                good: Some(false),
            },
            Point {
                label: "b".into(),
                value: Some(100.0),
                text: "100".into(),
                good: Some(true),
            },
        ];
        let svg = bars("t", &points, Some(80.0));
        assert!(svg.contains("&#60;b&#62;") && !svg.contains("<b>"), "{svg}");
        assert!(svg.contains("class=\"bad\"") && svg.contains("class=\"good\""));
        assert!(svg.contains("stroke-dasharray"), "{svg}");
    }
}
