//! The BERT encoder's forward pass on candle tensors: embeddings, post-norm transformer layers
//! with a padding mask, then mean pooling over real tokens (or the first token's state) and L2
//! normalisation.

use std::collections::HashMap;

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear};

use crate::config::{Activation, BertConfig};
use crate::error::BertError;
use crate::sentence::Pooling;

/// Added to the attention scores of padding keys; large enough that softmax gives them exactly 0.
const MASKED: f32 = -1e9;

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    out_norm: LayerNorm,
}

/// Weights of the encoder, checked against the config.
pub struct Encoder {
    config: BertConfig,
    word: Embedding,
    position: Tensor,
    token_type: Tensor,
    emb_norm: LayerNorm,
    layers: Vec<Layer>,
    device: Device,
}

/// Looks tensors up by their un-prefixed name, trying the `bert.` prefix too.
struct Weights {
    map: HashMap<String, Tensor>,
}

impl Weights {
    fn get(&self, name: &str, shape: &[usize]) -> Result<Tensor, BertError> {
        let t = self
            .map
            .get(name)
            .or_else(|| self.map.get(&format!("bert.{name}")))
            .ok_or_else(|| BertError::MissingTensor(name.to_string()))?;
        if t.dims() != shape {
            return Err(BertError::BadShape {
                name: name.to_string(),
                found: t.dims().to_vec(),
                expected: shape.to_vec(),
            });
        }
        Ok(t.to_dtype(DType::F32)?)
    }

    /// Either `weight`/`bias` or the older `gamma`/`beta`.
    fn norm(&self, prefix: &str, h: usize, eps: f64) -> Result<LayerNorm, BertError> {
        let pick = |a: &str, b: &str| {
            let new = format!("{prefix}.{a}");
            let old = format!("{prefix}.{b}");
            let has =
                |n: &str| self.map.contains_key(n) || self.map.contains_key(&format!("bert.{n}"));
            if !has(&new) && has(&old) {
                self.get(&old, &[h])
            } else {
                self.get(&new, &[h])
            }
        };
        Ok(LayerNorm::new(
            pick("weight", "gamma")?,
            pick("bias", "beta")?,
            eps,
        ))
    }

    fn linear(&self, prefix: &str, out: usize, inp: usize) -> Result<Linear, BertError> {
        Ok(Linear::new(
            self.get(&format!("{prefix}.weight"), &[out, inp])?,
            Some(self.get(&format!("{prefix}.bias"), &[out])?),
        ))
    }
}

impl Encoder {
    /// Builds the encoder from the tensors of `model.safetensors`.
    pub fn new(config: BertConfig, map: HashMap<String, Tensor>) -> Result<Self, BertError> {
        let w = Weights { map };
        let c = &config;
        let h = c.hidden_size;
        let eps = c.layer_norm_eps;
        let word = w.get("embeddings.word_embeddings.weight", &[c.vocab_size, h])?;
        let position = w.get(
            "embeddings.position_embeddings.weight",
            &[c.max_position_embeddings, h],
        )?;
        let token_type = w.get(
            "embeddings.token_type_embeddings.weight",
            &[c.type_vocab_size, h],
        )?;
        let emb_norm = w.norm("embeddings.LayerNorm", h, eps)?;
        let layers = (0..c.num_hidden_layers)
            .map(|i| {
                let p = format!("encoder.layer.{i}");
                Ok(Layer {
                    query: w.linear(&format!("{p}.attention.self.query"), h, h)?,
                    key: w.linear(&format!("{p}.attention.self.key"), h, h)?,
                    value: w.linear(&format!("{p}.attention.self.value"), h, h)?,
                    attn_out: w.linear(&format!("{p}.attention.output.dense"), h, h)?,
                    attn_norm: w.norm(&format!("{p}.attention.output.LayerNorm"), h, eps)?,
                    intermediate: w.linear(
                        &format!("{p}.intermediate.dense"),
                        c.intermediate_size,
                        h,
                    )?,
                    output: w.linear(&format!("{p}.output.dense"), h, c.intermediate_size)?,
                    out_norm: w.norm(&format!("{p}.output.LayerNorm"), h, eps)?,
                })
            })
            .collect::<Result<Vec<_>, BertError>>()?;
        Ok(Self {
            word: Embedding::new(word, h),
            position,
            token_type,
            emb_norm,
            layers,
            device: Device::Cpu,
            config,
        })
    }

