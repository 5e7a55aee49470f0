//! `wasi-webgpu-run`'s command line, built in this package so the integration
//! tests can run it (see Cargo.toml).

fn main() -> std::process::ExitCode {
    wasi_webgpu_run::cli::main()
}
