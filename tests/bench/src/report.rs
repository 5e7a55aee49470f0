//! Statistics, the markdown report and the chart.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

/// Median and range of one side's samples, in the row's unit.
#[derive(Clone, Copy, Debug)]
pub struct Stat {
    pub median: f64,
    pub min: f64,
    pub max: f64,
    pub n: usize,
}

impl Stat {
    /// `f` turns one sample into the unit (it may invert, as throughput does).
    pub fn of(samples: &[Duration], f: impl Fn(f64) -> f64) -> Self {
        let mut values: Vec<f64> = samples.iter().map(|d| f(d.as_secs_f64())).collect();
        values.sort_by(f64::total_cmp);
        let n = values.len();
        let median = if n == 0 {
            f64::NAN
        } else if n % 2 == 1 {
            values[n / 2]
        } else {
            (values[n / 2 - 1] + values[n / 2]) / 2.0
        };
        Self {
            median,
            min: values.first().copied().unwrap_or(f64::NAN),
            max: values.last().copied().unwrap_or(f64::NAN),
            n,
        }
    }

    /// Half the min-max range relative to the median, in percent.
    pub fn spread_pct(&self) -> f64 {
        (self.max - self.min) / 2.0 / self.median.abs() * 100.0
    }

    fn cell(&self) -> String {
        format!("{} ±{:.1}% (n={})", fmt_num(self.median), self.spread_pct(), self.n)
    }
}

fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        "–".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Better {
    Lower,
    Higher,
}

/// A goal on the ratio subject/baseline.
#[derive(Clone, Copy, Debug)]
pub enum Goal {
    AtMost(f64),
    AtLeast(f64),
}

impl Goal {
    fn met(self, ratio: f64) -> bool {
        match self {
            Self::AtMost(g) => ratio <= g,
            Self::AtLeast(g) => ratio >= g,
        }
    }

    fn text(self) -> String {
        match self {
            Self::AtMost(g) => format!("≤ {}", fmt_goal(g)),
            Self::AtLeast(g) => format!("≥ {}", fmt_goal(g)),
        }
    }
}

/// One comparison: the subject (a guest) against a baseline (native wgpu,
/// or the raw-bindings guest) on the same workload.
#[derive(Clone, Debug)]
pub struct Row {
    pub workload: String,
    pub unit: &'static str,
    pub better: Better,
    pub baseline: Stat,
    pub subject: Stat,
    pub goal: Option<Goal>,
}

impl Row {
    /// subject / baseline of the medians, in the row's unit: a time ratio
    /// for lower-is-better rows, a throughput ratio otherwise.
    pub fn ratio(&self) -> f64 {
        self.subject.median / self.baseline.median
    }

    /// How fast the subject is relative to the baseline (1 = same, higher
    /// is better), for the chart.
    fn speed(&self) -> f64 {
        match self.better {
            Better::Higher => self.ratio(),
            Better::Lower => 1.0 / self.ratio(),
        }
    }

    fn speed_goal(&self) -> Option<f64> {
        self.goal.map(|g| match (g, self.better) {
            (Goal::AtMost(v) | Goal::AtLeast(v), Better::Higher) => v,
            (Goal::AtMost(v) | Goal::AtLeast(v), Better::Lower) => 1.0 / v,
        })
    }

    fn verdict(&self) -> String {
        match self.goal {
            Some(goal) if goal.met(self.ratio()) => format!("{} ✅", goal.text()),
            Some(goal) => format!("{} ❌", goal.text()),
            None => "–".into(),
        }
    }
}

/// Component size of one guest.
pub struct SizeRow {
    pub name: String,
    pub release: u64,
    pub stripped: u64,
}

/// Macro expansion cost of one shader.
pub struct MacroRow {
    pub name: String,
    pub bytes: usize,
    pub time: Stat,
}

#[derive(Default)]
pub struct Report {
    pub meta: Vec<(String, String)>,
    pub native: Vec<Row>,
    pub overhead: Vec<Row>,
    pub cold: Vec<Row>,
    /// Guest against PyTorch on the same device: the minilm forward against
    /// sentence-transformers, the ops kernels against torch's and cuBLAS.
    pub pytorch: Vec<Row>,
    pub diagnostics: Vec<Row>,
    pub sizes: Vec<SizeRow>,
    pub macros: Vec<MacroRow>,
    pub notes: Vec<String>,
}

pub const SIZE_GOAL: u64 = 100_000;
pub const MACRO_GOAL_MS: f64 = 50.0;

fn rows_table(out: &mut String, rows: &[Row], baseline: &str, subject: &str) {
    let _ = writeln!(out, "| workload | unit | {baseline} | {subject} | ratio {subject}/{baseline} | goal |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for row in rows {
        let dir = if row.better == Better::Lower { "lower is better" } else { "higher is better" };
        let _ = writeln!(
            out,
            "| {} | {} ({dir}) | {} | {} | **{:.3}** | {} |",
            row.workload,
            row.unit,
            row.baseline.cell(),
            row.subject.cell(),
            row.ratio(),
            row.verdict()
        );
    }
}

