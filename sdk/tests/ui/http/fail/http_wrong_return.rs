// The handler returns a Response (or a Result of one), not a String. (trybuild's cases are
// bins, so the bin-target error comes first.)
#[wasi_webgpu::http]
async fn handle(_request: wasi_webgpu::http::Request) -> String {
    "hi".into()
}

fn main() {}
