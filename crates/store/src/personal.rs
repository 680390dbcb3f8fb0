//! Personal data at rest: the values the schema declares personal (people's phone and ID number,
//! an organisation's contact phone, the ID numbers of an application's team) are sealed with
//! AES-256-GCM before a document is written and opened again when it is read, so nothing above
//! the store ever sees ciphertext and the database file never holds these values in plain.
//!
//! A sealed value is `enc:v1:<key id>:<base64 of nonce ‖ ciphertext ‖ tag>`; the nonce is 96
//! random bits from the OS for every value, and the associated data is where the value sits
//! (`person/PE000001/id_number`), so a sealed value copied into another record or field does not
//! open. A value without the `enc:` prefix is plaintext written by an earlier version.

use crate::StoreError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine;
use innomesh_core::schema::{fields, FieldType};
use innomesh_core::EntityKind;
use serde_json::Value;

const PREFIX: &str = "enc:v1:";
const NONCE_LEN: usize = 12;

/// A 256-bit key for personal data, known by an id derived from it (the first 16 hex digits of
/// a SHA-256 over it: names the key in sealed values and messages without revealing it).
pub struct DataKey {
    id: String,
    bytes: zeroize::Zeroizing<[u8; 32]>,
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DataKey({})", self.id)
    }
}

impl Clone for DataKey {
    fn clone(&self) -> Self {
        Self::from_bytes(*self.bytes)
    }
}

impl DataKey {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(b"innomesh-data-key-id");
        h.update(bytes);
        let id = h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Self {
            id,
            cipher: Aes256Gcm::new(&bytes.into()),
            bytes: zeroize::Zeroizing::new(bytes),
        }
    }

    /// A new key from the OS random source.
    pub fn generate() -> Result<Self, StoreError> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| StoreError::DataKey(format!("无法从操作系统取得随机数：{e}")))?;
        Ok(Self::from_bytes(bytes))
    }

    /// A key written as 64 hex digits or as base64 of its 32 bytes (surrounding blanks ignored).
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            let mut bytes = [0u8; 32];
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = u8::from_str_radix(&t[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
            }
            return Ok(Self::from_bytes(bytes));
        }
        let decoded = STANDARD
            .decode(t)
            .or_else(|_| STANDARD_NO_PAD.decode(t))
            .map_err(|_| {
                "密钥格式不对：应为 64 位十六进制数字，或 32 字节的 base64 编码".to_string()
            })?;
        let bytes: [u8; 32] = decoded.try_into().map_err(|v: Vec<u8>| {
            format!(
                "密钥长度不对：应为 32 字节（256 位），实际为 {} 字节",
                v.len()
            )
        })?;
        Ok(Self::from_bytes(bytes))
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// 64 lower-case hex digits (the key file's content).
    pub fn to_hex(&self) -> String {
        self.bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn seal(&self, aad: &str, plain: &str) -> Result<String, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|e| StoreError::DataKey(format!("无法从操作系统取得随机数：{e}")))?;
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::DataKey("个人信息加密失败".into()))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}:{}", self.id, STANDARD.encode(out)))
    }

    fn open(&self, aad: &str, body: &str) -> Result<String, ()> {
        let raw = STANDARD.decode(body).map_err(|_| ())?;
        if raw.len() < NONCE_LEN {
            return Err(());
        }
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| ())?;
        let plain = self
            .cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| ())?;
        String::from_utf8(plain).map_err(|_| ())
    }
}

/// Whether a stored value is sealed (else it is plaintext of an earlier version).
pub fn is_sealed(value: &str) -> bool {
    value.starts_with("enc:")
}

/// The id of the key a sealed value was written with.
pub fn sealed_key_id(value: &str) -> Option<&str> {
    value.strip_prefix(PREFIX)?.split(':').next()
}

/// The keys a store reads and writes with: values are sealed with `current`; `previous` opens
/// values of the key being rotated away from.
#[derive(Debug, Clone)]
pub(crate) struct Keyring {
    pub current: DataKey,
    pub previous: Option<DataKey>,
}

impl Keyring {
    pub fn new(current: DataKey) -> Self {
        Self {
            current,
            previous: None,
        }
    }

