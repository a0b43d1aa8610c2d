//! `--plot`: latency against size, one line per series (SVG), for `msm bench` and `msm fold`.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::prelude::*;

/// `points`: (series label, log2 size, milliseconds).
pub fn lines(
    path: &Path,
    title: &str,
    x_desc: &str,
    points: &[(String, u32, f64)],
) -> Result<(), String> {
    let err = |e: &dyn std::fmt::Display| format!("plot {}: {e}", path.display());
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(&e))?;
    }
    let mut series: BTreeMap<&str, Vec<(u32, f64)>> = BTreeMap::new();
    for (label, log, ms) in points {
        series.entry(label).or_default().push((*log, ms.max(1e-6)));
    }
    let (lo, hi) = points
        .iter()
        .fold((u32::MAX, 0), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
    let (ymin, ymax) = points
        .iter()
        .fold((f64::MAX, 0f64), |(a, b), p| (a.min(p.2), b.max(p.2)));
    let root = SVGBackend::new(path, (800, 500)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(lo..hi.max(lo + 1), (ymin / 2.0..ymax * 2.0).log_scale())
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc("ms")
        .draw()
        .map_err(|e| err(&e))?;
    for (i, (label, pts)) in series.iter().enumerate() {
        let color = Palette99::pick(i).mix(0.9);
        chart
            .draw_series(LineSeries::new(pts.iter().copied(), color.stroke_width(2)))
            .map_err(|e| err(&e))?
            .label(*label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        chart
            .draw_series(pts.iter().map(|&p| Circle::new(p, 3, color.filled())))
            .map_err(|e| err(&e))?;
    }
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.8))
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}
