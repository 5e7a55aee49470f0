
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
