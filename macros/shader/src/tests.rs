use super::*;

pub(crate) fn err(source: &str) -> Diagnostic {
    let diagnostic = compile(source, Some("shaders/x.wgsl")).expect_err("shader should be rejected");
    // `validate` must agree with `compile` on every rejection.
    assert_eq!(validate(source).expect_err("validate should reject too").message, diagnostic.message);
    diagnostic
}

pub(crate) fn ok(source: &str) -> Shader {
    match compile(source, Some("shaders/x.wgsl")) {
        Ok(shader) => {
            assert_eq!(validate(source), Ok(()));
            shader
        }
        Err(d) => panic!("shader should compile:\n{d}"),
    }
}

/// 1-based (line, column) of the first occurrence of `needle`.
fn position_of(source: &str, needle: &str) -> (u32, u32) {
    let at = source.find(needle).expect("needle in source");
    let prefix = &source[..at];
    let line = prefix.matches('\n').count() + 1;
    let column = prefix.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, column as u32)
}

pub(crate) fn assert_at(d: &Diagnostic, source: &str, needle: &str) {
    let (line, column) = position_of(source, needle);
    assert_eq!((d.line, d.column), (Some(line), Some(column)), "wrong position for {needle:?}:\n{d}");
    assert!(d.rendered.contains(&format!("shaders/x.wgsl:{line}:{column}")), "rendering lacks the position:\n{d}");
}

fn assert_mentions(d: &Diagnostic, words: &[&str]) {
    for word in words {
        assert!(d.message.contains(word), "message lacks {word:?}: {}", d.message);
        assert!(d.rendered.contains(word), "rendering lacks {word:?}:\n{}", d.rendered);
    }
    assert!(!d.message.contains('\n'), "message is not one line: {}", d.message);
}

// ---- parse errors ----

#[test]
fn syntax_error_position_and_rendering() {
    let src = "struct S { a: f32 }\n\nfn f() -> i32 {\n    let x = 1;\n    let y = (x + 1 {;\n    return y;\n}\n";
    let d = err(src);
    assert_eq!(d.line, Some(5));
    assert_eq!(d.column, Some(20));
    let brace = src.find("{;").expect("brace");
    assert_eq!(d.span, Some(brace..brace + 1));
    assert!(d.message.contains("expected `)`"), "{}", d.message);
    assert!(d.rendered.contains("shaders/x.wgsl:5:20"), "{d}");
    assert!(d.rendered.contains("let y = (x + 1 {;"), "{d}");
    assert!(d.rendered.contains('^'), "{d}");
    // Display is the rendering; the type is a std error.
    assert_eq!(d.to_string(), d.rendered);
    let _: &dyn std::error::Error = &d;
}

#[test]
fn column_counts_characters_not_bytes() {
    let src = "// héhé ünïcödé\nfn f() { let s = \"é\"; }\n";
    let d = err(src);
    assert_eq!(d.line, Some(2));
    assert_eq!(d.column, Some(18));
}

#[test]
fn default_path_and_validate() {
    let d = validate("fn f( {}").expect_err("invalid");
    assert!(d.rendered.contains("wgsl:1:"), "{d}");
    let d = compile("fn f( {}", None).expect_err("invalid");
    assert!(d.rendered.contains("wgsl:1:"), "{d}");
    assert_eq!(validate("@compute @workgroup_size(1) fn main() {}"), Ok(()));
}

#[test]
fn control_characters_do_not_break_rendering() {
    let src = "// \u{1}\u{85}\nfn f() { let x = ; }\n";
    let d = err(src);
    assert_eq!(d.line, Some(2));
    assert!(!d.message.contains("internal error"), "{d}");
    assert!(d.rendered.contains("shaders/x.wgsl:2:"), "{d}");
}

// ---- WebGPU limits ----

#[test]
fn workgroup_invocations_512() {
    let src = "\n@compute @workgroup_size(512)\nfn main() {}\n";
    let d = err(src);
    assert_mentions(&d, &["maxComputeInvocationsPerWorkgroup = 256", "512 invocations"]);
    assert_at(&d, src, "@workgroup_size(512)");
}

