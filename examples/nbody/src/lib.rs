//! Gravitational N-body simulation on the GPU, checked against the CPU.
//!
//! A Plummer sphere of equal-mass bodies (standard N-body units: G = 1,
//! total mass 1, total energy near -1/4) is integrated with softened gravity
//! and kick-drift-kick leapfrog, twice: on the GPU in `f32`
//! (`src/nbody.wgsl`, all pairs tiled through workgroup memory) and in this
//! guest on the CPU in `f64`. Leapfrog is symplectic, so the total energy
//! only wobbles; its relative drift over the run measures the integration.
//! The example prints the steps per second of both, the energy drift of
//! both, and fails unless
//! - the GPU moved the bodies (rms displacement from the start at least
//!   half the CPU run's) and its final positions and velocities match the
//!   CPU run's body by body (at most `--state-tolerance`, default
//!   `STATE_TOLERANCE`, of the start state's rms radius and rms speed),
//! - the GPU's energy kernel agrees with an `f64` evaluation of the same
//!   state (relative difference at most `ENERGY_TOLERANCE`), and
//! - the GPU's drift matches the CPU's within `--tolerance` (absolute
//!   difference of the relative drifts, default `DRIFT_TOLERANCE`).
//!
//! ```text
//! wasi-webgpu-run examples/nbody -- --bodies 1024 --steps 200
//! ```

mod cpu;

use std::time::Instant;
use wasi_webgpu::Threads;

use wasi_webgpu::{BufferInitDescriptor, BufferUsages, Device, Queue};

use crate::cpu::{Body, Rng};

#[wasi_webgpu::shader(path = "src/nbody.wgsl")]
mod nbody {}

/// Most the GPU's energy kernel (`f32`) may differ from the `f64`
/// evaluation of the same state, relative to the energy. Summing ~1000
/// `f32` terms per body, then ~1000 bodies, rounds at about 1e-6.
const ENERGY_TOLERANCE: f64 = 1e-5;

/// Default bound on |GPU drift - CPU drift|, each relative to the initial
/// energy. The GPU rounds every step to `f32` (about 6e-8 relative), and
/// N-body trajectories are chaotic, so the two runs part ways after close
/// encounters and the leapfrog's energy wobble differs between them.
/// Measured on lavapipe: 3e-8 for the default run, 2e-7 at dt 0.05, up to
/// 7e-6 for 256 bodies over 2000 steps (20 time units). A broken force or
/// integrator drifts by 1e-3 or more. Runs of few bodies over many crossing
/// times part ways further (3.5e-5 for 64 bodies over 4000 steps): raise
/// `--tolerance` for those.
const DRIFT_TOLERANCE: f64 = 1e-5;

/// Default bound on how far the GPU's final positions and velocities may be
/// from the CPU run's, body by body, relative to the rms radius and rms
/// speed of the start state. Measured on lavapipe (position, velocity):
/// 1.3e-6, 7e-7 for 64 bodies over 20 steps; 2.5e-6, 1.9e-6 for 300 over
/// 100; 3.4e-6, 5.9e-6 for the default run; 1.2e-5, 3e-5 for 1024 over 500
/// steps. A GPU that skips or botches steps is off by a good fraction of
/// the radius (a tenth after 20 steps, the bodies' whole displacement).
/// Chaos amplifies f32 rounding exponentially: 256 bodies over 1000 steps
/// reach 5e-4, 1.9e-3, and over 2000 steps the runs are unrelated (0.6,
/// 1.9): raise `--state-tolerance` for long runs.
const STATE_TOLERANCE: f64 = 1e-3;

/// Most bodies a run takes.
const MAX_BODIES: u32 = 65536;

/// Steps recorded in one command buffer.
const STEPS_PER_SUBMIT: u32 = 50;

const USAGE: &str = "\
usage: nbody [OPTIONS]
  --bodies N       bodies in the Plummer sphere, 2 to 65536 (default 1024)
  --steps N        leapfrog steps (default 200)
  --dt DT          time step in N-body units (default 0.01)
  --softening EPS  Plummer softening length (default 0.05)
  --seed N         seed of the initial conditions (default 1)
  --tolerance T    most |GPU drift - CPU drift| may be, relative to the energy (default 1e-5)
  --state-tolerance T
                   most a body's final position and velocity may be from the CPU's, relative
                   to the rms radius and speed (default 1e-3; raise it for long runs)";