impl Report {
    /// Every workload row's name, for the smoke test.
    pub fn markdown(&self, chart: Option<&str>) -> String {
        let mut out = String::new();
        for (key, value) in &self.meta {
            let _ = writeln!(out, "- **{key}**: {value}");
        }
        if !self.native.is_empty() {
            out.push_str("\n#### Guest (SDK) vs native wgpu\n\n");
            rows_table(&mut out, &self.native, "native", "guest");
        }
        if !self.overhead.is_empty() {
            out.push_str("\n#### SDK overhead: SDK guest vs raw-bindings guest\n\n");
            rows_table(&mut out, &self.overhead, "raw", "sdk");
        }
        if !self.cold.is_empty() {
            out.push_str("\n#### Cold start: load + instantiate + first dispatch and its result\n\n");
            rows_table(&mut out, &self.cold, "native", "guest");
        }
        if !self.pytorch.is_empty() {
            out.push_str("\n#### Guest vs PyTorch on the same device (sentence-transformers, torch ops, cuBLAS)\n\n");
            rows_table(&mut out, &self.pytorch, "pytorch", "guest");
        }
        if !self.diagnostics.is_empty() {
            out.push_str("\n#### Diagnostics: native variants that locate a gap\n\n");
            rows_table(&mut out, &self.diagnostics, "native", "variant");
        }
        if !self.sizes.is_empty() {
            out.push_str("\n#### Component size (release profile)\n\n");
            out.push_str("| component | release bytes | stripped bytes | goal (hello-compute) |\n|---|---|---|---|\n");
            for s in &self.sizes {
                let goal = if s.name.starts_with("hello") || s.name.starts_with("hello_compute") {
                    let ok = if s.stripped <= SIZE_GOAL { "✅" } else { "❌" };
                    format!("≤ {SIZE_GOAL} {ok}")
                } else {
                    "–".into()
                };
                let _ = writeln!(out, "| {} | {} | {} | {goal} |", s.name, s.release, s.stripped);
            }
        }
        if !self.macros.is_empty() {
            out.push_str(
                "\n#### Macro expansion cost (`#[wasi_webgpu::shader]`: parse + validate + reflect + codegen)\n\n",
            );
            out.push_str(
                "| shader | bytes | ms per expansion | ms per 2 KB | goal ≤ 50 ms per 2 KB |\n|---|---|---|---|---|\n",
            );
            for m in &self.macros {
                let per_2k = m.time.median * 2048.0 / m.bytes as f64;
                let ok = if per_2k <= MACRO_GOAL_MS { "✅" } else { "❌" };
                let _ = writeln!(out, "| {} | {} | {} | {} | {ok} |", m.name, m.bytes, m.time.cell(), fmt_num(per_2k));
            }
        }
        if let Some(chart) = chart {
            let _ = writeln!(out, "\n![guest speed relative to its baseline]({chart})");
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for note in &self.notes {
                let _ = writeln!(out, "- {note}");
            }
        }
        out
    }

    /// Bar chart: each comparison's speed relative to its baseline (1 =
    /// parity), with its goal as a tick.
    pub fn chart(&self, path: &Path, title: &str) -> Result<()> {
        let rows: Vec<(String, &Row)> = self
            .native
            .iter()
            .map(|r| (format!("{}: guest/native", short(&r.workload)), r))
            .chain(self.overhead.iter().map(|r| (format!("{}: sdk/raw", short(&r.workload)), r)))
            .chain(self.cold.iter().map(|r| (format!("{}: guest/native", short(&r.workload)), r)))
            .chain(self.pytorch.iter().map(|r| (format!("{}: guest/pytorch", short(&r.workload)), r)))
            .collect();
        if rows.is_empty() {
            return Ok(());
        }
        let height = 120 + 34 * rows.len() as u32;
        let root = SVGBackend::new(path, (1000, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
        let max = rows.iter().map(|(_, r)| r.speed().max(r.speed_goal().unwrap_or(0.0))).fold(1.2, f64::max);
        let x_max = (max * 1.1).min(10.0);
        let n = rows.len() as i32;
        let labels: Vec<String> = rows.iter().rev().map(|(label, _)| label.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(430)
            .build_cartesian_2d(0.0..x_max, (0..n).into_segmented())
            .map_err(|e| anyhow!("{e}"))?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows.len())
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            })
            .x_desc("speed relative to baseline (1 = parity, higher is better); black tick = goal")
            .draw()
            .map_err(|e| anyhow!("{e}"))?;
        let bars = rows.iter().enumerate().map(|(i, (_, r))| {
            let i = n - 1 - i as i32;
            let met = r.goal.is_none_or(|g| g.met(r.ratio()));
            let color = if met { RGBColor(70, 130, 180) } else { RGBColor(205, 92, 92) };
            Rectangle::new(
                [(0.0, SegmentValue::Exact(i)), (r.speed().min(x_max), SegmentValue::Exact(i + 1))],
                color.filled(),
            )
        });
        chart.draw_series(bars).map_err(|e| anyhow!("{e}"))?;
        let goals = rows.iter().enumerate().filter_map(|(i, (_, r))| {
            let i = n - 1 - i as i32;
            r.speed_goal().map(|g| {
                PathElement::new(
                    vec![(g, SegmentValue::Exact(i)), (g, SegmentValue::Exact(i + 1))],
                    BLACK.stroke_width(3),
                )
            })
        });
        chart.draw_series(goals).map_err(|e| anyhow!("{e}"))?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(1.0, SegmentValue::Exact(0)), (1.0, SegmentValue::Exact(n))],
                BLACK.mix(0.4).stroke_width(1),
            )))
            .map_err(|e| anyhow!("{e}"))?;
        root.present().map_err(|e| anyhow!("{e}"))?;
        Ok(())
    }
}

fn fmt_goal(g: f64) -> String {
    let s = format!("{g:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// A workload's name without its parenthesised details, for chart labels.
fn short(workload: &str) -> &str {
    workload.split(" (").next().unwrap_or(workload)
}
