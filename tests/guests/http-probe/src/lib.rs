//! HTTP probe guest for the server's tests. Routes:
//!
//! - `GET /hello`: `hello`;
//! - `POST /echo`: the request body back, and its length in `x-length`
//!   (the read fails, and the guest answers 400, when the host cuts it off);
//! - `GET /sleep?ms=N`: waits N ms on a host timer, then `slept N`;
//! - `GET /stats`: `requests=R in_flight=I max_in_flight=M` of this
//!   instance (M > 1 shows requests overlapping in one instance);
//! - `GET /trap`: panics;
//! - `GET /spin`: loops without yielding.

use std::cell::Cell;

use wasip3::http::types::{ErrorCode, Fields, Method, Request, Response};
use wasip3::wit_bindgen::StreamResult;
use wasip3::{wit_bindgen, wit_future, wit_stream};

wasip3::http::service::export!(Probe);

struct Probe;

thread_local! {
    static REQUESTS: Cell<u64> = const { Cell::new(0) };
    static IN_FLIGHT: Cell<u64> = const { Cell::new(0) };
    static MAX_IN_FLIGHT: Cell<u64> = const { Cell::new(0) };
}

/// Counts the request as in flight until dropped.
struct InFlight;

impl InFlight {
    fn start() -> Self {
        REQUESTS.set(REQUESTS.get() + 1);
        IN_FLIGHT.set(IN_FLIGHT.get() + 1);
        MAX_IN_FLIGHT.set(MAX_IN_FLIGHT.get().max(IN_FLIGHT.get()));
        Self
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.set(IN_FLIGHT.get() - 1);
    }
}

impl wasip3::exports::http::handler::Guest for Probe {
    async fn handle(request: Request) -> Result<Response, ErrorCode> {
        let _in_flight = InFlight::start();
        let method = request.get_method();
        let path = request.get_path_with_query().unwrap_or_default();
        let (route, query) = path.split_once('?').unwrap_or((&path, ""));
        match (method, route) {
            (Method::Get, "/hello") => respond(200, b"hello".to_vec(), &[]),
            (Method::Post, "/echo") => {
                let (_, result) = wit_future::new(|| Ok(()));
                let (mut body, trailers) = Request::consume_body(request, result);
                let mut all = Vec::new();
                loop {
                    let (result, chunk) = body.read(Vec::with_capacity(64 << 10)).await;
                    all.extend_from_slice(&chunk);
                    if !matches!(result, StreamResult::Complete(_)) {
                        break;
                    }
                }
                if let Err(error) = trailers.await {
                    return respond(400, format!("reading the body failed: {error:?}").into_bytes(), &[]);
                }
                let length = all.len().to_string();
                respond(200, all, &[("x-length", length.as_bytes())])
            }
            (Method::Get, "/sleep") => {
                let ms: u64 = query.strip_prefix("ms=").and_then(|n| n.parse().ok()).unwrap_or(10);
                wasip3::clocks::monotonic_clock::wait_for(ms * 1_000_000).await;
                respond(200, format!("slept {ms}").into_bytes(), &[])
            }
            (Method::Get, "/stats") => {
                let text = format!(
                    "requests={} in_flight={} max_in_flight={}",
                    REQUESTS.get(),
                    IN_FLIGHT.get(),
                    MAX_IN_FLIGHT.get()
                );
                respond(200, text.into_bytes(), &[])
            }
            (Method::Get, "/trap") => panic!("the probe traps on purpose"),
            (Method::Get, "/spin") => {
                let mut n = 0u64;
                loop {
                    n = std::hint::black_box(n.wrapping_add(1));
                }
            }
            _ => respond(404, b"no such route".to_vec(), &[]),
        }
    }
}

fn respond(status: u16, body: Vec<u8>, headers: &[(&str, &[u8])]) -> Result<Response, ErrorCode> {
    let fields = Fields::new();
    for (name, value) in headers {
        fields.append(name, value).map_err(|e| ErrorCode::InternalError(Some(format!("{e:?}"))))?;
    }
    let (mut body_tx, body_rx) = wit_stream::new();
    let (trailers_tx, trailers_rx) = wit_future::new(|| Ok(None));
    let (response, _sent) = Response::new(fields, Some(body_rx), trailers_rx);
    drop(trailers_tx);
    response.set_status_code(status).map_err(|()| ErrorCode::InternalError(Some("bad status".into())))?;
    wit_bindgen::spawn_local(async move {
        let rest = body_tx.write_all(body).await;
        debug_assert!(rest.is_empty());
    });
    Ok(response)
}
