//! The Chinese language rules of sentence similarity: everyday synonyms of question words, words
//! that ask rather than say, negations, numbers written in digits or Chinese numerals, and two
//! texts whose shared nouns trade places around the same relation. General knowledge of the
//! language, written by hand; nothing here is learned from any data set.

use super::Prepared;
use std::collections::HashSet;

/// Everyday synonyms of question words and particles, folded before comparing (general language
/// knowledge, not learned from any data set). Manner words (怎么, 如何, …) are folded by position
/// instead, see `MANNER`.
pub(super) const CANONICAL: &[(&str, &str)] = &[
    ("啥", "什么"),
    ("什么样", "什么"),
    ("为啥", "为什么"),
    ("干嘛", "为什么"),
    ("哪儿", "哪里"),
    ("哪", "哪里"),
    ("在哪", "在哪里"),
    ("么", "吗"),
    ("嘛", "吗"),
    ("呢", "吗"),
    ("能否", "能不能"),
    ("可否", "能不能"),
    ("可不可以", "能不能"),
    ("是否", "是不是"),
    ("有没有", "是不是"),
    ("何时", "什么时候"),
    ("几", "多少"),
    ("您", "你"),
    ("咱们", "我们"),
    ("俺", "我"),
    ("弄", "做"),
    ("搞", "做"),
];

/// Manner question words: followed by a content word they ask "how to …" (folded to 怎么); at the
/// end of the sentence they ask "how is it …" (folded to 怎么样, like 好不好). 怎么办 ("what to
/// do") stays itself.
pub(super) const MANNER: &[&str] = &["怎么", "如何", "怎样", "怎么样", "咋", "咋样"];

/// Sentence-final particles, ignored when deciding whether a manner word ends the sentence.
pub(super) const FINAL_PARTICLES: &[&str] = &[
    "吗", "呢", "啊", "呀", "吧", "么", "嘛", "啦", "阿", "哦", "了",
];

/// Question words: they say how something is asked, so they weigh less than content words.
pub(super) const QUESTION_WORDS: &[&str] = &[
    "怎么",
    "怎么样",
    "怎么办",
    "为什么",
    "什么",
    "哪里",
    "在哪里",
    "哪个",
    "哪些",
    "多少",
    "谁",
    "什么时候",
    "多久",
    "多长时间",
];

/// Words that frame a request in community questions and customer chats rather than say what it
/// is about: asking, thanking, addressing the crowd (general language knowledge).
pub(super) const REQUEST_WORDS: &[&str] = &[
    "请问",
    "求",
    "求助",
    "急",
    "急求",
    "跪求",
    "求救",
    "谢谢",
    "谢谢你们",
    "谢谢大家",
    "感谢",
    "帮忙",
    "帮帮忙",
    "帮",
    "大神",
    "高手",
    "大家",
    "各位",
    "知道",
    "请",
    "麻烦",
    "在线等",
    "拜托",
    "有人",
    "谁知道",
    "告诉",
    "一下",
    "亲",
];

/// Words that link two things symmetrically (A和B = B和A), so swapping around them is harmless.
pub(super) const SYMMETRIC_LINKS: &[&str] = &[
    "和", "与", "跟", "或", "或者", "还是", "及", "以及", "同", "又", "并且", "而且", "比较",
    "一起", "还有", "也",
];

/// Question words that may trade places with a noun around 是 without changing the question
/// (冠军是谁 = 谁是冠军).
pub(super) const SWAP_QUESTION_WORDS: &[&str] = &[
    "谁",
    "什么",
    "哪个",
    "哪些",
    "哪家",
    "哪里",
    "多少",
    "怎么",
    "为什么",
];

/// Question types; two questions of different types rarely ask the same thing.
pub(super) const QUESTION_TYPES: &[(&str, u8)] = &[
    ("怎么", 1),
    ("为什么", 2),
    ("什么", 3),
    ("哪里", 4),
    ("在哪里", 4),
    ("哪个", 5),
    ("哪些", 5),
    ("多少", 6),
    ("谁", 7),
    ("什么时候", 8),
    ("多久", 8),
    ("多长时间", 8),
];

pub(super) const NEGATIONS: &[&str] = &[
    "不",
    "没",
    "没有",
    "别",
    "无",
    "非",
    "未",
    "不是",
    "不能",
    "不会",
    "不要",
    "不可以",
    "禁止",
];

/// Both texts ask a typed question and share no type.
pub(super) fn question_mismatch(a: &[String], b: &[String]) -> bool {
    let types = |ws: &[String]| -> Vec<u8> {
        let mut t: Vec<u8> = ws
            .iter()
            .filter_map(|w| {
                QUESTION_TYPES
                    .iter()
                    .find(|(q, _)| *q == w)
                    .map(|&(_, k)| k)
            })
            .collect();
        t.sort_unstable();
        t.dedup();
        t
    };
    let (ta, tb) = (types(a), types(b));
    !ta.is_empty() && !tb.is_empty() && !ta.iter().any(|t| tb.contains(t))
}

pub(super) fn has_negation(words: &[String]) -> bool {
    words.iter().any(|w| NEGATIONS.contains(&w.as_str()))
}

/// Both texts carry numbers and the sets of numbers differ.
pub(super) fn numbers_differ(a: &Prepared, b: &Prepared) -> bool {
    let (ra, rb) = (numbers(a), numbers(b));
    !ra.is_empty() && !rb.is_empty() && ra != rb
}

