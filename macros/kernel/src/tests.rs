//! Unit tests: every construct of the subset translates to WGSL that naga accepts, and what is
//! outside the subset is an error saying what to write instead.

use quote::quote;

use crate::translate;

fn wgsl(attr: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    match translate(attr, item, &[], &[]) {
        Ok(mut w) => w.remove(0),
        Err(e) => panic!("translation failed: {e}"),
    }
}

fn error(item: proc_macro2::TokenStream) -> String {
    match translate(quote!(workgroup_size = 64), item, &[], &[]) {
        Ok(w) => panic!("expected an error, got WGSL:\n{}", w[0]),
        Err(e) => e.to_string(),
    }
}

#[test]
fn saxpy() {
    let w = wgsl(
        quote!(workgroup_size = 64),
        quote! {
            fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
                let i = wasi_webgpu::global_id().x as usize;
                if i < y.len() {
                    y[i] = a * x[i] + y[i];
                }
            }
        },
    );
    assert!(w.contains("var<storage, read> x: array<f32>;"), "{w}");
    assert!(w.contains("var<storage, read_write> y: array<f32>;"), "{w}");
    assert!(w.contains("@group(0) @binding(2) var<uniform> params: Params;"), "{w}");
    assert!(w.contains("@compute @workgroup_size(64, 1, 1)"), "{w}");
    assert!(w.contains("arrayLength(&y)"), "{w}");
}

#[test]
fn statements_and_operators() {
    wgsl(
        quote!(workgroup_size = (8, 8)),
        quote! {
            fn all(n: u32, flag: bool, scale: f32, out: &mut [i32], fout: &mut [f32]) {
                let id = wasi_webgpu::global_id();
                let lid = wasi_webgpu::local_id();
                let wid = wasi_webgpu::workgroup_id();
                let nwg = wasi_webgpu::num_workgroups();
                let li = wasi_webgpu::local_index();
                let i = (id.y * nwg.x * 8 + id.x) as usize;
                if i >= out.len() { return; }
                let mut acc = 0;
                let mut f = 1.5;
                for k in 0..n {
                    if k % 2 == 0 { continue; }
                    acc += k as i32 * 3 - 1;
                    if acc > 1000 { break; }
                }
                for k in 1..=3u32 { acc ^= (k << 2u32) as i32; acc = acc >> 1; }
                let mut j = 0u32;
                while j < 4 { j += 1; f = f * 0.5 + 1.0; }
                loop { j -= 1; if j == 0 { break; } }
                let b = !flag && (li < 3 || lid.x != wid.x);
                if b { acc = -acc; } else if flag { acc = acc / 3 % 7; } else { acc = !acc & 0xff | 1; }
                let u = acc as u32;
                let back = u as i32 + (f as i32) + (scale as u32) as i32 + (true as i32);
                out[i] = back;
                fout[i] = f * scale - (acc as f32) / 2.0;
            }
        },
    );
}

#[test]
fn math_vectors_arrays() {
    wgsl(
        quote!(workgroup_size = 64),
        quote! {
            fn maths(v: Vec4<f32>, out: &mut [f32], ints: &mut [u32]) {
                let i = wasi_webgpu::global_id().x as usize;
                let x = out[i];
                let a = x.abs().min(2.0).max(-2.0).clamp(0.0, 1.0).sqrt().exp().ln().powf(2.0);
                let b = x.sin() + x.cos() + x.tanh() + x.mul_add(2.0, 1.0) + x.exp2() + x.log2() + x.floor();
                let p = vec3(1.0, 2.0, x);
                let q = Vec3::splat(2.0f32);
                let r = (p + q) * 2.0 - q / 3.0;
                let d = p.dot(q) + r.length() + dot(p, r) + p.normalize().x;
                let s = select(a, b, d > 0.0);
                let m = min(a, b) + max(a, b) + clamp(x, 0.0, 1.0);
                let mut arr = [0.0f32; 4];
                arr[1] = s;
                let list = [1u32, 2, 3];
                let mut c = ints[i] + list[i % 3];
                c = c.min(5).max(1);
                let w = v * v.w;
                let eq = p == q;
                let iv = UVec2::new(c, 2) * 3u32;
                out[i] = arr[1] + m + w.x + (iv.y as f32) + (eq as u32 as f32);
                ints[i] = c;
            }
        },
    );
}

