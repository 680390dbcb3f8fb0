//! The loader and encoder through their public API, on a tiny random model written by the test.

use std::collections::HashMap;
use std::path::Path;

use innomesh_bert::{tiny, BertEmbedder, BertError, Pooling, SentenceConfig, TextTokenizer};
use innomesh_matching::Embedder;

fn model_dir(seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_model(dir.path(), seed).unwrap();
    dir
}

fn load(dir: &Path) -> BertEmbedder {
    BertEmbedder::load(dir).unwrap()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

#[test]
fn tokenizer_splits_cjk_wordpieces_and_unknowns() {
    let dir = model_dir(1);
    let e = load(dir.path());
    assert_eq!(
        e.tokenizer()
            .tokenize("稀土Magnets，unable 磁铁! magnetx")
            .unwrap(),
        ["稀", "土", "mag", "##net", "##s", "，", "un", "##able", "磁", "[UNK]", "!", "[UNK]"]
    );
    // [CLS]=2, 稀=9, 土=10, [SEP]=3.
    assert_eq!(e.encode("稀土").unwrap(), [2, 9, 10, 3]);
    assert!(e.encode("  ").unwrap().is_empty());
    // Truncated to the 16 positions of the model, [SEP] kept last.
    let long = e.encode(&"稀土".repeat(20)).unwrap();
    assert_eq!(long.len(), tiny::MAX_POSITIONS);
    assert_eq!((long[0], long[15]), (2, 3));
}

#[test]
fn embeddings_have_model_dim_unit_norm_and_are_deterministic() {
    let dir = model_dir(2);
    let e = load(dir.path());
    let again = load(dir.path());
    assert_eq!(e.dim(), tiny::HIDDEN);
    for text in ["稀土永磁材料", "hello a b", "铁铁铁", &"研究".repeat(40)] {
        let v = e.embed(text);
        assert_eq!(v.len(), tiny::HIDDEN);
        assert!((dot(&v, &v) - 1.0).abs() < 1e-5, "{text}: not unit length");
        assert_eq!(v, e.embed(text));
        assert_eq!(v, again.embed(text));
    }
    assert_eq!(e.embed(""), vec![0.0; tiny::HIDDEN]);
    let (a, b) = (e.embed("稀土永磁材料"), e.embed("稀土永磁材料"));
    assert!((dot(&a, &b) - 1.0).abs() < 1e-5);
    assert!(
        dot(&a, &e.embed("小麦品种研究")) < 0.999,
        "different texts should differ"
    );
    // A different seed is a different model.
    let other = model_dir(3);
    assert!(max_diff(&a, &load(other.path()).embed("稀土永磁材料")) > 1e-3);
}

#[test]
fn padding_in_a_batch_does_not_change_an_embedding() {
    let dir = model_dir(4);
    let e = load(dir.path());
    let texts = ["稀", "稀土永磁材料的制备工艺研究", "", "小麦品种", "hello"];
    let batch = e.embed_batch(&texts);
    assert_eq!(batch.len(), texts.len());
    for (t, v) in texts.iter().zip(&batch) {
        let alone = e.embed(t);
        assert!(
            max_diff(v, &alone) < 1e-5,
            "{t}: batched differs from alone"
        );
    }
}

#[test]
fn unprefixed_tensor_names_load_the_same_model() {
    let dir = model_dir(5);
    let plain = model_dir(5);
    tiny::write_tensors(
        &plain.path().join("model.safetensors"),
        &tiny::tensors(5),
        "",
    )
    .unwrap();
    let (a, b) = (load(dir.path()), load(plain.path()));
    assert_eq!(a.embed("永磁电机"), b.embed("永磁电机"));
}

fn load_err(dir: &Path) -> String {
    match BertEmbedder::load(dir) {
        Ok(_) => panic!("expected an error for {}", dir.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn bad_directories_are_errors_not_panics() {
    let missing = tempfile::tempdir().unwrap().path().join("none");
    assert!(matches!(
        BertEmbedder::load(&missing),
        Err(BertError::NotADirectory(_))
    ));

    let dir = model_dir(6);
    std::fs::remove_file(dir.path().join("vocab.txt")).unwrap();
    assert!(load_err(dir.path()).contains("vocab.txt"));

    let dir = model_dir(6);
    std::fs::write(dir.path().join("config.json"), "{\"hidden_size\": 32,").unwrap();
    assert!(load_err(dir.path()).starts_with("config.json 无效"));

    let dir = model_dir(6);
    let cfg = tiny::config_json().replace("\"num_attention_heads\":2", "\"num_attention_heads\":3");
    std::fs::write(dir.path().join("config.json"), cfg).unwrap();
    assert!(load_err(dir.path()).contains("整除"));

    let dir = model_dir(6);
    let cfg = tiny::config_json().replace("\"intermediate_size\":64,", "");
    std::fs::write(dir.path().join("config.json"), cfg).unwrap();
    assert!(load_err(dir.path()).contains("intermediate_size"));

    let dir = model_dir(6);
    let cfg = tiny::config_json().replace("\"num_hidden_layers\":2", "\"num_hidden_layers\":3");
    std::fs::write(dir.path().join("config.json"), cfg).unwrap();
    assert!(load_err(dir.path()).contains("encoder.layer.2.attention.self.query.weight"));

    let dir = model_dir(6);
    let ts: Vec<_> = tiny::tensors(6)
        .into_iter()
        .filter(|(n, _, _)| n != "encoder.layer.1.output.LayerNorm.bias")
        .collect();
    tiny::write_tensors(&dir.path().join("model.safetensors"), &ts, "bert.").unwrap();
    let msg = load_err(dir.path());
    assert!(
        msg.contains("缺少张量「encoder.layer.1.output.LayerNorm.bias」"),
        "{msg}"
    );

    let dir = model_dir(6);
    let cfg = tiny::config_json().replace("\"intermediate_size\":64", "\"intermediate_size\":48");
    std::fs::write(dir.path().join("config.json"), cfg).unwrap();
    assert!(load_err(dir.path()).contains("形状"));

    let dir = model_dir(6);
    std::fs::write(
        dir.path().join("model.safetensors"),
        b"not a safetensors file",
    )
    .unwrap();
    assert!(load_err(dir.path()).starts_with("model.safetensors 无效"));

    let dir = model_dir(6);
    std::fs::write(dir.path().join("vocab.txt"), "[PAD]\n[UNK]\n[SEP]\n稀\n").unwrap();
    assert!(load_err(dir.path()).contains("[CLS]"));
}

// --- A naive forward pass in plain Rust, to check the candle one against. ---

type Weights = HashMap<String, (Vec<usize>, Vec<f32>)>;

fn w<'a>(ws: &'a Weights, name: &str) -> &'a [f32] {
    &ws[name].1
}

/// y = W x + b for W `[out, in]`.
fn linear(ws: &Weights, prefix: &str, x: &[f32]) -> Vec<f32> {
    let wt = w(ws, &format!("{prefix}.weight"));
    let b = w(ws, &format!("{prefix}.bias"));
    let n_in = x.len();
    b.iter()
        .enumerate()
        .map(|(o, bo)| bo + (0..n_in).map(|i| wt[o * n_in + i] * x[i]).sum::<f32>())
        .collect()
}

fn layer_norm(ws: &Weights, prefix: &str, x: &[f32]) -> Vec<f32> {
    let n = x.len() as f32;
    let mean = x.iter().sum::<f32>() / n;
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
    let (g, b) = (
        w(ws, &format!("{prefix}.weight")),
        w(ws, &format!("{prefix}.bias")),
    );
    x.iter()
        .enumerate()
        .map(|(i, v)| (v - mean) / (var + 1e-12).sqrt() * g[i] + b[i])
        .collect()
}

/// Abramowitz–Stegun 7.1.26 (error below 1.5e-7).
fn erf(x: f32) -> f32 {
    let s = x.signum();
    let x = x.abs() as f64;
    let t = 1.0 / (1.0 + 0.3275911 * x);
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
            + 0.254829592)
            * t
            * (-x * x).exp();
    s * y as f32
}

fn naive_embed(ws: &Weights, ids: &[u32]) -> Vec<f32> {
    let x = naive_hidden(ws, ids);
    let h = tiny::HIDDEN;
    let t = ids.len();
    let mut mean = vec![0.0f32; h];
    for row in &x {
        mean.iter_mut()
            .zip(row)
            .for_each(|(m, r)| *m += r / t as f32);
    }
    unit(&mean)
}

fn unit(v: &[f32]) -> Vec<f32> {
    let n = dot(v, v).sqrt();
    v.iter().map(|m| m / n).collect()
}

/// Last hidden states, one row per token.
fn naive_hidden(ws: &Weights, ids: &[u32]) -> Vec<Vec<f32>> {
    let h = tiny::HIDDEN;
    let (nh, hd) = (tiny::HEADS, tiny::HIDDEN / tiny::HEADS);
    let mut x: Vec<Vec<f32>> = ids
        .iter()
        .enumerate()
        .map(|(p, &id)| {
            let e: Vec<f32> = (0..h)
                .map(|j| {
                    w(ws, "embeddings.word_embeddings.weight")[id as usize * h + j]
                        + w(ws, "embeddings.position_embeddings.weight")[p * h + j]
                        + w(ws, "embeddings.token_type_embeddings.weight")[j]
                })
                .collect();
            layer_norm(ws, "embeddings.LayerNorm", &e)
        })
        .collect();
    let t = ids.len();
    for l in 0..tiny::LAYERS {
        let p = format!("encoder.layer.{l}");
        let q: Vec<_> = x
            .iter()
            .map(|v| linear(ws, &format!("{p}.attention.self.query"), v))
            .collect();
        let k: Vec<_> = x
            .iter()
            .map(|v| linear(ws, &format!("{p}.attention.self.key"), v))
            .collect();
        let v: Vec<_> = x
            .iter()
            .map(|v| linear(ws, &format!("{p}.attention.self.value"), v))
            .collect();
        let mut next = Vec::new();
        for i in 0..t {
            let mut ctx = vec![0.0f32; h];
            for head in 0..nh {
                let r = head * hd..(head + 1) * hd;
                let scores: Vec<f32> = (0..t)
                    .map(|j| dot(&q[i][r.clone()], &k[j][r.clone()]) / (hd as f32).sqrt())
                    .collect();
                let m = scores.iter().copied().fold(f32::MIN, f32::max);
                let ex: Vec<f32> = scores.iter().map(|s| (s - m).exp()).collect();
                let z: f32 = ex.iter().sum();
                for j in 0..t {
                    for d in r.clone() {
                        ctx[d] += ex[j] / z * v[j][d];
                    }
                }
            }
            let attn = linear(ws, &format!("{p}.attention.output.dense"), &ctx);
            let res: Vec<f32> = attn.iter().zip(&x[i]).map(|(a, b)| a + b).collect();
            let a = layer_norm(ws, &format!("{p}.attention.output.LayerNorm"), &res);
            let inter: Vec<f32> = linear(ws, &format!("{p}.intermediate.dense"), &a)
                .into_iter()
                .map(|u| 0.5 * u * (1.0 + erf(u / std::f32::consts::SQRT_2)))
                .collect();
            let out = linear(ws, &format!("{p}.output.dense"), &inter);
            let res: Vec<f32> = out.iter().zip(&a).map(|(a, b)| a + b).collect();
            next.push(layer_norm(ws, &format!("{p}.output.LayerNorm"), &res));
        }
        x = next;
    }
    x
}

#[test]
fn forward_matches_a_naive_implementation() {
    let seed = 7;
    let dir = model_dir(seed);
    let e = load(dir.path());
    let ws: Weights = tiny::tensors(seed)
        .into_iter()
        .map(|(n, s, v)| (n, (s, v)))
        .collect();
    for text in ["稀土永磁材料的制备", "magnets，unable!", "研"] {
        let ids = e.encode(text).unwrap();
        let expected = naive_embed(&ws, &ids);
        let got = e.embed(text);
        let d = max_diff(&got, &expected);
        // Measured ~1e-7; exact vs tanh GELU alone differs by ~5e-5, so this tells them apart.
        assert!(d < 2e-6, "{text}: candle and naive forward differ by {d}");
    }
}

#[test]
fn tokenizer_json_stands_in_for_a_missing_vocab_txt() {
    let dir = model_dir(8);
    let reference = load(dir.path()).embed("稀土 magnets");
    std::fs::remove_file(dir.path().join("vocab.txt")).unwrap();
    let vocab: serde_json::Map<String, serde_json::Value> = tiny::VOCAB
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), i.into()))
        .collect();
    let tj = serde_json::json!({"model": {"type": "WordPiece", "vocab": vocab}});
    std::fs::write(dir.path().join("tokenizer.json"), tj.to_string()).unwrap();
    assert_eq!(load(dir.path()).embed("稀土 magnets"), reference);
    // Any other kind goes to the `tokenizers` crate, which refuses an incomplete file.
    let bpe = serde_json::json!({"model": {"type": "BPE", "vocab": {}}});
    std::fs::write(dir.path().join("tokenizer.json"), bpe.to_string()).unwrap();
    let msg = load_err(dir.path());
    assert!(msg.starts_with("tokenizer.json 无效"), "{msg}");
    std::fs::write(dir.path().join("tokenizer.json"), "{\"model\": ").unwrap();
    assert!(load_err(dir.path()).starts_with("tokenizer.json 无效"));
}

