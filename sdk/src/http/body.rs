//! Request and response bodies, and the responses the helpers build.

use std::convert::Infallible;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use ::http::{HeaderValue, StatusCode, header};
use bytes::Bytes;
use http_body::{Body as _, Frame, SizeHint};
use wasip3::http_compat::IncomingRequestBody;

use super::Response;

/// The body of a [`Request`](super::Request): the bytes the client sends,
/// streamed from the host as they arrive.
///
/// Read it whole with [`read_to_end`](Self::read_to_end) (or
/// [`read_body`](super::read_body)), which stops at a byte limit, or chunk
/// by chunk with [`chunk`](Self::chunk). It also implements
/// [`http_body::Body`] for code written against that trait. A body made
/// from bytes (`Body::from(vec)`, [`Body::empty`]) is for tests of a
/// handler outside a component.
pub struct Body {
    inner: Inner,
}

enum Inner {
    Incoming(Box<IncomingRequestBody>),
    Full(Option<Bytes>),
}

impl core::fmt::Debug for Body {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let what = match &self.inner {
            Inner::Incoming(_) => "incoming",
            Inner::Full(_) => "bytes",
        };
        f.debug_tuple("Body").field(&what).finish()
    }
}

/// Why a request body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is longer than the limit the handler gave: its
    /// `content-length` says so, or more bytes than the limit arrived.
    /// [`status`](Self::status) is 413 Payload Too Large.
    #[error("the request body is larger than the limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The host could not deliver the body (the client went away, or sent
    /// a malformed one). [`status`](Self::status) is 400 Bad Request.
    #[error("reading the request body failed: {0}")]
    Read(String),
}

impl BodyError {
    /// The status a response about this error should have: 413 for
    /// [`TooLarge`](Self::TooLarge), 400 for [`Read`](Self::Read).
    pub fn status(&self) -> StatusCode {
        match self {
            BodyError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            BodyError::Read(_) => StatusCode::BAD_REQUEST,
        }
    }
}

/// `{"error": "<the message>"}` with [`BodyError::status`].
impl From<BodyError> for Response {
    fn from(error: BodyError) -> Self {
        json_error(error.status(), &error.to_string())
    }
}

impl Body {
    pub(super) fn incoming(body: IncomingRequestBody) -> Self {
        Self { inner: Inner::Incoming(Box::new(body)) }
    }

    /// A body of no bytes.
    pub fn empty() -> Self {
        Self { inner: Inner::Full(None) }
    }

    /// The length the request declared in `content-length`, if any; the
    /// bytes themselves may still be fewer.
    pub fn content_length(&self) -> Option<u64> {
        match &self.inner {
            Inner::Incoming(body) => body.size_hint().upper(),
            Inner::Full(bytes) => Some(bytes.as_ref().map_or(0, |b| b.len() as u64)),
        }
    }

    /// The next chunk of bytes, `None` at the end of the body.
    pub async fn chunk(&mut self) -> Option<Result<Bytes, BodyError>> {
        loop {
            match poll_fn(|cx| Pin::new(&mut *self).poll_frame(cx)).await? {
                Ok(frame) => {
                    // Trailers carry no bytes; the body ends after them.
                    if let Ok(data) = frame.into_data() {
                        return Some(Ok(data));
                    }
                }
                Err(error) => return Some(Err(error)),
            }
        }
    }

    /// Reads the whole body, at most `limit` bytes: a longer body is
    /// [`BodyError::TooLarge`], found from its `content-length` before any
    /// byte is read where it declares one, else as soon as the bytes pass
    /// the limit; either way no more than `limit` bytes are kept.
    pub async fn read_to_end(&mut self, limit: usize) -> Result<Vec<u8>, BodyError> {
        if self.content_length().is_some_and(|n| n > limit as u64) {
            return Err(BodyError::TooLarge { limit });
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = self.chunk().await {
            let chunk = chunk?;
            if chunk.len() > limit - bytes.len() {
                return Err(BodyError::TooLarge { limit });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Self { inner: Inner::Full(Some(bytes.into())) }
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Self::from(text.into_bytes())
    }
}

impl From<&'static str> for Body {
    fn from(text: &'static str) -> Self {
        Self { inner: Inner::Full(Some(Bytes::from_static(text.as_bytes()))) }
    }
}

impl From<&'static [u8]> for Body {
    fn from(bytes: &'static [u8]) -> Self {
        Self { inner: Inner::Full(Some(Bytes::from_static(bytes))) }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = BodyError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyError>>> {
        match &mut self.inner {
            Inner::Incoming(body) => Pin::new(&mut **body)
                .poll_frame(cx)
                .map(|frame| frame.map(|frame| frame.map_err(|code| BodyError::Read(format!("{code:?}"))))),
            Inner::Full(bytes) => Poll::Ready(bytes.take().map(|bytes| Ok(Frame::data(bytes)))),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Inner::Incoming(body) => body.size_hint(),
            Inner::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
        }
    }
}

/// The body of a [`Response`]: bytes sent in one piece.
///
/// Made from a `Vec<u8>`, a `String`, a `&'static str` or
/// `&'static [u8]` with `.into()`, or by the helpers [`bytes()`],
/// [`text`], [`json`] and [`json_error`], which also set the status and
/// `content-type`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseBody(Option<Bytes>);

impl ResponseBody {
    /// The bytes, without sending them (for tests of a handler).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_deref().unwrap_or_default()
    }
}

impl From<Vec<u8>> for ResponseBody {
    fn from(bytes: Vec<u8>) -> Self {
        Self(Some(bytes.into()))
    }
}

impl From<String> for ResponseBody {
    fn from(text: String) -> Self {
        Self::from(text.into_bytes())
    }
}

impl From<&'static str> for ResponseBody {
    fn from(text: &'static str) -> Self {
        Self(Some(Bytes::from_static(text.as_bytes())))
    }
}