#[test]
fn workgroup_x_300() {
    let src = "@group(0) @binding(0) var<storage, read_write> a: array<u32>;\n\n@compute\n@workgroup_size(300, 1, 1)\nfn main() { a[0] = 1u; }\n";
    let d = err(src);
    assert_mentions(&d, &["maxComputeWorkgroupSizeX = 256", "maxComputeInvocationsPerWorkgroup = 256"]);
    assert_at(&d, src, "@workgroup_size(300");
}

#[test]
fn workgroup_16x16x2() {
    let src = "@compute @workgroup_size(16, 16, 2)\nfn main() {}\n";
    let d = err(src);
    assert_mentions(&d, &["16x16x2", "512 invocations", "maxComputeInvocationsPerWorkgroup"]);
    assert!(!d.message.contains("maxComputeWorkgroupSize"), "{}", d.message);
    assert_at(&d, src, "@workgroup_size");
}

#[test]
fn workgroup_z_65() {
    let src = "// header\n// more\n@compute @workgroup_size(1, 1, 65) fn main() {}\n";
    let d = err(src);
    assert_mentions(&d, &["maxComputeWorkgroupSizeZ = 64"]);
    assert!(!d.message.contains("maxComputeInvocationsPerWorkgroup"), "{}", d.message);
    assert_at(&d, src, "@workgroup_size");
}

#[test]
fn workgroup_at_the_limits_is_fine() {
    ok(
        "@compute @workgroup_size(256) fn a() {}\n@compute @workgroup_size(1, 256) fn b() {}\n@compute @workgroup_size(4, 1, 64) fn c() {}\n@compute @workgroup_size(16, 16) fn d() {}",
    );
}

#[test]
fn workgroup_size_with_override_checks_the_fixed_part() {
    let src = "override n: u32 = 2;\n@compute @workgroup_size(n, 300)\nfn main() {}\n";
    let d = err(src);
    assert_mentions(&d, &["?x300x1", "at least 300 invocations", "maxComputeWorkgroupSizeY = 256"]);
    assert_at(&d, src, "@workgroup_size(n, 300)");
    // The override could make it too large, but that is the pipeline's business.
    ok("override n: u32 = 1024;\n@compute @workgroup_size(n, 16)\nfn main() {}\n");
}

#[test]
fn workgroup_storage_20000_bytes() {
    let src = "var<workgroup> tile: array<f32, 5000>;\n\n@compute @workgroup_size(64)\nfn main(@builtin(local_invocation_index) i: u32) {\n    tile[i] = 1.0;\n}\n";
    let d = err(src);
    assert_mentions(&d, &["20000 bytes", "maxComputeWorkgroupStorageSize = 16384", "`main`"]);
    assert_at(&d, src, "main(");
    assert!(d.rendered.contains("20000 bytes used here"), "{d}");
}

#[test]
fn workgroup_storage_counts_used_vars_rounded_to_16() {
    // 4095 * 4 = 16380 -> 16384 counted, plus 4 -> 16 counted: 16400 > 16384.
    let src = "var<workgroup> a: array<f32, 4095>;\nvar<workgroup> b: f32;\nvar<workgroup> unused: array<f32, 4096>;\n@compute @workgroup_size(1)\nfn main() { a[0] = b; }\n@compute @workgroup_size(1)\nfn other() { a[0] = 1.0; }\n";
    let d = err(src);
    assert_mentions(&d, &["16400 bytes"]);
    // Only `a`: 16384, exactly the limit.
    let shader = ok(
        "var<workgroup> a: array<f32, 4095>;\nvar<workgroup> unused: array<f32, 4096>;\n@compute @workgroup_size(1)\nfn other() { a[0] = 1.0; }\n",
    );
    assert_eq!(shader.entry_points[0].workgroup_storage_bytes, 16384);
}

