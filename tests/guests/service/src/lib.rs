//! Test guest: an HTTP service for the host's `serve` tests.
//!
//! | route | answer |
//! |---|---|
//! | `POST /saxpy` `{"a": f32, "x": [f32], "y": [f32]}` | `{"z": [a·x + y]}`, computed on the GPU by a `#[kernel]` whose device (and compiled pipeline) the instance's first request makes; at most 2²⁰ elements; 400 `{"error": ..}` for malformed JSON or mismatched lengths, 413 for a body over 64 MiB |
//! | `GET /stats` | `{"inits": n, "requests": n, "in_flight": n, "max_in_flight": n}` of this instance: GPU inits run, requests started (this one included), requests in progress now (this one included) and the most ever in progress at once (above 1 only if the host overlapped requests) |
//! | `GET /sleep?ms=N` | waits N ms (at most 600,000) on the monotonic clock, no GPU, then `{"slept_ms": N}` |
//! | `GET /once?ms=N` | `{"inits": n}`: awaits a per-instance `InstanceState` whose `init` sleeps N ms (no GPU) and counts its runs; concurrent first requests share one `init`, so `n` stays 1 in an instance |
//! | `GET /trap` | panics: the instance traps |
//! | `GET /spin` | loops forever, never yielding |
//!
//! Any other method on these paths is 405 (with `allow`), any other path 404.

use std::cell::Cell;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wasi_webgpu::http::{InstanceState, Method, Request, Response, StatusCode, header, json, json_error};
use wasi_webgpu::{BufferInitDescriptor, BufferUsages, Threads};

/// The most elements `/saxpy` takes.
pub const MAX_ELEMENTS: usize = 1 << 20;
/// The largest request body read, in bytes: 2²⁰ pairs of floats as JSON fit.
pub const MAX_BODY: usize = 64 << 20;
/// The longest `/sleep`, in ms.
pub const MAX_SLEEP_MS: u64 = 600_000;

#[wasi_webgpu::kernel(workgroup_size = 64)]
fn saxpy(a: f32, x: &[f32], y: &mut [f32]) {
    let i = wasi_webgpu::global_id().x as usize;
    if i < y.len() {
        y[i] = a * x[i] + y[i];
    }
}

/// The GPU state every request of an instance shares.
struct Gpu {
    device: wasi_webgpu::Device,
}

static GPU: InstanceState<Gpu> = InstanceState::new();

/// `/once`'s state: how many of its `init`s ran when it was made.
static ONCE: InstanceState<()> = InstanceState::new();

thread_local! {
    static INITS: Cell<u64> = const { Cell::new(0) };
    static REQUESTS: Cell<u64> = const { Cell::new(0) };
    static IN_FLIGHT: Cell<u64> = const { Cell::new(0) };
    static MAX_IN_FLIGHT: Cell<u64> = const { Cell::new(0) };
    static ONCE_INITS: Cell<u64> = const { Cell::new(0) };
}

/// Counts a request in flight from its start to its end (or cancellation).
struct InFlight;

impl InFlight {
    fn start() -> Self {
        REQUESTS.set(REQUESTS.get() + 1);
        let now = IN_FLIGHT.get() + 1;
        IN_FLIGHT.set(now);
        MAX_IN_FLIGHT.set(MAX_IN_FLIGHT.get().max(now));
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.set(IN_FLIGHT.get() - 1);
    }
}

/// What `/stats` answers.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stats {
    /// GPU initialisations run (succeeded or not).
    pub inits: u64,
    /// Requests started in this instance.
    pub requests: u64,
    /// Requests in progress now.
    pub in_flight: u64,
    /// The most requests in progress at once.
    pub max_in_flight: u64,
}

/// `/saxpy`'s input.
#[derive(Debug, Deserialize)]
pub struct SaxpyIn {
    /// The scale.
    pub a: f32,
    /// Scaled and added.
    pub x: Vec<f32>,
    /// Added to.
    pub y: Vec<f32>,
}

#[derive(Serialize)]
struct SaxpyOut {
    z: Vec<f32>,
}

/// The routes.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// `POST /saxpy`.
    Saxpy,
    /// `GET /stats`.
    Stats,
    /// `GET /sleep`.
    Sleep,
    /// `GET /once`.
    Once,
    /// `GET /trap`.
    Trap,
    /// `GET /spin`.
    Spin,
    /// A known path with another method: the one it takes.
    WrongMethod(&'static str),
    /// An unknown path.
    NotFound,
}

