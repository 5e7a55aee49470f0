//! Safe, async Rust for WebAssembly components that compute on the GPU
//! through [wasi:webgpu](https://github.com/WebAssembly/wasi-webgpu).
//!
//! The API follows [wgpu](https://docs.rs/wgpu)'s names and shapes, one type
//! per WebGPU interface, over private bindings to `wasi:webgpu@0.3.0-rc.2`.
//!
//! # A guest in a few lines
//!
//! A guest is a `cdylib` crate for `wasm32-wasip2` whose entry is an
//! `async fn` marked [`#[wasi_webgpu::main]`](main):
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! wasi-webgpu = "0.1"
//! ```
//!
//! ```no_run
//! use wasi_webgpu::{BufferInitDescriptor, BufferUsages, ComputePipelineDescriptor};
//!
//! #[wasi_webgpu::main]
//! async fn run() -> Result<(), wasi_webgpu::Error> {
//!     let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
//!     let (device, queue) = adapter.request_device(&Default::default()).await?;
//!     let module = device
//!         .create_shader_module(wasi_webgpu::ShaderModuleDescriptor {
//!             label: None,
//!             source: wasi_webgpu::ShaderSource::Wgsl(
//!                 "@group(0) @binding(0) var<storage, read_write> v: array<u32>;
//!                  @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
//!                      if id.x < arrayLength(&v) { v[id.x] *= 2u; }
//!                  }"
//!                 .into(),
//!             ),
//!         })
//!         .await?;
//!     let pipeline = device.create_compute_pipeline(&ComputePipelineDescriptor::new(&module)).await?;
//!     let data = device.create_buffer_init(&BufferInitDescriptor {
//!         label: None,
//!         contents: &[1u32, 2, 3],
//!         usage: BufferUsages::STORAGE | BufferUsages::COPY_SRC,
//!     })?;
//!     let layout = pipeline.get_bind_group_layout(0)?;
//!     let entries = [wasi_webgpu::BindGroupEntry { binding: 0, resource: data.as_entire_binding() }];
//!     let bind_group = device.create_bind_group(&wasi_webgpu::BindGroupDescriptor::new(&layout, &entries))?;
//!
//!     let mut encoder = device.create_command_encoder(&Default::default());
//!     let mut pass = encoder.begin_compute_pass(&Default::default());
//!     pass.set_pipeline(&pipeline)?;
//!     pass.set_bind_group(0, &bind_group, &[])?;
//!     pass.dispatch_workgroups(1, 1, 1)?;
//!     pass.end();
//!     queue.submit([encoder.finish().await?])?;
//!
//!     assert_eq!(data.read().await?, [2, 4, 6]);
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! Build it with `cargo build --release --target wasm32-wasip2` (after
//! `rustup target add wasm32-wasip2`) and run the component on a host that
//! implements wasi:webgpu, such as this project's `wasi-webgpu-run`.
//!
//! # Errors, never traps
//!
//! Every fallible call returns [`Result`] with the one [`Error`] type. The
//! SDK checks arguments and object states in the guest before calling the
//! host, because a wasi:webgpu host may answer a bad call with a trap that
//! ends the component. What only the host can check — shader compilation,
//! pipeline and encoder validation — is captured through WebGPU error scopes
//! by the `async` calls that create shaders and pipelines and finish
//! encoders, and comes back as [`Error::Validation`].
//!
//! # Async
//!
//! wasi:webgpu uses component-model `async` functions; mapping buffers and
//! waiting for the GPU are `async` here too. The entry macro makes the
//! guest's `main` the component's async `wasi:cli/run` export, so `.await`
//! just works, with no executor to set up.
//!
//! # Rendering without a window
//!
//! Render pipelines draw into textures, so a guest renders images with no
//! surface or canvas: create a [`Texture`] with
//! [`TextureUsages::RENDER_ATTACHMENT`], a [`RenderPipeline`] with
//! [`Device::create_render_pipeline`], record draws in a [`RenderPass`]
//! from [`CommandEncoder::begin_render_pass`], and read the pixels back with
//! [`Texture::read_2d`]. Multisampled attachments resolve into a
//! single-sampled texture; [`RenderBundle`]s replay recorded draws; a
//! [`QuerySet`] counts occluded samples or times passes. Each draw is checked
//! against the pipeline and the bound buffers before it is recorded.
//! `examples/plot` renders charts to PNG files this way.
//!
//! # Native builds
//!
//! The crate also compiles for the host target, so `cargo check`, `cargo doc`
//! and unit tests of code that uses it work natively. Calls that reach the
//! GPU only work inside a wasm component.
//!
//! # Rust kernels and the CPU device
//!
//! A function marked [`#[wasi_webgpu::kernel]`](macro@kernel) is a compute
//! kernel written in Rust: the macro translates it to WGSL (validated at
//! compile time) and generates `name::launch(&device, args.., threads)`,
//! `threads` a [`Threads`] count of invocations like a `#[shader]`'s
//! `dispatch` takes.
//! The same call runs it on the CPU inside the guest when `device` comes
//! from the *CPU adapter*: [`Instance::cpu_adapter`] chooses it outright,
//! and [`Instance::request_adapter_or_cpu`] falls back to it when the host
//! has no GPU ([`Adapter::is_cpu`], [`Device::is_cpu`] and
//! [`AdapterInfo`] tell which one a program got).
//!
//! The CPU device keeps buffers in guest memory; creating, writing,
//! reading, mapping, copying and clearing them works as on a GPU, with the
//! same checks and typed errors. WGSL shader modules, layouts, pipelines,
//! bind groups and passes need a GPU and return [`Error::CpuDevice`].
//!
//! **Semantics.** A launch runs every invocation of every workgroup
//! (`ceil(threads / workgroup_size)` workgroups, as on the GPU) before it
//! returns: kernels without barriers as a plain loop, kernels with
//! [`workgroup_barrier`] in lock-step — each invocation is suspended at a
//! barrier until every invocation of its workgroup has reached it, and
//! [`Workgroup`] memory is per workgroup and starts zeroed, as in WGSL.
//! Launch errors (a buffer of another device, without `STORAGE`, destroyed,
//! mapped, empty, or bound writable twice; too many workgroups) are the
//! same typed errors, in the same words, on both paths, since one check
//! runs before either: they name the launch and the parameter, e.g.
//! ``saxpy::launch: argument `x` (buffer "xs") needs usage STORAGE, but it
//! has COPY_DST``. Out-of-bounds buffer accesses read zero and
//! drop writes (WebGPU's robust access allows that), so a kernel never
//! traps the guest.
//!
//! **Results.** Integer results are identical on both paths: integer
//! arithmetic wraps, division by zero gives the dividend and `%` by zero
//! zero, `i32::MIN / -1` is `i32::MIN`, as WGSL specifies. Float `+ - *`,
//! comparisons, `min`/`max`/`abs`/`clamp`/`select` and casts of in-range
//! values are bit-identical, unless the GPU driver fuses `a * b + c` into
//! one rounding; `/` is within 2.5 ulp (WGSL's bound); `sqrt`, `exp`,
//! `ln`, `powf`, `sin`, `cos`, `tanh` come from the guest's libm on the CPU
//! and from the driver on the GPU. WGSL bounds these loosely (`sin` and
//! `cos` to 2⁻¹¹ absolute on [-π, π], `exp` to 3 + 2·|x| ulp), so portable
//! code compares GPU and CPU results with a relative tolerance of 1e-5 for
//! arithmetic and an absolute one of 1e-3 for those functions; on lavapipe
//! they agree within `2e-6 + 4e-6 × |result|` for arguments up to 4 in
//! magnitude, which the tests check. Sums reassociated by a parallel
//! reduction differ from a sequential sum by rounding, on either path.
//! The [`kernel`](macro@kernel) guide's "The CPU device" section lists
//! the translation's rules.
//!
//! **Speed.** The CPU device is a fallback, not a fast path: it runs one
//! invocation at a time on one core, reaching buffers element by element
//! with bounds checks and no SIMD. Measured with `examples/kernels` (guest
//! built in release, wasmtime, a 2-core x86-64 machine), against plain Rust
//! loops doing the same work: a barrier-free saxpy over 1M elements takes
//! about 5.6× the time, a 16×16-tiled matrix multiply (shared memory, two
//! barriers per 16 multiply-adds) about 5.6× (3-9× across runs on a busy
//! machine), and a tree reduction (one add between barriers) 25-50×, since
//! every barrier suspends and resumes each invocation. (On the same
//! machine lavapipe, the host's CPU Vulkan driver, took longer than the CPU
//! device for all three at these sizes.)

#![deny(missing_docs)]

// The unit tests of `#[derive(GpuType)]` run inside this crate, and the
// derive names it by its absolute path.
#[cfg(test)]
extern crate self as wasi_webgpu;

mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "wasi-webgpu:sdk/guest",
        generate_all,
    });
    pub(crate) use self::wasi::webgpu::webgpu;
}

