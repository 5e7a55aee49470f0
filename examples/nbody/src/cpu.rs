//! The CPU side: initial conditions, and the same softened leapfrog as
//! `nbody.wgsl` in `f64`, as the reference run.

use std::f64::consts::PI;

/// One body, in `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Body {
    pub position: [f64; 3],
    pub velocity: [f64; 3],
    pub mass: f64,
}

impl Body {
    /// Position and mass, as `nbody.wgsl` stores them.
    pub fn position_mass(&self) -> [f32; 4] {
        let [x, y, z] = self.position;
        [x as f32, y as f32, z as f32, self.mass as f32]
    }

    /// Velocity, as `nbody.wgsl` stores it.
    pub fn velocity(&self) -> [f32; 4] {
        let [x, y, z] = self.velocity;
        [x as f32, y as f32, z as f32, 0.0]
    }

    pub fn from_gpu(position_mass: &[f32; 4], velocity: &[f32; 4]) -> Self {
        let [x, y, z, mass] = position_mass.map(f64::from);
        let [vx, vy, vz, _] = velocity.map(f64::from);
        Self { position: [x, y, z], velocity: [vx, vy, vz], mass }
    }
}

/// PCG32 (O'Neill's XSH-RR variant): small, deterministic, and good enough
/// for initial conditions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut rng = Self(seed.wrapping_add(0x853c_49e6_748f_ea9b));
        rng.next_u32();
        rng
    }

    fn next_u32(&mut self) -> u32 {
        let old = self.0;
        self.0 = old.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((((old >> 18) ^ old) >> 27) as u32).rotate_right((old >> 59) as u32)
    }

    /// Uniform in `[0, 1)`, from 53 random bits.
    pub fn unit(&mut self) -> f64 {
        let bits = (u64::from(self.next_u32()) << 21) | u64::from(self.next_u32() >> 11);
        bits as f64 / (1u64 << 53) as f64
    }

    /// A vector of length `r` in a uniformly random direction.
    fn direction(&mut self, r: f64) -> [f64; 3] {
        let z = 1.0 - 2.0 * self.unit();
        let phi = 2.0 * PI * self.unit();
        let s = (1.0 - z * z).sqrt();
        [r * s * phi.cos(), r * s * phi.sin(), r * z]
    }
}

/// `n` equal-mass bodies drawn from a Plummer sphere (Aarseth, Hénon and
/// Wielen 1974) in standard N-body units, at rest around their centre of
/// mass, and rounded to `f32` so that the GPU and the CPU start alike.
pub fn plummer(n: usize, rng: &mut Rng) -> Vec<Body> {
    // Standard units: G = 1, M = 1, E = -1/4 (without softening).
    let length = 3.0 * PI / 16.0;
    let speed = (16.0 / (3.0 * PI)).sqrt();
    let mass = 1.0 / n as f64;
    let mut bodies: Vec<Body> = (0..n)
        .map(|_| {
            // The cumulative mass fraction, capped so no body lands far out.
            let fraction = 1e-9 + 0.99 * rng.unit();
            let r = (fraction.powf(-2.0 / 3.0) - 1.0).sqrt().recip();
            // von Neumann rejection for q = v / v_escape, density q²(1-q²)^3.5.
            let q = loop {
                let (q, y) = (rng.unit(), 0.1 * rng.unit());
                if y < q * q * (1.0 - q * q).powf(3.5) {
                    break q;
                }
            };
            let v = q * std::f64::consts::SQRT_2 * (1.0 + r * r).powf(-0.25);
            Body { position: rng.direction(r * length), velocity: rng.direction(v * speed), mass }
        })
        .collect();
    for k in 0..3 {
        let centre = bodies.iter().map(|b| b.position[k]).sum::<f64>() / n as f64;
        let drift = bodies.iter().map(|b| b.velocity[k]).sum::<f64>() / n as f64;
        for body in &mut bodies {
            body.position[k] -= centre;
            body.velocity[k] -= drift;
        }
    }
    bodies.iter().map(|b| Body::from_gpu(&b.position_mass(), &b.velocity())).collect()
}

/// Total kinetic plus softened potential energy, with G = 1.
pub fn energy(bodies: &[Body], softening: f64) -> f64 {
    let eps2 = softening * softening;
    let mut total = 0.0;
    for (i, a) in bodies.iter().enumerate() {
        total += 0.5 * a.mass * a.velocity.iter().map(|v| v * v).sum::<f64>();
        for b in &bodies[i + 1..] {
            let r2: f64 = (0..3).map(|k| (a.position[k] - b.position[k]).powi(2)).sum();
            total -= a.mass * b.mass / (r2 + eps2).sqrt();
        }
    }
    total
}

/// Softened accelerations, each pair visited once.
fn accelerations(bodies: &[Body], eps2: f64, out: &mut [[f64; 3]]) {
    out.fill([0.0; 3]);
    for i in 0..bodies.len() {
        let a = &bodies[i];
        for j in i + 1..bodies.len() {
            let b = &bodies[j];
            let d = [0, 1, 2].map(|k| b.position[k] - a.position[k]);
            let r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + eps2;
            let inv3 = 1.0 / (r2 * r2.sqrt());
            for k in 0..3 {
                out[i][k] += d[k] * b.mass * inv3;
                out[j][k] -= d[k] * a.mass * inv3;
            }
        }
    }
}

/// `steps` kick-drift-kick leapfrog steps of `dt`.
pub fn integrate(bodies: &mut [Body], dt: f64, softening: f64, steps: u32) {
    let eps2 = softening * softening;
    let mut acc = vec![[0.0; 3]; bodies.len()];
    accelerations(bodies, eps2, &mut acc);
    for _ in 0..steps {
        for (body, a) in bodies.iter_mut().zip(&acc) {
            for ((v, x), a) in body.velocity.iter_mut().zip(&mut body.position).zip(a) {
                *v += 0.5 * dt * a;
                *x += dt * *v;
            }
        }
        accelerations(bodies, eps2, &mut acc);
        for (body, a) in bodies.iter_mut().zip(&acc) {
            for (v, a) in body.velocity.iter_mut().zip(a) {
                *v += 0.5 * dt * a;
            }
        }
    }
}
