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
/// most (the QKV and feed-forward outputs). An attention kernel that keeps
/// its scores takes `batch × heads × seq × seq` floats; that is budgeted
/// too, so the batch fits whichever kernel the device runs.
pub(crate) fn max_batch_for(config: &Config, limits: &Limits, seq: u32) -> u64 {
    let bytes = limits.max_storage_buffer_binding_size.min(limits.max_buffer_size);
    let floats = bytes / 4;
    let seq = u64::from(seq.max(1));
    let h = u64::from(config.hidden_size);
    let width = (3 * h).max(u64::from(config.intermediate_size));
    let by_activations = floats / (seq * width);
    let by_scores = floats / (u64::from(config.num_attention_heads) * seq * seq);
    // The kernels index with u32 and number workgroups in a grid of
    // 65,535² at most: far above both of these for BERT's sizes.
    by_activations.min(by_scores).min(u64::from(u32::MAX) / (seq * width))
}

/// Groups sentences of `lengths` tokens (each at least 1) into batches of
/// at most `max_batch` rows that fit `limits`, longest first so that
/// sentences of like length are padded together. Every index appears in
/// exactly one batch. `None` when one sentence alone does not fit.
pub(crate) fn plan(config: &Config, limits: &Limits, lengths: &[u32], max_batch: usize) -> Option<Vec<Batch>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by_key(|&i| core::cmp::Reverse(lengths[i]));
    let mut batches: Vec<Batch> = Vec::new();
    let mut room = 0u64;
    for i in order {
        match batches.last_mut() {
            Some(batch) if (batch.rows.len() as u64) < room => batch.rows.push(i),
            _ => {
                let seq = lengths[i];
                room = max_batch_for(config, limits, seq).min(max_batch.max(1) as u64);
                if room == 0 {
                    return None;
                }
                batches.push(Batch { rows: vec![i], seq });
            }
        }
    }
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
        // At 256 tokens the scores of 12 heads take 3 MiB a sequence: 42
        // fit 128 MiB.
        assert_eq!(max_batch_for(&config, &limits, 256), 42);
        let lengths: Vec<u32> = (0..200).map(|i| if i % 2 == 0 { 256 } else { 1 + i % 37 }).collect();
        let batches = plan(&config, &limits, &lengths, 1000).unwrap();
        let mut seen: Vec<usize> = batches.iter().flat_map(|b| b.rows.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..200).collect::<Vec<_>>());
        for batch in &batches {
            assert!(batch.rows.len() as u64 <= max_batch_for(&config, &limits, batch.seq));
            assert!(batch.rows.iter().all(|&i| lengths[i] <= batch.seq));
        }
        // 100 sequences of 256 tokens do not fit one batch: split in three.
        assert_eq!(batches.iter().filter(|b| b.seq == 256).count(), 3);
        // The caller's cap applies too.
        let capped = plan(&config, &limits, &lengths, 16).unwrap();
        assert!(capped.iter().all(|b| b.rows.len() <= 16));
        assert_eq!(plan(&config, &limits, &[], 8), Some(vec![]));
    }

    #[test]
    fn a_sentence_over_the_limits_is_refused() {
        let config = minilm();
        let limits = Limits { max_storage_buffer_binding_size: 1 << 20, ..Limits::default() };
        assert_eq!(plan(&config, &limits, &[512], 8), None);
        assert!(plan(&config, &limits, &[16], 8).is_some());
    }
}
