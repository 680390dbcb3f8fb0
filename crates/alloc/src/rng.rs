//! The seeded pseudo-random generator every search uses, so that a seed fixes the result.

/// xoshiro256** seeded through splitmix64: small, fast and good enough for search decisions.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform integer in `0..n` (n > 0); the multiply-shift bias is negligible for search.
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform float in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// Reads whitespace-separated integers with positions, so parse errors can name the bad token.
pub(crate) struct Tokens<'a> {
    iter: std::str::SplitWhitespace<'a>,
    position: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokens {
            iter: text.split_whitespace(),
            position: 0,
        }
    }

    /// Next token as an integer; integral floats such as `12.0` are accepted because some files carry them.
    pub fn int(&mut self, expected: &str) -> Result<i64, crate::AllocError> {
        self.position += 1;
        let token = self
            .iter
            .next()
            .ok_or_else(|| crate::AllocError::UnexpectedEnd {
                position: self.position,
                expected: expected.to_string(),
            })?;
        if let Ok(v) = token.parse::<i64>() {
            return Ok(v);
        }
        match token.parse::<f64>() {
            Ok(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 => Ok(f as i64),
            _ => Err(crate::AllocError::BadToken {
                position: self.position,
                token: token.chars().take(40).collect(),
                expected: expected.to_string(),
            }),
        }
    }

    /// Next token as a count in `min..=max`.
    pub fn count(
        &mut self,
        expected: &str,
        min: i64,
        max: i64,
    ) -> Result<usize, crate::AllocError> {
        let v = self.int(expected)?;
        if v < min || v > max {
            return Err(crate::AllocError::BadToken {
                position: self.position,
                token: v.to_string(),
                expected: format!("{expected}（{min}..={max}）"),
            });
        }
        Ok(v as usize)
    }

    /// Skips one token (already checked by the caller).
    pub fn skip(&mut self) {
        self.position += 1;
        self.iter.next();
    }

    pub fn position(&self) -> usize {
        self.position
    }

    /// True when only whitespace remains.
    pub fn is_empty(&mut self) -> bool {
        self.iter.clone().next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_bounds_hold() {
        let (mut a, mut b) = (Rng::new(42), Rng::new(42));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = Rng::new(1);
        for n in 1..50 {
            assert!(r.below(n) < n);
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn tokens_report_positions() {
        let mut t = Tokens::new("3 4.0 x");
        assert_eq!(t.int("a").unwrap(), 3);
        assert_eq!(t.int("b").unwrap(), 4);
        let e = t.int("c").unwrap_err().to_string();
        assert!(e.contains("第 3 个数字"), "{e}");
        assert!(t.is_empty());
    }
}
