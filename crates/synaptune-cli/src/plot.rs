//! Plots (plotters), as SVG or PNG. Text is laid out with a TrueType font found
//! on the system (DejaVu Sans, Liberation Sans, Arial); without one, plotting
//! stops with an error that says so.

use anyhow::{anyhow, bail, Context, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// One curve of a panel.
pub struct Series<'a> {
    /// Legend label.
    pub label: String,
    /// x values.
    pub x: &'a [f64],
    /// y values.
    pub y: Vec<f64>,
}

/// A labelled point (pulse numbers on the current trace).
pub struct Mark {
    /// x.
    pub x: f64,
    /// y.
    pub y: f64,
    /// Text.
    pub text: String,
}

/// One panel: a title, axis labels, curves, marks; optional log x axis.
pub struct Panel<'a> {
    /// Title.
    pub title: String,
    /// x label.
    pub xlabel: String,
    /// y label.
    pub ylabel: String,
    /// Curves.
    pub series: Vec<Series<'a>>,
    /// Marks.
    pub marks: Vec<Mark>,
    /// Log-scaled x axis.
    pub log_x: bool,
    /// Draw points as well as lines.
    pub points: bool,
}

const FONT_CANDIDATES: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/liberation/LiberationSans-Regular.ttf",
    "/Library/Fonts/Arial.ttf",
    "/System/Library/Fonts/Supplemental/Arial.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
];

fn register_font() -> Result<()> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        for p in FONT_CANDIDATES {
            if let Ok(bytes) = std::fs::read(p) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return Ok(());
                }
            }
        }
        Err(format!(
            "no TrueType font found to draw text (looked for {}); install DejaVu fonts (Debian: fonts-dejavu-core)",
            FONT_CANDIDATES.join(", ")
        ))
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

fn finite_range(vals: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in vals.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-12 * (1.0 + lo.abs()) {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        return (lo - pad, hi + pad);
    }
    let pad = 0.05 * (hi - lo);
    (lo - pad, hi + pad)
}

const COLORS: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, p: &Panel) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let xs = || p.series.iter().flat_map(|s| s.x.iter().copied());
    let ys = || {
        p.series
            .iter()
            .flat_map(|s| s.y.iter().copied())
            .chain(p.marks.iter().map(|m| m.y))
    };
    let (x0, x1) = finite_range(xs());
    let (y0, y1) = finite_range(ys());
    let mut b = ChartBuilder::on(area);
    b.caption(&p.title, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70);
    macro_rules! body {
        ($chart:expr) => {{
            let mut chart = $chart;
            chart
                .configure_mesh()
                .x_desc(p.xlabel.as_str())
                .y_desc(p.ylabel.as_str())
                .label_style(("sans-serif", 13))
                .draw()
                .map_err(|e| anyhow!("drawing axes: {e:?}"))?;
            for (k, s) in p.series.iter().enumerate() {
                let c = COLORS[k % COLORS.len()];
                let pts: Vec<(f64, f64)> =
                    s.x.iter()
                        .zip(&s.y)
                        .filter(|(x, y)| x.is_finite() && y.is_finite())
                        .map(|(&x, &y)| (x, y))
                        .collect();
                chart
                    .draw_series(LineSeries::new(pts.clone(), c.stroke_width(2)))
                    .map_err(|e| anyhow!("drawing a curve: {e:?}"))?
                    .label(s.label.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                    });
                if p.points {
                    chart
                        .draw_series(pts.iter().map(|&(x, y)| Circle::new((x, y), 3, c.filled())))
                        .map_err(|e| anyhow!("drawing points: {e:?}"))?;
                }
            }
            for m in &p.marks {
                chart
                    .draw_series(std::iter::once(Circle::new((m.x, m.y), 4, BLACK.filled())))
                    .map_err(|e| anyhow!("drawing marks: {e:?}"))?;
                chart
                    .draw_series(std::iter::once(Text::new(
                        m.text.clone(),
                        (m.x, m.y),
                        ("sans-serif", 13).into_font(),
                    )))
                    .map_err(|e| anyhow!("drawing labels: {e:?}"))?;
            }
            if p.series.len() > 1 {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .label_font(("sans-serif", 13))
                    .draw()
                    .map_err(|e| anyhow!("drawing the legend: {e:?}"))?;
            }
        }};
    }
    let positive: Vec<f64> = xs().filter(|x| *x > 0.0 && x.is_finite()).collect();
    if p.log_x && !positive.is_empty() {
        let lx0 = positive.iter().copied().fold(f64::INFINITY, f64::min) / 1.25;
        let lx1 = positive.iter().copied().fold(f64::NEG_INFINITY, f64::max) * 1.25;
        let _ = (x0, x1);
        let chart = b
            .build_cartesian_2d((lx0..lx1).log_scale(), y0..y1)
            .map_err(|e| anyhow!("building a chart: {e:?}"))?;
        body!(chart);
    } else {
        let chart = b
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(|e| anyhow!("building a chart: {e:?}"))?;
        body!(chart);
    }
    Ok(())
}

fn draw_all<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Panel],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
    let root = root
        .titled(title, ("sans-serif", 22))
        .map_err(|e| anyhow!("{e:?}"))?;
    let areas = root.split_evenly((panels.len(), 1));
    for (a, p) in areas.iter().zip(panels) {
        draw_panel(a, p)?;
    }
    root.present().map_err(|e| anyhow!("{e:?}"))?;
    Ok(())
}

/// Write stacked panels to `path` (`.svg` or `.png`), atomically.
pub fn write(path: &Path, title: &str, panels: &[Panel]) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    let size = (1000u32, 320u32 * panels.len().max(1) as u32 + 40);
    let tmp = crate::output::temp_beside(path, &format!(".{ext}"))?;
    let res = match ext.as_str() {
        "svg" => {
            register_font()?;
            draw_all(
                SVGBackend::new(&tmp, size).into_drawing_area(),
                title,
                panels,
            )
        }
        "png" => {
            register_font()?;
            draw_all(
                BitMapBackend::new(&tmp, size).into_drawing_area(),
                title,
                panels,
            )
        }
        _ => bail!("{}: plots are written as .svg or .png", path.display()),
    };
    let done = match res.and_then(|_| {
        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))
    }) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e).with_context(|| format!("plotting {}", path.display()))
        }
    };
    crate::output::forget_temp(&tmp);
    done
}
