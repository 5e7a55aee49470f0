//! [`Config`]: a BERT model's `config.json`, checked before any weight is read.

use serde::Deserialize;

/// The activation of a BERT feed-forward block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HiddenAct {
    /// Exact GELU, `0.5·x·(1 + erf(x/√2))`: Hugging Face's `"gelu"`, what
    /// BERT and all-MiniLM-L6-v2 use.
    GeluErf,
    /// The tanh approximation of GELU: `"gelu_new"`, `"gelu_pytorch_tanh"`.
    GeluTanh,
}

/// What is wrong with a `config.json`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not JSON, or a field of the wrong type or missing.
    #[error("config.json: {0}")]
    Json(String),
    /// A size that must be positive is 0.
    #[error("config.json: `{field}` is 0; it must be positive")]
    Zero {
        /// The field's name in config.json.
        field: &'static str,
    },
    /// `hidden_size` is not a multiple of `num_attention_heads`.
    #[error("config.json: hidden_size {hidden} is not a multiple of num_attention_heads {heads}")]
    Heads {
        /// `hidden_size`.
        hidden: u32,
        /// `num_attention_heads`.
        heads: u32,
    },
    /// A setting this implementation does not have.
    #[error("config.json: `{field}` = {value:?} is not supported ({supported})")]
    Unsupported {
        /// The field's name in config.json.
        field: &'static str,
        /// Its value.
        value: String,
        /// What is supported, in words.
        supported: &'static str,
    },
    /// A size past what the kernels index (`u32` elements per tensor).
    #[error("config.json: {what} is too large ({elements} elements)")]
    TooLarge {
        /// Which tensor, in words.
        what: &'static str,
        /// Its element count.
        elements: u128,
    },
}

/// The fields of a Hugging Face BERT `config.json` that the encoder uses,
/// validated by [`Config::from_json`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// `vocab_size`: rows of the word embeddings.
    pub vocab_size: u32,
    /// `hidden_size`.
    pub hidden_size: u32,
    /// `num_hidden_layers`.
    pub num_hidden_layers: u32,
    /// `num_attention_heads`; divides `hidden_size`.
    pub num_attention_heads: u32,
    /// `intermediate_size`: the feed-forward block's width.
    pub intermediate_size: u32,
    /// `max_position_embeddings`: the longest sequence the position
    /// embeddings cover.
    pub max_position_embeddings: u32,
    /// `type_vocab_size`: rows of the token-type embeddings.
    pub type_vocab_size: u32,
    /// `layer_norm_eps`.
    pub layer_norm_eps: f32,
    /// `hidden_act`.
    pub hidden_act: HiddenAct,
}

/// config.json as written; the defaults are `BertConfig`'s.
#[derive(Deserialize)]
struct Raw {
    vocab_size: u32,
    hidden_size: u32,
    num_hidden_layers: u32,
    num_attention_heads: u32,
    intermediate_size: u32,
    #[serde(default = "default_positions")]
    max_position_embeddings: u32,
    #[serde(default = "default_types")]
    type_vocab_size: u32,
    #[serde(default = "default_eps")]
    layer_norm_eps: f64,
    #[serde(default = "default_act")]
    hidden_act: String,
    #[serde(default = "default_position_type")]
    position_embedding_type: String,
    model_type: Option<String>,
}

fn default_positions() -> u32 {
    512
}
fn default_types() -> u32 {
    2
}
fn default_eps() -> f64 {
    1e-12
}
fn default_act() -> String {
    "gelu".into()
}
fn default_position_type() -> String {
    "absolute".into()
}