mod flags;

mod adapter;
mod backend;
mod bind_group;
mod bind_group_layout;
mod binding;
mod buffer;
mod command_buffer;
mod command_encoder;
mod compute_pass;
mod compute_pipeline;
mod device;
mod error;
mod features;
mod gpu_type;
mod half;
#[cfg(feature = "http")]
pub mod http;
mod instance;
mod kernel;
mod kernel_language;
mod kernel_rt;
mod limits;
mod pipeline_layout;
mod query_set;
mod queue;
mod render_bundle;
mod render_pass;
mod render_pipeline;
mod sampler;
pub mod shader_guard;
mod shader_module;
mod texel_copy;
mod texture;
mod texture_binding;
mod texture_format;
mod texture_view;
#[cfg(feature = "trace")]
pub mod trace;
pub mod util;
mod vector;
mod verdict;

pub use adapter::{Adapter, AdapterInfo};
pub use bind_group::{BindGroup, BindGroupDescriptor, BindGroupEntry, BindingResource, BufferBinding};
pub use bind_group_layout::{
    BindGroupLayout, BindGroupLayoutDescriptor, BindGroupLayoutEntry, BindingType, BufferBindingType, ShaderStages,
};
pub use binding::{Storage, StorageMut, Threads, Uniform};
pub use buffer::{
    Buffer, BufferDescriptor, BufferId, BufferSlice, BufferUsages, COPY_BUFFER_ALIGNMENT, MAP_ALIGNMENT, MapMode,
    MapState,
};
pub use command_buffer::CommandBuffer;
pub use command_encoder::{CommandEncoder, CommandEncoderDescriptor};
pub use compute_pass::{ComputePass, ComputePassDescriptor};
pub use compute_pipeline::{ComputePipeline, ComputePipelineDescriptor, PipelineCompilationOptions};
pub use device::{Device, DeviceDescriptor, ErrorFilter};
pub use error::{Argument, Error, Result, ShaderError};
pub use features::Features;
pub use gpu_type::{GpuType, WgslMember, WgslType};
pub use half::F16;
pub use instance::{Instance, PowerPreference, RequestAdapterOptions};
pub use kernel_language::{
    Workgroup, global_id, local_id, local_index, num_workgroups, storage_barrier, workgroup_barrier, workgroup_id,
};
pub use limits::Limits;
pub use pipeline_layout::{PipelineLayout, PipelineLayoutDescriptor};
pub use query_set::{
    ComputePassTimestampWrites, PassTimestampWrites, QUERY_RESOLVE_BUFFER_ALIGNMENT, QUERY_SET_MAX_QUERIES, QUERY_SIZE,
    QuerySet, QuerySetDescriptor, QueryType, RenderPassTimestampWrites,
};
pub use queue::Queue;
pub use render_bundle::{
    RenderBundle, RenderBundleDepthStencil, RenderBundleDescriptor, RenderBundleEncoder, RenderBundleEncoderDescriptor,
};
pub use render_pass::{
    Color, LoadOp, Operations, RenderPass, RenderPassColorAttachment, RenderPassDepthStencilAttachment,
    RenderPassDescriptor, StoreOp,
};
pub use render_pipeline::{
    BlendComponent, BlendFactor, BlendOperation, BlendState, ColorTargetState, ColorWrites, CompareFunction,
    DepthBiasState, DepthStencilState, Face, FragmentState, FrontFace, IndexFormat, MultisampleState, PrimitiveState,
    PrimitiveTopology, RenderPipeline, RenderPipelineDescriptor, StencilFaceState, StencilOperation, StencilState,
    VertexAttribute, VertexBufferLayout, VertexFormat, VertexState, VertexStepMode,
};
pub use sampler::{AddressMode, FilterMode, MipmapFilterMode, Sampler, SamplerDescriptor};
pub use shader_guard::ShaderRefusal;
pub use shader_module::{ShaderModule, ShaderModuleDescriptor, ShaderSource};
pub use texel_copy::{COPY_BYTES_PER_ROW_ALIGNMENT, TexelCopyBufferInfo, TexelCopyBufferLayout, TexelCopyTextureInfo};
pub use texture::{Extent3d, Origin3d, Texture, TextureDescriptor, TextureDimension, TextureUsages};
pub use texture_binding::{SamplerBindingType, StorageTextureAccess};
pub use texture_format::{TextureFormat, TextureSampleType};
pub use texture_view::{TextureAspect, TextureView, TextureViewDescriptor, TextureViewDimension};
pub use util::{BufferInitDescriptor, HeaderBuffer, HeaderBufferInitDescriptor, WithArray};
pub use vector::{
    BVec2, BVec3, BVec4, Dot, Extrema, IVec2, IVec3, IVec4, Scalar, Select, UVec2, UVec3, UVec4, Vec2, Vec3, Vec4,
    clamp, dot, max, min, select, vec2, vec3, vec4,
};