// --- SentencePiece tokenizer.json, pooling and prompt (sentence-transformers files). ---

fn unigram_dir(seed: u64) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tiny::write_unigram_model(dir.path(), seed).unwrap();
    dir
}

fn tiny_weights(seed: u64) -> Weights {
    tiny::tensors(seed)
        .into_iter()
        .map(|(n, s, v)| (n, (s, v)))
        .collect()
}

#[test]
fn a_unigram_tokenizer_json_is_run_as_declared() {
    let dir = unigram_dir(20);
    let e = load(dir.path());
    assert!(matches!(e.tokenizer(), TextTokenizer::HuggingFace(_)));
    // Viterbi over the piece scores: whole words beat characters; spaces collapse; the
    // Metaspace marker starts each word; an unknown character is <unk>.
    assert_eq!(
        e.tokenizer().tokenize("稀土永磁材料  magnets").unwrap(),
        ["▁稀土", "永磁", "材料", "▁mag", "net", "s"]
    );
    // <s> ▁ 稀 <unk> </s>
    assert_eq!(e.encode("稀铁").unwrap(), [0, 4, 6, 3, 2]);
    // <s>=0 ▁稀土=5 </s>=2, from the template.
    assert_eq!(e.encode("稀土").unwrap(), [0, 5, 2]);
    assert!(e.encode(" ").unwrap().is_empty());
    assert_eq!(e.embed(" "), vec![0.0; tiny::HIDDEN]);
    // Truncated to the model's 16 positions, </s> kept last.
    let long = e.encode(&"稀土".repeat(40)).unwrap();
    assert_eq!(long.len(), tiny::MAX_POSITIONS);
    assert_eq!((long[0], long[15]), (0, 2));
    // The vectors are the encoder's on those ids, as the naive forward pass computes them.
    let ws = tiny_weights(20);
    for text in ["稀土永磁材料的电机", "magnets 小麦品种研究"] {
        let d = max_diff(&e.embed(text), &naive_embed(&ws, &e.encode(text).unwrap()));
        assert!(d < 2e-6, "{text}: {d}");
    }
}

