//! Saved consortium proposals (创新联合体组建建议): the contract every backend keeps. A saved
//! proposal is audited in its transaction and never changes.

use crate::{Actor, StoreError};
use serde::Serialize;

/// One saved proposal. `data` is the JSON of its members and their relations, as checked by the
/// application core.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredConsortium {
    pub id: String,
    pub title: String,
    /// `node` (a chain node, usually a gap), `problem` (a common problem) or `demand`.
    pub basis_kind: String,
    pub basis_id: String,
    pub basis_label: String,
    /// The saved proposal this one revises.
    pub revises: Option<String>,
    pub data: String,
    pub note: String,
    pub created_by: String,
    pub created_at: String,
}

pub trait ConsortiumStore {
    /// Saves a new proposal (its `id`, `created_by` and `created_at` are assigned) and returns it.
    fn consortium_save(
        &self,
        proposal: &StoredConsortium,
        actor: &Actor,
    ) -> Result<StoredConsortium, StoreError>;
    /// Every saved proposal, newest first.
    fn consortia(&self) -> Result<Vec<StoredConsortium>, StoreError>;
    fn consortium(&self, id: &str) -> Result<Option<StoredConsortium>, StoreError>;
}
