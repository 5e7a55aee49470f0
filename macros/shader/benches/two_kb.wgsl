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

fn hash(x: u32) -> u32 {
    var h = x;
    h ^= h >> 16u;
    h *= 0x7feb352du;
    h ^= h >> 15u;
    h *= 0x846ca68bu;
    h ^= h >> 16u;
    return h;
}

fn integrate(p: Particle, dt: f32) -> Particle {
    var out = p;
    out.vel += vec2(0.0, -9.81) * dt;
    out.pos += out.vel * dt;
    if out.pos.y < 0.0 {
        out.pos.y = -out.pos.y;
        out.vel.y = -out.vel.y * 0.5;
    }
    return out;
}

@compute @workgroup_size(64)
fn step(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x >= particles.count { return; }
    let p = integrate(particles.items[id.x], params.scale);
    let r = f32(hash(id.x)) / 4294967295.0;
    scratch[id.x % 10u] = vec3(p.pos, r) * params.m;
    atomicMax(&counters[1], u32(p.pos.y * 1000.0));
}
