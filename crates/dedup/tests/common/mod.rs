//! Synthetic applications for tests: seeded random Chinese sentences, light edits, boilerplate.
#![allow(dead_code)]

use innomesh_dedup::hash::Rng;
use innomesh_dedup::Application;

pub const BOILERPLATE: [&str; 6] = [
    "本项目符合国家和自治区产业政策导向，具有良好的经济效益和社会效益。",
    "项目团队结构合理，具备完成本项目研究任务的能力和条件。",
    "项目实施后将有效带动区域相关产业发展，促进科技成果转化。",
    "申报单位承诺所提交材料真实有效，并对其真实性负责。",
    "本项目经费预算合理，资金使用符合相关管理办法的规定。",
    "项目将形成自主知识产权，申请发明专利若干项。",
];

/// A random sentence of `len` ideographs ending in 。
pub fn sentence(rng: &mut Rng, len: usize) -> String {
    let mut s: String = (0..len)
        .map(|_| char::from_u32(0x4E00 + rng.below(3000) as u32).unwrap_or('中'))
        .collect();
    s.push('。');
    s
}

/// A random body of `n` sentences.
pub fn body(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| {
            let len = 15 + rng.below(30);
            sentence(rng, len)
        })
        .collect()
}

/// Light character edits at `rate` (delete, substitute, insert).
pub fn edit(text: &str, rate: f64, rng: &mut Rng) -> String {
    let filler = ['的', '了', '和', '在', '是'];
    let mut out = String::new();
    for c in text.chars() {
        let r = rng.next_f64();
        if r < rate / 3.0 {
            continue;
        }
        if r < 2.0 * rate / 3.0 {
            out.push(filler[rng.below(5)]);
            continue;
        }
        out.push(c);
        if r < rate {
            out.push(filler[rng.below(5)]);
        }
    }
    out
}

/// Two to four boilerplate sentences.
pub fn boilerplate(rng: &mut Rng) -> String {
    let k = 2 + rng.below(3);
    let start = rng.below(6);
    (0..k).map(|i| BOILERPLATE[(start + i) % 6]).collect()
}

/// `n` unrelated applications, each with boilerplate, titled by their first characters.
pub fn background(rng: &mut Rng, n: usize, prefix: &str) -> Vec<Application> {
    (0..n)
        .map(|i| {
            let k = 4 + rng.below(4);
            let b = body(rng, k);
            let title: String = b.chars().take(12).collect();
            Application::new(format!("{prefix}{i}"), title, b + &boilerplate(rng))
        })
        .collect()
}
