// A 2 KB kernel for the expansion benchmark: a tiled matrix product with bias, activation and
// statistics, using shared memory, barriers, atomics, vectors, loops and math builtins.
#[kernel(workgroup_size = (16, 16))]
fn dense(m: u32, n: u32, k: u32, alpha: f32, leak: f32, a: &[f32], b: &[f32], bias: &[Vec4<f32>], out: &mut [f32], stats: &[AtomicU32]) {
    static TILE_A: Workgroup<[f32; 256]> = Workgroup::new();
    static TILE_B: Workgroup<[f32; 256]> = Workgroup::new();
    let gid = global_id();
    let lid = local_id();
    let row = gid.y;
    let col = gid.x;
    let li = (lid.y * 16 + lid.x) as usize;
    let mut acc = 0.0;
    let tiles = (k + 15) / 16;
    for t in 0..tiles {
        let ak = t * 16 + lid.x;
        let bk = t * 16 + lid.y;
        let mut av = 0.0;
        if row < m && ak < k {
            av = a[(row * k + ak) as usize];
        }
        let mut bv = 0.0;
        if bk < k && col < n {
            bv = b[(bk * n + col) as usize];
        }
        TILE_A[li] = av;
        TILE_B[li] = bv;
        workgroup_barrier();
        for j in 0..16u32 {
            acc = TILE_A[(lid.y * 16 + j) as usize].mul_add(TILE_B[(j * 16 + lid.x) as usize], acc);
        }
        workgroup_barrier();
    }
    if row >= m || col >= n {
        return;
    }
    let bias4 = bias[(col / 4) as usize];
    let mut extra = bias4.x;
    let lane = col % 4;
    if lane == 1 {
        extra = bias4.y;
    } else if lane == 2 {
        extra = bias4.z;
    } else if lane == 3 {
        extra = bias4.w;
    }
    let mut v = alpha * acc + extra;
    v = select(v * leak, v, v > 0.0);
    let clipped = v.clamp(-8.0, 8.0);
    let soft = clipped.tanh() * 0.5 + 0.5;
    let scaled = (soft * 1000.0) as u32;
    out[(row * n + col) as usize] = clipped + soft.sqrt() * 0.0 + (scaled as f32) * 0.0;
    if v != clipped {
        stats[0].fetch_add(1, Ordering::Relaxed);
    }
    stats[1].fetch_max(scaled, Ordering::Relaxed);
    let mut bits = scaled;
    let mut count = 0u32;
    while bits != 0 {
        count += bits & 1;
        bits = bits >> 1;
    }
    stats[2].fetch_add(count, Ordering::Relaxed);
}
