//! all-MiniLM-L6-v2 sentence embeddings (`wasi_webgpu_ops::bert`) as an
//! HTTP service: the component exports `wasi:http/handler@0.3.0`.
//!
//! ```sh
//! wasi-webgpu-run serve --addr 127.0.0.1:8080 --dir "$(tests/models/minilm.sh)" examples/embed-server
//! ```
//!
//! (`tests/models/minilm.sh` installs the model's files once and prints
//! their folder.) The runner prints `wasi-webgpu-run: serving
//! http://ADDR` on stderr when it is ready.
//!
//! The model is loaded once per instance, by the first request that needs
//! it (requests arriving meanwhile wait for the same load), exactly as
//! `examples/embed` loads it: from `MODEL_DIR` if that environment variable
//! is set, else from the first preopened directory that has a config.json,
//! else `.`; on the GPU, or on the in-guest CPU device with
//! `EMBED_DEVICE=cpu`. A load that fails is answered with 503 and tried
//! again by the next request. Embeddings are the numbers `examples/embed`
//! computes for the same texts in the same call (f32, written with the
//! shortest digits that read back as the same f32). A text batched with
//! other requests' texts is padded to the batch's longest, which can change
//! the order of some sums and so the last bits of its embedding.
//!
//! # Routes
//!
//! ```sh
//! # {"embeddings": [[...384 floats...], [...]], "dim": 384}
//! curl -s localhost:8080/embed -d '{"texts": ["A man is eating food.", "A man is eating a piece of bread."]}'
//! # {"cosine": 0.75...}: the cosine similarity of two texts
//! curl -s localhost:8080/similarity -d '{"a": "A man is eating food.", "b": "A man is eating a piece of bread."}'
//! # {"status":"ok","model":"/models/all-MiniLM-L6-v2","device":"gpu","loaded":false,"loading":false,...}
//! curl -s localhost:8080/health
//! ```
//!
//! (`curl -d` sends a POST.) `/health` never loads the model: `loaded` says
//! whether this instance has, `loading` whether a load is under way, and
//! `embed_calls` / `embedded_requests` count the model's `embed` calls and
//! the requests they served (more requests than calls: batching at work).
//!
//! # Errors
//!
//! Every refusal is `{"error": "<what was wrong>"}`:
//!
//! | | status |
//! |---|---|
//! | malformed JSON, a missing or unknown field, `texts` empty | 400 |
//! | an unknown path | 404 |
//! | the wrong method (`GET /embed`, `POST /health`) | 405 |
//! | more than 256 texts, a text over 64 KiB (65,536 bytes of UTF-8), a body over 32 MiB | 413 |
//! | the model could not be loaded (no GPU, no model files) | 503 |
//! | the model failed on the input | 500 |
//!
//! # Batching
//!
//! Requests that arrive together in one instance are embedded in one
//! `SentenceEncoder::embed` call, so one GPU submit serves them (up to 64
//! texts; the encoder splits larger inputs into batches of its own): a
//! request queues its texts, and if no batch is running it leads one,
//! waits `EMBED_BATCH_WAIT_MS` (default 1 ms; 0 yields to the host once;
//! a request alone in the instance only yields)
//! for concurrently delivered requests to queue theirs, embeds everything
//! queued, and hands each request its rows. `EMBED_BATCHING=0` turns it
//! off: each request calls `embed` on its own, for measuring the
//! difference.

mod api;
mod batch;

use std::cell::Cell;
use std::path::PathBuf;
use std::time::Duration;

use wasi_webgpu::Instance;
use wasi_webgpu::http::{InstanceState, Request, Response, StatusCode, json, json_error, read_body};
use wasi_webgpu_ops::Ops;
use wasi_webgpu_ops::bert::{ModelError, SentenceEncoder};

use api::{EmbedResponse, Refusal, Route, SimilarityResponse};
pub use api::{MAX_BODY, MAX_TEXT_BYTES, MAX_TEXTS};
use batch::Batcher;

/// The most texts one batched `embed` call takes from the queue
/// (`SentenceEncoder`'s default batch size).
const MAX_BATCH_TEXTS: usize = wasi_webgpu_ops::bert::DEFAULT_MAX_BATCH;

/// The model and the queue it runs on, one per instance.
struct Model {
    encoder: SentenceEncoder,
    queue: wasi_webgpu::Queue,
}

static MODEL: InstanceState<Model> = InstanceState::new();

thread_local! {
    // Leaked: one per instance, for the instance's life (a batch's futures
    // borrow it across `.await`s, which `LocalKey::with` cannot lend).
    static BATCHER: &'static Batcher = Box::leak(Box::new(Batcher::new()));
    /// `SentenceEncoder::embed` calls made, and requests they served.
    static EMBED_CALLS: Cell<u64> = const { Cell::new(0) };
    static EMBEDDED_REQUESTS: Cell<u64> = const { Cell::new(0) };
}

/// Which device the model runs on: `EMBED_DEVICE=cpu` for the CPU device.
fn use_cpu() -> bool {
    std::env::var("EMBED_DEVICE").is_ok_and(|d| d.eq_ignore_ascii_case("cpu"))
}

fn device_name() -> &'static str {
    if use_cpu() { "cpu" } else { "gpu" }
}