    fn key(&self, id: &str) -> Option<&DataKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
    }

    /// The plaintext of a stored value (plaintext of an earlier version passes through).
    pub fn open_value(&self, aad: &str, stored: &str) -> Result<String, StoreError> {
        if !is_sealed(stored) {
            return Ok(stored.to_string());
        }
        let bad = || {
            StoreError::DataKey(format!(
                "个人信息「{aad}」无法解密：密文已损坏，或被移到了别处"
            ))
        };
        let rest = stored.strip_prefix(PREFIX).ok_or_else(bad)?;
        let (id, body) = rest.split_once(':').ok_or_else(bad)?;
        let key = self.key(id).ok_or_else(|| {
            StoreError::DataKey(format!(
                "个人信息「{aad}」由密钥 {id} 加密，当前密钥为 {}：请使用加密时的密钥（环境变量 \
                 INNOMESH_DATA_KEY 或数据目录中的 personal-data.key）",
                self.current.id
            ))
        })?;
        key.open(aad, body).map_err(|_| bad())
    }

    /// Seals every personal value of a record's document in place.
    pub fn seal_doc(&self, kind: EntityKind, doc: &mut Value) -> Result<(), StoreError> {
        let id = record_id(kind, doc);
        let mut result = Ok(());
        for_each_personal(kind, doc, |path, v| {
            if let (Value::String(s), Ok(())) = (&*v, &result) {
                if !is_sealed(s) {
                    match self.current.seal(&aad(kind, &id, path), s) {
                        Ok(sealed) => *v = Value::String(sealed),
                        Err(e) => result = Err(e),
                    }
                }
            }
        });
        result
    }

    /// Opens every personal value of a stored document in place.
    pub fn open_doc(&self, kind: EntityKind, doc: &mut Value) -> Result<(), StoreError> {
        let id = record_id(kind, doc);
        let mut result = Ok(());
        for_each_personal(kind, doc, |path, v| {
            if let (Value::String(s), Ok(())) = (&*v, &result) {
                match self.open_value(&aad(kind, &id, path), s) {
                    Ok(plain) => *v = Value::String(plain),
                    Err(e) => result = Err(e),
                }
            }
        });
        result
    }

    /// Whether a stored document holds a personal value not sealed with the current key.
    pub fn needs_reseal(&self, kind: EntityKind, doc: &mut Value) -> bool {
        let mut stale = false;
        for_each_personal(kind, doc, |_, v| {
            if let Value::String(s) = v {
                stale |= sealed_key_id(s) != Some(self.current.id());
            }
        });
        stale
    }
}

/// Whether records of `kind` hold personal values at all.
pub(crate) fn has_personal(kind: EntityKind) -> bool {
    fields(kind)
        .iter()
        .any(|f| f.personal || matches!(f.ty, FieldType::Team))
}

/// Each personal value of a document, by its path (`phone`, `team/2/id_number`): every field the
/// schema marks personal, and the ID number of each team member (a team row is
/// 「姓名/身份证号/角色」; the schema does not mark the field personal because forms and exports
/// treat the team as a whole, but its ID numbers are as personal as a person's).
fn for_each_personal(kind: EntityKind, doc: &mut Value, mut f: impl FnMut(&str, &mut Value)) {
    for spec in fields(kind) {
        if spec.personal {
            if let Some(v) = doc.get_mut(spec.key).filter(|v| !v.is_null()) {
                f(spec.key, v);
            }
        } else if matches!(spec.ty, FieldType::Team) {
            if let Some(Value::Array(members)) = doc.get_mut(spec.key) {
                for (i, m) in members.iter_mut().enumerate() {
                    if let Some(v) = m.get_mut("id_number").filter(|v| !v.is_null()) {
                        f(&format!("{}/{i}/id_number", spec.key), v);
                    }
                }
            }
        }
    }
}

fn record_id(kind: EntityKind, doc: &Value) -> String {
    doc.get(kind.id_key())
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn aad(kind: EntityKind, id: &str, path: &str) -> String {
    format!("{}/{id}/{path}", kind.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_opens_only_with_its_key_and_in_its_place() {
        let k = DataKey::generate().unwrap();
        let ring = Keyring::new(k.clone());
        let s = k.seal("person/PE1/phone", "13800138000").unwrap();
        assert!(s.starts_with(&format!("enc:v1:{}:", k.id())));
        assert_ne!(s, k.seal("person/PE1/phone", "13800138000").unwrap());
        assert_eq!(
            ring.open_value("person/PE1/phone", &s).unwrap(),
            "13800138000"
        );
        assert!(ring.open_value("person/PE2/phone", &s).is_err());
        let other = Keyring::new(DataKey::generate().unwrap());
        let e = other.open_value("person/PE1/phone", &s).unwrap_err();
        assert!(e.to_string().contains(k.id()), "{e}");
        assert_eq!(ring.open_value("x", "13800138000").unwrap(), "13800138000");
    }

    #[test]
    fn keys_parse_from_hex_and_base64() {
        let k = DataKey::generate().unwrap();
        let hex = k.to_hex();
        assert_eq!(DataKey::parse(&hex).unwrap().id(), k.id());
        let b64 = STANDARD.encode(*k.bytes);
        assert_eq!(DataKey::parse(&format!(" {b64}\n")).unwrap().id(), k.id());
        assert!(DataKey::parse("abc").is_err());
        assert!(DataKey::parse(&STANDARD.encode([1u8; 16])).is_err());
        assert!(!format!("{k:?}").contains(&hex));
    }
}
