// The generated struct has exactly the WGSL members: there is no `total`, the member is `count`.
include!("../common/typed.rs");

fn case() {
    let _ = scale::Params { scale: 2, total: 10, ..Default::default() };
}