fn storage_buffers(count: usize, split: bool) -> String {
    let mut src = String::new();
    for i in 0..count {
        src += &format!("@group(0) @binding({i}) var<storage, read_write> b{i}: array<u32>;\n");
    }
    src += "\n@compute @workgroup_size(1)\nfn main() {\n";
    let first = if split { count / 2 } else { count };
    for i in 0..first {
        src += &format!("    b{i}[0] = 1u;\n");
    }
    src += "}\n";
    if split {
        src += "@compute @workgroup_size(1)\nfn second() {\n";
        for i in first..count {
            src += &format!("    b{i}[0] = 1u;\n");
        }
        src += "}\n";
    }
    src
}

#[test]
fn nine_storage_buffers() {
    let src = storage_buffers(9, false);
    let d = err(&src);
    assert_mentions(&d, &["9 storage buffers", "maxStorageBuffersPerShaderStage = 8", "`main`"]);
    assert_at(&d, &src, "main()");
    assert_eq!(d.line, Some(12));
    // The one over the limit is labelled.
    assert!(d.rendered.contains("var<storage, read_write> b8"), "{d}");
    // Eight are fine, and nine spread over two entry points are too.
    ok(&storage_buffers(8, false));
    ok(&storage_buffers(9, true));
}

#[test]
fn other_per_stage_limits() {
    let mut src = String::new();
    let mut uses = String::new();
    for i in 0..5 {
        src += &format!("@group(0) @binding({i}) var t{i}: texture_storage_2d<r32float, write>;\n");
        uses += &format!("    textureStore(t{i}, vec2(0), vec4(0.0));\n");
    }
    src += &format!("@compute @workgroup_size(1)\nfn main() {{\n{uses}}}\n");
    let d = err(&src);
    assert_mentions(&d, &["5 storage textures", "maxStorageTexturesPerShaderStage = 4"]);
    assert_at(&d, &src, "main()");

    let mut src = String::new();
    let mut uses = String::new();
    for i in 0..13 {
        src += &format!("@group(1) @binding({i}) var<uniform> u{i}: vec4<f32>;\n");
        uses += &format!(" + u{i}");
    }
    src += &format!("@fragment fn fs() -> @location(0) vec4<f32> {{ return vec4(0.0){uses}; }}\n");
    assert_mentions(&err(&src), &["13 uniform buffers", "maxUniformBuffersPerShaderStage = 12"]);
}

#[test]
fn group_4() {
    let src = "@group(0) @binding(0) var<uniform> a: vec4<f32>;\n@group(4) @binding(0)\nvar<uniform> b: vec4<f32>;\n@compute @workgroup_size(1) fn main() { _ = a; }\n";
    let d = err(src);
    assert_mentions(&d, &["`b`", "@group(4)", "maxBindGroups = 4"]);
    // Unused, yet still an error: wgpu-core checks every global when creating the module.
    assert_at(&d, src, "var<uniform> b");
    assert_eq!(d.line, Some(3));
}

#[test]
fn binding_index_limit() {
    let src = "@group(0) @binding(1000) var<uniform> a: vec4<f32>;\n@compute @workgroup_size(1) fn main() { _ = a; }\n";
    assert_mentions(&err(src), &["maxBindingsPerBindGroup = 1000"]);
}

#[test]
fn uniform_65540_bytes() {
    let src = "struct Big {\n    data: array<vec4<f32>, 4096>,\n    extra: f32,\n}\n\n@group(0) @binding(0) var<uniform> big: Big;\n@compute @workgroup_size(1) fn main() { _ = big.extra; }\n";
    let d = err(src);
    // 4096 * 16 + 4, rounded to the struct's 16-byte alignment.
    assert_mentions(&d, &["`big` is 65552 bytes", "maxUniformBufferBindingSize = 65536"]);
    assert_at(&d, src, "var<uniform> big");
    // The position is that of `var`, even when the attributes are on the line before.
    let src = "@group(0) @binding(1)\n  var<uniform> big: array<vec4<f32>, 4097>;\n@compute @workgroup_size(1) fn main() { _ = big[0]; }\n";
    let d = err(src);
    assert_mentions(&d, &["`big` is 65552 bytes"]);
    assert_eq!((d.line, d.column), (Some(2), Some(3)));
    ok(
        "@group(0) @binding(0) var<uniform> big: array<vec4<f32>, 4096>;\n@compute @workgroup_size(1) fn main() { _ = big[0]; }\n",
    );
}