/// The numbers of a text: digit runs anywhere (12 and 012 are the same number), and Chinese
/// numerals inside words jieba tags as numerals (`m`: 二十元, 三个, 第九), as values (二十 = 20).
/// A lone 一 is left out: 一个, 一下 are mostly articles, not counts.
pub(super) fn numbers(p: &Prepared) -> Vec<String> {
    let mut out = Vec::new();
    for (w, t) in p.words.iter().zip(&p.tags) {
        let mut digits = String::new();
        let mut cn = String::new();
        for c in w.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() || (c == '.' && !digits.is_empty()) {
                digits.push(c);
            } else if !digits.is_empty() {
                let d = digits.trim_end_matches('.');
                out.push(match d.parse::<u64>() {
                    Ok(v) => v.to_string(),
                    Err(_) => d.to_string(),
                });
                digits.clear();
            }
            if t == "m" && chinese_digit(c).is_some() {
                cn.push(c);
            } else if !cn.is_empty() {
                if cn != "一" {
                    out.push(chinese_number(&cn).to_string());
                }
                cn.clear();
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The value of a Chinese numeral character: digits 0–9 as `Ok`, units (十百千万) as `Err`.
pub(super) fn chinese_digit(c: char) -> Option<Result<u64, u64>> {
    Some(match c {
        '零' | '〇' => Ok(0),
        '一' => Ok(1),
        '二' | '两' => Ok(2),
        '三' => Ok(3),
        '四' => Ok(4),
        '五' => Ok(5),
        '六' => Ok(6),
        '七' => Ok(7),
        '八' => Ok(8),
        '九' => Ok(9),
        '十' => Err(10),
        '百' => Err(100),
        '千' => Err(1000),
        '万' => Err(10_000),
        _ => return None,
    })
}

/// Value of a run of Chinese numeral characters (二十 = 20, 三百零五 = 305, 十 = 10).
pub(super) fn chinese_number(run: &str) -> u64 {
    let (mut total, mut section, mut digit) = (0u64, 0u64, 0u64);
    for c in run.chars() {
        match chinese_digit(c) {
            Some(Ok(d)) => digit = d,
            Some(Err(u)) if u >= 10_000 => {
                total = total.saturating_add((section + digit).saturating_mul(u));
                section = 0;
                digit = 0;
            }
            Some(Err(u)) => {
                section = section.saturating_add(digit.max(1).saturating_mul(u));
                digit = 0;
            }
            None => {}
        }
    }
    total.saturating_add(section).saturating_add(digit)
}

/// Folds question words and particles (`CANONICAL`, and `MANNER` by position); returns the words
/// and their tags.
pub(super) fn canonical_words(tagged: Vec<(String, String)>) -> (Vec<String>, Vec<String>) {
    let mut words = Vec::with_capacity(tagged.len());
    let mut tags = Vec::with_capacity(tagged.len());
    for (i, (w, t)) in tagged.iter().enumerate() {
        let manner = MANNER.contains(&w.as_str()) || w == "好不好";
        if manner {
            let ends = tagged[i + 1..]
                .iter()
                .all(|(v, _)| FINAL_PARTICLES.contains(&v.as_str()));
            let folded = if ends {
                "怎么样"
            } else if w == "好不好" {
                "好不好"
            } else {
                "怎么"
            };
            words.push(folded.to_string());
            tags.push("r".to_string());
            continue;
        }
        let folded = CANONICAL
            .iter()
            .find(|(from, _)| from == w)
            .map_or(w.as_str(), |(_, to)| to);
        words.push(folded.to_string());
        tags.push(t.clone());
    }
    (words, tags)
}

/// Two shared nouns (or pronouns) trade places around the same relation words: 北京到成都 vs
/// 成都到北京, 男人喜欢戴眼镜的女人 vs 女人喜欢戴眼镜的男人. Both words occur once on each side;
/// the words between them are the same set (at most four, none a conjunction or a symmetric
/// link such as 和/还是); a question word swapping around 是 does not count (冠军是谁 = 谁是冠军).
pub(super) fn roles_swapped(a: &Prepared, b: &Prepared) -> bool {
    let is_entity = |t: &str| t.starts_with('n') || t == "r" || t == "b";
    let once = |p: &Prepared, w: &str| p.words.iter().filter(|v| *v == w).count() == 1;
    let pos = |p: &Prepared, w: &str| p.words.iter().position(|v| v == w);
    let shared: Vec<&String> = a
        .words
        .iter()
        .enumerate()
        .filter(|&(i, w)| {
            once(a, w)
                && once(b, w)
                && (is_entity(&a.tags[i]) || pos(b, w).is_some_and(|j| is_entity(&b.tags[j])))
        })
        .map(|(_, w)| w)
        .collect();
    for x in &shared {
        for y in &shared {
            let (Some(ax), Some(ay), Some(bx), Some(by)) =
                (pos(a, x), pos(a, y), pos(b, x), pos(b, y))
            else {
                continue;
            };
            if !(ax < ay && by < bx) {
                continue;
            }
            let between_a = &a.words[ax + 1..ay];
            let between_b = &b.words[by + 1..bx];
            if between_a.is_empty() || between_a.len() > 4 {
                continue;
            }
            let set_a: HashSet<&str> = between_a.iter().map(String::as_str).collect();
            let set_b: HashSet<&str> = between_b.iter().map(String::as_str).collect();
            if set_a != set_b {
                continue;
            }
            let question = SWAP_QUESTION_WORDS.contains(&x.as_str())
                || SWAP_QUESTION_WORDS.contains(&y.as_str());
            if question && set_a.contains("是") {
                continue;
            }
            let linked = (ax + 1..ay).any(|i| {
                SYMMETRIC_LINKS.contains(&a.words[i].as_str()) || a.tags[i].starts_with('c')
            }) || (by + 1..bx).any(|i| b.tags[i].starts_with('c'));
            if !linked {
                return true;
            }
        }
    }
    false
}