/// The run, as the command line sets it.
#[derive(Debug, Clone, Copy)]
struct Config {
    bodies: u32,
    steps: u32,
    dt: f32,
    softening: f32,
    seed: u64,
    tolerance: f64,
    state_tolerance: f64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bodies: 1024,
            steps: 200,
            dt: 0.01,
            softening: 0.05,
            seed: 1,
            tolerance: DRIFT_TOLERANCE,
            state_tolerance: STATE_TOLERANCE,
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
                "--bodies" => config.bodies = value.parse().map_err(|e| bad(&e))?,
                "--steps" => config.steps = value.parse().map_err(|e| bad(&e))?,
                "--dt" => config.dt = value.parse().map_err(|e| bad(&e))?,
                "--softening" => config.softening = value.parse().map_err(|e| bad(&e))?,
                "--seed" => config.seed = value.parse().map_err(|e| bad(&e))?,
                "--tolerance" => config.tolerance = value.parse().map_err(|e| bad(&e))?,
                "--state-tolerance" => config.state_tolerance = value.parse().map_err(|e| bad(&e))?,
                _ => return Err(format!("unknown argument `{flag}`\n{USAGE}")),
            }
        }
        // The CPU reference visits every pair each step: past this it would
        // run for hours.
        if !(2..=MAX_BODIES).contains(&config.bodies) {
            return Err(format!("--bodies must be 2 to {MAX_BODIES}, got {}", config.bodies));
        }
        if config.steps == 0 {
            return Err("--steps must be at least 1".into());
        }
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 { Ok(()) } else { Err(format!("{name} must be a positive number, got {v}")) }
        };
        positive("--dt", config.dt.into())?;
        positive("--softening", config.softening.into())?;
        positive("--tolerance", config.tolerance)?;
        positive("--state-tolerance", config.state_tolerance)?;
        Ok(Some(config))
    }
}

/// The bodies, on the GPU, with bind groups made once for every step.
struct Simulation {
    kick_drift: (nbody::KickDrift, nbody::KickDriftBound),
    accelerate: (nbody::AccelerateKick, nbody::AccelerateKickBound),
    energy: (nbody::Energy, nbody::EnergyBound),
    positions: wasi_webgpu::Buffer<[f32; 4]>,
    velocities: wasi_webgpu::Buffer<[f32; 4]>,
    energies: wasi_webgpu::Buffer<f32>,
    count: u32,
}

impl Simulation {
    async fn new(device: &Device, queue: &Queue, config: &Config, bodies: &[Body]) -> wasi_webgpu::Result<Self> {
        let storage = |label, contents: &[[f32; 4]]| {
            let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
            device.create_buffer_init(&BufferInitDescriptor { label: Some(label), contents, usage })
        };
        let uniform = |dt: f32| {
            let params = nbody::Params {
                count: bodies.len() as u32,
                dt,
                softening_sq: config.softening * config.softening,
                gravity: 1.0,
            };
            device.create_buffer_init(&BufferInitDescriptor {
                label: Some("params"),
                contents: &[params],
                usage: BufferUsages::UNIFORM,
            })
        };
        let positions = storage("positions", &bodies.iter().map(Body::position_mass).collect::<Vec<_>>())?;
        let velocities = storage("velocities", &bodies.iter().map(Body::velocity).collect::<Vec<_>>())?;
        let accelerations = storage("accelerations", &vec![[0.0; 4]; bodies.len()])?;
        let energies = device.create_buffer_init(&BufferInitDescriptor {
            label: Some("energies"),
            contents: &vec![0f32; bodies.len()],
            usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
        })?;
        let (step_params, start_params) = (uniform(config.dt)?, uniform(0.0)?);

        let kick_drift = nbody::KickDrift::pipeline(device, &Default::default()).await?;
        let accelerate = nbody::AccelerateKick::pipeline(device, &Default::default()).await?;
        let energy = nbody::Energy::pipeline(device, &Default::default()).await?;
        let kick_drift_bound = kick_drift.bind(
            device,
            &nbody::KickDriftBindings {
                params: step_params.as_uniform(),
                positions: positions.as_storage_mut(),
                velocities: velocities.as_storage_mut(),
                accelerations: accelerations.as_storage_mut(),
            },
        )?;
        let accelerate_with = |params: &wasi_webgpu::Buffer<nbody::Params>| {
            accelerate.bind(
                device,
                &nbody::AccelerateKickBindings {
                    params: params.as_uniform(),
                    positions: positions.as_storage_mut(),
                    velocities: velocities.as_storage_mut(),
                    accelerations: accelerations.as_storage_mut(),
                },
            )
        };
        let (accelerate_bound, start_bound) = (accelerate_with(&step_params)?, accelerate_with(&start_params)?);
        let energy_bound = energy.bind(
            device,
            &nbody::EnergyBindings {
                params: step_params.as_uniform(),
                positions: positions.as_storage_mut(),
                velocities: velocities.as_storage_mut(),
                energies: energies.as_storage_mut(),
            },
        )?;

        // The first half kick needs the starting accelerations.
        let count = bodies.len() as u32;
        let mut encoder = device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        accelerate.dispatch_bound(&mut pass, &start_bound, Threads::x(count))?;
        pass.end();
        queue.submit([encoder.finish().await?])?;

        Ok(Self {
            kick_drift: (kick_drift, kick_drift_bound),
            accelerate: (accelerate, accelerate_bound),
            energy: (energy, energy_bound),
            positions,
            velocities,
            energies,
            count,
        })
    }

