//! Whether the host really created a buffer or texture.
//!
//! wasi:webgpu's `create-buffer` and `create-texture` always hand back a
//! handle; when the host could not allocate the memory, or rejected the
//! descriptor, the handle names an invalid object and the failure goes to an
//! error scope. The reference host then traps at the next call that uses the
//! object ("Buffer with '' label is invalid"). So creation runs inside two
//! scopes of the SDK's own (out-of-memory and validation) and pops them at
//! once: a failure is an `Err` from `create_buffer` / `create_texture`, and
//! no invalid object exists for a later call to pass to the host.
//!
//! WebGPU lets `popErrorScope` settle later than the call. The reference host
//! settles it within the call (its `pop-error-scope` awaits nothing, and
//! wasmtime polls a new host task once before it returns), so the verdict is
//! known when the creation call returns, and creation stays synchronous. On a
//! host that settles it later (a browser, whose GPU process answers the pop
//! after a round trip) the object is returned with its verdict *pending*:
//! every async use of the object (`read`, `write`, `map_async`,
//! [`Buffer::created`](crate::Buffer::created)) awaits it first, and every
//! synchronous use that reaches the host polls it again, refuses once it has
//! settled as failed, and goes ahead while it is unknown. Going ahead is
//! safe there: such a host is a WebGPU implementation, whose invalid objects
//! are contagious (a use of one is a validation error in the device's error
//! scopes, which the SDK's later calls report), and only the reference host,
//! which settles at once, traps on one. It is what lets
//! [`Device::create_buffer_init`](crate::Device::create_buffer_init) write
//! its contents at once: WebGPU maps a buffer made mapped even when it is
//! invalid.

use std::cell::RefCell;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::bindings::webgpu as raw;
use crate::device::{DeviceShared, error_from_raw};
use crate::{Error, Result};

/// One popped error scope whose answer has not come yet.
type Pop = Pin<Box<dyn Future<Output = Option<Error>>>>;

/// The state of an object's creation, kept beside the object.
pub(crate) struct Verdict(RefCell<State>);

enum State {
    Valid,
    /// The host reported this when the verdict settled after creation.
    Failed(Error),
    /// The pops still to settle, and what the object is, for the error.
    Pending {
        object: &'static str,
        pops: Vec<Pop>,
    },
}

impl Verdict {
    /// An object known to exist: the CPU device's, or one whose scopes
    /// settled clean.
    pub(crate) const fn valid() -> Self {
        Self(RefCell::new(State::Valid))
    }

    /// Checks, without waiting, that the host has not reported failing to
    /// create the object, before `operation` hands it to the host; a verdict
    /// still pending lets it go ahead (see the module documentation).
    pub(crate) fn check(&self, operation: &'static str) -> Result<()> {
        let mut cx = Context::from_waker(Waker::noop());
        match self.poll(operation, &mut cx) {
            Poll::Ready(result) => result,
            Poll::Pending => Ok(()),
        }
    }

    /// Whether the host is known to have failed to create the object, so
    /// that no call, `destroy` included, may reach the host with it. A
    /// verdict still pending counts as not failed.
    pub(crate) fn failed(&self) -> bool {
        let mut cx = Context::from_waker(Waker::noop());
        matches!(self.poll("destroy", &mut cx), Poll::Ready(Err(_)))
    }

    /// Waits until the host has said whether it created the object.
    pub(crate) async fn wait(&self, operation: &'static str) -> Result<()> {
        if matches!(&*self.0.borrow(), State::Valid) {
            return Ok(());
        }
        poll_fn(|cx| self.poll(operation, cx)).await
    }

    fn poll(&self, operation: &'static str, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let mut state = self.0.borrow_mut();
        let settled = match &mut *state {
            State::Valid => return Poll::Ready(Ok(())),
            State::Failed(error) => return Poll::Ready(Err(used_after_failure(operation, error))),
            State::Pending { object, pops } => match poll_pops(pops, cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => State::Valid,
                Poll::Ready(Some(error)) => State::Failed(prefix(error, &format!("creating the {object}"))),
            },
        };
        *state = settled;
        match &*state {
            State::Failed(error) => Poll::Ready(Err(used_after_failure(operation, error))),
            _ => Poll::Ready(Ok(())),
        }
    }
}

/// Polls every pop still pending once, dropping those that settled clean:
/// the first error found, `None` when all settled clean, or pending.
fn poll_pops(pops: &mut Vec<Pop>, cx: &mut Context<'_>) -> Poll<Option<Error>> {
    let mut found = None;
    pops.retain_mut(|pop| match pop.as_mut().poll(cx) {
        Poll::Ready(error) => {
            found = found.take().or(error);
            false
        }
        Poll::Pending => true,
    });
    match found {
        // One error settles the verdict; the other pops are no longer needed.
        Some(error) => Poll::Ready(Some(error)),
        None if pops.is_empty() => Poll::Ready(None),
        None => Poll::Pending,
    }
}