impl Config {
    /// Parses and checks `config.json`: every size positive, `hidden_size`
    /// a multiple of `num_attention_heads`, absolute position embeddings, a
    /// GELU activation and a finite non-negative `layer_norm_eps`.
    pub fn from_json(json: &str) -> Result<Self, ConfigError> {
        let raw: Raw = serde_json::from_str(json).map_err(|e| ConfigError::Json(e.to_string()))?;
        if let Some(model_type) = &raw.model_type
            && !matches!(model_type.as_str(), "bert")
        {
            return Err(ConfigError::Unsupported {
                field: "model_type",
                value: model_type.clone(),
                supported: "only \"bert\"",
            });
        }
        for (field, value) in [
            ("vocab_size", raw.vocab_size),
            ("hidden_size", raw.hidden_size),
            ("num_hidden_layers", raw.num_hidden_layers),
            ("num_attention_heads", raw.num_attention_heads),
            ("intermediate_size", raw.intermediate_size),
            ("max_position_embeddings", raw.max_position_embeddings),
            ("type_vocab_size", raw.type_vocab_size),
        ] {
            if value == 0 {
                return Err(ConfigError::Zero { field });
            }
        }
        if !raw.hidden_size.is_multiple_of(raw.num_attention_heads) {
            return Err(ConfigError::Heads { hidden: raw.hidden_size, heads: raw.num_attention_heads });
        }
        if raw.position_embedding_type != "absolute" {
            return Err(ConfigError::Unsupported {
                field: "position_embedding_type",
                value: raw.position_embedding_type,
                supported: "only \"absolute\"",
            });
        }
        let hidden_act = match raw.hidden_act.as_str() {
            "gelu" => HiddenAct::GeluErf,
            "gelu_new" | "gelu_pytorch_tanh" => HiddenAct::GeluTanh,
            _ => {
                return Err(ConfigError::Unsupported {
                    field: "hidden_act",
                    value: raw.hidden_act,
                    supported: "\"gelu\" (erf), \"gelu_new\" or \"gelu_pytorch_tanh\" (tanh)",
                });
            }
        };
        let eps = raw.layer_norm_eps as f32;
        if !(eps.is_finite() && eps >= 0.0) {
            return Err(ConfigError::Unsupported {
                field: "layer_norm_eps",
                value: raw.layer_norm_eps.to_string(),
                supported: "a finite number >= 0",
            });
        }
        let config = Self {
            vocab_size: raw.vocab_size,
            hidden_size: raw.hidden_size,
            num_hidden_layers: raw.num_hidden_layers,
            num_attention_heads: raw.num_attention_heads,
            intermediate_size: raw.intermediate_size,
            max_position_embeddings: raw.max_position_embeddings,
            type_vocab_size: raw.type_vocab_size,
            layer_norm_eps: eps,
            hidden_act,
        };
        // The kernels index each tensor with u32 elements; the largest ones
        // are the embeddings and the feed-forward weights.
        let h = u128::from(config.hidden_size);
        for (what, rows, cols) in [
            ("the word embeddings", u128::from(config.vocab_size), h),
            ("the position embeddings", u128::from(config.max_position_embeddings), h),
            ("the token-type embeddings", u128::from(config.type_vocab_size), h),
            ("the fused QKV weight", 3 * h, h),
            ("the intermediate weight", u128::from(config.intermediate_size), h),
        ] {
            let elements = rows * cols;
            if elements > u128::from(u32::MAX) {
                return Err(ConfigError::TooLarge { what, elements });
            }
        }
        Ok(config)
    }

    /// `hidden_size / num_attention_heads`.
    pub fn head_dim(&self) -> u32 {
        self.hidden_size / self.num_attention_heads
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINILM: &str = r#"{"architectures": ["BertModel"], "hidden_act": "gelu", "hidden_size": 384,
        "intermediate_size": 1536, "layer_norm_eps": 1e-12, "max_position_embeddings": 512,
        "model_type": "bert", "num_attention_heads": 12, "num_hidden_layers": 6, "pad_token_id": 0,
        "position_embedding_type": "absolute", "type_vocab_size": 2, "vocab_size": 30522}"#;

    #[test]
    fn parses_minilm() {
        let config = Config::from_json(MINILM).unwrap();
        assert_eq!(config.hidden_size, 384);
        assert_eq!(config.head_dim(), 32);
        assert_eq!(config.hidden_act, HiddenAct::GeluErf);
        assert_eq!(config.layer_norm_eps, 1e-12);
    }

    #[test]
    fn rejects_bad_configs() {
        let with = |from: &str, to: &str| Config::from_json(&MINILM.replace(from, to));
        assert_eq!(
            with("\"num_attention_heads\": 12", "\"num_attention_heads\": 7"),
            Err(ConfigError::Heads { hidden: 384, heads: 7 })
        );
        assert_eq!(with("\"hidden_size\": 384", "\"hidden_size\": 0"), Err(ConfigError::Zero { field: "hidden_size" }));
        assert!(matches!(with("\"gelu\"", "\"relu\""), Err(ConfigError::Unsupported { field: "hidden_act", .. })));
        assert_eq!(with("\"gelu\"", "\"gelu_new\"").unwrap().hidden_act, HiddenAct::GeluTanh);
        assert!(matches!(
            with("\"absolute\"", "\"relative_key\""),
            Err(ConfigError::Unsupported { field: "position_embedding_type", .. })
        ));
        assert!(matches!(with("\"vocab_size\": 30522", "\"vocab_size\": -1"), Err(ConfigError::Json(_))));
        assert!(matches!(Config::from_json("not json"), Err(ConfigError::Json(_))));
        assert!(matches!(
            with("\"vocab_size\": 30522", "\"vocab_size\": 4000000000"),
            Err(ConfigError::TooLarge { .. })
        ));
    }
}
