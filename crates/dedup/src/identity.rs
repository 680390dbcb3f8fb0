//! Team members' identity: ID numbers reduced on entry to a keyed hash (HMAC-SHA256 under a
//! caller's secret) and a masked form; the full number is never kept or shown.

use serde::{Deserialize, Serialize};

use crate::normalize::fold_char;
use crate::sha256::hmac_sha256;
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
