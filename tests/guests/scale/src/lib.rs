//! Transfers at real scale through the SDK on the real host. A host may
//! limit what one call carries (wasmtime 48 traps the guest past 128 MiB), so
//! buffers of 256 MiB are created, initialised, written and read back
//! through every data path, one of 1 GiB through the main ones (mapped
//! write, queue write, read, mapped range), and textures past 128 MiB are
//! written and read; every byte is compared with a CPU pattern that differs at every
//! word, so a lost, repeated or misplaced piece fails. Reads whose result
//! guest memory cannot hold must be `Error::OutOfMemory`, not a trap.
//! Arguments select checks by substring; the integration test `scale` runs
//! it.

mod buffers;
mod memory;
mod textures;

use wasi_webgpu::{Device, DeviceDescriptor, Limits, Queue};

pub use guest_harness::{Context, Gpu, Outcome, checks, ensure, expect_err};

use buffers::*;
use memory::*;
use textures::*;

pub(crate) const MIB: u64 = 1 << 20;

/// The pattern's word `index` for `seed`: a hash, so neighbouring words, and
/// the same word under another seed, differ.
pub(crate) fn word(seed: u32, index: u64) -> u32 {
    let mut x = (index as u32).wrapping_mul(0x9e37_79b1) ^ ((index >> 32) as u32).wrapping_mul(0x85eb_ca6b) ^ seed;
    x ^= x >> 16;
    x = x.wrapping_mul(0x85eb_ca6b);
    x ^= x >> 13;
    x = x.wrapping_mul(0xc2b2_ae35);
    x ^ (x >> 16)
}

/// The pattern's bytes `[start, start + out.len())`: byte `j` is byte
/// `j % 4` of word `j / 4`, little-endian.
pub(crate) fn fill(seed: u32, start: u64, out: &mut [u8]) {
    let skip = (start % 4) as usize;
    let mut index = start / 4;
    let mut at = 0;
    while at < out.len() {
        let bytes = word(seed, index).to_le_bytes();
        let from = if at == 0 { skip } else { 0 };
        let n = (4 - from).min(out.len() - at);
        out[at..at + n].copy_from_slice(&bytes[from..from + n]);
        at += n;
        index += 1;
    }
}

/// The pattern's first `words` words, allocated fallibly so a short guest
/// memory fails the check rather than the guest. Its bytes, seen through
/// `bytemuck::cast_slice`, are the pattern's bytes from 0.
pub(crate) fn pattern(seed: u32, words: u64) -> Result<Vec<u32>, String> {
    let mut values = Vec::new();
    values.try_reserve_exact(words as usize).map_err(|e| format!("pattern of {words} words: {e}"))?;
    values.extend((0..words).map(|i| word(seed, i)));
    Ok(values)
}

/// Fails at the first byte of `got` that is not the pattern's byte at
/// `start + i`, naming it.
pub(crate) fn check_pattern(what: &str, got: &[u8], seed: u32, start: u64) -> Outcome {
    let mut expected = [0u8; 1 << 16];
    for (n, piece) in got.chunks(expected.len()).enumerate() {
        let offset = start + (n * expected.len()) as u64;
        let expected = &mut expected[..piece.len()];
        fill(seed, offset, expected);
        if piece != expected {
            let i = piece.iter().zip(expected.iter()).position(|(a, b)| a != b).unwrap_or(0);
            return Err(format!(
                "{what}: byte at offset {} is {:#04x}, expected {:#04x}",
                offset + i as u64,
                piece[i],
                expected[i]
            ));
        }
    }
    Ok(())
}

/// A device with the adapter's largest buffer and storage binding sizes,
/// which must allow `bytes`-byte buffers.
pub(crate) async fn big_device(gpu: &Gpu, bytes: u64) -> Result<(Device, Queue), String> {
    let supported = gpu.adapter.limits();
    ensure!(
        supported.max_buffer_size >= bytes,
        "the adapter's max_buffer_size {} is below {bytes}",
        supported.max_buffer_size
    );
    let required_limits = Limits {
        max_buffer_size: supported.max_buffer_size,
        max_storage_buffer_binding_size: supported.max_storage_buffer_binding_size,
        ..Limits::default()
    };
    gpu.adapter.request_device(&DeviceDescriptor { required_limits, ..Default::default() }).await.at("request_device")
}

checks!(
    init_256_mib,
    mapped_at_creation_256_mib,
    queue_write_and_map_256_mib,
    slice_write_256_mib,
    map_write_256_mib,
    round_trip_1_gib,
    texture_2d_array_past_128_mib,
    texture_pieces_by_image_and_row,
    depth_texture_through_staging,
    reads_beyond_guest_memory_are_errors,
);

/// `--times` prints the 64 MiB transfer times instead of running the checks
/// (`wasi-webgpu-run tests/guests/scale -- --times`), for comparing SDK
/// versions by hand.
#[wasi_webgpu::main]
async fn main() -> Result<(), String> {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    if filters.iter().any(|f| f == "--times") {
        let gpu = guest_harness::gpu().await.map_err(|e| e.to_string())?;
        return transfer_times_64_mib(&gpu).await;
    }
    guest_harness::run_checks("scale", CHECKS, &filters).await
}
