// A right handler, in a bin target (trybuild's cases are bins): a guest is a cdylib.
#[wasi_webgpu::http]
async fn handle(_request: wasi_webgpu::http::Request) -> wasi_webgpu::http::Response {
    wasi_webgpu::http::empty(wasi_webgpu::http::StatusCode::OK)
}

fn main() {}