/// Marks the guest's entry point: an `async fn` taking no arguments and
/// returning `()` or `Result<(), E>` with `E: Display`.
///
/// It exports the function as the component's `wasi:cli/run`. An `Err` is
/// printed to stderr as `Error: {e}` and the component exits with failure.
///
/// The crate must be a `cdylib` (`[lib] crate-type = ["cdylib"]`), since the
/// component's export is a library export rather than a `bin`'s `main`.
pub use wasi_webgpu_macros::main;

/// Marks an HTTP service's handler: an `async fn` taking one
/// [`http::Request`] and returning an [`http::Response`], or
/// `Result<http::Response, E>` with `E: Display`. Behind the cargo feature
/// `http`.
///
/// ```no_run
/// use wasi_webgpu::http::{Request, Response, StatusCode, text};
///
/// #[wasi_webgpu::http]
/// async fn handle(request: Request) -> Response {
///     text(StatusCode::OK, format!("{} {}", request.method(), request.uri().path()))
/// }
/// # fn main() {}
/// ```
///
/// It exports the function as the component's `wasi:http/handler@0.3.0`
/// `handle`; the host calls it once per request, several at once in one
/// instance when requests overlap. An `Err` is answered with 500 and
/// `{"error": "<E's Display>"}` (and printed to stderr as `Error: {e}`); a
/// panic traps the instance, which the host answers with a 5xx. The
/// [`http`](mod@http) module's guide has the rest: bodies, responses, state
/// made once per instance.
///
/// As for [`main`], the crate must be a `cdylib`.
#[cfg(feature = "http")]
pub use wasi_webgpu_macros::http;

