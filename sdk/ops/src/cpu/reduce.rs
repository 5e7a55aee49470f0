//! CPU reductions and prefix sums.

use crate::cpu::rows;

/// Sum or max of each row of `cols` elements into `out[r]`.
pub(crate) fn reduce_rows(max: bool, cols: usize, input: &[f32], out: &mut [f32]) {
    for (row, out) in input.chunks_exact(cols).zip(out) {
        *out = if max { rows::max(row) } else { rows::sum(row) };
    }
}

/// Sum or max of each column of a `[rows, cols]` matrix into `out[c]`,
/// row after row so the loads stay contiguous.
pub(crate) fn reduce_cols(max: bool, cols: usize, input: &[f32], out: &mut [f32]) {
    let out = &mut out[..cols];
    let mut rows = input.chunks_exact(cols);
    let Some(first) = rows.next() else { return };
    out.copy_from_slice(first);
    for row in rows {
        if max {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = o.max(v);
            }
        } else {
            crate::cpu::elementwise::axpy(1.0, row, out);
        }
    }
}

/// Prefix sums of `input` into `output`, accumulated in f64 (so they stay
/// within one rounding of the exact prefix sums whatever the length).
pub(crate) fn scan(exclusive: bool, input: &[f32], output: &mut [f32]) {
    let mut total = 0.0f64;
    for (o, &v) in output.iter_mut().zip(input) {
        let before = total;
        total += f64::from(v);
        *o = if exclusive { before } else { total } as f32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_and_scans() {
        let x: Vec<f32> = (0..12).map(|i| i as f32 - 4.0).collect();
        let mut out = [0.0; 4];
        reduce_rows(false, 4, &x, &mut out[..3]);
        assert_eq!(out[..3], [-10.0, 6.0, 22.0]);
        reduce_cols(true, 4, &x, &mut out);
        assert_eq!(out, [4.0, 5.0, 6.0, 7.0]);
        let mut prefix = [0.0; 4];
        scan(true, &[1.0, 2.0, 3.0, 4.0], &mut prefix);
        assert_eq!(prefix, [0.0, 1.0, 3.0, 6.0]);
    }
}
