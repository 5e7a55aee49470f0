//! Splitting sentences into padded batches that fit the device's limits.

use wasi_webgpu::Limits;

use super::Config;

/// Sentences that run together: `rows` index the input, `seq` is the
/// longest one's token count, to which the others are padded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Batch {
    pub rows: Vec<usize>,
    pub seq: u32,
}

/// The most sequences of `seq` tokens in one batch whose every buffer fits
/// one storage binding and one buffer of the device.
///
/// The activations take `tokens × max(3·hidden, intermediate)` floats at
/// most (the QKV and feed-forward outputs), counted as f32 in both
/// precisions: f16 activations take half, so the same batches fit. The attention kernels, GPU
/// (flash-style) and CPU (one `seq × seq` score block at a time), keep no
/// `batch × heads × seq × seq` scores, so those need no budget.
pub(crate) fn max_batch_for(config: &Config, limits: &Limits, seq: u32) -> u64 {
    let bytes = limits.max_storage_buffer_binding_size.min(limits.max_buffer_size);
    let seq = u64::from(seq.max(1));
    let width = (3 * u64::from(config.hidden_size)).max(u64::from(config.intermediate_size));
    // The kernels index with u32.
    let floats = (bytes / 4).min(u64::from(u32::MAX));
    floats / (seq * width)
}

/// The cost of one more batch, in padded tokens: a submit, a read back and
/// the preparation of its operations, roughly what 32 tokens of work take.
const BATCH_OVERHEAD: u64 = 32;

/// Groups sentences of `lengths` tokens (each at least 1) into batches of
/// at most `max_batch` rows that fit `limits`. Every index appears in
/// exactly one batch. `None` when one sentence alone does not fit.
///
/// The sentences are sorted longest first and cut into runs that minimise
/// the padded tokens computed (plus [`BATCH_OVERHEAD`] per batch): a few
/// long sentences do not pad many short ones to their length.
pub(crate) fn plan(config: &Config, limits: &Limits, lengths: &[u32], max_batch: usize) -> Option<Vec<Batch>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| core::cmp::Reverse(lengths[i]));
    let sorted: Vec<u32> = order.iter().map(|&i| lengths[i]).collect();
    let n = sorted.len();
    // best[i]: the least cost of the first i sorted sentences, and where
    // its last batch starts.
    let mut best = vec![(0u64, 0usize); n + 1];
    for i in 1..=n {
        best[i] = (u64::MAX, 0);
        // The batch [j, i) is padded to sorted[j], its longest.
        for j in (0..i).rev() {
            let rows = (i - j) as u64;
            let room = max_batch_for(config, limits, sorted[j]).min(max_batch.max(1) as u64);
            if rows > room {
                if rows == 1 {
                    return None;
                }
                // Longer runs only get longer, and earlier starts longer
                // sequences: none fits.
                break;
            }
            let cost = best[j].0.saturating_add(rows * u64::from(sorted[j]) + BATCH_OVERHEAD);
            if cost < best[i].0 {
                best[i] = (cost, j);
            }
        }
    }
    let mut batches = Vec::new();
    let mut i = n;
    while i > 0 {
        let j = best[i].1;
        batches.push(Batch { rows: order[j..i].to_vec(), seq: sorted[j] });
        i = j;
    }
    batches.reverse();
    Some(batches)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minilm() -> Config {
        Config::from_json(
            r#"{"hidden_size": 384, "intermediate_size": 1536, "num_attention_heads": 12,
                "num_hidden_layers": 6, "vocab_size": 30522}"#,
        )
        .unwrap()
    }

    #[test]
    fn batches_fit_the_limits_and_cover_every_sentence() {
        let config = minilm();
        let limits = Limits::default();
        // At 256 tokens the feed-forward activations take 1.5 MiB a
        // sequence: 85 fit 128 MiB.
        assert_eq!(max_batch_for(&config, &limits, 256), 85);
        let lengths: Vec<u32> = (0..200).map(|i| if i % 2 == 0 { 256 } else { 1 + i % 37 }).collect();
        let batches = plan(&config, &limits, &lengths, 1000).unwrap();
        let mut seen: Vec<usize> = batches.iter().flat_map(|b| b.rows.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        for batch in &batches {
            assert!(batch.rows.len() as u64 <= max_batch_for(&config, &limits, batch.seq));
            assert!(batch.rows.iter().all(|&i| lengths[i] <= batch.seq));
        }
        // 100 sequences of 256 tokens do not fit one batch: split in two.
        assert_eq!(batches.iter().filter(|b| b.seq == 256).count(), 2);
        // Short sentences are not padded to the long ones' length.
        assert!(batches.iter().all(|b| b.seq == 256 || b.seq <= 37), "{batches:?}");
        // The caller's cap applies too.
        let capped = plan(&config, &limits, &lengths, 16).unwrap();
        assert!(capped.iter().all(|b| b.rows.len() <= 16));
        assert_eq!(plan(&config, &limits, &[], 8), Some(vec![]));
    }

    #[test]
    fn a_few_long_sentences_do_not_pad_the_short_ones() {
        let config = minilm();
        let mut lengths = vec![256; 4];
        lengths.extend((0..60).map(|i| 5 + i % 20));
        let batches = plan(&config, &Limits::default(), &lengths, 64).unwrap();
        let padded: u64 = batches.iter().map(|b| b.rows.len() as u64 * u64::from(b.seq)).sum();
        assert!(padded < 4 * 256 + 60 * 25, "{padded} padded tokens: {batches:?}");
        assert_eq!(batches[0], Batch { rows: vec![0, 1, 2, 3], seq: 256 });
    }

    #[test]
    fn a_sentence_over_the_limits_is_refused() {
        let config = minilm();
        let limits = Limits { max_storage_buffer_binding_size: 1 << 20, ..Limits::default() };
        assert_eq!(plan(&config, &limits, &[512], 8), None);
        assert!(plan(&config, &limits, &[16], 8).is_some());
    }
}
