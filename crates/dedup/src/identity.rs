//! Team members' identity: ID numbers reduced on entry to a keyed hash (HMAC-SHA256 under a
//! caller's secret) and a masked form; the full number is never kept or shown.

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::normalize::fold_char;
use crate::types::TeamMember;

/// The secret key for hashing ID numbers. Its `Debug` never prints the key.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityKey(Vec<u8>);

impl IdentityKey {
    /// A key from secret bytes (at least 16 bytes are recommended).
    pub fn new(secret: impl Into<Vec<u8>>) -> Self {
        IdentityKey(secret.into())
    }
}

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`, by the RustCrypto crates. Digests live only for
/// one run (tokens are rebuilt from the submitted ID numbers every time), but a key must still
/// give the same digests as the hand-written version it replaced: see the tests.
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

impl std::fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityKey(***)")
    }
}

/// A team member as the detector keeps them: name, keyed digest and masked ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonToken {
    /// Name as submitted.
    pub name: String,
    /// HMAC-SHA256(key, normalised ID number).
    pub digest: [u8; 32],
    /// e.g. `1502**********1234`.
    pub masked: String,
}

/// Normalises an ID number: width folded, spaces and dashes removed, check letter upper case.
pub fn normalise_id(id: &str) -> String {
    id.chars()
        .map(fold_char)
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Masks an ID number: first four and last four characters shown, the rest as `*`
/// (for numbers of eight characters or fewer only the last two are shown).
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = normalise_id(id).chars().collect();
    let n = chars.len();
    let (head, tail) = if n > 8 { (4, 4) } else { (0, n.min(2)) };
    let mut out = String::with_capacity(n);
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', n - head - tail));
    out.extend(&chars[n - tail..]);
    out
}

/// Turns submitted team members into tokens; members with an empty ID number are skipped.
pub fn tokens(team: &[TeamMember], key: &IdentityKey) -> Vec<PersonToken> {
    let mut out: Vec<PersonToken> = team
        .iter()
        .filter_map(|m| {
            let id = normalise_id(&m.id_number);
            if id.is_empty() {
                return None;
            }
            Some(PersonToken {
                name: m.name.trim().to_string(),
                digest: hmac_sha256(&key.0, id.as_bytes()),
                masked: mask_id(&id),
            })
        })
        .collect();
    out.sort_by_key(|t| t.digest);
    out.dedup_by(|a, b| a.digest == b.digest);
    out
}

/// A person found in both applications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedPerson {
    /// Name in application `a`.
    pub name_a: String,
    /// Name in application `b`.
    pub name_b: String,
    /// Masked ID number.
    pub id_masked: String,
}

/// People shared by a pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeopleEvidence {
    /// The shared people.
    pub shared: Vec<SharedPerson>,
    /// Shared count over the smaller team.
    pub share: f64,
}

/// People present in both token lists (each sorted by digest).
pub fn shared_people(a: &[PersonToken], b: &[PersonToken]) -> Option<PeopleEvidence> {
    let mut shared = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].digest.cmp(&b[j].digest) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared.push(SharedPerson {
                    name_a: a[i].name.clone(),
                    name_b: b[j].name.clone(),
                    id_masked: a[i].masked.clone(),
                });
                i += 1;
                j += 1;
            }
        }
    }
    if shared.is_empty() {
        return None;
    }
    let share = shared.len() as f64 / a.len().min(b.len()) as f64;
    Some(PeopleEvidence {
        shared,
        share: crate::align::round4(share),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str) -> TeamMember {
        TeamMember {
            name: "张三".into(),
            id_number: id.into(),
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 4231 §4.2–4.8, HMAC-SHA-256 column: (key, data, expected; case 5 is truncated to 128 bits).
    #[test]
    fn hmac_matches_rfc_4231() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 7] = [
            (
                vec![0x0b; 20],
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 20],
                vec![0xdd; 50],
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
            (
                unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"),
                vec![0xcd; 50],
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            ),
            (
                vec![0x0c; 20],
                b"Test With Truncation".to_vec(),
                "a3b6167473100ee06e0c796c2955552b",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                vec![0xaa; 131],
                b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
                    .to_vec(),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            ),
        ];
        for (i, (key, data, want)) in cases.iter().enumerate() {
            let got = hex(&hmac_sha256(key, data));
            assert_eq!(&got[..want.len()], *want, "RFC 4231 test case {}", i + 1);
        }
    }

    /// Digests computed with the crate's former hand-written HMAC-SHA256 before it was replaced:
    /// the same key and ID number must give the same digest (short, 64-byte and over-long keys).
    #[test]
    fn digests_unchanged_from_the_former_implementation() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 5] = [
            (
                b"test-key-0123456789".to_vec(),
                b"150203199001011234".to_vec(),
                "5db3925dbb1d09ba0f56ac8428345478ac6166ee7e36a7e50831750a42e3f963",
            ),
            (
                b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".to_vec(),
                b"15020319900101123X".to_vec(),
                "9a9a975e4563aba64acecdd3d376ba2641ecf8e57ddb1e8714626e0e129abd8c",
            ),
            (
                b"k1-secret-0123456".to_vec(),
                Vec::new(),
                "a930c6e0e3de6d02db56b4730ff3dce90f99232e07982e66d893e6335adcecb6",
            ),
            (
                vec![0x5a; 100],
                b"110101198001010011".to_vec(),
                "cb317b4f21cb42f5e3ac6d226f967f32cd740facd0f60d5e8852d43aadf663fe",
            ),
            (
                vec![0x01; 64],
                vec![0xff; 200],
                "3c9c886d90b99d03375513cf16346532f39a82a6aa036ecc9e92849f616b675e",
            ),
        ];
        for (key, msg, want) in &cases {
            assert_eq!(hex(&hmac_sha256(key, msg)), *want);
        }
        // Through the public path: the ID number is normalised first, then hashed.
        let key = IdentityKey::new(b"test-key-0123456789".to_vec());
        let t = tokens(&[member(" 1502-0319-9001-0112-34 ")], &key);
        assert_eq!(hex(&t[0].digest), cases[0].2);
    }

    #[test]
    fn masks_keep_only_ends() {
        assert_eq!(mask_id("150203199001011234"), "1502**********1234");
        assert_eq!(mask_id("15020319900101123x"), "1502**********123X");
        assert_eq!(mask_id("1234"), "**34");
    }

    #[test]
    fn same_id_same_digest_under_one_key_only() {
        let k1 = IdentityKey::new(b"k1-secret-0123456".to_vec());
        let k2 = IdentityKey::new(b"k2-secret-0123456".to_vec());
        let a = tokens(&[member("150203199001011234")], &k1);
        let b = tokens(&[member("１５０２０３ 1990 0101 1234")], &k1);
        let c = tokens(&[member("150203199001011234")], &k2);
        assert_eq!(a[0].digest, b[0].digest);
        assert_ne!(a[0].digest, c[0].digest);
        let ev = shared_people(&a, &b).expect("shared");
        assert_eq!(ev.shared[0].id_masked, "1502**********1234");
        assert!(!format!("{:?} {:?}", ev, k1).contains("199001011234"));
        assert!(!format!("{k1:?}").contains("secret"));
    }
}