    /// Records and submits `steps` leapfrog steps.
    async fn step(&self, device: &Device, queue: &Queue, steps: u32) -> wasi_webgpu::Result<()> {
        let mut done = 0;
        while done < steps {
            let batch = STEPS_PER_SUBMIT.min(steps - done);
            let mut encoder = device.create_command_encoder(&Default::default());
            let mut pass = encoder.begin_compute_pass(&Default::default());
            for _ in 0..batch {
                self.kick_drift.0.dispatch_bound(&mut pass, &self.kick_drift.1, Threads::x(self.count))?;
                self.accelerate.0.dispatch_bound(&mut pass, &self.accelerate.1, Threads::x(self.count))?;
            }
            pass.end();
            queue.submit([encoder.finish().await?])?;
            done += batch;
        }
        Ok(())
    }

    /// Waits for submitted work by reading one body back.
    async fn wait(&self) -> wasi_webgpu::Result<()> {
        self.positions.slice(..1).read().await.map(drop)
    }

    /// The total energy by the GPU's energy kernel (per body in `f32`,
    /// summed here in `f64`), and the state it was computed from.
    async fn energy(&self, device: &Device, queue: &Queue) -> wasi_webgpu::Result<(f64, Vec<Body>)> {
        let mut encoder = device.create_command_encoder(&Default::default());
        let mut pass = encoder.begin_compute_pass(&Default::default());
        self.energy.0.dispatch_bound(&mut pass, &self.energy.1, Threads::x(self.count))?;
        pass.end();
        queue.submit([encoder.finish().await?])?;
        let energy = self.energies.read().await?.iter().map(|&e| f64::from(e)).sum();
        let positions = self.positions.read().await?;
        let velocities = self.velocities.read().await?;
        Ok((energy, positions.iter().zip(&velocities).map(|(p, v)| Body::from_gpu(p, v)).collect()))
    }
}

