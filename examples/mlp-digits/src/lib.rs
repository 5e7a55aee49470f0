//! Trains a small multilayer perceptron on the GPU to classify 8x8
//! handwritten digits, the data set that ships inside scikit-learn
//! (`data/digits.bin`, written once by `data/convert.py`).
//!
//! 64 pixels -> `--hidden` ReLU units -> 10 classes, softmax cross-entropy,
//! mini-batch SGD with momentum, fixed seeds. The forward and backward
//! passes run on the GPU (see `gpu.rs`). The example checks the first
//! training step against backpropagation on the CPU, prints each epoch's
//! mean loss, then `accuracy: NN.N%` on the held-out test images, then
//! compares the GPU's test logits and probabilities with a forward pass on
//! the CPU using the weights read back from the GPU. It fails when the first step differs,
//! the accuracy is below `--min-accuracy` or the logits differ beyond
//! `--tolerance`.
//!
//! ```text
//! cd examples/mlp-digits && wasi-webgpu-run --dir . .
//! ```

mod data;
mod gpu;
mod model;

use std::time::Instant;

use crate::model::{Params, predictions, softmax};

const USAGE: &str = "\
usage: mlp-digits [OPTIONS]   (run from examples/mlp-digits: wasi-webgpu-run --dir . . -- OPTIONS)
  --epochs N              passes over the training images (default 20)
  --hidden N              hidden ReLU units, 1 to 4096 (default 64)
  --batch N               images per SGD step (default 32)
  --lr X                  learning rate (default 0.05)
  --momentum X            momentum, in [0, 1) (default 0.9)
  --seed N                seed of the weights and the shuffles (default 1)
  --min-accuracy PERCENT  fail below this test accuracy (default 90)
  --tolerance X           most a GPU logit or probability may differ from the CPU's,
                          per unit of 1 + |CPU value| (default 1e-4)";

/// Most the GPU's first weight update may differ from the CPU's, relative to
/// the largest update. The GPU sums products in `f32` (about 1e-7 relative)
/// and the weights it subtracts from round to `f32`, so the updates (about
/// 1e-2) agree to a few 1e-6 (2.2e-6 measured on lavapipe); a wrong gradient
/// term is off by far more.
const STEP_TOLERANCE: f32 = 1e-4;

/// Share of the images held out for testing.
const TEST_SHARE: f64 = 0.2;

/// The run, as the command line sets it.
#[derive(Debug, Clone, Copy)]
struct Config {
    epochs: u32,
    hidden: usize,
    batch: usize,
    learning_rate: f32,
    momentum: f32,
    seed: u64,
    min_accuracy: f64,
    /// Most a GPU logit or probability may differ from the CPU's, per unit
    /// of `1 + |CPU value|`.
    tolerance: f32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            epochs: 20,
            hidden: 64,
            batch: 32,
            learning_rate: 0.05,
            momentum: 0.9,
            seed: 1,
            min_accuracy: 90.0,
            // f32 sums of 64 and 64 products on the GPU, against f64 sums
            // rounded once: about 1e-6 apart.
            tolerance: 1e-4,
        }
    }
}

impl Config {
    /// The configuration, or `None` when the arguments ask for help.
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Self>, String> {
        let mut config = Self::default();
        while let Some(flag) = args.next() {
            if flag == "-h" || flag == "--help" {
                return Ok(None);
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
            let bad = |e: &dyn std::fmt::Display| format!("{flag} {value}: {e}\n{USAGE}");
            match flag.as_str() {
                "--epochs" => config.epochs = value.parse().map_err(|e| bad(&e))?,
                "--hidden" => config.hidden = value.parse().map_err(|e| bad(&e))?,
                "--batch" => config.batch = value.parse().map_err(|e| bad(&e))?,
                "--lr" => config.learning_rate = value.parse().map_err(|e| bad(&e))?,
                "--momentum" => config.momentum = value.parse().map_err(|e| bad(&e))?,
                "--seed" => config.seed = value.parse().map_err(|e| bad(&e))?,
                "--min-accuracy" => config.min_accuracy = value.parse().map_err(|e| bad(&e))?,
                "--tolerance" => config.tolerance = value.parse().map_err(|e| bad(&e))?,
                _ => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
            }
        }
        let check = |ok: bool, what: &str| if ok { Ok(()) } else { Err(format!("{what}\n{USAGE}")) };
        check(config.epochs >= 1, "--epochs must be at least 1")?;
        check((1..=4096).contains(&config.hidden), "--hidden must be 1 to 4096")?;
        check(config.batch >= 1, "--batch must be at least 1")?;
        check(config.learning_rate.is_finite() && config.learning_rate > 0.0, "--lr must be positive")?;
        check((0.0..1.0).contains(&config.momentum), "--momentum must be in [0, 1)")?;
        check((0.0..=100.0).contains(&config.min_accuracy), "--min-accuracy must be a percentage")?;
        check(config.tolerance.is_finite() && config.tolerance >= 0.0, "--tolerance must be a number >= 0")?;
        Ok(Some(config))
    }
}

/// SplitMix64: small and deterministic, for weights and shuffles.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, (self.next_u64() % (i as u64 + 1)) as usize);
        }
    }
}