/// The route of `method` on `path`.
pub fn route(method: &Method, path: &str) -> Route {
    let (route, allowed) = match path {
        "/saxpy" => (Route::Saxpy, Method::POST),
        "/stats" => (Route::Stats, Method::GET),
        "/sleep" => (Route::Sleep, Method::GET),
        "/once" => (Route::Once, Method::GET),
        "/trap" => (Route::Trap, Method::GET),
        "/spin" => (Route::Spin, Method::GET),
        _ => return Route::NotFound,
    };
    if *method == allowed { route } else { Route::WrongMethod(if allowed == Method::POST { "POST" } else { "GET" }) }
}

/// Parses and checks `/saxpy`'s body.
pub fn parse_saxpy(body: &[u8]) -> Result<SaxpyIn, String> {
    let input: SaxpyIn = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    if input.x.len() != input.y.len() {
        return Err(format!("`x` has {} elements and `y` {}; they must be as long", input.x.len(), input.y.len()));
    }
    if input.x.len() > MAX_ELEMENTS {
        return Err(format!("{} elements; at most {MAX_ELEMENTS}", input.x.len()));
    }
    Ok(input)
}

/// Parses `/sleep`'s `ms`.
pub fn parse_ms(value: Option<&str>) -> Result<u64, String> {
    let value = value.ok_or("missing the query parameter `ms`, e.g. /sleep?ms=100")?;
    match value.parse::<u64>() {
        Ok(ms) if ms <= MAX_SLEEP_MS => Ok(ms),
        _ => Err(format!("`ms={value}`: not a count of milliseconds up to {MAX_SLEEP_MS}")),
    }
}

fn to_json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json(StatusCode::OK, bytes),
        Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

async fn gpu() -> Result<&'static Gpu, wasi_webgpu::Error> {
    GPU.get_or_try_init(|| async {
        INITS.set(INITS.get() + 1);
        let adapter = wasi_webgpu::Instance::new().request_adapter(&Default::default()).await?;
        let (device, _queue) = adapter.request_device(&Default::default()).await?;
        // Compile the kernel now, once: every later launch on this device
        // reuses the pipeline.
        let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
        let x =
            device.create_buffer_init(&BufferInitDescriptor { label: Some("warm x"), contents: &[1.0f32], usage })?;
        let mut y =
            device.create_buffer_init(&BufferInitDescriptor { label: Some("warm y"), contents: &[1.0f32], usage })?;
        saxpy::launch(&device, 2.0, &x, &mut y, Threads::x(1)).await?;
        Ok(Gpu { device })
    })
    .await
}

async fn run_saxpy(input: SaxpyIn) -> Result<Vec<f32>, wasi_webgpu::Error> {
    if input.x.is_empty() {
        return Ok(Vec::new());
    }
    let gpu = gpu().await?;
    let usage = BufferUsages::STORAGE | BufferUsages::COPY_SRC;
    let x = gpu.device.create_buffer_init(&BufferInitDescriptor { label: Some("x"), contents: &input.x, usage })?;
    let mut y = gpu.device.create_buffer_init(&BufferInitDescriptor { label: Some("y"), contents: &input.y, usage })?;
    saxpy::launch(&gpu.device, input.a, &x, &mut y, Threads::x(input.x.len() as u32)).await?;
    y.read().await
}

