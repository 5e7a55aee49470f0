// The handler takes the request.
#[wasi_webgpu::http]
async fn handle() -> wasi_webgpu::http::Response {
    wasi_webgpu::http::empty(wasi_webgpu::http::StatusCode::OK)
}

fn main() {}