fn used_after_failure(operation: &'static str, error: &Error) -> Error {
    prefix(error.clone(), operation)
}

/// `error` with `context: ` before its message.
fn prefix(error: Error, context: &str) -> Error {
    match error {
        Error::OutOfMemory(message) => Error::OutOfMemory(format!("{context}: {message}")),
        Error::Validation(message) => Error::Validation(format!("{context}: {message}")),
        Error::Internal(message) => Error::Internal(format!("{context}: {message}")),
        other => other,
    }
}

/// Creates a host object with `create` inside fresh out-of-memory and
/// validation scopes and returns it with its verdict, or the host's error,
/// its message prefixed by `what` (the call and what it asked for), when
/// the scopes settle at once with one.
///
/// The two pops are started one after the other right after `create`, so no
/// other call can push a scope between; a host settles the scopes when the
/// pops are called, whenever it answers them.
pub(crate) fn create<T>(
    device: &Rc<DeviceShared>,
    operation: &'static str,
    object: &'static str,
    what: impl FnOnce() -> String,
    create: impl FnOnce(&raw::GpuDevice) -> T,
) -> Result<(T, Verdict)> {
    let raw_device = device.raw(operation)?;
    raw_device.push_error_scope(raw::GpuErrorFilter::OutOfMemory);
    raw_device.push_error_scope(raw::GpuErrorFilter::Validation);
    let value = create(raw_device);
    let mut pops: Vec<Pop> = Vec::with_capacity(2);
    let mut cx = Context::from_waker(Waker::noop());
    let mut found = None;
    for _ in 0..2 {
        let device = Rc::clone(device);
        let mut pop: Pop = Box::pin(async move {
            let gpu = device.raw("pop_error_scope").ok()?;
            match gpu.pop_error_scope().await {
                Ok(Some(error)) => Some(error_from_raw(&error)),
                // The scope was pushed just before; an empty stack cannot be.
                Ok(None) | Err(_) => None,
            }
        });
        // The first poll makes the host call, which pops the scope.
        match pop.as_mut().poll(&mut cx) {
            Poll::Ready(error) => found = found.take().or(error),
            Poll::Pending => pops.push(pop),
        }
    }
    if let Some(error) = found {
        return Err(prefix(error, &what()));
    }
    let verdict = if pops.is_empty() { State::Valid } else { State::Pending { object, pops } };
    Ok((value, Verdict(RefCell::new(verdict))))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pop that settles with `answer` at its `ready_at`-th poll.
    fn pop_after(ready_at: u32, answer: Option<Error>) -> Pop {
        let mut polls = 0;
        Box::pin(poll_fn(move |_| {
            polls += 1;
            if polls >= ready_at { Poll::Ready(answer.clone()) } else { Poll::Pending }
        }))
    }

    fn pending(pops: Vec<Pop>) -> Verdict {
        Verdict(RefCell::new(State::Pending { object: "buffer", pops }))
    }

    #[test]
    fn a_pending_verdict_lets_synchronous_use_go_ahead_and_settles_when_polled() {
        let verdict = pending(vec![pop_after(3, None), pop_after(2, None)]);
        assert_eq!(verdict.check("write_buffer"), Ok(()));
        assert!(matches!(&*verdict.0.borrow(), State::Pending { .. }));
        assert_eq!(verdict.check("write_buffer"), Ok(()));
        assert_eq!(verdict.check("write_buffer"), Ok(()));
        assert!(matches!(&*verdict.0.borrow(), State::Valid));
        assert!(!verdict.failed());
    }

    #[test]
    fn a_failure_that_settles_late_is_kept_and_names_each_later_call() {
        let oom = Error::OutOfMemory("Not enough memory left.".into());
        let verdict = pending(vec![pop_after(1, None), pop_after(2, Some(oom))]);
        // Unknown at the first use, which goes ahead; refused from the next.
        assert_eq!(verdict.check("write_buffer"), Ok(()));
        let expected = "read: creating the buffer: Not enough memory left.";
        assert_eq!(verdict.check("read"), Err(Error::OutOfMemory(expected.into())));
        assert_eq!(verdict.check("read"), Err(Error::OutOfMemory(expected.into())));
    }

    #[test]
    fn waiting_settles_the_verdict() {
        let verdict = pending(vec![pop_after(4, Some(Error::Validation("bad".into())))]);
        let mut wait = Box::pin(verdict.wait("map_async"));
        let mut cx = Context::from_waker(Waker::noop());
        let mut polls = 1;
        let result = loop {
            if let Poll::Ready(result) = wait.as_mut().poll(&mut cx) {
                break result;
            }
            polls += 1;
        };
        assert_eq!(polls, 4);
        assert_eq!(result, Err(Error::Validation("map_async: creating the buffer: bad".into())));
    }
}
