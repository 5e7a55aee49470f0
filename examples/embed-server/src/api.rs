//! The JSON the service takes and answers, and the checks on it.

use serde::{Deserialize, Serialize};
use wasi_webgpu::http::{Method, StatusCode};

/// The most texts one `/embed` request may have.
pub const MAX_TEXTS: usize = 256;
/// The longest text, in bytes of UTF-8 (longer ones are refused, not
/// truncated: the model would only see their first 256 tokens anyway).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// The largest request body read: `MAX_TEXTS` texts of `MAX_TEXT_BYTES`,
/// plus room for JSON escapes.
pub const MAX_BODY: usize = 2 * MAX_TEXTS * MAX_TEXT_BYTES;

/// `POST /embed`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmbedRequest {
    /// The texts to embed.
    pub texts: Vec<String>,
}

/// `POST /embed`'s answer.
#[derive(Debug, Serialize)]
pub struct EmbedResponse {
    /// One unit-length embedding per text, in order.
    pub embeddings: Vec<Vec<f32>>,
    /// The length of each embedding.
    pub dim: usize,
}

/// `POST /similarity`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimilarityRequest {
    /// One text.
    pub a: String,
    /// The other.
    pub b: String,
}

/// `POST /similarity`'s answer.
#[derive(Debug, Serialize)]
pub struct SimilarityResponse {
    /// The cosine similarity of the two texts' embeddings, in [-1, 1].
    pub cosine: f32,
}

/// A request the service refuses: the status and the message for
/// `{"error": ...}`.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal {
    /// 400, 404, 405 or 413.
    pub status: StatusCode,
    /// What was wrong.
    pub message: String,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self { status, message: message.into() }
    }
}

/// The routes.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    /// `POST /embed`.
    Embed,
    /// `POST /similarity`.
    Similarity,
    /// `GET /health`.
    Health,
}

/// The route of `method` on `path`, or the 404 or 405 to answer.
pub fn route(method: &Method, path: &str) -> Result<Route, Refusal> {
    let (route, allowed) = match path {
        "/embed" => (Route::Embed, Method::POST),
        "/similarity" => (Route::Similarity, Method::POST),
        "/health" => (Route::Health, Method::GET),
        _ => {
            return Err(Refusal::new(
                StatusCode::NOT_FOUND,
                format!("no route {path}; routes: POST /embed, POST /similarity, GET /health"),
            ));
        }
    };
    if *method != allowed {
        return Err(Refusal::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} {path} is not served; use {allowed}"),
        ));
    }
    Ok(route)
}

fn check_text(what: &str, text: &str) -> Result<(), Refusal> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{what} is {} bytes; at most {MAX_TEXT_BYTES}", text.len()),
        ));
    }
    Ok(())
}

fn malformed(error: serde_json::Error) -> Refusal {
    Refusal::new(StatusCode::BAD_REQUEST, format!("malformed JSON: {error}"))
}

/// Parses and checks `/embed`'s body: 400 for malformed JSON or no texts,
/// 413 for more than [`MAX_TEXTS`] texts or a text over [`MAX_TEXT_BYTES`].
pub fn parse_embed(body: &[u8]) -> Result<EmbedRequest, Refusal> {
    let request: EmbedRequest = serde_json::from_slice(body).map_err(malformed)?;
    if request.texts.is_empty() {
        return Err(Refusal::new(StatusCode::BAD_REQUEST, "`texts` is empty; give at least one text"));
    }
    if request.texts.len() > MAX_TEXTS {
        return Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("{} texts; at most {MAX_TEXTS} a request", request.texts.len()),
        ));
    }
    for (i, text) in request.texts.iter().enumerate() {
        check_text(&format!("texts[{i}]"), text)?;
    }
    Ok(request)
}

/// Parses and checks `/similarity`'s body, as [`parse_embed`] does.
pub fn parse_similarity(body: &[u8]) -> Result<SimilarityRequest, Refusal> {
    let request: SimilarityRequest = serde_json::from_slice(body).map_err(malformed)?;
    check_text("`a`", &request.a)?;
    check_text("`b`", &request.b)?;
    Ok(request)
}

/// The dot product: the cosine of unit vectors.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route(&Method::POST, "/embed"), Ok(Route::Embed));
        assert_eq!(route(&Method::GET, "/health"), Ok(Route::Health));
        assert_eq!(route(&Method::GET, "/embed").unwrap_err().status, 405);
        assert_eq!(route(&Method::POST, "/health").unwrap_err().status, 405);
        assert_eq!(route(&Method::GET, "/").unwrap_err().status, 404);
    }

    #[test]
    fn embed_bodies() {
        assert_eq!(parse_embed(br#"{"texts": ["a", "b"]}"#).unwrap().texts, ["a", "b"]);
        let refused = |body: &[u8]| parse_embed(body).unwrap_err();
        assert_eq!(refused(b"{").status, 400);
        assert_eq!(refused(br#"{"texts": "a"}"#).status, 400);
        assert_eq!(refused(br#"{"text": ["a"]}"#).status, 400);
        let empty = refused(br#"{"texts": []}"#);
        assert_eq!(empty.status, 400);
        assert!(empty.message.contains("empty"));
        let many = serde_json::to_vec(&serde_json::json!({ "texts": vec!["x"; MAX_TEXTS + 1] })).unwrap();
        assert_eq!(refused(&many).status, 413);
        let long = serde_json::to_vec(&serde_json::json!({ "texts": ["ok", "y".repeat(1 << 20)] })).unwrap();
        let long = refused(&long);
        assert_eq!(long.status, 413);
        assert_eq!(long.message, "texts[1] is 1048576 bytes; at most 65536");
    }

    #[test]
    fn similarity_bodies() {
        let request = parse_similarity(br#"{"a": "x", "b": "y"}"#).unwrap();
        assert_eq!((request.a.as_str(), request.b.as_str()), ("x", "y"));
        assert_eq!(parse_similarity(br#"{"a": "x"}"#).unwrap_err().status, 400);
        let long = serde_json::to_vec(&serde_json::json!({ "a": "y".repeat(MAX_TEXT_BYTES + 1), "b": "" })).unwrap();
        assert_eq!(parse_similarity(&long).unwrap_err().status, 413);
    }

    #[test]
    fn floats_round_trip() {
        // serde_json writes the shortest repr that reads back as the same f32.
        let values = vec![vec![0.1f32, -1.0e-7, 0.333_333_34, f32::MIN_POSITIVE]];
        let json = serde_json::to_string(&EmbedResponse { embeddings: values.clone(), dim: 4 }).unwrap();
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        let back: Vec<Vec<f32>> = serde_json::from_value(back["embeddings"].clone()).unwrap();
        assert_eq!(back, values);
    }
}
