//! `wasi-webgpu-run`: see [`wasi_webgpu_run::cli`].

fn main() -> std::process::ExitCode {
    wasi_webgpu_run::cli::main()
}