#[test]
fn binding_clash() {
    let src = "@group(0) @binding(1) var<storage, read> a: array<f32>;\n@group(1) @binding(1) var<storage, read> ok_: array<f32>;\n\n@group(0) @binding(1) var<storage, read> b: array<f32>;\n@compute @workgroup_size(1) fn main() { _ = a[0] + b[0] + ok_[0]; }\n";
    let d = err(src);
    assert_mentions(&d, &["binding clash", "`a`", "`b`", "@group(0) @binding(1)", "`main`"]);
    assert_at(&d, src, "var<storage, read> b");
    assert!(d.rendered.contains("first used here"), "{d}");
    // With a third, unused variable on the same binding, the clash names the two used ones.
    let src3 = format!("@group(0) @binding(1) var<storage, read> unused: array<f32>;\n{src}");
    let d3 = err(&src3);
    assert_eq!(d3.message, d.message);
    // Same binding, different entry points: allowed by WebGPU.
    let shader = ok(
        "@group(0) @binding(1) var<storage, read> a: array<f32>;\n@group(0) @binding(1) var<storage, read_write> b: array<u32>;\n@compute @workgroup_size(1) fn ea() { _ = a[0]; }\n@compute @workgroup_size(1) fn eb() { b[0] = 1u; }\n",
    );
    assert_eq!(shader.entry_points[0].globals, [0]);
    assert_eq!(shader.entry_points[1].globals, [1]);
}

#[test]
fn vertex_stage_storage_must_be_read_only() {
    let src = "@group(0) @binding(0) var<storage, read_write> pos: array<vec4<f32>>;\n@vertex\nfn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {\n    return pos[i];\n}\n";
    let d = err(src);
    assert_mentions(&d, &["vertex entry point `vs`", "`pos`", "read-only"]);
    assert_at(&d, src, "var<storage, read_write>");
    ok(&src.replace("read_write", "read"));
    // Writable storage is fine in the other stages.
    ok(&src
        .replace("@vertex", "@fragment")
        .replace("@builtin(vertex_index)", "@builtin(sample_index)")
        .replace("@builtin(position) vec4", "@location(0) vec4"));
}

// ---- capabilities ----

#[test]
fn f16_needs_enable() {
    let body = "@group(0) @binding(0) var<storage, read_write> out: array<f16>;\n@compute @workgroup_size(1) fn main() { out[0] = 1.5h; }\n";
    let d = err(body);
    assert_mentions(&d, &["f16"]);
    assert_at(&d, body, "1.5h");
    let shader = ok(&format!("enable f16;\n{body}"));
    assert_eq!(shader.enables, ["f16"]);
    assert_eq!(
        shader.globals[0].ty,
        Type::Array { element: Box::new(Type::Scalar(Scalar::F16)), length: None, stride: 2 }
    );
}

#[test]
fn non_webgpu_capabilities_are_rejected() {
    let src = "@compute @workgroup_size(1) fn main() {\n    let x: f64 = 1.0lf;\n}\n";
    let d = err(src);
    assert_mentions(&d, &["FLOAT64"]);
    assert_eq!(d.line, Some(2));
    let d = err("@compute @workgroup_size(1) fn main() {\n    let x: i64 = 1li;\n}\n");
    assert_mentions(&d, &["SHADER_INT64"]);
    assert_eq!(d.line, Some(2));
    let d = err("enable wgpu_mesh_shader;\n@compute @workgroup_size(1) fn main() {}\n");
    assert_mentions(&d, &["wgpu_mesh_shader"]);
    assert_eq!((d.line, d.column), (Some(1), Some(8)));
    // Immediates (push constants) are a wgpu extension.
    err("var<immediate> pc: u32;\n@compute @workgroup_size(1) fn main() { _ = pc; }\n");
}