#[test]
fn unknown_function_is_an_error() {
    let e = error(quote! {
        fn k(out: &mut [u32]) { out[0] = foo(1u32); }
    });
    assert!(e.contains("`foo` is not callable from a kernel"), "{e}");
}

#[test]
fn shared_memory_atomics_and_barriers() {
    let w = wgsl(
        quote!(workgroup_size = 64),
        quote! {
            fn reduce(input: &[f32], sums: &mut [f32], count: &[AtomicU32]) {
                static TILE: Workgroup<[f32; 64]> = Workgroup::new();
                static HITS: Workgroup<[AtomicU32; 1]> = Workgroup::new();
                let lid = wasi_webgpu::local_index() as usize;
                let gid = wasi_webgpu::global_id().x as usize;
                TILE[lid] = input[gid];
                HITS[0].fetch_add(1, Ordering::Relaxed);
                wasi_webgpu::workgroup_barrier();
                let mut stride = 32usize;
                while stride > 0 {
                    if lid < stride { TILE[lid] += TILE[lid + stride]; }
                    wasi_webgpu::workgroup_barrier();
                    stride /= 2;
                }
                if lid == 0 {
                    sums[wasi_webgpu::workgroup_id().x as usize] = TILE[0];
                    count[0].fetch_add(HITS[0].load(Ordering::Relaxed), Ordering::Relaxed);
                    let old = count[1].swap(3, Ordering::Relaxed);
                    count[2].store(old, Ordering::Relaxed);
                }
                wasi_webgpu::storage_barrier();
            }
        },
    );
    assert!(w.contains("var<workgroup> TILE: array<f32, 64>;"), "{w}");
    assert!(w.contains("atomicAdd(&count[0u]"), "{w}");
    assert!(w.contains("workgroupBarrier();"), "{w}");
}

#[test]
fn barrier_in_non_uniform_control_flow() {
    let e = error(quote! {
        fn sync_some(data: &mut [f32]) {
            let i = wasi_webgpu::global_id().x as usize;
            if i < data.len() {
                data[i] = 0.0;
                wasi_webgpu::workgroup_barrier();
            }
        }
    });
    assert!(e.contains("non-uniform"), "{e}");
}

#[cfg(feature = "f16")]
#[test]
fn f16_enables_the_extension() {
    let w = wgsl(
        quote!(workgroup_size = 64),
        quote! {
            fn halve(data: &mut [f16], scale: f16) {
                let i = wasi_webgpu::global_id().x as usize;
                if i < data.len() {
                    data[i] = data[i] * scale + 1.0;
                }
            }
        },
    );
    assert!(w.starts_with("enable f16;"), "{w}");
    assert!(w.contains("1.0h"), "{w}");
}

