//! The audit log's hash chain: how an entry is hashed, and the walk that checks a whole log.
//! Backend-independent: a backend stores `prev_hash` and `hash` with each entry and feeds its
//! entries, in sequence order, to a `ChainWalk`.

use serde::Serialize;

/// What a walk over the whole audit log found (`Repository::verify_audit`).
#[derive(Debug, Clone, Serialize)]
pub struct AuditVerification {
    /// Entries read.
    pub checked: u64,
    /// The hash of the last entry (64 zeros for an empty log): write it down somewhere else, and
    /// a later verification proves that nothing up to it was changed or removed.
    pub head: String,
    /// The first place the chain breaks, if any.
    pub first_break: Option<AuditBreak>,
    /// How many places the chain breaks in all.
    pub breaks: u64,
}

impl AuditVerification {
    pub fn is_intact(&self) -> bool {
        self.first_break.is_none()
    }
}

/// Where and how the audit chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditBreak {
    /// The entry at which the break shows.
    pub seq: i64,
    pub fault: AuditFault,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum AuditFault {
    /// The entry's content no longer gives its hash: it was modified after it was written.
    Changed,
    /// Entries `from..=to` are missing (the sequence jumps over them).
    Removed { from: i64, to: i64 },
    /// The entry does not link to the one before it: an entry before it was removed, inserted or
    /// rewritten (with its hash recomputed).
    Unlinked,
}

impl std::fmt::Display for AuditBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let seq = self.seq;
        match &self.fault {
            AuditFault::Changed => write!(f, "第 {seq} 条内容被修改（哈希与内容不符）"),
            AuditFault::Removed { from, to } => {
                let which = if from == to {
                    format!("第 {from} 条")
                } else {
                    format!("第 {from}–{to} 条")
                };
                if seq > *to {
                    write!(f, "{which}被删除（第 {seq} 条之前缺少）")
                } else {
                    write!(f, "{which}被删除（日志末尾缺少）")
                }
            }
            AuditFault::Unlinked => {
                write!(f, "第 {seq} 条与前一条不相连（前一条被删除、插入或改写）")
            }
        }
    }
}

/// `prev_hash` of the first audit entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of one audit entry: SHA-256, as lower-case hex, over a length-prefixed encoding of
/// the previous entry's hash and every field of this one, so no two different entries encode to
/// the same bytes (a field's text can never be read as the start of the next field).
pub fn audit_hash(prev_hash: &str, seq: i64, entry: &AuditFields<'_>) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"innomesh-audit-v1");
    let mut field = |v: Option<&[u8]>| match v {
        None => h.update([0u8]),
        Some(b) => {
            h.update([1u8]);
            h.update((b.len() as u64).to_be_bytes());
            h.update(b);
        }
    };
    field(Some(prev_hash.as_bytes()));
    field(Some(&seq.to_be_bytes()));
    field(Some(entry.at.as_bytes()));
    field(Some(entry.actor.as_bytes()));
    field(Some(entry.role.as_bytes()));
    field(Some(entry.source.as_bytes()));
    field(Some(entry.action.as_bytes()));
    field(entry.kind.map(str::as_bytes));
    field(entry.entity_id.map(str::as_bytes));
    field(Some(entry.detail.as_bytes()));
    let digest = h.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hashed fields of an audit entry, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct AuditFields<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub role: &'a str,
    pub source: &'a str,
    pub action: &'a str,
    pub kind: Option<&'a str>,
    pub entity_id: Option<&'a str>,
    pub detail: &'a str,
}

impl crate::AuditEntry {
    /// The hash this entry's content gives after `prev_hash` (equal to `hash` when untouched).
    pub fn computed_hash(&self) -> String {
        audit_hash(
            &self.prev_hash,
            self.seq,
            &AuditFields {
                at: &self.at,
                actor: &self.actor,
                role: &self.role,
                source: &self.source,
                action: &self.action,
                kind: self.kind.as_deref(),
                entity_id: self.entity_id.as_deref(),
                detail: &self.detail,
            },
        )
    }
}

/// The state of a walk over the log in sequence order: only the previous entry's sequence and
/// hash are kept, so any length is checked in constant memory.
#[derive(Debug)]
pub(crate) struct ChainWalk {
    checked: u64,
    last_seq: i64,
    last_hash: String,
    first_break: Option<AuditBreak>,
    breaks: u64,
}

impl Default for ChainWalk {
    fn default() -> Self {
        Self {
            checked: 0,
            last_seq: 0,
            last_hash: GENESIS_HASH.to_string(),
            first_break: None,
            breaks: 0,
        }
    }
}

impl ChainWalk {
    fn broken(&mut self, seq: i64, fault: AuditFault) {
        self.breaks += 1;
        if self.first_break.is_none() {
            self.first_break = Some(AuditBreak { seq, fault });
        }
    }

    pub(crate) fn step(&mut self, e: &crate::AuditEntry) {
        self.checked += 1;
        if e.seq != self.last_seq + 1 {
            self.broken(
                e.seq,
                AuditFault::Removed {
                    from: self.last_seq + 1,
                    to: e.seq - 1,
                },
            );
        } else if e.prev_hash != self.last_hash {
            self.broken(e.seq, AuditFault::Unlinked);
        }
        if e.computed_hash() != e.hash {
            self.broken(e.seq, AuditFault::Changed);
        }
        // The next entry links to the hash stored here: one changed entry is one break.
        self.last_seq = e.seq;
        self.last_hash = e.hash.clone();
    }

    /// Ends the walk; `highest` is the highest sequence the backend ever handed out (entries
    /// removed at the end of the log have no later entry to reveal them).
    pub(crate) fn end(&mut self, highest: i64) {
        if highest > self.last_seq {
            let from = self.last_seq + 1;
            self.broken(from, AuditFault::Removed { from, to: highest });
        }
    }

    pub(crate) fn into_verification(self) -> AuditVerification {
        AuditVerification {
            checked: self.checked,
            head: self.last_hash,
            first_break: self.first_break,
            breaks: self.breaks,
        }
    }
}
