//! Moving a mapped buffer's bytes between the guest and the host.
//!
//! A host may limit what one call carries: wasmtime 48 traps the guest when
//! one call copies more than 128 MiB between it and the host
//! (`Store::set_hostcall_fuel`), and other hosts may allow less. So no call
//! made here carries more than `READ_CHUNK` bytes (writes are split by the
//! host backend), however large the user's data, and the result of a read, whose size the
//! user chooses, is allocated fallibly: a read too large for guest memory is
//! an [`Error::OutOfMemory`], not an abort.

use bytemuck::Pod;

use super::{BufferShared, COPY_BUFFER_ALIGNMENT, MAP_ALIGNMENT, READ_CHUNK, align_down, align_up};
use crate::{Error, Result};

/// Largest unaligned mapped write done as one read and one write of the
/// widened range; a larger one patches only the words at its ends.
const SMALL_PATCH: usize = 64 << 10;

/// An empty vector with room for `count` `T`s, or [`Error::OutOfMemory`]
/// naming `operation` where guest memory (at most 4 GiB for wasm32) cannot
/// hold them; `Vec::with_capacity` would abort the guest instead.
pub(crate) fn try_with_capacity<T>(operation: &'static str, count: u64) -> Result<Vec<T>> {
    let fail = |why: &dyn std::fmt::Display| {
        Error::OutOfMemory(format!(
            "{operation}: {count} elements of {} ({} bytes) do not fit in guest memory: {why}",
            std::any::type_name::<T>(),
            count.saturating_mul(size_of::<T>() as u64)
        ))
    };
    let n = usize::try_from(count).map_err(|e| fail(&e))?;
    let mut values = Vec::new();
    values.try_reserve_exact(n).map_err(|e| fail(&e))?;
    Ok(values)
}

/// Appends `bytes`, whole `T`s, to `values`.
fn extend_pod<T: Pod>(values: &mut Vec<T>, bytes: &[u8]) {
    match bytemuck::try_cast_slice::<u8, T>(bytes) {
        // The host's list is a fresh allocation, in practice aligned for any
        // `T`, so this is one block copy; copying element by element
        // measured 1.6 times slower (64 MiB, H200).
        Ok(whole) => values.extend_from_slice(whole),
        Err(_) => values.extend(bytes.chunks_exact(size_of::<T>()).map(bytemuck::pod_read_unaligned::<T>)),
    }
}

impl BufferShared {
    /// The mapped bytes `[start, end)` as `T`s, for `operation`.
    pub(super) fn read_mapped<T: Pod>(&self, operation: &'static str, start: u64, end: u64) -> Result<Vec<T>> {
        self.read_mapped_rows(operation, start, end - start, end - start, 1)
    }

    /// `rows` mapped rows of `row_bytes` bytes, the first at `start` and each
    /// `stride` bytes after the one before, as packed `T`s: fetched in
    /// pieces of about `READ_CHUNK` (several short rows to a piece) and
    /// copied once, straight into the result. `row_bytes` is a multiple of
    /// `T`'s size and at most `stride`.
    pub(super) fn read_mapped_rows<T: Pod>(
        &self,
        operation: &'static str,
        start: u64,
        stride: u64,
        row_bytes: u64,
        rows: u64,
    ) -> Result<Vec<T>> {
        let size = size_of::<T>() as u64;
        if size == 0 || row_bytes == 0 || rows == 0 {
            return Ok(Vec::new());
        }
        let mut values = try_with_capacity::<T>(operation, rows.saturating_mul(row_bytes / size))?;
        let per_fetch = (READ_CHUNK / stride.max(row_bytes)).max(1);
        let mut row = 0;
        while row < rows {
            let n = per_fetch.min(rows - row);
            let first = start + row * stride;
            if n == 1 {
                self.read_span(first, first + row_bytes, &mut values)?;
            } else {
                let wide_start = align_down(first, MAP_ALIGNMENT);
                let last_end = first + (n - 1) * stride + row_bytes;
                let bytes = self.memory.get_mapped(wide_start, align_up(last_end, COPY_BUFFER_ALIGNMENT))?;
                for i in 0..n {
                    let at = (first - wide_start + i * stride) as usize;
                    extend_pod(&mut values, &bytes[at..at + row_bytes as usize]);
                }
            }
            row += n;
        }
        Ok(values)
    }