/// Rust's `f16` is nightly-only: the generated `launch` spells it `wasi_webgpu::F16`, stores an `f16`
/// uniform as its 2 bytes, refuses a GPU device without `shader-f16`, and runs on the CPU device through `F16`.
#[cfg(feature = "f16")]
#[test]
fn f16_launch_uses_the_stable_type() {
    let out = crate::kernel(
        quote!(workgroup_size = 64),
        quote! {
            fn axpy(y: &mut [f16], x: &[f16], a: f16, n: u32) {
                let i = wasi_webgpu::global_id().x;
                if i < n {
                    y[i as usize] = a * x[i as usize] + y[i as usize];
                }
            }
        },
    )
    .to_string()
    .replace(' ', "");
    assert!(out.contains("y:&mut::wasi_webgpu::Buffer<::wasi_webgpu::F16>"), "{out}");
    assert!(out.contains("x:&::wasi_webgpu::Buffer<::wasi_webgpu::F16>"), "{out}");
    assert!(out.contains("a:::wasi_webgpu::F16"), "{out}");
    let launch = &out[out.find("pubasyncfnlaunch").expect("launch")..];
    let signature = &launch[..launch.find("->").expect("return type")];
    assert!(!signature.contains("f16>") && !signature.contains(":f16,"), "{signature}");
    // `a` at offset 0 (2 bytes), `n` at offset 4, the block rounded to 8 bytes.
    assert!(out.contains("[0u8;8]"), "{out}");
    assert!(
        out.contains("__uniforms[0usize..2usize].copy_from_slice(&::wasi_webgpu::F16::to_bits(a).to_le_bytes())"),
        "{out}"
    );
    assert!(out.contains("__uniforms[4usize..8usize]"), "{out}");
    assert!(out.contains("Error::MissingFeature{feature:\"shader-f16\""), "{out}");
    assert!(!out.contains("Error::CpuDevice"), "{out}");
    // The CPU translation computes with `F16`, whose operators round like WGSL.
    assert!(out.contains("fn__cpu(__inv"), "{out}");
    assert!(out.contains("x:&[::wasi_webgpu::F16],a:::wasi_webgpu::F16,n:u32)"), "{out}");
}

#[test]
fn literals_take_their_type_from_context() {
    let w = wgsl(
        quote!(workgroup_size = 64),
        quote! {
            fn k(out: &mut [u32], f: &mut [f32]) {
                let mut n = 0;
                let m = 3;
                n = n + out[0];
                let x = 2.0;
                f[0] = x;
                let d = 5;
                let e = 1.5;
                out[1] = m;
                f[1] = (d as f32) * e;
            }
        },
    );
    assert!(w.contains("var n: u32 = 0u;"), "{w}");
    assert!(w.contains("let m: u32 = 3u;"), "{w}");
    assert!(w.contains("let x: f32 = 2.0f;"), "{w}");
    // Unconstrained literals default like Rust's: i32 and f32.
    assert!(w.contains("let d: i32 = 5i;"), "{w}");
}

#[test]
fn helpers_are_emitted_callees_first() {
    let helpers: Vec<syn::ItemFn> = vec![
        syn::parse_quote! { fn sq(x: f32) -> f32 { x * x } },
        syn::parse_quote! { fn norm2(a: f32, b: f32) -> f32 { sq(a) + sq(b) } },
        syn::parse_quote! { fn bump(mut x: u32) -> u32 { x += 1; x } },
    ];
    let w = translate(
        quote!(workgroup_size = 64),
        quote! {
            fn k(out: &mut [f32], c: &mut [u32]) {
                out[0] = norm2(out[0], 2.0);
                c[0] = bump(c[0]);
            }
        },
        &helpers,
        &[],
    )
    .unwrap()
    .remove(0);
    let (sq, norm2) = (w.find("fn sq(").unwrap(), w.find("fn norm2(").unwrap());
    assert!(sq < norm2, "{w}");
    assert!(w.contains("fn bump(x_arg: u32) -> u32"), "{w}");
}

#[test]
fn mutual_recursion_is_an_error() {
    let helpers: Vec<syn::ItemFn> = vec![
        syn::parse_quote! { fn ping(x: u32) -> u32 { pong(x) } },
        syn::parse_quote! { fn pong(x: u32) -> u32 { ping(x) } },
    ];
    let e = translate(
        quote!(workgroup_size = 64),
        quote!(
            fn k(c: &mut [u32]) {
                c[0] = ping(1);
            }
        ),
        &helpers,
        &[],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("recursive cycle"), "{e}");
}

#[test]
fn generic_kernels_instantiate_each_listed_type() {
    let w = translate(
        quote!(workgroup_size = 64, types(T = [f32, i32, u32])),
        quote! {
            fn axpy<T>(a: T, x: &[T], y: &mut [T]) {
                let i = wasi_webgpu::global_id().x as usize;
                if i < y.len() { y[i] = a * x[i] + y[i]; }
            }
        },
        &[],
        &[],
    )
    .unwrap();
    assert_eq!(w.len(), 3);
    assert!(w[1].contains("array<i32>"), "{}", w[1]);
}

