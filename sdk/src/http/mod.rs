//! GPU services: a guest that answers HTTP requests (`wasi:http/handler@0.3.0`)
//! and uses the GPU inside its handler. Behind the cargo feature `http`.
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! wasi-webgpu = { version = "0.1", features = ["http"] }
//! ```
//!
//! [`#[wasi_webgpu::http]`](macro@crate::http) marks the handler, an
//! `async fn` from a [`Request`] to a [`Response`] (or to
//! `Result<Response, E>`), and exports it as the component's
//! `wasi:http/handler@0.3.0`. The request is an [`http::Request`]
//! whose body is a [`Body`]; the response an [`http::Response`]
//! of a [`ResponseBody`], which [`json`], [`text`], [`bytes()`] and
//! [`json_error`] build with a status and a `content-type`.
//!
//! # State made once per instance
//!
//! A host keeps a component instance alive across requests, so the
//! expensive GPU work — adapter, device, pipelines, a model's weights —
//! belongs in an [`InstanceState`], made by the first request and reused by
//! the rest:
//!
//! ```no_run
//! use wasi_webgpu::http::{InstanceState, Request, Response, StatusCode, json, json_error, read_body};
//! use wasi_webgpu::{BufferInitDescriptor, BufferUsages, Threads};
//!
//! #[wasi_webgpu::kernel(workgroup_size = 64)]
//! fn double(v: &mut [f32]) {
//!     let i = wasi_webgpu::global_id().x as usize;
//!     if i < v.len() {
//!         v[i] = 2.0 * v[i];
//!     }
//! }
//!
//! struct Gpu {
//!     device: wasi_webgpu::Device,
//! }
//!
//! static GPU: InstanceState<Gpu> = InstanceState::new();
//!
//! #[wasi_webgpu::http]
//! async fn handle(mut request: Request) -> Result<Response, wasi_webgpu::Error> {
//!     let body = match read_body(&mut request, 1 << 20).await {
//!         Ok(body) => body,
//!         Err(too_large_or_broken) => return Ok(too_large_or_broken.into()), // 413 or 400
//!     };
//!     let Ok(values) = body.chunks_exact(4).map(|b| b.try_into().map(f32::from_le_bytes)).collect::<Result<Vec<_>, _>>()
//!     else {
//!         return Ok(json_error(StatusCode::BAD_REQUEST, "the body must be little-endian f32s"));
//!     };
//!     // The first request makes the device; concurrent first requests wait for it.
//!     let gpu = GPU
//!         .get_or_try_init(|| async {
//!             let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
//!             let (device, _queue) = adapter.request_device(&Default::default()).await?;
//!             Ok::<_, wasi_webgpu::Error>(Gpu { device })
//!         })
//!         .await?; // an Err here is a 500, and the next request tries again
//!     let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
//!     let mut v = gpu.device.create_buffer_init(&BufferInitDescriptor { label: None, contents: &values, usage })?;
//!     double::launch(&gpu.device, &mut v, Threads::x(values.len() as u32)).await?;
//!     let doubled: Vec<u8> = v.read().await?.iter().flat_map(|x| x.to_le_bytes()).collect();
//!     Ok(wasi_webgpu::http::bytes(StatusCode::OK, "application/octet-stream", doubled))
//! }
//! # fn main() {}
//! ```
//!
//! # Concurrency
//!
//! Component-model async lets one instance serve overlapping requests: while
//! a handler awaits (the GPU, a body, a timer), the host may start the next
//! request's handler in the same instance. They run on one thread, taking
//! turns at `.await`s, so per-instance state needs no locks: a `static`
//! [`InstanceState`], or `thread_local!` `Cell`s and `RefCell`s for
//! counters (never hold a `RefCell` borrow across an `.await`). Handlers
//! can share SDK objects: buffers a request creates are its own, and the
//! device, queue and pipelines serve every request. [`sleep`] and
//! [`yield_now`] give the host a turn without doing anything else, e.g. to
//! let concurrently delivered requests join a batch.
//!
//! # Errors and traps
//!
//! A handler returning `Result<Response, E>` (`E: Display`) answers an `Err`
//! with 500 Internal Server Error, `{"error": "<E's Display>"}`
//! (`application/json`), and prints `Error: <E's Display>` to stderr. For
//! other statuses return `Ok` of a response, e.g. [`json_error`]. A request
//! the host cannot turn into an [`http::Request`] (a
//! malformed header) never reaches the handler; the host answers it.
//!
//! A panic traps the instance: the host answers that request with a 5xx
//! and discards the instance, with its [`InstanceState`]s, so the next
//! request runs `init` again in a fresh instance. Requests in flight in the
//! trapped instance fail too. Return errors rather than panic.

