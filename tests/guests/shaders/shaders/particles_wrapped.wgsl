// The usual way to bind a runtime-sized array: a struct that wraps it. Each
// step adds force * dt to the velocity and velocity * dt to the position.
// The generated bindings take a Buffer<Particle> and a Buffer<[f32; 4]>.

struct Particle {
    position: vec3<f32>,
    velocity: vec3<f32>,
}

struct Particles {
    particles: array<Particle>,
}

struct Forces {
    forces: array<vec4<f32>>,
}

const DT: f32 = 0.25;

@group(0) @binding(0) var<storage, read> forces: Forces;
@group(0) @binding(1) var<storage, read_write> ps: Particles;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= arrayLength(&ps.particles) {
        return;
    }
    let velocity = ps.particles[i].velocity + forces.forces[i].xyz * DT;
    ps.particles[i].velocity = velocity;
    ps.particles[i].position = ps.particles[i].position + velocity * DT;
}
