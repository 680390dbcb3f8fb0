//! Chinese full-text search over every registry record: a tantivy index whose tokenizer is the
//! matching crate's jieba `Segmenter`, boolean queries built from our own segmentation with alias
//! expansion, facet counts by kind and district, and `<mark>`-highlighted snippets. The index is a
//! derived cache of the store: `rebuild` recreates it from records at any time.

mod error;
mod highlight;
mod index;
mod query;
mod tokenizer;

pub use error::SearchError;
pub use index::{FacetCount, Facets, SearchHit, SearchIndex, SearchQuery, SearchResults};
pub use tokenizer::JiebaTokenizer;
