// One explicit Euler step of a particle system with a bouncing floor. Both
// structs have vec3 members, so their host layout has padding: Particle is 48
// bytes (4 after `position`, 12 at the end), Step 48 (12 after `dt`, 12 at
// the end).

struct Particle {
    position: vec3<f32>,
    velocity: vec3<f32>,
    inverse_mass: f32,
    bounces: u32,
}

struct Step {
    dt: f32,
    gravity: vec3<f32>,
    drag: f32,
    floor: f32,
}

@group(0) @binding(0) var<uniform> step: Step;
@group(0) @binding(1) var<storage, read> forces: array<vec3<f32>>;
@group(0) @binding(2) var<storage, read_write> particles: array<Particle>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&particles) {
        return;
    }
    var p = particles[i];
    let acceleration = step.gravity + forces[i] * p.inverse_mass;
    var velocity = (p.velocity + acceleration * step.dt) * (1.0 - step.drag);
    var position = p.position + velocity * step.dt;
    if position.y < step.floor {
        position.y = 2.0 * step.floor - position.y;
        velocity.y = -velocity.y;
        p.bounces = p.bounces + 1u;
    }
    p.position = position;
    p.velocity = velocity;
    particles[i] = p;
}