#[test]
fn subgroups_are_rejected_by_naga_29() {
    let d = err("enable subgroups;\n@compute @workgroup_size(64) fn main() {}\n");
    assert_mentions(&d, &["subgroups"]);
    let src = "@group(0) @binding(0) var<storage, read_write> a: array<f32>;\n@compute @workgroup_size(64) fn main() {\n    a[0] = subgroupAdd(1.0);\n}\n";
    let d = err(src);
    assert_mentions(&d, &["SUBGROUP"]);
    assert_at(&d, src, "subgroupAdd");
}

#[test]
fn webgpu_core_features_are_accepted() {
    ok("@group(0) @binding(0) var t: texture_cube_array<f32>;\n@group(0) @binding(1) var s: sampler;\n\
        @fragment fn fs(@builtin(sample_index) i: u32, @location(0) @interpolate(perspective, sample) uv: vec2<f32>) -> @location(0) vec4<f32> {\n\
        return textureSample(t, s, vec3(uv, 1.0), 0) + vec4(unpack2x16float(pack2x16float(uv)), quantizeToF16(1.0), f32(i));\n}\n");
    let shader = ok(
        "enable clip_distances;\nstruct O { @builtin(position) p: vec4f, @builtin(clip_distances) c: array<f32, 1> }\n@vertex fn vs() -> O { return O(vec4f(), array(0.0)); }\n",
    );
    assert_eq!(shader.enables, ["clip_distances"]);
}

// ---- reflection ----

const REFLECT: &str = include_str!("testdata/reflect.wgsl");

