// For each input n, how many Collatz steps (n -> n/2 or 3n+1) reach 1.
@group(0) @binding(0)
var<storage, read_write> numbers: array<u32>;

fn collatz_steps(start: u32) -> u32 {
    var n = start;
    var steps = 0u;
    while n > 1u {
        if n % 2u == 0u {
            n = n / 2u;
        } else {
            n = 3u * n + 1u;
        }
        steps = steps + 1u;
    }
    return steps;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    if id.x < arrayLength(&numbers) {
        numbers[id.x] = collatz_steps(numbers[id.x]);
    }
}