    /// Appends the mapped bytes `[start, end)`, whole `T`s, to `values`,
    /// fetched in pieces of about `READ_CHUNK`.
    fn read_span<T: Pod>(&self, start: u64, end: u64, values: &mut Vec<T>) -> Result<()> {
        let size = size_of::<T>() as u64;
        // Pieces hold whole elements and keep every offset after the first
        // as aligned as the first.
        let piece = (READ_CHUNK / (MAP_ALIGNMENT * size)).max(1) * MAP_ALIGNMENT * size;
        let mut at = start;
        while at < end {
            let piece_end = end.min(at + piece);
            let wide_start = align_down(at, MAP_ALIGNMENT);
            let bytes = self.memory.get_mapped(wide_start, align_up(piece_end, COPY_BUFFER_ALIGNMENT))?;
            let skip = (at - wide_start) as usize;
            extend_pod(values, &bytes[skip..skip + (piece_end - at) as usize]);
            at = piece_end;
        }
        Ok(())
    }

    /// Writes `bytes` at `start` into a mapped range that covers it. The
    /// host takes 8-byte aligned offsets and 4-byte multiples of sizes, so
    /// the aligned middle goes straight to `BufferMemory::set_mapped`
    /// and the few bytes before and after it are patched into the words
    /// around them.
    pub(super) fn write_into_mapping(&self, start: u64, bytes: &[u8]) -> Result<()> {
        let end = start + bytes.len() as u64;
        let wide = align_up(end, COPY_BUFFER_ALIGNMENT) - align_down(start, MAP_ALIGNMENT);
        if wide as usize <= SMALL_PATCH && wide != bytes.len() as u64 {
            // Two calls, one read and one write of the widened range, rather
            // than up to five.
            return self.patch_mapped(start, bytes);
        }
        let middle_start = align_up(start, MAP_ALIGNMENT).min(end);
        let middle_end = align_down(end, COPY_BUFFER_ALIGNMENT).max(middle_start);
        let at = |offset: u64| (offset - start) as usize;
        if start < middle_start {
            self.patch_mapped(start, &bytes[..at(middle_start)])?;
        }
        if middle_start < middle_end {
            self.memory.set_mapped(middle_start, &bytes[at(middle_start)..at(middle_end)])?;
        }
        // After the middle: the tail's words may overlap the middle's last
        // word, which must be read back as just written.
        if middle_end < end {
            self.patch_mapped(middle_end, &bytes[at(middle_end)..])?;
        }
        Ok(())
    }

    /// Writes bytes (a few, or at most [`SMALL_PATCH`]) at `start` by
    /// reading the aligned words around them, which lie inside the mapping
    /// because its bounds are aligned, and writing those back.
    fn patch_mapped(&self, start: u64, bytes: &[u8]) -> Result<()> {
        let end = start + bytes.len() as u64;
        let (wide_start, wide_end) = (align_down(start, MAP_ALIGNMENT), align_up(end, COPY_BUFFER_ALIGNMENT));
        let mut wide = self.memory.get_mapped(wide_start, wide_end)?;
        let at = (start - wide_start) as usize;
        wide[at..at + bytes.len()].copy_from_slice(bytes);
        self.memory.set_mapped(wide_start, &wide)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_beyond_memory_is_an_error_naming_the_call() {
        match try_with_capacity::<u64>("read", u64::MAX / 4) {
            Err(Error::OutOfMemory(message)) => assert!(message.starts_with("read: "), "{message}"),
            other => panic!("expected OutOfMemory, got {other:?}"),
        }
        assert_eq!(try_with_capacity::<u32>("read", 10).unwrap().capacity(), 10);
    }
}
