//! Procedural macros of the `wasi-webgpu` SDK. Use them through the
//! `wasi_webgpu` crate's re-exports, e.g. `#[wasi_webgpu::main]`.

#![deny(missing_docs)]

mod shader;

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::{quote, quote_spanned};
use syn::{ItemFn, parse_macro_input, spanned::Spanned};

/// Checks WGSL against WebGPU at compile time and generates typed bindings.
/// See `wasi_webgpu::shader` for the contract.
#[proc_macro_attribute]
pub fn shader(attr: TokenStream, item: TokenStream) -> TokenStream {
    shader::expand(attr.into(), item.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Exports an `async fn` as the component's `wasi:cli/run`. See
/// `wasi_webgpu::main` for the contract.
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        let attr = proc_macro2::TokenStream::from(attr);
        return syn::Error::new(attr.span(), "#[wasi_webgpu::main] takes no arguments").to_compile_error().into();
    }
    let function = parse_macro_input!(item as ItemFn);
    match expand_main(function) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

/// Exports an `async fn(Request) -> Response` as the component's
/// `wasi:http/handler@0.3.0`. See `wasi_webgpu::http` (the attribute) for
/// the contract.
#[proc_macro_attribute]
pub fn http(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        let attr = proc_macro2::TokenStream::from(attr);
        return syn::Error::new(attr.span(), "#[wasi_webgpu::http] takes no arguments").to_compile_error().into();
    }
    let function = parse_macro_input!(item as ItemFn);
    match expand_http(function) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

fn expand_http(function: ItemFn) -> syn::Result<proc_macro2::TokenStream> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span(),
            "#[wasi_webgpu::http] needs an `async fn`: `async fn handle(request: wasi_webgpu::http::Request) \
             -> wasi_webgpu::http::Response`",
        ));
    }
    if sig.inputs.len() != 1 {
        let span = if sig.inputs.is_empty() { sig.paren_token.span.join() } else { sig.inputs.span() };
        return Err(syn::Error::new(
            span,
            "#[wasi_webgpu::http] takes one argument, the request: \
             `async fn handle(request: wasi_webgpu::http::Request)`",
        ));
    }
    if let Some(syn::FnArg::Receiver(receiver)) = sig.inputs.first() {
        return Err(syn::Error::new(receiver.span(), "#[wasi_webgpu::http] needs a free function, not a method"));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(sig.generics.span(), "#[wasi_webgpu::http] cannot be generic"));
    }
    let name = &sig.ident;
    // The signature is checked on every target, so a wrong argument or
    // return type is an error in `cargo check` too, and next to a wrong
    // crate type.
    let output = match &sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => sig.ident.span(),
    };
    let check = quote_spanned!(output=> ::wasi_webgpu::__private::http::check_handler(#name));
    let checked = quote! {
        #[allow(dead_code)]
        #function

        const _: () = {
            let _ = #check;
        };
    };
    if let Err(error) = check_crate_type("#[wasi_webgpu::http]") {
        let error = error.to_compile_error();
        return Ok(quote!(#error #checked));
    }

    let wasip3 = quote!(::wasi_webgpu::__private::wasip3);
    Ok(quote! {
        #checked

        // Only a wasm component has a `wasi:http/handler` to export; natively
        // the function is still type-checked, so `cargo check` works.
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct __WasiWebGpuHttp;

            impl #wasip3::exports::http::handler::Guest for __WasiWebGpuHttp {
                async fn handle(
                    request: #wasip3::http::types::Request,
                ) -> ::core::result::Result<#wasip3::http::types::Response, #wasip3::http::types::ErrorCode> {
                    ::wasi_webgpu::__private::http::handle(request, #name).await
                }
            }

            #wasip3::http::service::export!(__WasiWebGpuHttp);
        };
    })
}

fn expand_main(function: ItemFn) -> syn::Result<proc_macro2::TokenStream> {
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return Err(syn::Error::new(
            sig.fn_token.span(),
            "#[wasi_webgpu::main] needs an `async fn`: wasi:webgpu's calls are component-model async, \
             so the entry point is too",
        ));
    }
    if !sig.inputs.is_empty() {
        return Err(syn::Error::new(
            sig.inputs.span(),
            "#[wasi_webgpu::main] takes no arguments; read them with `std::env::args()`",
        ));
    }
    if !sig.generics.params.is_empty() {
        return Err(syn::Error::new(sig.generics.span(), "#[wasi_webgpu::main] cannot be generic"));
    }
    check_crate_type("#[wasi_webgpu::main]")?;

    let name = &sig.ident;
    Ok(quote! {
        #[allow(dead_code)]
        #function

        // Only a wasm component has a `wasi:cli/run` to export; natively the
        // function is still type-checked, so `cargo check` works.
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct __WasiWebGpuMain;

            impl ::wasi_webgpu::__private::wasip3::exports::cli::run::Guest for __WasiWebGpuMain {
                async fn run() -> ::core::result::Result<(), ()> {
                    ::wasi_webgpu::__private::MainResult::report(#name().await)
                }
            }

            ::wasi_webgpu::__private::wasip3::cli::command::export!(__WasiWebGpuMain);
        };
    })
}

