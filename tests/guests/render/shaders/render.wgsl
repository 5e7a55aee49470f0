// Shaders of the render test guest. Positions come in clip space; the
// checks compute them from pixel coordinates on the CPU.

struct VsOut {
    @builtin(position) position: vec4f,
    @location(0) color: vec4f,
}

@vertex
fn vs_color(@location(0) position: vec3f, @location(1) color: vec4f) -> VsOut {
    return VsOut(vec4f(position, 1.0), color);
}

// A shape in clip space, moved and colored per instance.
@vertex
fn vs_instanced(@location(0) position: vec2f, @location(1) offset: vec3f, @location(2) color: vec4f) -> VsOut {
    return VsOut(vec4f(position + offset.xy, offset.z, 1.0), color);
}

@fragment
fn fs_color(input: VsOut) -> @location(0) vec4f {
    return input.color;
}

@group(0) @binding(0) var<uniform> tint: vec4f;

@fragment
fn fs_tint(input: VsOut) -> @location(0) vec4f {
    return input.color * tint;
}

// Writes an unsigned integer target: only an integer format fits.
@fragment
fn fs_uint() -> @location(0) vec4u {
    return vec4u(1u, 2u, 3u, 4u);
}