/// `MODEL_DIR`, else the first preopened directory holding a config.json,
/// else `.`.
fn model_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MODEL_DIR") {
        return dir.into();
    }
    wasi_webgpu::__private::wasip3::filesystem::preopens::get_directories()
        .into_iter()
        .map(|(_, path)| PathBuf::from(path))
        .find(|dir| dir.join("config.json").exists())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Loads the model as `examples/embed` does (f32, the adapter's buffer and
/// workgroup-memory limits).
async fn load() -> Result<Model, String> {
    let instance = Instance::new();
    let adapter = if use_cpu() {
        instance.cpu_adapter()
    } else {
        instance
            .request_adapter(&Default::default())
            .await
            .map_err(|e| format!("no GPU adapter ({e}); set EMBED_DEVICE=cpu for the CPU device"))?
    };
    let required_limits = wasi_webgpu_ops::required_limits(&adapter);
    let descriptor = wasi_webgpu::DeviceDescriptor { required_limits, ..Default::default() };
    let (device, queue) = adapter.request_device(&descriptor).await.map_err(|e| e.to_string())?;
    let ops = Ops::new(&device);
    let dir = model_dir();
    let encoder = SentenceEncoder::load(&ops, &dir).await.map_err(|e| {
        let hint = if matches!(e, ModelError::Io { .. }) {
            " (preopen the model folder: --dir MODEL_DIR, or set MODEL_DIR)"
        } else {
            ""
        };
        format!("loading the model from {}: {e}{hint}", dir.display())
    })?;
    Ok(Model { encoder, queue })
}

thread_local! {
    /// Requests inside the batcher now.
    static EMBEDS_IN_FLIGHT: Cell<u64> = const { Cell::new(0) };
}

/// Counts a request in the batcher until it leaves (or is cancelled).
struct EmbedInFlight;

impl Drop for EmbedInFlight {
    fn drop(&mut self) {
        EMBEDS_IN_FLIGHT.set(EMBEDS_IN_FLIGHT.get() - 1);
    }
}

/// Embeds `texts`, batched with concurrent requests unless
/// `EMBED_BATCHING=0`.
async fn embed(model: &'static Model, texts: Vec<String>) -> Result<Vec<Vec<f32>>, String> {
    EMBEDDED_REQUESTS.set(EMBEDDED_REQUESTS.get() + 1);
    let run = move |texts: Vec<String>| async move {
        EMBED_CALLS.set(EMBED_CALLS.get() + 1);
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        model.encoder.embed(&model.queue, &texts).await.map_err(|e| e.to_string())
    };
    if std::env::var("EMBED_BATCHING").is_ok_and(|v| v == "0") {
        return run(texts).await;
    }
    let wait_ms = std::env::var("EMBED_BATCH_WAIT_MS").ok().and_then(|v| v.parse::<u64>().ok()).unwrap_or(1);
    // A request alone in the instance does not wait for company that is
    // not coming: measured on an H100, the 1 ms window made one client's
    // p99 1.9x a forward pass, yielding once 1.2x; with eight clients the
    // window gave 1.3x the throughput of yielding.
    let alone = EMBEDS_IN_FLIGHT.get() == 0;
    EMBEDS_IN_FLIGHT.set(EMBEDS_IN_FLIGHT.get() + 1);
    let _in_flight = EmbedInFlight;
    let window = async move {
        if wait_ms == 0 || alone {
            wasi_webgpu::http::yield_now().await;
        } else {
            wasi_webgpu::http::sleep(Duration::from_millis(wait_ms)).await;
        }
    };
    BATCHER.with(|b| *b).embed(texts, MAX_BATCH_TEXTS, window, run).await
}

fn refuse(refusal: Refusal) -> Response {
    json_error(refusal.status, &refusal.message)
}

fn to_json<T: serde::Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json(StatusCode::OK, bytes),
        Err(e) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

fn health() -> Response {
    to_json(&serde_json::json!({
        "status": "ok",
        "model": model_dir().display().to_string(),
        "device": device_name(),
        "loaded": MODEL.get().is_some(),
        "loading": MODEL.is_initializing(),
        "batching": !std::env::var("EMBED_BATCHING").is_ok_and(|v| v == "0"),
        "embed_calls": EMBED_CALLS.get(),
        "embedded_requests": EMBEDDED_REQUESTS.get(),
    }))
}

/// The handler.
#[wasi_webgpu::http]
async fn handle(mut request: Request) -> Response {
    let route = match api::route(request.method(), request.uri().path()) {
        Ok(route) => route,
        Err(refusal) => return refuse(refusal),
    };
    if route == Route::Health {
        return health();
    }
    let body = match read_body(&mut request, MAX_BODY).await {
        Ok(body) => body,
        Err(error) => return error.into(),
    };
    let texts = match route {
        Route::Embed => api::parse_embed(&body).map(|r| r.texts),
        _ => api::parse_similarity(&body).map(|r| vec![r.a, r.b]),
    };
    let texts = match texts {
        Ok(texts) => texts,
        Err(refusal) => return refuse(refusal),
    };
    let model = match MODEL.get_or_try_init(load).await {
        Ok(model) => model,
        Err(message) => return json_error(StatusCode::SERVICE_UNAVAILABLE, &message),
    };
    let embeddings = match embed(model, texts).await {
        Ok(embeddings) => embeddings,
        Err(message) => return json_error(StatusCode::INTERNAL_SERVER_ERROR, &message),
    };
    match route {
        Route::Embed => to_json(&EmbedResponse { embeddings, dim: model.encoder.dim() }),
        _ => to_json(&SimilarityResponse { cosine: api::dot(&embeddings[0], &embeddings[1]) }),
    }
}
