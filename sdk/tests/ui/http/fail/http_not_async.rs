// The handler must be an `async fn`.
#[wasi_webgpu::http]
fn handle(_request: wasi_webgpu::http::Request) -> wasi_webgpu::http::Response {
    wasi_webgpu::http::empty(wasi_webgpu::http::StatusCode::OK)
}

fn main() {}
