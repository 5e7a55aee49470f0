//! [`InstanceState`]: a value made once per component instance, by the
//! first request that needs it, and shared by every later and concurrent one.

use std::cell::{Cell, OnceCell, RefCell};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// A value made once per component instance and shared by all its requests:
/// the GPU adapter, device and pipelines, a model's weights.
///
/// Put it in a `static` and reach it with
/// [`get_or_try_init`](Self::get_or_try_init):
///
/// ```no_run
/// use wasi_webgpu::http::InstanceState;
///
/// struct Gpu {
///     device: wasi_webgpu::Device,
///     queue: wasi_webgpu::Queue,
/// }
///
/// static GPU: InstanceState<Gpu> = InstanceState::new();
///
/// async fn gpu() -> Result<&'static Gpu, wasi_webgpu::Error> {
///     GPU.get_or_try_init(|| async {
///         let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
///         let (device, queue) = adapter.request_device(&Default::default()).await?;
///         Ok(Gpu { device, queue })
///     })
///     .await
/// }
/// ```
///
/// - **Once.** The first caller runs `init`. Callers that arrive while it
///   runs (requests the host delivers to the same instance concurrently)
///   wait for it and get the same value: exactly one `init` runs at a time,
///   and once one succeeds no other runs.
/// - **Failures are not kept.** An `Err` from `init` goes to the caller
///   that ran it; nothing is stored, so the next caller runs its own `init`
///   (a waiting caller then takes its turn, one at a time). A request whose
///   `init` failed can answer 503, and a later one retries.
/// - **Cancelled.** If the caller running `init` is dropped (its request
///   cancelled), a waiting caller runs `init` instead.
/// - **Not re-entrant.** An `init` that awaits the same `InstanceState`
///   waits for itself forever.
///
/// The value lives as long as the instance: a `static` is never dropped,
/// and a host that traps the instance (a panic) discards it with the
/// instance's memory; the next instance makes its own.
///
/// # Threads
///
/// `wasm32-wasip2` has one thread, so the `static` is shared by nothing
/// else, and the type is `Sync` without making `T` `Sync`. Compiled
/// natively (`cargo check`, unit tests), it belongs to the first thread
/// that uses it: any use from another thread panics before touching the
/// value, and a value left on another thread at drop is leaked rather than
/// dropped there.
pub struct InstanceState<T> {
    value: OnceCell<T>,
    /// An `init` is running.
    running: Cell<bool>,
    /// Callers waiting for the running `init` to end.
    waiters: RefCell<Vec<Waker>>,
    /// The thread that first used the cell; only it may touch the cells.
    #[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
    owner: std::sync::OnceLock<std::thread::ThreadId>,
    /// Not `Send`: a value with `!Send` parts stays on its thread.
    _not_send: PhantomData<*const ()>,
}

// SAFETY: `value`, `running` and `waiters` are only touched after
// `check_thread`: on a target with one thread (wasm without the `atomics`
// target feature, which `wasm32-wasip2` is), there is no other thread to
// share them with, and `check_thread` compiles to nothing; on any
// other target `check_thread` panics on every thread but the owner, so the
// cells are still used from one thread only. `Drop` leaks the value rather
// than drop it on another thread.
unsafe impl<T> Sync for InstanceState<T> {}

impl<T> Default for InstanceState<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> core::fmt::Debug for InstanceState<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.check_thread();
        let state = if self.value.get().is_some() {
            "ready"
        } else if self.running.get() {
            "initializing"
        } else {
            "empty"
        };
        f.debug_struct("InstanceState").field("state", &state).finish_non_exhaustive()
    }
}

impl<T> InstanceState<T> {
    /// An empty cell, for a `static`.
    pub const fn new() -> Self {
        Self {
            value: OnceCell::new(),
            running: Cell::new(false),
            waiters: RefCell::new(Vec::new()),
            #[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
            owner: std::sync::OnceLock::new(),
            _not_send: PhantomData,
        }
    }