#[test]
fn reflection() {
    let shader = ok(REFLECT);
    assert_eq!(shader.enables, ["f16"]);

    let names: Vec<_> = shader.structs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Tail", "Head", "Params", "Particle", "Particles"]);
    let by_name = |name: &str| shader.structs.iter().find(|s| s.name == name).expect("struct");
    let layout = |name: &str| {
        let s = by_name(name);
        (s.size, s.align, s.members.iter().map(|m| (m.name.as_str(), m.offset, m.size)).collect::<Vec<_>>())
    };
    // vec3 is 12 bytes aligned to 16: a following scalar packs into its tail...
    assert_eq!(layout("Tail"), (16, 16, vec![("a", 0, 12), ("b", 12, 4)]));
    // ...but a vec3 after a scalar starts at the next 16.
    assert_eq!(layout("Head"), (32, 16, vec![("a", 0, 4), ("b", 16, 12)]));
    assert_eq!(
        layout("Params"),
        (144, 16, vec![("tail", 0, 16), ("head", 16, 32), ("m", 48, 48), ("weights", 96, 32), ("scale", 128, 4)])
    );
    assert_eq!(layout("Particle"), (24, 8, vec![("pos", 0, 8), ("vel", 8, 8), ("mass", 16, 4)]));
    assert_eq!(layout("Particles"), (32, 8, vec![("count", 0, 4), ("items", 8, 24)]));

    let params_ty = Type::Struct(2);
    assert_eq!(by_name("Params").members[0].ty, Type::Struct(0));
    assert_eq!(by_name("Params").members[2].ty, Type::Matrix { columns: 3, rows: 3, scalar: Scalar::F32 });
    assert_eq!(
        by_name("Params").members[3].ty,
        Type::Array { element: Box::new(Type::Vector { size: 4, scalar: Scalar::F32 }), length: Some(2), stride: 16 }
    );
    assert_eq!(
        by_name("Particles").members[1].ty,
        Type::Array { element: Box::new(Type::Struct(3)), length: None, stride: 24 }
    );

    let g = |name: &str| shader.globals.iter().find(|g| g.name == name).expect("global");
    let summary = |name: &str| {
        let g = g(name);
        (g.group, g.binding, g.kind.clone(), g.min_binding_size)
    };
    assert_eq!(summary("params"), (0, 0, BindingKind::Uniform, 144));
    assert_eq!(g("params").ty, params_ty);
    // Fixed prefix (8) plus one element (24).
    assert_eq!(summary("particles"), (0, 1, BindingKind::Storage { read_only: true }, 32));
    assert_eq!(summary("counters"), (0, 2, BindingKind::Storage { read_only: false }, 4));
    assert_eq!(g("counters").ty, Type::Array { element: Box::new(Type::Atomic(Scalar::U32)), length: None, stride: 4 });
    assert_eq!(summary("halves"), (1, 0, BindingKind::Storage { read_only: true }, 4));
    // `tex` is sampled, so its layout needs a filterable format.
    let tex_kind = BindingKind::Texture {
        sample: TextureSample::FilterableFloat,
        dimension: ViewDimension::D2,
        multisampled: false,
    };
    assert_eq!(summary("tex"), (1, 1, tex_kind, 0));
    assert_eq!(g("tex").ty, Type::Other("texture_2d<f32>".into()));
    assert_eq!(summary("samp"), (1, 2, BindingKind::Sampler { comparison: false }, 0));
    let names: Vec<_> = shader.globals.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["params", "particles", "counters", "halves", "tex", "samp"]);

    let o = |name: &str| shader.overrides.iter().find(|o| o.name == name).expect("override").clone();
    assert_eq!(
        o("gain"),
        Override {
            name: "gain".into(),
            id: Some(7),
            ty: Scalar::F32,
            default: Some(1.5),
            initializer: Some("1.5".into())
        }
    );
    assert_eq!(o("block").default, Some(64.0));
    assert_eq!(o("block").ty, Scalar::U32);
    assert_eq!(
        o("enabled"),
        Override { name: "enabled".into(), id: None, ty: Scalar::Bool, default: None, initializer: None }
    );
    assert_eq!((o("twice").default, o("twice").initializer), (None, Some("block * 2u".into())));
    assert_eq!((o("rows").id, o("rows").ty, o("rows").initializer), (Some(3), Scalar::I32, None));

    let [simulate, reset, fs] = &shader.entry_points[..] else { panic!("three entry points") };
    assert_eq!((simulate.name.as_str(), simulate.stage), ("simulate", Stage::Compute));
    assert_eq!(
        simulate.workgroup_size,
        [WorkgroupDim::Override { name: "block".into() }, WorkgroupDim::Fixed(2), WorkgroupDim::Fixed(1)]
    );
    // `params` and `particles` only through `weight()`.
    assert_eq!(simulate.globals, [0, 1, 2]);
    assert_eq!(simulate.workgroup_storage_bytes, 160);

    assert_eq!(
        reset.workgroup_size,
        [
            WorkgroupDim::Expression { wgsl: "twice / 2u + 1u".into(), overrides: vec!["twice".into()] },
            WorkgroupDim::Fixed(1),
            WorkgroupDim::Fixed(1)
        ]
    );
    assert_eq!(reset.globals, [2]);
    assert_eq!(reset.workgroup_storage_bytes, 0);

    assert_eq!(fs.stage, Stage::Fragment);
    assert_eq!(fs.globals, [3, 4, 5]);
}

