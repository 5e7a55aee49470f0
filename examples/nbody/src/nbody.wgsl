// Gravitational N-body, all pairs, with Plummer softening and kick-drift-kick
// leapfrog (velocity Verlet) integration. Units: G = 1 unless `params.gravity`
// says otherwise. Positions carry each body's mass in `w`.
//
// One step is two dispatches: `kick_drift` (half kick with the previous
// accelerations, then a full drift) and `accelerate_kick` (new accelerations,
// then the second half kick). `accelerate_kick` with `dt = 0` only computes
// the accelerations, which starts the integration.
//
// The pair sums stage TILE bodies at a time in workgroup memory, so each
// workgroup reads every position from storage once per tile rather than once
// per invocation. Bodies past the end load as zero mass and add nothing.

const TILE: u32 = 128u;

struct Params {
    count: u32,
    dt: f32,
    softening_sq: f32,
    gravity: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read_write> positions: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> velocities: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> accelerations: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> energies: array<f32>;

var<workgroup> tile: array<vec4<f32>, TILE>;

// Stages the tile starting at body `start`; every invocation of the
// workgroup calls it, in uniform control flow.
fn load_tile(start: u32, lane: u32) {
    let j = start + lane;
    var body = vec4<f32>(0.0);
    if j < params.count {
        body = positions[j];
    }
    tile[lane] = body;
}

@compute @workgroup_size(TILE)
fn kick_drift(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.x;
    if i >= params.count {
        return;
    }
    let v = velocities[i].xyz + accelerations[i].xyz * (0.5 * params.dt);
    velocities[i] = vec4<f32>(v, 0.0);
    let p = positions[i];
    positions[i] = vec4<f32>(p.xyz + v * params.dt, p.w);
}

@compute @workgroup_size(TILE)
fn accelerate_kick(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = gid.x;
    let inside = i < params.count;
    var p = vec4<f32>(0.0);
    if inside {
        p = positions[i];
    }
    var acc = vec3<f32>(0.0);
    for (var start = 0u; start < params.count; start = start + TILE) {
        load_tile(start, lid.x);
        workgroupBarrier();
        for (var k = 0u; k < TILE; k = k + 1u) {
            let q = tile[k];
            let d = q.xyz - p.xyz;
            // The body itself has d = 0 and adds nothing; softening keeps
            // the inverse finite.
            let inv = inverseSqrt(dot(d, d) + params.softening_sq);
            acc = acc + d * (q.w * inv * inv * inv);
        }
        workgroupBarrier();
    }
    if inside {
        let a = acc * params.gravity;
        accelerations[i] = vec4<f32>(a, 0.0);
        velocities[i] = vec4<f32>(velocities[i].xyz + a * (0.5 * params.dt), 0.0);
    }
}

// Each body's kinetic energy plus half its softened potential energy with
// every other body, so the entries sum to the total energy.
@compute @workgroup_size(TILE)
fn energy(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let i = gid.x;
    let inside = i < params.count;
    var p = vec4<f32>(0.0);
    if inside {
        p = positions[i];
    }
    var potential = 0.0;
    for (var start = 0u; start < params.count; start = start + TILE) {
        load_tile(start, lid.x);
        workgroupBarrier();
        for (var k = 0u; k < TILE; k = k + 1u) {
            let q = tile[k];
            let d = q.xyz - p.xyz;
            if start + k != i {
                potential = potential + q.w * inverseSqrt(dot(d, d) + params.softening_sq);
            }
        }
        workgroupBarrier();
    }
    if inside {
        let v = velocities[i].xyz;
        energies[i] = 0.5 * p.w * dot(v, v) - 0.5 * params.gravity * p.w * potential;
    }
}
