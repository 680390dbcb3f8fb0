//! A tiny random BERT written to a directory, so tests (here and in the CLI) exercise the real
//! loading code without any download: hidden 32, 2 layers, 2 heads, intermediate 64, 16
//! positions, a vocabulary of CJK characters and a few ASCII wordpieces. Seeded, so the same seed
//! always gives the same files.

use std::collections::HashMap;
use std::path::Path;

use candle_core::{Device, Tensor};

use crate::error::BertError;

pub const HIDDEN: usize = 32;
pub const LAYERS: usize = 2;
pub const HEADS: usize = 2;
pub const INTERMEDIATE: usize = 64;
pub const MAX_POSITIONS: usize = 16;

/// The vocabulary, one token per id.
pub const VOCAB: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "，", "。", "!", ",", "稀", "土", "永", "磁",
    "材", "料", "的", "制", "备", "工", "艺", "小", "麦", "品", "种", "研", "究", "技", "术", "电",
    "机", "mag", "##net", "##ic", "un", "##able", "##s", "hello", "a", "b", "1", "2",
];

/// `config.json` of the tiny model.
pub fn config_json() -> String {
    serde_json::json!({
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": VOCAB.len(),
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": INTERMEDIATE,
        "max_position_embeddings": MAX_POSITIONS,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
    })
    .to_string()
}

/// One named tensor: un-prefixed name, shape, row-major values.
pub type NamedTensor = (String, Vec<usize>, Vec<f32>);

/// SplitMix64, enough for test weights.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // Uniform in [-1, 1).
        (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// The tensors of the tiny model (names without the `bert.` prefix).
pub fn tensors(seed: u64) -> Vec<NamedTensor> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    let mut add = |name: String, shape: Vec<usize>, centre: f32, scale: f32| {
        let n = shape.iter().product();
        let v = (0..n).map(|_| centre + scale * rng.next()).collect();
        out.push((name, shape, v));
    };
    let (h, i) = (HIDDEN, INTERMEDIATE);
    add(
        "embeddings.word_embeddings.weight".into(),
        vec![VOCAB.len(), h],
        0.0,
        1.0,
    );
    add(
        "embeddings.position_embeddings.weight".into(),
        vec![MAX_POSITIONS, h],
        0.0,
        0.3,
    );
    add(
        "embeddings.token_type_embeddings.weight".into(),
        vec![2, h],
        0.0,
        0.3,
    );
    add("embeddings.LayerNorm.weight".into(), vec![h], 1.0, 0.2);
    add("embeddings.LayerNorm.bias".into(), vec![h], 0.0, 0.2);
    for l in 0..LAYERS {
        let p = format!("encoder.layer.{l}");
        for (name, rows, cols) in [
            ("attention.self.query", h, h),
            ("attention.self.key", h, h),
            ("attention.self.value", h, h),
            ("attention.output.dense", h, h),
            ("intermediate.dense", i, h),
            ("output.dense", h, i),
        ] {
            let scale = 1.5 / (cols as f32).sqrt();
            add(format!("{p}.{name}.weight"), vec![rows, cols], 0.0, scale);
            add(format!("{p}.{name}.bias"), vec![rows], 0.0, 0.1);
        }
        for name in ["attention.output.LayerNorm", "output.LayerNorm"] {
            add(format!("{p}.{name}.weight"), vec![h], 1.0, 0.2);
            add(format!("{p}.{name}.bias"), vec![h], 0.0, 0.2);
        }
    }
    out
}

/// Writes `tensors` as a safetensors file, each name prefixed with `prefix` (e.g. `bert.`).
pub fn write_tensors(path: &Path, tensors: &[NamedTensor], prefix: &str) -> Result<(), BertError> {
    let mut map = HashMap::new();
    for (name, shape, values) in tensors {
        let t = Tensor::from_vec(values.clone(), shape.as_slice(), &Device::Cpu)?;
        map.insert(format!("{prefix}{name}"), t);
    }
    candle_core::safetensors::save(&map, path)?;
    Ok(())
}