mod body;
mod state;

pub use self::body::{Body, BodyError, ResponseBody, bytes, empty, json, json_error, text};
pub use self::state::InstanceState;

#[doc(no_inline)]
pub use ::http::response::Builder as ResponseBuilder;
#[doc(no_inline)]
pub use ::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};

/// An incoming request: method, URI, headers, and its [`Body`].
pub type Request = ::http::Request<Body>;

/// A response: status, headers, and a [`ResponseBody`]. Build one with
/// [`json`], [`text`], [`bytes()`], [`json_error`], [`empty`], or
/// `Response::new(body.into())`; for more headers,
/// [`ResponseBuilder::new()`](ResponseBuilder)`.status(..).header(..).body(..)`.
pub type Response = ::http::Response<ResponseBody>;

/// Reads `request`'s whole body, at most `limit` bytes; see
/// [`Body::read_to_end`]. Its error converts into the response to send
/// (`Response::from(error)`: 413 for a body over the limit, 400 for one
/// the host could not deliver).
pub async fn read_body(request: &mut Request, limit: usize) -> Result<Vec<u8>, BodyError> {
    request.body_mut().read_to_end(limit).await
}

/// The value of the query parameter `name` in `request`'s URI
/// (`/sleep?ms=10` has `ms` = `"10"`), as written (not percent-decoded);
/// the first one if it repeats.
pub fn query_param<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.uri().query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name).then_some(value)
    })
}

/// Waits `duration` on the host's monotonic clock
/// (`wasi:clocks/monotonic-clock.wait-for`), leaving the instance free for
/// other requests meanwhile.
pub async fn sleep(duration: core::time::Duration) {
    let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
    wasip3::clocks::monotonic_clock::wait_for(nanos).await;
}

/// Gives the host one turn: this request's handler continues after other
/// ready work of the instance (and, where the host has them, newly
/// delivered requests) has run.
pub async fn yield_now() {
    wit_bindgen::yield_async().await;
}

/// The code `#[wasi_webgpu::http]` generates calls this.
#[doc(hidden)]
pub mod __private {
    use super::{Body, Response};
    use wasip3::http::types::{ErrorCode, Request as WasiRequest, Response as WasiResponse};
    use wasip3::http_compat::{http_from_wasi_request, http_into_wasi_response};

    /// What a handler may return.
    #[diagnostic::on_unimplemented(
        message = "a #[wasi_webgpu::http] handler returns `wasi_webgpu::http::Response` or \
                   `Result<wasi_webgpu::http::Response, E>` with `E: Display`, not `{Self}`",
        label = "the handler's output"
    )]
    pub trait HandlerResult {
        /// The response to send.
        fn into_response(self) -> Response;
    }

    impl HandlerResult for Response {
        fn into_response(self) -> Response {
            self
        }
    }

    impl<E: core::fmt::Display> HandlerResult for Result<Response, E> {
        fn into_response(self) -> Response {
            self.unwrap_or_else(|error| {
                let message = error.to_string();
                eprintln!("Error: {message}");
                super::json_error(super::StatusCode::INTERNAL_SERVER_ERROR, &message)
            })
        }
    }

    /// Checks a handler's signature at compile time (the generated code
    /// calls it in a `const`, so it never runs).
    pub const fn check_handler<F, Fut>(handler: F) -> F
    where
        F: FnOnce(super::Request) -> Fut,
        Fut: core::future::Future,
        Fut::Output: HandlerResult,
    {
        handler
    }

    /// Converts the host's request, runs the handler, converts its response.
    pub async fn handle<F, Fut>(request: WasiRequest, handler: F) -> Result<WasiResponse, ErrorCode>
    where
        F: FnOnce(super::Request) -> Fut,
        Fut: core::future::Future,
        Fut::Output: HandlerResult,
    {
        let request = http_from_wasi_request(request)?.map(Body::incoming);
        http_into_wasi_response(handler(request).await.into_response())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_params() {
        let request = |uri: &str| ::http::Request::builder().uri(uri).body(Body::empty()).unwrap();
        assert_eq!(query_param(&request("/sleep?ms=10"), "ms"), Some("10"));
        assert_eq!(query_param(&request("/sleep?a=1&ms=2&ms=3"), "ms"), Some("2"));
        assert_eq!(query_param(&request("/sleep?ms"), "ms"), Some(""));
        assert_eq!(query_param(&request("/sleep"), "ms"), None);
    }

    #[test]
    fn an_err_is_a_500() {
        use __private::HandlerResult;
        let response = Err::<Response, _>("no adapter").into_response();
        assert_eq!(response.status(), 500);
        assert_eq!(response.body().as_bytes(), br#"{"error":"no adapter"}"#);
    }
}