/// `Type::size_align` must reproduce naga's layouts, which codegen relies on for padding.
#[test]
fn size_align_matches_naga() {
    let shader = ok(REFLECT);
    for s in &shader.structs {
        let mut max_align = 1;
        for m in &s.members {
            let (size, align) = type_size_align(&shader, &m.ty);
            assert_eq!(size, m.size, "{}.{}", s.name, m.name);
            assert_eq!(m.offset % align, 0, "{}.{}", s.name, m.name);
            max_align = max_align.max(align);
        }
        assert_eq!(max_align, s.align, "{}", s.name);
        assert_eq!(s.size % s.align, 0, "{}", s.name);
        assert_eq!(
            type_size_align(&shader, &Type::Struct(shader.structs.iter().position(|x| x == s).expect("s"))).0,
            s.size
        );
    }
    for g in &shader.globals {
        if !matches!(g.kind, BindingKind::Other(_)) {
            assert_eq!(u64::from(type_size_align(&shader, &g.ty).0), g.min_binding_size, "{}", g.name);
        }
    }
    let cases = [
        ("vec2<f16>", 4, 4),
        ("vec3<f16>", 6, 8),
        ("vec4<f16>", 8, 8),
        ("vec3<u32>", 12, 16),
        ("mat2x2<f32>", 16, 8),
        ("mat4x3<f32>", 64, 16),
        ("mat3x2<f16>", 12, 4),
        ("mat2x3<f16>", 16, 8),
        ("array<vec3<f32>, 3>", 48, 16),
    ];
    for (wgsl, size, align) in cases {
        let shader = ok(&format!(
            "enable f16;\n@group(0) @binding(0) var<storage, read_write> x: {wgsl};\n@compute @workgroup_size(1) fn main() {{ _ = x; }}\n"
        ));
        assert_eq!(type_size_align(&shader, &shader.globals[0].ty), (size, align), "{wgsl}");
        assert_eq!(shader.globals[0].min_binding_size, u64::from(size), "{wgsl}");
    }
}

#[test]
fn vertex_stage_and_render_workgroup_size() {
    let shader =
        ok("@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> { return vec4(f32(i)); }\n");
    assert_eq!(shader.entry_points[0].stage, Stage::Vertex);
    assert_eq!(
        shader.entry_points[0].workgroup_size,
        [WorkgroupDim::Fixed(0), WorkgroupDim::Fixed(0), WorkgroupDim::Fixed(0)]
    );
    assert!(shader.globals.is_empty() && shader.structs.is_empty() && shader.overrides.is_empty());
}

// ---- speed ----

#[test]
fn texture_bindings_reflect_their_layout() {
    let shader = compile(
        "@group(0) @binding(0) var loaded: texture_2d_array<f32>;
         @group(0) @binding(1) var ints: texture_3d<i32>;
         @group(0) @binding(2) var depth: texture_depth_multisampled_2d;
         @group(0) @binding(3) var out: texture_storage_2d<rgba16float, write>;
         @group(0) @binding(4) var rw: texture_storage_1d<r32uint, read_write>;
         @group(0) @binding(5) var cmp: sampler_comparison;
         @group(0) @binding(6) var shadow: texture_depth_cube;
         @compute @workgroup_size(1) fn main() {
             let a = textureLoad(loaded, vec2(0), 0, 0) + vec4f(textureLoad(ints, vec3(0), 0));
             let d = textureLoad(depth, vec2(0), 0) + textureSampleCompareLevel(shadow, cmp, vec3f(1.0), 0.5);
             textureStore(out, vec2(0), a * d);
             textureStore(rw, 0, textureLoad(rw, 0) + 1u);
         }",
        None,
    )
    .expect("valid WGSL");
    let kinds: Vec<_> = shader.globals.iter().map(|g| g.kind.clone()).collect();
    let texture = |sample, dimension, multisampled| BindingKind::Texture { sample, dimension, multisampled };
    assert_eq!(
        kinds,
        [
            texture(TextureSample::UnfilterableFloat, ViewDimension::D2Array, false),
            texture(TextureSample::Sint, ViewDimension::D3, false),
            texture(TextureSample::Depth, ViewDimension::D2, true),
            BindingKind::StorageTexture {
                format: "rgba16float".into(),
                access: StorageAccess::Write,
                dimension: ViewDimension::D2
            },
            BindingKind::StorageTexture {
                format: "r32uint".into(),
                access: StorageAccess::ReadWrite,
                dimension: ViewDimension::D1
            },
            BindingKind::Sampler { comparison: true },
            texture(TextureSample::Depth, ViewDimension::Cube, false),
        ]
    );
}

