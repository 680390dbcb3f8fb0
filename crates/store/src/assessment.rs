//! Assessment rounds and manual indicator entries (考核评估): the contract every backend keeps.
//! Every write is audited in its transaction; a published round and its entries never change.

use crate::{Actor, StoreError};
use serde::Serialize;

/// One assessment round: a framework version run over the registry for one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRound {
    pub id: String,
    pub name: String,
    pub framework_id: String,
    pub framework_version: String,
    /// The framework file (YAML) the round is run with, frozen with the round.
    pub framework: String,
    pub year: i32,
    /// `draft` or `published`.
    pub status: String,
    /// The data table (CSV) the published results were computed from.
    pub snapshot: Option<String>,
    /// SHA-256 (hex) of `snapshot`.
    pub snapshot_hash: Option<String>,
    /// The published results (JSON).
    pub results: Option<String>,
    pub created_at: String,
    pub published_at: Option<String>,
    /// A joint round's units (centre–laboratory pairs), fixed at creation; empty otherwise.
    pub pairs: Vec<RoundPair>,
}

/// One unit of a joint round: a manufacturing innovation centre and a key laboratory.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundPair {
    /// `centre+laboratory` (the two platform ids).
    pub unit_id: String,
    pub centre: String,
    pub laboratory: String,
}

/// An evidence file for an indicator value (without its bytes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceFile {
    pub id: String,
    pub round_id: String,
    pub unit_id: String,
    pub indicator: String,
    /// The name the uploader gave (shown, never used as a path).
    pub file_name: String,
    /// Found from the content: PDF, PNG, JPEG or XLSX.
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// A manual indicator value entered by a platform with its evidence, and the bureau's check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentEntry {
    pub round_id: String,
    pub unit_id: String,
    pub indicator: String,
    pub value: String,
    pub evidence: String,
    /// `submitted` (填报), `approved` (审核通过) or `returned` (退回).
    pub status: String,
    pub entered_by: String,
    pub entered_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_note: String,
}

/// A framework version saved in the registry (YAML text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredFramework {
    pub id: String,
    pub version: String,
    pub framework: String,
    pub created_at: String,
}

pub trait AssessmentStore {
    /// Saves a new framework version (`Conflict` when that id and version exist).
    fn assessment_framework_save(
        &self,
        f: &StoredFramework,
        actor: &Actor,
    ) -> Result<(), StoreError>;
    fn assessment_frameworks(&self) -> Result<Vec<StoredFramework>, StoreError>;
    /// A new draft round (`Conflict` when the id is taken).
    fn assessment_round_create(
        &self,
        round: &AssessmentRound,
        actor: &Actor,
    ) -> Result<(), StoreError>;
    fn assessment_rounds(&self) -> Result<Vec<AssessmentRound>, StoreError>;
    fn assessment_round(&self, id: &str) -> Result<Option<AssessmentRound>, StoreError>;
    /// Publishes a draft with its snapshot, hash and results; a published round is `Conflict`.
    fn assessment_round_publish(
        &self,
        id: &str,
        snapshot: &str,
        snapshot_hash: &str,
        results: &str,
        actor: &Actor,
    ) -> Result<(), StoreError>;
    fn assessment_entries(&self, round_id: &str) -> Result<Vec<AssessmentEntry>, StoreError>;
    /// One unit's figure for one indicator of a round, when entered.
    fn assessment_entry(
        &self,
        round_id: &str,
        unit_id: &str,
        indicator: &str,
    ) -> Result<Option<AssessmentEntry>, StoreError>;
    /// 填报: enters or replaces a value (status `submitted`); refused once the round is published.
    fn assessment_entry_submit(
        &self,
        entry: &AssessmentEntry,
        actor: &Actor,
    ) -> Result<(), StoreError>;
    /// Adds an evidence file (its id is assigned here and returned); refused once the round is
    /// published. Audited with its name, type, size and hash (never its content).
    fn assessment_evidence_add(
        &self,
        file: &EvidenceFile,
        content: &[u8],
        actor: &Actor,
    ) -> Result<EvidenceFile, StoreError>;
    /// The evidence files of a round, oldest first (without their bytes).
    fn assessment_evidence(&self, round_id: &str) -> Result<Vec<EvidenceFile>, StoreError>;
    /// One evidence file with its bytes.
    fn assessment_evidence_file(
        &self,
        id: &str,
    ) -> Result<Option<(EvidenceFile, Vec<u8>)>, StoreError>;
    /// 审核: approves or returns a submitted value.
    fn assessment_entry_review(
        &self,
        round_id: &str,
        unit_id: &str,
        indicator: &str,
        approve: bool,
        note: &str,
        actor: &Actor,
    ) -> Result<(), StoreError>;
}