    /// The model's shape.
    pub fn config(&self) -> &BertConfig {
        &self.config
    }

    /// Pooled, L2-normalised embeddings of a batch of id sequences, each `[CLS] … [SEP]` and no
    /// longer than `max_position_embeddings`; shorter ones are padded with `pad` and masked.
    /// Every id must be below `vocab_size`.
    pub fn embed_ids(
        &self,
        batch: &[Vec<u32>],
        pad: u32,
        pooling: Pooling,
    ) -> Result<Vec<Vec<f32>>, BertError> {
        let b = batch.len();
        let t = batch.iter().map(Vec::len).max().unwrap_or(0);
        if b == 0 || t == 0 {
            return Ok(vec![vec![0.0; self.config.hidden_size]; b]);
        }
        let mut ids = Vec::with_capacity(b * t);
        let mut mask = Vec::with_capacity(b * t);
        for seq in batch {
            ids.extend(seq.iter().copied());
            ids.extend(std::iter::repeat_n(pad, t - seq.len()));
            mask.extend(std::iter::repeat_n(1.0f32, seq.len()));
            mask.extend(std::iter::repeat_n(0.0f32, t - seq.len()));
        }
        let ids = Tensor::from_vec(ids, (b, t), &self.device)?;
        let mask = Tensor::from_vec(mask, (b, t), &self.device)?;
        let hidden = self.forward(&ids, &mask)?;
        let pooled = match pooling {
            // Mean over real tokens.
            Pooling::Mean => {
                let m = mask.unsqueeze(2)?;
                let summed = hidden.broadcast_mul(&m)?.sum(1)?;
                let counts = m.sum(1)?;
                summed.broadcast_div(&counts)?
            }
            Pooling::Cls => hidden.narrow(1, 0, 1)?.squeeze(1)?,
        };
        // Unit length.
        let norm = pooled
            .sqr()?
            .sum_keepdim(1)?
            .sqrt()?
            .clamp(1e-12, f32::MAX)?;
        Ok(pooled.broadcast_div(&norm)?.to_vec2::<f32>()?)
    }

    /// Last hidden states `[b, t, hidden]` for ids `[b, t]` and mask `[b, t]` (1 real, 0 pad).
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor, BertError> {
        let (_, t) = ids.dims2()?;
        let pos = self.position.narrow(0, 0, t)?;
        let typ = self.token_type.narrow(0, 0, 1)?;
        let x = self
            .word
            .forward(ids)?
            .broadcast_add(&pos)?
            .broadcast_add(&typ)?;
        let mut x = self.emb_norm.forward(&x)?;
        // [b, 1, 1, t]: 0 for real keys, MASKED for padding.
        let bias = ((mask - 1.0)? * -(MASKED as f64))?
            .unsqueeze(1)?
            .unsqueeze(1)?;
        for layer in &self.layers {
            x = self.layer(layer, &x, &bias)?;
        }
        Ok(x)
    }

    fn layer(&self, l: &Layer, x: &Tensor, bias: &Tensor) -> Result<Tensor, BertError> {
        let (b, t, h) = x.dims3()?;
        let nh = self.config.num_attention_heads;
        let hd = self.config.head_dim();
        let heads = |lin: &Linear| -> Result<Tensor, BertError> {
            Ok(lin
                .forward(x)?
                .reshape((b, t, nh, hd))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        let (q, k, v) = (heads(&l.query)?, heads(&l.key)?, heads(&l.value)?);
        let scores = (q.matmul(&k.t()?.contiguous()?)? / (hd as f64).sqrt())?;
        let probs = candle_nn::ops::softmax_last_dim(&scores.broadcast_add(bias)?)?;
        let ctx = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((b, t, h))?;
        let a = l.attn_norm.forward(&(l.attn_out.forward(&ctx)? + x)?)?;
        let inter = l.intermediate.forward(&a)?;
        let inter = match self.config.hidden_act {
            Activation::Gelu => inter.gelu_erf()?,
            Activation::GeluTanh => inter.gelu()?,
            Activation::Relu => inter.relu()?,
        };
        Ok(l.out_norm.forward(&(l.output.forward(&inter)? + a)?)?)
    }
}