/// Compiles WGSL at build time: parses and validates it with naga against
/// WebGPU (its capabilities, plus `f16` when the shader says `enable f16;`,
/// and its default limits), and generates typed bindings from it.
///
/// ```ignore
/// #[wasi_webgpu::shader(path = "shaders/collatz.wgsl")] // relative to Cargo.toml
/// mod collatz {}
///
/// #[wasi_webgpu::shader(wgsl = r#"...WGSL..."#)]
/// mod inline {}
///
/// // One module over several files, joined in order (WGSL has no imports):
/// // the f16 variant of a kernel written over `alias elem = ...;`.
/// #[wasi_webgpu::shader(path = ["shaders/f16.wgsl", "shaders/scale.wgsl"])]
/// mod scale_f16 {}
/// ```
///
/// A shader that does not compile, or breaks a WebGPU limit (256
/// invocations per workgroup, a 256×256×64 workgroup, 16 KiB of workgroup
/// memory, 8 storage buffers per stage, 4 bind groups, 64 KiB uniform
/// bindings), is a compile error with the WGSL file, line and column.
/// Editing a file rebuilds the crate. With `path = [..]`, an `enable`
/// directive goes in the first file, and each file is followed by a newline
/// in `SOURCE`.
///
/// The module gets:
/// - `SOURCE`, the WGSL text;
/// - for each WGSL struct a buffer uses, a `#[repr(C)]`, `Pod` Rust struct
///   of the same name with the WGSL layout (explicit `__padN` fields, a name
///   WGSL reserves; `Default` is all zeros, so
///   `Params { a: 1.0, ..Default::default() }`);
///   `vecN<T>` is `[T; N]` (`[T; 4]` for `vec3` array elements), `matCxR<T>`
///   is `[[T; R]; C]` with `R` of 3 widened to 4, `f16` is its `u16` bits;
///   each implements [`GpuType`](trait@GpuType) with the shader's layout
///   (but for a struct ending in a runtime-sized array, whose Rust struct is
///   only the members before it);
/// - `Overrides`, an `Option` per `override` (`None` keeps the default);
/// - for each compute entry point `foo`: `FOO_WORKGROUP_SIZE` when it is
///   fixed; `FooBindings<'a>`, one field per global it uses, typed
///   [`Uniform`], [`Storage`] (read-only) or [`StorageMut`] (read-write) of
///   the element type, so a buffer of the wrong type or access does not
///   compile; a runtime-sized array `array<E>`, also one wrapped in a struct
///   of nothing else (`struct Particles { p: array<Particle> }`), binds a
///   `Buffer<E>`; a struct with members before its runtime-sized array
///   (`struct Data { count: u32, items: array<vec4f> }`) gets a Rust struct
///   of those members padded to the array's offset, and binds a
///   [`HeaderBuffer<Data, [f32; 4]>`](HeaderBuffer) (its field is typed
///   `StorageMut<'a, WithArray<Data, [f32; 4]>>`); textures and storage textures are `&TextureView` and samplers
///   `&Sampler` fields, whose format, dimension and sample type are checked
///   when bound (an entry point with a storage texture uses the layout the
///   host derives, since the reference host cannot create explicit ones
///   with storage textures); and `Foo`, with `Foo::pipeline(&device, &overrides).await?`,
///   `workgroup_size()` (overrides applied), `bind`,
///   `dispatch(&mut pass, &bindings, threads)`, which records into your
///   compute pass, and `launch(&device, &bindings, threads).await`, which
///   runs by itself (a pass of its own, submitted before it returns): the
///   two calls a [`kernel`](macro@kernel) offers too, with the same argument
///   order. Both run `ceil(threads / workgroup_size)` workgroups in each dimension and
///   returns an `Err` above `maxComputeWorkgroupsPerDimension`. `threads` is
///   a [`Threads`], a count of invocations, never of workgroups (the unit
///   wgpu's `dispatch_workgroups` takes): `Threads::x(n)` for `n` elements,
///   `Threads::xy(width, height)` for an image or matrix with a 2D
///   `@workgroup_size(8, 8)`, where `global_invocation_id.xy` is the pixel,
///   and `Threads::xyz(width, height, depth)` for a volume or a batch. Every
///   dimension rounds up to whole workgroups, so the shader checks its bounds
///   (`if id.x < width && id.y < height`);
/// - with a single compute entry point, also `pipeline(&device, &overrides)`
///   and `Bindings<'a>` at module level;
/// - for each vertex entry point `vs` whose `@location` inputs all have a
///   [`VertexFormat`]: `VS_ATTRIBUTES`, the inputs packed in location order as
///   a `#[repr(C)]` struct of `[f32; N]` / `[u32; N]` / `[i32; N]` fields
///   lays them out, `VS_STRIDE`, and `VS_LAYOUT`, a per-vertex
///   [`VertexBufferLayout`] of them for [`VertexState::buffers`].
///
/// Names never clash: the shader's own names (structs, members, variables,
/// overrides) stay as written, and a name the macro derives that is already
/// taken gets `_` appended until it is free, together with its family: a
/// struct `Main` beside `fn main` leaves the struct `Main` and makes the
/// entry point's types `Main_`, `MainBindings_` and `MainBound_`; an entry
/// point `overrides` gets `Overrides_`, since the module's `Overrides` comes
/// first, and `fn SOURCE` gets `SOURCE_`, since a pipeline type's
/// constructor would clash with the constant `SOURCE`. WGSL names that are
/// Rust keywords (`dyn`, `gen`, `in`, `box`) are raw identifiers (`r#dyn`). The module-level `Overrides`, `Bindings`, `pipeline` and `SOURCE`
/// yield only to WGSL structs of those names. The unnamed overrides naga
/// makes for override expressions that size arrays (`array<u32, BLOCK * 2u>`)
/// are not in `Overrides`; the named ones they use are.
pub use wasi_webgpu_macros::shader;

