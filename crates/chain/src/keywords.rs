//! Multi-keyword matching over UTF-8 bytes (Aho–Corasick with a dense transition table).
//!
//! Matching bytes is safe for Chinese text: UTF-8 is self-synchronising, so a valid keyword can
//! only match a valid text at character boundaries.

/// High bit of a transition: the target state reports at least one keyword.
const HAS_OUTPUT: u32 = 0x8000_0000;

/// A compiled set of keywords; `for_each_match` reports the id of every keyword occurrence.
#[derive(Debug, Clone)]
pub struct KeywordMatcher {
    /// Bytes that occur in no keyword share class 0; the table has `stride` columns.
    class: [u8; 256],
    stride: usize,
    /// `delta[state * stride + class[byte]]` = next state.
    delta: Vec<u32>,
    /// Outputs of `state` are `out[out_start[state]..out_start[state + 1]]`.
    out_start: Vec<u32>,
    out: Vec<u32>,
    patterns: usize,
}

impl KeywordMatcher {
    /// Compile keywords; keyword `i` is reported as id `i`. Empty keywords never match.
    pub fn new<S: AsRef<[u8]>>(keywords: &[S]) -> KeywordMatcher {
        // Trie with sparse children while building.
        let mut children: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut own: Vec<Vec<u32>> = vec![Vec::new()];
        for (id, kw) in keywords.iter().enumerate() {
            let kw = kw.as_ref();
            if kw.is_empty() {
                continue;
            }
            let mut s = 0usize;
            for &b in kw {
                let next = children[s].iter().find(|&&(c, _)| c == b).map(|&(_, t)| t);
                s = match next {
                    Some(t) => t as usize,
                    None => {
                        let t = children.len();
                        children.push(Vec::new());
                        own.push(Vec::new());
                        children[s].push((b, t as u32));
                        t
                    }
                };
            }
            own[s].push(id as u32);
        }
        let n = children.len();
        // Byte classes: one per byte value used in some keyword, plus class 0 for the rest.
        let mut class = [0u8; 256];
        let mut stride = 1usize;
        for kw in keywords {
            for &b in kw.as_ref() {
                if class[b as usize] == 0 && stride < 256 {
                    class[b as usize] = stride as u8;
                    stride += 1;
                }
            }
        }
        // When (almost) every byte value occurs, classes buy nothing: use the identity mapping.
        if stride >= 256 {
            for (b, c) in class.iter_mut().enumerate() {
                *c = b as u8;
            }
            stride = 256;
        }
        let mut delta = vec![0u32; n * stride];
        let mut fail = vec![0u32; n];
        let mut outputs: Vec<Vec<u32>> = own;
        let mut queue = std::collections::VecDeque::new();
        for &(b, t) in &children[0] {
            delta[class[b as usize] as usize] = t;
            queue.push_back(t as usize);
        }
        while let Some(s) = queue.pop_front() {
            let f = fail[s] as usize;
            if f != s {
                let inherited = outputs[f].clone();
                outputs[s].extend(inherited);
            }
            for c in 0..stride {
                delta[s * stride + c] = delta[f * stride + c];
            }
            for &(b, t) in &children[s] {
                let c = class[b as usize] as usize;
                // Root's children fail to root; others to delta(fail(s), b).
                fail[t as usize] = delta[f * stride + c];
                delta[s * stride + c] = t;
                queue.push_back(t as usize);
            }
        }
        // The root row was written before the loop; states at depth 1 computed fail = root.
        let mut out_start = Vec::with_capacity(n + 1);
        let mut out = Vec::new();
        for o in &outputs {
            out_start.push(out.len() as u32);
            out.extend_from_slice(o);
        }
        out_start.push(out.len() as u32);
        // Tag transitions into states with outputs so the scan skips the output table otherwise.
        for d in delta.iter_mut() {
            if !outputs[*d as usize].is_empty() {
                *d |= HAS_OUTPUT;
            }
        }
        KeywordMatcher {
            class,
            stride,
            delta,
            out_start,
            out,
            patterns: keywords.len(),
        }
    }

    /// Number of keywords compiled (including empty ones).
    pub fn len(&self) -> usize {
        self.patterns
    }

    pub fn is_empty(&self) -> bool {
        self.patterns == 0
    }

    /// Call `f(keyword_id)` for every occurrence of every keyword in `text`.
    #[inline]
    pub fn for_each_match(&self, text: &[u8], mut f: impl FnMut(u32)) {
        let mut s = 0usize;
        for &b in text {
            let d = self.delta[s * self.stride + self.class[b as usize] as usize];
            s = (d & !HAS_OUTPUT) as usize;
            if d & HAS_OUTPUT != 0 {
                let (a, z) = (self.out_start[s] as usize, self.out_start[s + 1] as usize);
                for &id in &self.out[a..z] {
                    f(id);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn found(m: &KeywordMatcher, text: &str) -> Vec<u32> {
        let mut v = Vec::new();
        m.for_each_match(text.as_bytes(), |id| v.push(id));
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn finds_overlapping_chinese_keywords() {
        let m = KeywordMatcher::new(&["钕铁硼", "铁硼", "永磁材料", "磁材"]);
        assert_eq!(found(&m, "烧结钕铁硼永磁材料"), vec![0, 1, 2, 3]);
        assert_eq!(found(&m, "稀土抛光粉"), Vec::<u32>::new());
    }

    proptest! {
        #[test]
        fn agrees_with_naive_contains(
            kws in prop::collection::vec("[abc]{1,4}", 1..8),
            text in "[abcd]{0,40}",
        ) {
            let m = KeywordMatcher::new(&kws);
            let expected: Vec<u32> = {
                let mut v: Vec<u32> = kws.iter().enumerate()
                    .filter(|(_, k)| text.contains(k.as_str()))
                    .map(|(i, _)| i as u32).collect();
                v.sort_unstable();
                v
            };
            prop_assert_eq!(found(&m, &text), expected);
        }
    }
}