/// The handler.
#[wasi_webgpu::http]
pub async fn handle(mut request: Request) -> Response {
    let _in_flight = InFlight::start();
    match route(request.method(), request.uri().path()) {
        Route::Saxpy => {
            let body = match wasi_webgpu::http::read_body(&mut request, MAX_BODY).await {
                Ok(body) => body,
                Err(error) => return error.into(),
            };
            let input = match parse_saxpy(&body) {
                Ok(input) => input,
                Err(message) => return json_error(StatusCode::BAD_REQUEST, &message),
            };
            match run_saxpy(input).await {
                Ok(z) => to_json(&SaxpyOut { z }),
                Err(e @ (wasi_webgpu::Error::NoAdapter | wasi_webgpu::Error::RequestDevice(_))) => {
                    json_error(StatusCode::SERVICE_UNAVAILABLE, &format!("no GPU: {e}"))
                }
                Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Route::Stats => to_json(&Stats {
            inits: INITS.get(),
            requests: REQUESTS.get(),
            in_flight: IN_FLIGHT.get(),
            max_in_flight: MAX_IN_FLIGHT.get(),
        }),
        Route::Sleep => match parse_ms(wasi_webgpu::http::query_param(&request, "ms")) {
            Ok(ms) => {
                wasi_webgpu::http::sleep(Duration::from_millis(ms)).await;
                json(StatusCode::OK, format!("{{\"slept_ms\":{ms}}}"))
            }
            Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
        },
        Route::Once => match parse_ms(wasi_webgpu::http::query_param(&request, "ms")) {
            Ok(ms) => {
                ONCE.get_or_init(|| async move {
                    ONCE_INITS.set(ONCE_INITS.get() + 1);
                    wasi_webgpu::http::sleep(Duration::from_millis(ms)).await;
                })
                .await;
                json(StatusCode::OK, format!("{{\"inits\":{}}}", ONCE_INITS.get()))
            }
            Err(message) => json_error(StatusCode::BAD_REQUEST, &message),
        },
        Route::Trap => panic!("GET /trap: trapping on purpose"),
        Route::Spin => {
            let mut n = 0u64;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        Route::WrongMethod(allowed) => {
            let mut response = json_error(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("{} {} is not served; use {allowed}", request.method(), request.uri().path()),
            );
            response.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static(allowed));
            response
        }
        Route::NotFound => json_error(
            StatusCode::NOT_FOUND,
            &format!(
                "no route {}; routes: POST /saxpy, GET /stats, /sleep?ms=N, /once?ms=N, /trap, /spin",
                request.uri().path()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    use wasi_webgpu::http::Body;

    /// Runs a handler future that never waits on the host.
    fn ready<F: Future>(future: F) -> F::Output {
        match std::pin::pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("the handler waited on the host"),
        }
    }

    fn call(method: Method, uri: &str, body: &'static str) -> (StatusCode, serde_json::Value) {
        let request = http_request(method, uri, body);
        let response = ready(handle(request));
        let json = serde_json::from_slice(response.body().as_bytes()).expect("a JSON body");
        (response.status(), json)
    }

    fn http_request(method: Method, uri: &str, body: &'static str) -> Request {
        let mut request = Request::new(Body::from(body));
        *request.method_mut() = method;
        *request.uri_mut() = uri.parse().unwrap();
        request
    }

    #[test]
    fn routes() {
        assert_eq!(route(&Method::POST, "/saxpy"), Route::Saxpy);
        assert_eq!(route(&Method::GET, "/saxpy"), Route::WrongMethod("POST"));
        assert_eq!(route(&Method::POST, "/stats"), Route::WrongMethod("GET"));
        assert_eq!(route(&Method::GET, "/sleep"), Route::Sleep);
        assert_eq!(route(&Method::GET, "/nope"), Route::NotFound);
    }

    #[test]
    fn saxpy_input_is_checked() {
        let input = parse_saxpy(br#"{"a": 2, "x": [1, 2], "y": [0.5, 0]}"#).unwrap();
        assert_eq!((input.a, input.x, input.y), (2.0, vec![1.0, 2.0], vec![0.5, 0.0]));
        assert!(parse_saxpy(br#"{"a": 2, "x": [1], "y": []}"#).unwrap_err().contains("as long"));
        assert!(parse_saxpy(b"{").unwrap_err().starts_with("malformed JSON"));
        assert!(parse_saxpy(br#"{"a": "2", "x": [], "y": []}"#).unwrap_err().starts_with("malformed JSON"));
    }

    #[test]
    fn sleep_takes_ms() {
        assert_eq!(parse_ms(Some("25")), Ok(25));
        assert!(parse_ms(None).is_err());
        assert!(parse_ms(Some("-1")).is_err());
        assert!(parse_ms(Some("600001")).is_err());
    }

    #[test]
    fn bad_requests_get_json_errors() {
        let (status, body) = call(Method::POST, "/saxpy", r#"{"a": 1, "x": [1, 2], "y": [1]}"#);
        assert_eq!(status, 400);
        assert!(body["error"].as_str().unwrap().contains("as long"), "{body}");
        assert_eq!(call(Method::POST, "/saxpy", "not json").0, 400);
        assert_eq!(call(Method::GET, "/saxpy", "").0, 405);
        assert_eq!(call(Method::PUT, "/stats", "").0, 405);
        assert_eq!(call(Method::GET, "/missing", "").0, 404);
        assert_eq!(call(Method::GET, "/sleep?ms=x", "").0, 400);
        // Empty vectors need no GPU.
        let (status, body) = call(Method::POST, "/saxpy", r#"{"a": 1, "x": [], "y": []}"#);
        assert_eq!((status, body), (StatusCode::OK, serde_json::json!({"z": []})));
        let (status, stats) = call(Method::GET, "/stats", "");
        assert_eq!(status, 200);
        let stats: Stats = serde_json::from_value(stats).unwrap();
        assert_eq!((stats.inits, stats.in_flight, stats.max_in_flight), (0, 1, 1));
        assert!(stats.requests >= 1);
    }
}