    /// The value, if an `init` has succeeded; never waits or starts one
    /// (for a health check that must not load a model).
    pub fn get(&self) -> Option<&T> {
        self.check_thread();
        self.value.get()
    }

    /// Whether an `init` is running now.
    pub fn is_initializing(&self) -> bool {
        self.check_thread();
        self.running.get()
    }

    /// The value, made by `init` if no earlier call made it; see the type's
    /// documentation for who runs `init` and what an `Err` does.
    pub async fn get_or_try_init<E, F, Fut>(&self, init: F) -> Result<&T, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut init = Some(init);
        loop {
            self.check_thread();
            if let Some(value) = self.value.get() {
                return Ok(value);
            }
            if !self.running.get() {
                // Only a call that has not run `init` gets here: one that
                // ran it returned below.
                let Some(init) = init.take() else { unreachable!("init runs at most once per call") };
                self.running.set(true);
                let running = Running(self);
                let result = init().await;
                self.check_thread();
                let result = match result {
                    Ok(value) => {
                        // Nothing else sets it: `running` kept every other
                        // caller waiting.
                        let _ = self.value.set(value);
                        Ok(self.value.get().expect("just set"))
                    }
                    Err(error) => Err(error),
                };
                drop(running);
                return result;
            }
            Wait { state: self }.await;
        }
    }

    /// [`get_or_try_init`](Self::get_or_try_init) for an `init` that cannot
    /// fail.
    pub async fn get_or_init<F, Fut>(&self, init: F) -> &T
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        let result: Result<&T, core::convert::Infallible> = self.get_or_try_init(|| async { Ok(init().await) }).await;
        match result {
            Ok(value) => value,
        }
    }

    #[inline]
    fn check_thread(&self) {
        #[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
        {
            let me = std::thread::current().id();
            assert!(
                *self.owner.get_or_init(|| me) == me,
                "wasi_webgpu::http::InstanceState used from a second thread; it belongs to the first thread that used it"
            );
        }
    }

    fn wake_waiters(&self) {
        let waiters = std::mem::take(&mut *self.waiters.borrow_mut());
        for waker in waiters {
            waker.wake();
        }
    }
}

impl<T> Drop for InstanceState<T> {
    fn drop(&mut self) {
        #[cfg(not(all(target_family = "wasm", not(target_feature = "atomics"))))]
        if self.owner.get().is_some_and(|&owner| owner != std::thread::current().id()) {
            std::mem::forget(self.value.take());
        }
    }
}

/// Ends a running `init`, however it ends (a value, an error, or its future
/// dropped), and wakes the callers waiting for it.
struct Running<'a, T>(&'a InstanceState<T>);

impl<T> Drop for Running<'_, T> {
    fn drop(&mut self) {
        self.0.check_thread();
        self.0.running.set(false);
        self.0.wake_waiters();
    }
}

/// Ready once no `init` is running.
struct Wait<'a, T> {
    state: &'a InstanceState<T>,
}

