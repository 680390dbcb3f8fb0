//! Chinese text matching for Innomesh: segmentation with domain dictionaries, a BM25 index, a
//! built-in LSA embedder, sentence similarity, corpus retrieval with a discipline decision learned
//! from the corpus's own metadata, demand → solver matching with checkable evidence, and
//! problem-card completeness. Pure: no IO besides the reader/writer handed to the `run_*` entry
//! points, no network, no clock; randomness is seeded, and the classifier folds trained on
//! parallel threads give the same result as sequential training.

pub mod bm25;
pub mod card;
pub mod classify;
mod cli;
pub mod cluster;
pub mod dict;
pub mod embed;
pub mod error;
mod linalg;
pub mod normalize;
pub mod retrieval;
pub mod segment;
pub mod similarity;
pub mod solver;
pub mod tfidf;

pub use card::{check_card, CardIssue, DemandCard, IssueKind};
pub use cli::{
    match_line, match_line_with, pair_scores, parse_pairs, read_corpus, read_queries, run_match,
    run_match_with, run_similarity, run_similarity_with, SentenceModel,
};
pub use dict::{AliasDict, UserDict};
pub use embed::{Embedder, LsaConfig, LsaEmbedder};
pub use error::MatchError;
pub use retrieval::{CorpusDoc, Hit, Query, RetrievalConfig, Retriever};
pub use segment::Segmenter;
pub use similarity::{similarity, SimilarityConfig, SimilarityModel, SimilarityParts};
pub use solver::{
    match_adopters, match_solvers, Achievement, AdopterHit, AdopterIndex, Collaboration, Demand,
    Enterprise, Evidence, MatchedTerm, Solver, SolverHit, SolverIndex, SolverKind,
    SolverMatchConfig,
};