/// The entry must be exported by a `cdylib`. Cargo tells a proc macro which
/// target it expands in only through the environment, so this catches the
/// common mistakes: a `bin` target, or a manifest without `cdylib`.
fn check_crate_type(attribute: &str) -> syn::Result<()> {
    let help = format!(
        "a wasi-webgpu guest is a library crate: add\n\n[lib]\ncrate-type = [\"cdylib\"]\n\n\
         to its Cargo.toml and put {attribute} in src/lib.rs"
    );
    if std::env::var_os("CARGO_BIN_NAME").is_some() {
        return Err(syn::Error::new(Span::call_site(), format!("{attribute} cannot be used in a bin target; {help}")));
    }
    // Doctests are compiled with their crate's manifest dir; they are not guests.
    if std::env::var_os("UNSTABLE_RUSTDOC_TEST_PATH").is_some() {
        return Ok(());
    }
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else { return Ok(()) };
    match std::fs::read_to_string(std::path::Path::new(&dir).join("Cargo.toml")) {
        Ok(manifest) if !manifest.contains("cdylib") => {
            Err(syn::Error::new(Span::call_site(), format!("the crate is not a cdylib; {help}")))
        }
        _ => Ok(()),
    }
}

mod gpu_type;

/// Implements `wasi_webgpu::GpuType` for a `#[repr(C)]` struct and checks
/// its layout against WGSL's at compile time. See `wasi_webgpu::GpuType`.
#[proc_macro_derive(GpuType, attributes(gpu))]
pub fn gpu_type(input: TokenStream) -> TokenStream {
    gpu_type::expand(parse_macro_input!(input as syn::DeriveInput))
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

mod kernel;

/// Compiles a Rust-subset function into a compute kernel (WGSL validated at
/// compile time, plus a CPU translation). See `wasi_webgpu::kernel`.
#[proc_macro_attribute]
pub fn kernel(attr: TokenStream, item: TokenStream) -> TokenStream {
    kernel::kernel(attr.into(), item.into()).into()
}

/// Marks a helper function callable from kernels. See `wasi_webgpu::gpu`.
#[proc_macro_attribute]
pub fn gpu(attr: TokenStream, item: TokenStream) -> TokenStream {
    kernel::gpu(attr.into(), item.into()).into()
}

/// The step of `#[kernel]`'s expansion after a `#[gpu]` helper's callback
/// macro handed over its source. Not public API.
#[doc(hidden)]
#[proc_macro]
pub fn __kernel_continue(input: TokenStream) -> TokenStream {
    kernel::kernel_continue(input.into()).into()
}