#[test]
fn a_tokenizer_larger_than_the_embedding_table_is_refused() {
    let dir = unigram_dir(21);
    let mut v: serde_json::Value = serde_json::from_str(&tiny::unigram_tokenizer_json()).unwrap();
    let vocab = v["model"]["vocab"].as_array_mut().unwrap();
    for i in 0..tiny::VOCAB.len() {
        vocab.push(serde_json::json!([format!("x{i}"), -9.0]));
    }
    std::fs::write(dir.path().join("tokenizer.json"), v.to_string()).unwrap();
    assert!(load_err(dir.path()).contains("vocab_size"));
}

fn write(dir: &Path, name: &str, v: serde_json::Value) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, v.to_string()).unwrap();
}

#[test]
fn the_default_prompt_goes_before_every_text() {
    let dir = unigram_dir(22);
    let plain = load(dir.path());
    assert_eq!(plain.sentence_config(), &SentenceConfig::default());
    write(
        dir.path(),
        "config_sentence_transformers.json",
        serde_json::json!({"prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": "query"}),
    );
    let e = load(dir.path());
    assert_eq!(e.sentence_config().prompt, "query: ");
    // <s> ▁query : ▁稀土 </s>
    assert_eq!(e.encode("稀土").unwrap(), [0, 13, 14, 5, 2]);
    assert_eq!(e.embed("稀土"), plain.embed("query: 稀土"));
    assert!(max_diff(&e.embed("稀土"), &plain.embed("稀土")) > 1e-3);
    // A text with no token of its own is still the zero vector, not the prompt's.
    assert_eq!(e.embed(""), vec![0.0; tiny::HIDDEN]);
    assert_eq!(e.embed("   "), vec![0.0; tiny::HIDDEN]);
    // No default prompt: nothing is added.
    write(
        dir.path(),
        "config_sentence_transformers.json",
        serde_json::json!({"prompts": {"query": "query: "}, "default_prompt_name": null}),
    );
    assert_eq!(load(dir.path()).embed("稀土"), plain.embed("稀土"));
    write(
        dir.path(),
        "config_sentence_transformers.json",
        serde_json::json!({"prompts": {"query": "query: "}, "default_prompt_name": "passage"}),
    );
    assert!(load_err(dir.path()).contains("passage"));
}

