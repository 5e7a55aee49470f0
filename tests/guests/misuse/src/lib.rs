//! Misuse of the SDK, on purpose. Five modes, chosen by the first argument:
//!
//! * none (or check-name filters): the misuse checks of `checks.rs`, each
//!   printing `check <name> ... ok` or `... FAILED: <why>`; every misuse must
//!   come back as a typed `Err`, and the component must not trap;
//! * `leak <cycles> <pipelines>`: creates and drops GPU objects in a loop, so
//!   the host can compare its resource counts before and after
//!   (`leak-forget <n>` forgets `n` buffers instead, to prove the host test
//!   sees a leak);
//! * `interp <sequence>...`: runs randomized API call sequences (see
//!   `interp.rs`), one fresh device each, printing one line per call;
//! * `memory-limited`: the checks that need the host's memory limited (the
//!   test runs the runner under an address-space limit), in `lifecycle.rs`;
//! * `bench-create <n>`: times `n` small `create_buffer` and `create_texture`
//!   calls (the cost of checking that the host created each object).
//!
//! The integration tests `misuse`, `leaks` and `proptest_sequences` run it.

mod checks;
mod interp;
mod leak;
mod lifecycle;
mod wording;

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

pub use guest_harness::{Context, Gpu, Outcome, checks, ensure, expect_err, gpu};

/// Polls two futures in turns until both are done, so the second starts
/// while the first may still wait on the host.
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            rb = Some(v);
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                (ra, rb) = (x, y);
                Poll::Pending
            }
        }
    })
    .await
}

/// Polls `future` once, with a waker that does nothing, and drops it: what
/// a `select` that picked another branch does to the loser.
pub fn poll_once_and_drop<F: Future>(future: F) -> Poll<F::Output> {
    let mut future = pin!(future);
    future.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop()))
}

/// The variant name of an SDK error: its `Debug` text up to the fields.
pub fn variant(error: &wasi_webgpu::Error) -> String {
    let debug = format!("{error:?}");
    debug.split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or_default().to_owned()
}

#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("leak") => {
            let number = |i: usize, default| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
            leak::run(number(1, 10_000), number(2, 1_000)).await
        }
        Some("leak-forget") => leak::forget(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1)).await,
        Some("interp") => interp::run(&args[1..]).await,
        Some("memory-limited") => guest_harness::run_checks("memory-limited", lifecycle::CHECKS, &args[1..]).await,
        Some("bench-create") => bench_create(args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000)).await,
        _ => run_checks(&args).await,
    }
}

/// Times `n` creations of a small buffer and of a small texture (each
/// dropped at once), for the cost of checking that the host created them.
async fn bench_create(n: u32) -> Result<(), String> {
    use wasi_webgpu::{BufferDescriptor, BufferUsages, TextureDescriptor, TextureUsages};
    let gpu = gpu().await.map_err(|e| e.to_string())?;
    let descriptor = BufferDescriptor { len: 16, usage: BufferUsages::STORAGE, ..Default::default() };
    let start = std::time::Instant::now();
    for _ in 0..n {
        gpu.device.create_buffer::<u32>(&descriptor).map_err(|e| e.to_string())?;
    }
    let buffers = start.elapsed();
    let descriptor = TextureDescriptor { usage: TextureUsages::COPY_DST, ..Default::default() };
    let start = std::time::Instant::now();
    for _ in 0..n {
        gpu.device.create_texture(&descriptor).map_err(|e| e.to_string())?;
    }
    let textures = start.elapsed();
    let per = |d: std::time::Duration| d.as_secs_f64() * 1e6 / f64::from(n.max(1));
    println!("{n} create_buffer: {buffers:?} ({:.2} us each)", per(buffers));
    println!("{n} create_texture: {textures:?} ({:.2} us each)", per(textures));
    Ok(())
}

async fn run_checks(filters: &[String]) -> Result<(), String> {
    guest_harness::run_checks("misuse", checks::CHECKS, filters).await
}
