//! Misuse of the SDK, on purpose. Three modes, chosen by the first argument:
//!
//! * none (or check-name filters): the misuse checks of `checks.rs`, each
//!   printing `check <name> ... ok` or `... FAILED: <why>`; every misuse must
//!   come back as a typed `Err`, and the component must not trap;
//! * `leak <cycles> <pipelines>`: creates and drops GPU objects in a loop, so
//!   the host can compare its resource counts before and after
//!   (`leak-forget <n>` forgets `n` buffers instead, to prove the host test
//!   sees a leak);
//! * `interp <sequence>...`: runs randomized API call sequences (see
//!   `interp.rs`), one fresh device each, printing one line per call.
//!
//! The integration tests `misuse`, `leaks` and `proptest_sequences` run it.

mod checks;
mod interp;
mod leak;

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
        _ => run_checks(&args).await,
    }
}

async fn run_checks(filters: &[String]) -> Result<(), String> {
    guest_harness::run_checks("misuse", checks::CHECKS, filters).await
}
