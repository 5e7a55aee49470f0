enable f16;

struct Tail { a: vec3<f32>, b: f32 }
struct Head { a: f32, b: vec3<f32> }

struct Params {
    tail: Tail,
    head: Head,
    m: mat3x3<f32>,
    weights: array<vec4<f32>, 2>,
    scale: f32,
}

struct Particle {
    pos: vec2<f32>,
    vel: vec2<f32>,
    mass: f32,
}

struct Particles {
    count: u32,
    items: array<Particle>,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> particles: Particles;
@group(0) @binding(2) var<storage, read_write> counters: array<atomic<u32>>;
@group(1) @binding(0) var<storage, read> halves: array<vec2<f16>>;
@group(1) @binding(1) var tex: texture_2d<f32>;
@group(1) @binding(2) var samp: sampler;

@id(7) override gain: f32 = 1.5;
override block: u32 = 64u;
override enabled: bool;
override twice: u32 = block * 2u;
@id(3) override rows: i32;

var<workgroup> scratch: array<vec3<f32>, 10>;

fn weight(i: u32) -> f32 {
    return particles.items[i].mass * params.scale;
}

@compute @workgroup_size(block, 2)
fn simulate(@builtin(global_invocation_id) id: vec3<u32>) {
    scratch[0] = vec3(weight(id.x) * gain);
    if enabled {
        atomicAdd(&counters[0], 1u);
    }
}

@compute @workgroup_size(twice / 2u + 1u, 1, 1)
fn reset() {
    atomicStore(&counters[0], u32(rows));
}

@fragment
fn fs(@location(0) uv: vec2<f32>) -> @location(0) vec4<f32> {
    return textureSample(tex, samp, uv) * f32(halves[0].x);
}
