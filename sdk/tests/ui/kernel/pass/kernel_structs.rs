//! `#[derive(GpuType)]` structs in kernels: buffers of structs, field reads and writes, struct
//! literals with padding, structs imported from another module.

mod particles {
    use wasi_webgpu::Vec4;

    #[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable, wasi_webgpu::GpuType)]
    #[repr(C)]
    pub struct Particle {
        pub pos: Vec4<f32>,
        pub vel: Vec4<f32>,
        pub mass: f32,
        pub _pad: [f32; 3],
    }
}

use particles::Particle;
use wasi_webgpu::global_id;

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn step(dt: f32, ps: &mut [Particle], energy: &mut [f32]) {
    let i = global_id().x as usize;
    if i < ps.len() {
        let mut p = ps[i];
        p.pos = p.pos + p.vel * dt;
        ps[i].vel.y = p.vel.y - 9.81 * dt;
        ps[i] = Particle { pos: p.pos, vel: ps[i].vel, mass: p.mass, _pad: [0.0; 3] };
        energy[i] = 0.5 * p.mass * p.vel.dot(p.vel);
    }
}

fn main() {
    // The derive's hidden macro is fine in a function body too.
    #[derive(Clone, Copy, bytemuck::Pod, bytemuck::Zeroable, wasi_webgpu::GpuType)]
    #[repr(C)]
    struct Local {
        a: f32,
    }
    let _ = Local { a: 1.0 }.a;
    assert!(step::WGSL.contains("struct Particle {"), "{}", step::WGSL);
    assert!(step::WGSL.contains("mass: f32,") && !step::WGSL.contains("_pad"), "{}", step::WGSL);
}