/// Relative difference of `a` from `b`.
fn relative(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs()
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let Some(config) = Config::parse(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let Config { bodies: n, steps, dt, softening, seed, tolerance, state_tolerance } = config;
    println!("nbody: {n} bodies (Plummer sphere, seed {seed}), {steps} steps of dt {dt}, softening {softening}");

    // Both runs start from the same f32 state.
    let start = cpu::plummer(n as usize, &mut Rng::new(seed));
    let pairs = f64::from(n) * f64::from(n);

    let gpu = async {
        let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
        let (device, queue) = adapter.request_device(&Default::default()).await?;
        let simulation = Simulation::new(&device, &queue, &config, &start).await?;
        let (initial, initial_state) = simulation.energy(&device, &queue).await?;
        let clock = Instant::now();
        simulation.step(&device, &queue, steps).await?;
        simulation.wait().await?;
        let seconds = clock.elapsed().as_secs_f64();
        let (last, last_state) = simulation.energy(&device, &queue).await?;
        Ok::<_, wasi_webgpu::Error>((seconds, [(initial, initial_state), (last, last_state)]))
    };
    let (gpu_seconds, gpu_energies) = gpu.await.map_err(|e| format!("GPU: {e}"))?;
    let gpu_final = gpu_energies[1].1.clone();
    let rate = f64::from(steps) / gpu_seconds;
    println!(
        "gpu: {steps} steps in {gpu_seconds:.3} s: {rate:.1} steps/s ({:.1} M interactions/s)",
        rate * pairs / 1e6
    );

    let mut bodies = start.clone();
    let cpu_initial = cpu::energy(&bodies, softening.into());
    let clock = Instant::now();
    cpu::integrate(&mut bodies, dt.into(), softening.into(), steps);
    let cpu_seconds = clock.elapsed().as_secs_f64();
    let cpu_last = cpu::energy(&bodies, softening.into());
    let rate = f64::from(steps) / cpu_seconds;
    println!(
        "cpu: {steps} steps in {cpu_seconds:.3} s: {rate:.1} steps/s ({:.1} M interactions/s; f64, each pair once)",
        rate * pairs / 1e6
    );

    // The GPU's energy kernel against an f64 evaluation of its own state.
    let kernel_errors: Vec<f64> =
        gpu_energies.iter().map(|(energy, state)| relative(*energy, cpu::energy(state, softening.into()))).collect();
    let kernel_error = kernel_errors.iter().copied().fold(0.0, f64::max);
    let [(gpu_initial, _), (gpu_last, _)] = &gpu_energies;
    let gpu_drift = (gpu_last - gpu_initial) / gpu_initial.abs();
    let cpu_drift = (cpu_last - cpu_initial) / cpu_initial.abs();
    println!("energy: gpu {gpu_initial:.7} -> {gpu_last:.7}, cpu {cpu_initial:.7} -> {cpu_last:.7}");
    println!("energy kernel vs f64: max relative difference {kernel_error:.2e} (tolerance {ENERGY_TOLERANCE:.0e})");
    let difference = (gpu_drift - cpu_drift).abs();
    println!(
        "drift: gpu {gpu_drift:+.3e}, cpu {cpu_drift:+.3e}, difference {difference:.2e} (tolerance {tolerance:.0e})"
    );

    // The GPU's final state against the CPU's, body by body, and how far
    // each run moved the bodies from the start.
    let (radius, speed) = (rms(start.iter().map(|b| b.position)), rms(start.iter().map(|b| b.velocity)));
    // The largest distance, or NaN if any is (f64::max would skip it).
    let max_apart = |f: fn(&Body) -> [f64; 3]| {
        let apart = gpu_final.iter().zip(&bodies).map(|(g, c)| distance(f(g), f(c)));
        apart.fold(0.0, |max: f64, d| if d > max || d.is_nan() { d } else { max })
    };
    let position_error = max_apart(|b| b.position) / radius;
    let velocity_error = max_apart(|b| b.velocity) / speed;
    let moved = |end: &[Body]| rms(end.iter().zip(&start).map(|(e, s)| sub(e.position, s.position))) / radius;
    let (gpu_moved, cpu_moved) = (moved(&gpu_final), moved(&bodies));
    println!(
        "state vs cpu: max |position difference| / rms radius {position_error:.2e}, \
         max |velocity difference| / rms speed {velocity_error:.2e} (tolerance {state_tolerance:.0e}); \
         rms displacement / rms radius gpu {gpu_moved:.3e}, cpu {cpu_moved:.3e}"
    );

    // Written so that a NaN fails.
    let state_ok = position_error <= state_tolerance && velocity_error <= state_tolerance;
    if !(gpu_moved >= 0.5 * cpu_moved && cpu_moved > 0.0) {
        return Err(format!(
            "the GPU moved the bodies by {gpu_moved:.3e} of the radius (rms), the CPU by {cpu_moved:.3e}"
        ));
    }
    if !state_ok {
        return Err(format!(
            "the GPU's final state differs from the CPU's by {position_error:.2e} (positions) and \
             {velocity_error:.2e} (velocities), beyond {state_tolerance:.0e} \
             (long runs part ways chaotically: raise --state-tolerance for those)"
        ));
    }
    let kernel_ok = kernel_errors.iter().all(|&e| e <= ENERGY_TOLERANCE);
    let drift_ok = difference <= tolerance;
    if !kernel_ok {
        return Err(format!("the GPU energy kernel is off by {kernel_error:.2e}, beyond {ENERGY_TOLERANCE:.0e}"));
    }
    if !drift_ok {
        return Err(format!(
            "the GPU's energy drift differs from the CPU's by {difference:.2e}, beyond {tolerance:.0e} \
             (long runs of few bodies part ways chaotically: raise --tolerance for those)"
        ));
    }
    println!("final state and energy drift match the cpu: ok");
    Ok(())
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn distance(a: [f64; 3], b: [f64; 3]) -> f64 {
    sub(a, b).iter().map(|d| d * d).sum::<f64>().sqrt()
}

/// Root mean square length of `vectors`.
fn rms(vectors: impl ExactSizeIterator<Item = [f64; 3]>) -> f64 {
    let n = vectors.len() as f64;
    (vectors.map(|v| v.iter().map(|x| x * x).sum::<f64>()).sum::<f64>() / n).sqrt()
}