#[test]
fn pooling_follows_the_sentence_transformers_config() {
    let dir = model_dir(23);
    let ws = tiny_weights(23);
    let mean = load(dir.path());
    let pool = |v: serde_json::Value| write(dir.path(), "1_Pooling/config.json", v);
    pool(serde_json::json!({"word_embedding_dimension": tiny::HIDDEN,
        "pooling_mode_cls_token": false, "pooling_mode_mean_tokens": true}));
    assert_eq!(load(dir.path()).embed("稀土永磁"), mean.embed("稀土永磁"));
    pool(serde_json::json!({"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false}));
    let cls = load(dir.path());
    assert_eq!(cls.sentence_config().pooling, Pooling::Cls);
    for text in ["稀土永磁材料", "研", "hello a b"] {
        let ids = cls.encode(text).unwrap();
        let expected = unit(&naive_hidden(&ws, &ids)[0]);
        let d = max_diff(&cls.embed(text), &expected);
        assert!(d < 2e-6, "{text}: CLS pooling differs by {d}");
    }
    // A batch of mixed lengths pools each row's own first token.
    let texts = ["稀", "稀土永磁材料的制备工艺研究"];
    for (t, v) in texts.iter().zip(cls.embed_batch(&texts)) {
        assert!(max_diff(&v, &cls.embed(t)) < 1e-5);
    }
    pool(serde_json::json!({"pooling_mode_max_tokens": true}));
    assert!(load_err(dir.path()).contains("pooling_mode_max_tokens"));
    pool(serde_json::json!({"pooling_mode_cls_token": true, "pooling_mode_mean_tokens": true}));
    assert!(load_err(dir.path()).contains("同时"));
    pool(serde_json::json!({"pooling_mode_mean_tokens": true, "include_prompt": false}));
    assert!(load_err(dir.path()).contains("include_prompt"));
    // modules.json may move the pooling config; a module this crate does not run is refused.
    std::fs::remove_dir_all(dir.path().join("1_Pooling")).unwrap();
    write(
        dir.path(),
        "pool/config.json",
        serde_json::json!({"pooling_mode_cls_token": true}),
    );
    write(
        dir.path(),
        "modules.json",
        serde_json::json!([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "pool", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"}
        ]),
    );
    assert_eq!(load(dir.path()).embed("稀土"), cls.embed("稀土"));
    write(
        dir.path(),
        "modules.json",
        serde_json::json!([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}
        ]),
    );
    assert!(load_err(dir.path()).contains("sentence_transformers.models.Dense"));
}

#[test]
fn roberta_position_numbering_is_refused() {
    let dir = model_dir(24);
    let cfg =
        tiny::config_json().replace("\"model_type\":\"bert\"", "\"model_type\":\"xlm-roberta\"");
    assert!(cfg.contains("xlm-roberta"));
    std::fs::write(dir.path().join("config.json"), cfg).unwrap();
    assert!(load_err(dir.path()).contains("xlm-roberta"));
}