/// Derives [`GpuType`](trait@GpuType) for a `#[repr(C)]` struct, checking at
/// compile time that its layout is WGSL's; see the trait's documentation.
pub use wasi_webgpu_macros::GpuType;

#[doc = include_str!("kernel_guide.md")]
pub use wasi_webgpu_macros::kernel;

/// Marks a helper function that [`kernel`]s may call; it stays an ordinary
/// Rust function too. See [`kernel`](macro@kernel#helpers).
pub use wasi_webgpu_macros::gpu;

/// Used by the code [`main`] generates; not public API.
#[doc(hidden)]
pub mod __private {
    pub use bytemuck;
    pub use wasip3;

    pub use crate::gpu_type::derive_support as gpu_type;
    #[cfg(feature = "http")]
    pub use crate::http::__private as http;
    pub use crate::kernel::{Kernel, KernelSpec, OverrideSpec, WorkgroupDim, eval_dim};

    pub use wasi_webgpu_macros::__kernel_continue as kernel_continue;

    /// Which device `buffer` belongs to, as [`device_key`] tells devices
    /// apart: for `wasi-webgpu-ops`' argument checks when an op is prepared.
    pub fn buffer_device_key<T: bytemuck::Pod>(buffer: &crate::Buffer<T>) -> usize {
        std::rc::Rc::as_ptr(&buffer.shared.device) as usize
    }