#[wasi_webgpu::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let Some(config) = Config::parse(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let all = data::load().map_err(|e| e.to_string())?;
    let (train, test) = data::split(&all, TEST_SHARE);
    if config.batch > train.len() {
        return Err(format!("--batch {} is more than the {} training images", config.batch, train.len()).into());
    }
    let Config { epochs, hidden, batch, learning_rate, momentum, seed, .. } = config;
    println!(
        "mlp-digits: {} training and {} test images; 64-{hidden}-10 MLP, batch {batch}, {epochs} epochs, \
         lr {learning_rate}, momentum {momentum}, seed {seed}",
        train.len(),
        test.len()
    );

    let mut rng = Rng::new(seed);
    let initial = Params::init(hidden, &mut rng);
    let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
    let (device, queue) = adapter.request_device(&Default::default()).await?;
    let trainer =
        gpu::Trainer::new(&device, &queue, &initial, train.len(), batch, &test.images, learning_rate, momentum).await?;

    // The first step, on the first batch, against backpropagation on the CPU.
    let (images, labels) = (&train.images[..batch * data::FEATURES], &train.labels[..batch]);
    let gpu_loss = trainer.epoch(images, labels).await?;
    let stepped = trainer.params().await?;
    let (expected, cpu_loss) = initial.first_step(images, labels, learning_rate);
    let updates = stepped.values().zip(expected.values()).zip(initial.values());
    let (mut largest, mut off) = (0f32, 0f32);
    for ((gpu, cpu), before) in updates {
        largest = largest.max((cpu - before).abs());
        off = off.max((gpu - cpu).abs());
    }
    let step_error = off / largest;
    println!(
        "first step vs cpu backpropagation: loss {gpu_loss:.5} (cpu {cpu_loss:.5}), \
         max |update difference| / max |update| {step_error:.2e} (tolerance {STEP_TOLERANCE:.0e})"
    );
    // `max` skips NaNs, hence the finiteness check.
    let step_ok = step_error <= STEP_TOLERANCE
        && (f64::from(gpu_loss) - cpu_loss).abs() <= 1e-4 * cpu_loss
        && stepped.values().all(f32::is_finite);
    if !step_ok {
        return Err("the GPU's training step differs from backpropagation on the CPU".into());
    }

    let clock = Instant::now();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let (mut images, mut labels) = (Vec::with_capacity(train.images.len()), Vec::with_capacity(train.len()));
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        images.clear();
        labels.clear();
        for &i in &order {
            images.extend_from_slice(train.image(i));
            labels.push(train.labels[i]);
        }
        let loss = trainer.epoch(&images, &labels).await?;
        println!("epoch {epoch:>3}: loss {loss:.4}");
    }
    let seconds = clock.elapsed().as_secs_f64();
    let seen = (train.len() / batch * batch) as f64 * f64::from(epochs);
    println!("trained in {seconds:.2} s ({:.0} images/s)", seen / seconds);

    let (gpu_logits, gpu_probabilities) = trainer.test_outputs().await?;
    let gpu_predictions = predictions(&gpu_logits);
    let correct = gpu_predictions.iter().zip(&test.labels).filter(|(p, l)| p == l).count();
    let accuracy = 100.0 * correct as f64 / test.len() as f64;
    let test_loss = gpu_probabilities
        .chunks_exact(data::CLASSES)
        .zip(&test.labels)
        .map(|(p, &label)| -f64::from(p[label as usize].max(f32::MIN_POSITIVE)).ln())
        .sum::<f64>()
        / test.len() as f64;
    println!("accuracy: {accuracy:.1}% ({correct}/{} test images), test loss {test_loss:.4}", test.len());

    // The same images through the CPU, with the weights the GPU ends with.
    let cpu_logits = trainer.params().await?.forward(&test.images);
    let cpu_probabilities = softmax(&cpu_logits);
    let scaled = |(g, c): (&f32, &f32)| (g - c).abs() / (1.0 + c.abs());
    let differences: Vec<f32> = gpu_logits
        .iter()
        .zip(&cpu_logits)
        .chain(gpu_probabilities.iter().zip(&cpu_probabilities))
        .map(scaled)
        .collect();
    let worst = differences.iter().copied().fold(0.0, f32::max);
    // Written so that a NaN counts as a mismatch.
    let matches = gpu_logits.len() == cpu_logits.len()
        && gpu_probabilities.len() == cpu_probabilities.len()
        && differences.iter().all(|&d| d <= config.tolerance);
    let agree = gpu_predictions.iter().zip(predictions(&cpu_logits)).filter(|(g, c)| **g == *c).count();
    println!(
        "gpu inference vs cpu forward pass: max |difference| / (1 + |cpu|) {worst:.2e} over logits and \
         probabilities (tolerance {:.0e}), same prediction for {agree}/{} images",
        config.tolerance,
        test.len()
    );

    let accurate = accuracy >= config.min_accuracy;
    if !accurate {
        return Err(format!("accuracy {accuracy:.1}% is below --min-accuracy {}%", config.min_accuracy).into());
    }
    if !matches {
        return Err(
            format!("GPU inference differs from the CPU's by {worst:.2e}, beyond {:.0e}", config.tolerance).into()
        );
    }
    println!("gpu inference matches the cpu: ok");
    Ok(())
}
