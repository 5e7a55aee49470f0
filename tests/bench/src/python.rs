//! Running the PyTorch anchor scripts (`torch_minilm.py`, `torch_ops.py`).

use std::path::Path;
use std::process::Command;

use anyhow::{Context as _, Result, bail};
use serde_json::Value;

/// Runs `python script args…` and returns the JSON objects it printed, one
/// per line; `None` when `python -c "import <modules>"` fails (no PyTorch
/// here: the caller notes the rows as not measured).
pub fn json_lines(python: &str, modules: &str, script: &Path, args: &[&str]) -> Result<Option<Vec<Value>>> {
    let probe = Command::new(python).args(["-c", &format!("import {modules}")]).output();
    if !probe.is_ok_and(|p| p.status.success()) {
        return Ok(None);
    }
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .with_context(|| format!("failed to run {python} {}", script.display()))?;
    if !out.status.success() {
        bail!("{} failed:\n{}", script.display(), String::from_utf8_lossy(&out.stderr));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).with_context(|| format!("{}: bad output line {l:?}", script.display())))
        .collect::<Result<_>>()
        .map(Some)
}

/// The string field `key` of `v`, `?` where it is missing.
pub fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("?").to_owned()
}

/// What both scripts print of one timed case: the median, how many samples
/// it is over, and where it ran.
pub struct Timing {
    /// The median sample, in seconds.
    pub median_s: f64,
    /// How many samples the median is of.
    pub samples: u64,
    /// `cuda`'s device name, or `cpu`.
    pub device: String,
    /// PyTorch's version.
    pub version: String,
}

impl Timing {
    /// The timing fields of one output line.
    pub fn of(v: &Value) -> Result<Self> {
        Ok(Self {
            median_s: v.get("median_ms").and_then(Value::as_f64).context("torch: no median_ms")? / 1e3,
            samples: v.get("samples").and_then(Value::as_u64).unwrap_or(0),
            device: text(v, "device"),
            version: text(v, "torch"),
        })
    }
}