/// Writes `config.json`, `vocab.txt` and `model.safetensors` (with `bert.`-prefixed names) of
/// the tiny model into `dir`, which must exist.
pub fn write_model(dir: &Path, seed: u64) -> Result<(), BertError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |e: std::io::Error| BertError::Io {
            path,
            reason: e.to_string(),
        }
    };
    let config = dir.join("config.json");
    std::fs::write(&config, config_json()).map_err(io(&config))?;
    let vocab = dir.join("vocab.txt");
    std::fs::write(&vocab, VOCAB.join("\n") + "\n").map_err(io(&vocab))?;
    write_tensors(&dir.join("model.safetensors"), &tensors(seed), "bert.")
}

/// A SentencePiece Unigram vocabulary in XLM-R's layout (`<s>`, `<pad>`, `</s>`, `<unk>` first),
/// no longer than `VOCAB`, so the tiny model's embedding table covers it. Higher scores win:
/// whole words beat their characters.
pub const UNIGRAM: &[(&str, f64)] = &[
    ("<s>", 0.0),
    ("<pad>", 0.0),
    ("</s>", 0.0),
    ("<unk>", 0.0),
    ("\u{2581}", -3.0),
    ("\u{2581}稀土", -2.0),
    ("稀", -5.0),
    ("土", -5.0),
    ("永磁", -3.0),
    ("永", -5.0),
    ("磁", -5.0),
    ("材料", -3.0),
    ("的", -4.0),
    ("\u{2581}query", -4.0),
    (":", -4.0),
    ("\u{2581}mag", -4.0),
    ("net", -4.0),
    ("s", -6.0),
    ("电机", -3.0),
    ("\u{2581}小麦", -3.0),
    ("品种", -3.0),
    ("研究", -3.0),
    ("技术", -3.0),
    ("，", -4.0),
    ("。", -4.0),
];

/// A `tokenizer.json` over `UNIGRAM` as the `tokenizers` crate writes XLM-R's: runs of spaces
/// collapsed, Metaspace pre-tokeniser, Unigram model, `<s> … </s>` template.
pub fn unigram_tokenizer_json() -> String {
    let meta = serde_json::json!({
        "type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always", "split": true
    });
    let special = |id: u32, content: &str| {
        serde_json::json!({"id": id, "content": content, "single_word": false, "lstrip": false,
            "rstrip": false, "normalized": false, "special": true})
    };
    let tok = |t: &str| serde_json::json!({"SpecialToken": {"id": t, "type_id": 0}});
    let seq = |s: &str| serde_json::json!({"Sequence": {"id": s, "type_id": 0}});
    serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [special(0, "<s>"), special(1, "<pad>"), special(2, "</s>"), special(3, "<unk>")],
        "normalizer": {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        "pre_tokenizer": meta,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [tok("<s>"), seq("A"), tok("</s>")],
            "pair": [tok("<s>"), seq("A"), tok("</s>"), tok("</s>"), seq("B"), tok("</s>")],
            "special_tokens": {
                "<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]},
            },
        },
        "decoder": meta,
        "model": {"type": "Unigram", "unk_id": 3, "vocab": UNIGRAM, "byte_fallback": false},
    })
    .to_string()
}

/// `write_model`, with `tokenizer.json` (`unigram_tokenizer_json`) in place of `vocab.txt`.
pub fn write_unigram_model(dir: &Path, seed: u64) -> Result<(), BertError> {
    write_model(dir, seed)?;
    let vocab = dir.join("vocab.txt");
    std::fs::remove_file(&vocab).map_err(|e| BertError::Io {
        path: vocab,
        reason: e.to_string(),
    })?;
    let path = dir.join("tokenizer.json");
    std::fs::write(&path, unigram_tokenizer_json()).map_err(|e| BertError::Io {
        path,
        reason: e.to_string(),
    })
}