    /// The same for every handle of one device, different for devices alive
    /// at the same time.
    pub fn device_key(device: &crate::Device) -> usize {
        std::rc::Rc::as_ptr(&device.shared) as usize
    }

    /// The runtime of `#[wasi_webgpu::kernel]`'s generated code.
    pub mod kernel_rt {
        pub use crate::backend::cpu::kernel::{
            Barrier, CpuSlice, CpuSliceMut, Invocation, WorkgroupRun as Workgroup, barrier, cpu_slice, cpu_slice_mut,
            for_each_invocation, for_each_workgroup, lockstep, record_cpu,
        };
        pub use crate::backend::{dispatch, launch};
        pub use crate::kernel_rt::{check_launch, dispatch_gpu, launch_gpu};
    }

    /// What an entry function may return.
    // `Result<(), ()>` is what `wasi:cli/run` returns.
    #[allow(clippy::result_unit_err)]
    pub trait MainResult {
        /// Prints an error, if any, and turns the outcome into `wasi:cli/run`'s.
        fn report(self) -> Result<(), ()>;
    }

    impl MainResult for () {
        fn report(self) -> Result<(), ()> {
            Ok(())
        }
    }

    impl<E: core::fmt::Display> MainResult for Result<(), E> {
        fn report(self) -> Result<(), ()> {
            self.map_err(|e| eprintln!("Error: {e}"))
        }
    }
}