#[test]
fn errors_say_what_to_write_instead() {
    for (item, expected) in [
        (
            quote!(
                fn k(pass: u32, o: &mut [u32]) {
                    o[0] = pass;
                }
            ),
            "rename the parameter `pass`: the generated `dispatch(pass, .., threads)` takes `pass` itself",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    let s = String::from("x");
                }
            ),
            "`String` is not in the kernel subset",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    let t = (1, 2);
                }
            ),
            "tuples are not in the kernel subset",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    o[0] = 1u64 as u32;
                }
            ),
            "use `u32`",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    'a: loop {
                        break 'a;
                    }
                }
            ),
            "loop labels",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    for i in (0..4).rev() {}
                }
            ),
            "write a `while` loop",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    let x = 1.0f32;
                    o[0] = x.round() as u32;
                }
            ),
            "rounds halfway cases",
        ),
        (
            quote!(
                fn k(o: &mut [f32]) {
                    o[0] = f32::NAN;
                }
            ),
            "no infinity or NaN",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    o[0] = 5000000000;
                }
            ),
            "out of range",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    let v = vec3(1.0, 2.0, 3.0);
                    o[0] = (v < v) as u32;
                }
            ),
            "not ordered",
        ),
        (
            quote!(
                fn k(o: &mut [Vec3<f32>]) {}
            ),
            "16-byte stride",
        ),
        (
            quote!(
                fn k(mut n: u32, o: &mut [u32]) {}
            ),
            "read-only",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    unsafe {
                        o[0] = 1;
                    }
                }
            ),
            "`unsafe`",
        ),
        (
            quote!(
                fn k(o: &mut [u32]) {
                    let x = 1u32;
                    o[0] = -x;
                }
            ),
            "cannot negate an unsigned",
        ),
    ] {
        let e = error(item.clone());
        assert!(e.contains(expected), "{item}: {e}");
    }
}

#[test]
fn gpu_type_structs() {
    let particle: syn::Item = syn::parse_quote! {
        #[repr(C)]
        struct Particle { pos: Vec4<f32>, mass: f32, #[gpu(padding)] extra: [u32; 3] }
    };
    let w = translate(
        quote!(workgroup_size = 64),
        quote! {
            fn k(ps: &mut [Particle]) {
                let i = wasi_webgpu::global_id().x as usize;
                let mut p = ps[i];
                p.mass = p.mass * 2.0;
                ps[i] = Particle { pos: p.pos, mass: p.mass, extra: [0; 3] };
                ps[i].pos.x = 1.0;
            }
        },
        &[],
        std::slice::from_ref(&particle),
    )
    .unwrap()
    .remove(0);
    assert!(w.contains("struct Particle {\n    pos: vec4<f32>,\n    mass: f32,\n}"), "{w}");
    assert!(w.contains("Particle(p.pos, p.mass)"), "{w}");
    let e = translate(
        quote!(workgroup_size = 64),
        quote!(
            fn k(ps: &mut [Particle]) {
                let m = ps[0].extra[0];
            }
        ),
        &[],
        &[particle],
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("padding"), "{e}");
}

#[test]
fn wgsl_reserved_words_are_renamed() {
    let helpers: Vec<syn::ItemFn> = vec![syn::parse_quote! { fn smooth(target: f32) -> f32 { target * 0.5 } }];
    let w = translate(
        quote!(workgroup_size = 64),
        quote! {
            fn filter(target: f32, shared: &mut [f32]) {
                let i = wasi_webgpu::global_id().x as usize;
                let from = smooth(target);
                let mut set = from;
                set += 1.0;
                shared[i] = set;
            }
        },
        &helpers,
        &[],
    )
    .unwrap()
    .remove(0);
    assert!(w.contains("var<storage, read_write> shared_: array<f32>;"), "{w}");
    assert!(w.contains("fn smooth_(target_1: f32)"), "{w}");
}