impl<T> Future for Wait<'_, T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let state = self.state;
        state.check_thread();
        if !state.running.get() {
            return Poll::Ready(());
        }
        let mut waiters = state.waiters.borrow_mut();
        if !waiters.iter().any(|w| w.will_wake(cx.waker())) {
            waiters.push(cx.waker().clone());
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;
    use std::task::Wake;

    /// A waker that counts its wakes.
    struct Count(std::sync::atomic::AtomicUsize);

    impl Wake for Count {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// A future that is pending until `gate` is opened.
    fn gate(open: Rc<Cell<bool>>) -> impl Future<Output = ()> {
        std::future::poll_fn(move |_| if open.get() { Poll::Ready(()) } else { Poll::Pending })
    }

    fn poll<F: Future>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
        future.poll(&mut Context::from_waker(waker))
    }

    #[test]
    fn concurrent_callers_share_one_init() {
        let state: InstanceState<u32> = InstanceState::new();
        let inits = Cell::new(0);
        let open = Rc::new(Cell::new(false));
        let init = || async {
            inits.set(inits.get() + 1);
            gate(Rc::clone(&open)).await;
            Ok::<_, ()>(7)
        };
        let count = std::sync::Arc::new(Count(0.into()));
        let waker = Waker::from(std::sync::Arc::clone(&count));
        let mut a = std::pin::pin!(state.get_or_try_init(init));
        let mut b = std::pin::pin!(state.get_or_try_init(init));
        let mut c = std::pin::pin!(state.get_or_try_init(init));
        assert!(poll(a.as_mut(), &waker).is_pending());
        assert!(poll(b.as_mut(), &waker).is_pending());
        assert!(poll(c.as_mut(), &waker).is_pending());
        assert!(state.is_initializing());
        assert_eq!(state.get(), None);
        // b and c wait on the same waker: registered once.
        assert_eq!(state.waiters.borrow().len(), 1);
        open.set(true);
        assert_eq!(poll(a.as_mut(), &waker), Poll::Ready(Ok(&7)));
        assert_eq!(count.0.load(std::sync::atomic::Ordering::Relaxed), 1, "the waiters were woken");
        assert_eq!(poll(b.as_mut(), &waker), Poll::Ready(Ok(&7)));
        assert_eq!(poll(c.as_mut(), &waker), Poll::Ready(Ok(&7)));
        assert_eq!(inits.get(), 1);
        assert!(!state.is_initializing());
        // Later calls never run init.
        let mut d = std::pin::pin!(state.get_or_try_init(|| async { Err::<u32, ()>(()) }));
        assert_eq!(poll(d.as_mut(), &waker), Poll::Ready(Ok(&7)));
    }

    #[test]
    fn a_failed_init_is_not_kept() {
        let state: InstanceState<u32> = InstanceState::new();
        let open = Rc::new(Cell::new(false));
        let waker = Waker::noop();
        let mut a = std::pin::pin!(state.get_or_try_init(|| async {
            gate(Rc::clone(&open)).await;
            Err::<u32, &str>("no GPU")
        }));
        let mut b = std::pin::pin!(state.get_or_try_init(|| async { Ok::<_, &str>(2) }));
        assert!(poll(a.as_mut(), waker).is_pending());
        assert!(poll(b.as_mut(), waker).is_pending());
        open.set(true);
        assert_eq!(poll(a.as_mut(), waker), Poll::Ready(Err("no GPU")));
        assert_eq!(state.get(), None);
        // The waiter runs its own init now.
        assert_eq!(poll(b.as_mut(), waker), Poll::Ready(Ok(&2)));
        assert_eq!(state.get(), Some(&2));
    }

    #[test]
    fn a_dropped_init_hands_over() {
        let state: InstanceState<u32> = InstanceState::new();
        let waker = Waker::noop();
        {
            let mut a = Box::pin(state.get_or_try_init(|| async {
                std::future::pending::<()>().await;
                Ok::<_, ()>(1)
            }));
            assert!(poll(a.as_mut(), waker).is_pending());
            assert!(state.is_initializing());
        }
        assert!(!state.is_initializing());
        let mut b = std::pin::pin!(state.get_or_init(|| async { 3 }));
        assert_eq!(poll(b.as_mut(), waker), Poll::Ready(&3));
    }

    #[test]
    fn a_static_is_usable() {
        static STATE: InstanceState<Rc<str>> = InstanceState::new();
        let mut a = std::pin::pin!(STATE.get_or_init(|| async { Rc::from("gpu") }));
        assert_eq!(poll(a.as_mut(), Waker::noop()).map(|s| &**s), Poll::Ready("gpu"));
    }

    #[test]
    fn another_thread_panics() {
        let state: &'static InstanceState<u32> = Box::leak(Box::new(InstanceState::new()));
        assert_eq!(state.get(), None);
        let other = std::thread::spawn(move || state.get().copied()).join();
        assert!(other.is_err(), "a second thread must not reach the value");
    }
}