const VERTEX_SHADER: &str =
    "struct In { @location(2) color: vec4f, @builtin(vertex_index) i: u32, @location(0) uv: vec2f }
    @vertex fn vs(input: In, @location(1) weight: f32, @builtin(instance_index) k: u32) -> @builtin(position) vec4f {
        return input.color * weight + vec4f(input.uv, 0.0, 0.0);
    }
    @fragment fn fs() -> @location(0) vec4f { return vec4f(1.0); }";

#[test]
fn vertex_inputs_are_reflected_by_location() {
    let shader = ok(VERTEX_SHADER);
    let vs = &shader.entry_points[0];
    let inputs: Vec<(u32, &str, &Type)> =
        vs.vertex_inputs.iter().map(|i| (i.location, i.name.as_str(), &i.ty)).collect();
    assert_eq!(
        inputs,
        [
            (0, "uv", &Type::Vector { size: 2, scalar: Scalar::F32 }),
            (1, "weight", &Type::Scalar(Scalar::F32)),
            (2, "color", &Type::Vector { size: 4, scalar: Scalar::F32 }),
        ]
    );
    assert!(shader.entry_points[1].vertex_inputs.is_empty(), "a fragment entry point has no vertex inputs");
}

#[cfg(feature = "back")]
#[test]
fn vertex_inputs_become_a_packed_vertex_buffer_layout() {
    let generated = back::generate(&ok(VERTEX_SHADER), quote::quote!(""), "x").to_string();
    // uv at 0, weight at 8, color at 12; 28 bytes a vertex.
    for expected in [
        "VS_ATTRIBUTES",
        "VS_STRIDE : :: core :: primitive :: u64 = 28u64",
        "VS_LAYOUT",
        "offset : 8u64",
        "offset : 12u64",
    ] {
        assert!(generated.contains(expected), "{expected:?} missing from {generated}");
    }
}

#[test]
fn files_join_and_errors_name_the_file_they_are_in() {
    let prelude = "enable f16;\nalias elem = f16;\n";
    let body = "@group(0) @binding(0) var<storage, read_write> data: array<elem>;\n\
                @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {\n    \
                data[id.x] = elem(2.0) * data[id.x];\n}\n";
    let shader = compile_files(&[("f16.wgsl", prelude), ("scale.wgsl", body)]).expect("the joined module compiles");
    assert_eq!(shader.enables, ["f16"]);
    assert_eq!(join(&[("a", "x"), ("b", "y")]), "x\ny\n");
    assert_eq!(file_at(&[("a", "x"), ("b", "y")], 1), Some((0, 0)), "a file's newline is its own");
    assert_eq!(file_at(&[("a", "x"), ("b", "y")], 2), Some((1, 2)));
    assert_eq!(file_at(&[("a", "x"), ("b", "y")], 4), None);

    // An undeclared name on line 3 of the second file: told there, not at
    // line 5 of the joined source.
    let broken = body.replace("elem(2.0)", "missing(2.0)");
    let d = compile_files(&[("f16.wgsl", prelude), ("scale.wgsl", &broken)]).expect_err("undeclared name");
    assert_eq!((d.line, d.column), (Some(3), Some(18)), "{d}");
    assert!(d.rendered.contains("scale.wgsl:3:18"), "{}", d.rendered);
    assert!(!d.rendered.contains("f16.wgsl"), "{}", d.rendered);
    let joined = join(&[("f16.wgsl", prelude), ("scale.wgsl", &broken)]);
    let span = d.span.clone().expect("a span");
    assert!(joined[span].starts_with("missing"), "the span stays in the joined source");

    // An error in the first file is told there.
    let d = compile_files(&[("f16.wgsl", "enable f16;\nalias elem = f17;\n"), ("scale.wgsl", body)]).expect_err("f17");
    assert!(d.rendered.contains("f16.wgsl:2:"), "{}", d.rendered);
}
