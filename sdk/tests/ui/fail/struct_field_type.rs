// The generated struct's field types follow the WGSL types: `count` is a `u32`, not a float.
include!("../common/typed.rs");

fn case() {
    let _ = scale::Params { scale: 2, count: 10.0, ..Default::default() };
}