impl From<&'static [u8]> for ResponseBody {
    fn from(bytes: &'static [u8]) -> Self {
        Self(Some(Bytes::from_static(bytes)))
    }
}

impl From<()> for ResponseBody {
    fn from((): ()) -> Self {
        Self(None)
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.take().map(|bytes| Ok(Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |b| b.len() as u64))
    }
}

/// A response of `status` whose body is `body`, with `content-type:
/// content_type` (`application/octet-stream` if `content_type` is not a
/// valid header value).
pub fn bytes(status: StatusCode, content_type: &str, body: impl Into<ResponseBody>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let content_type =
        HeaderValue::from_str(content_type).unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    response.headers_mut().insert(header::CONTENT_TYPE, content_type);
    response
}

/// A `text/plain; charset=utf-8` response.
pub fn text(status: StatusCode, body: impl Into<String>) -> Response {
    bytes(status, "text/plain; charset=utf-8", body.into())
}

/// An `application/json` response of JSON the caller serialized (e.g.
/// `serde_json::to_vec(&value)?`); the bytes are sent as they are.
pub fn json(status: StatusCode, body: impl Into<ResponseBody>) -> Response {
    bytes(status, "application/json", body)
}

/// An `application/json` response `{"error": "<message>"}`, the message
/// escaped as a JSON string.
pub fn json_error(status: StatusCode, message: &str) -> Response {
    json(status, format!("{{\"error\":{}}}", json_string(message)))
}

/// A response of `status` with no body (`204 No Content`, or `405` with an
/// `allow` header added by the caller).
pub fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(ResponseBody::default());
    *response.status_mut() = status;
    response
}

/// `text` as a JSON string literal, quotes included.
fn json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn ready<F: std::future::Future>(future: F) -> F::Output {
        match std::pin::pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(value) => value,
            Poll::Pending => panic!("a body of bytes is always ready"),
        }
    }

    #[test]
    fn reads_within_the_limit() {
        assert_eq!(ready(Body::from("hello").read_to_end(5)), Ok(b"hello".to_vec()));
        assert_eq!(ready(Body::empty().read_to_end(0)), Ok(Vec::new()));
    }

    #[test]
    fn refuses_past_the_limit() {
        let error = ready(Body::from(vec![0; 1 << 20]).read_to_end(1 << 16)).unwrap_err();
        assert_eq!(error, BodyError::TooLarge { limit: 1 << 16 });
        assert_eq!(error.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let response = Response::from(error);
        assert_eq!(response.status(), 413);
        assert_eq!(
            response.body().as_bytes(),
            br#"{"error":"the request body is larger than the limit of 65536 bytes"}"#
        );
    }

    #[test]
    fn json_error_escapes() {
        let response = json_error(StatusCode::BAD_REQUEST, "bad \"x\"\n\\ \u{1}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(response.body().as_bytes(), br#"{"error":"bad \"x\"\n\\ \u0001"}"#);
    }

    #[test]
    fn helpers_set_status_and_type() {
        let response = text(StatusCode::NOT_FOUND, "no");
        assert_eq!(response.status(), 404);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/plain; charset=utf-8");
        assert_eq!(
            bytes(StatusCode::OK, "bad\nvalue", "x").headers()[header::CONTENT_TYPE],
            "application/octet-stream"
        );
        assert!(empty(StatusCode::NO_CONTENT).body().as_bytes().is_empty());
    }
}
