//! The search index: schema, writes (rebuild, upsert, delete, commit) and search with facets and
//! snippets. One writer behind a mutex; the reader is reloaded on every commit, so a committed
//! write is visible to the next search.

use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use innomesh_core::{EntityKind, Record};
use innomesh_matching::{AliasDict, Segmenter, UserDict};
use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value,
    STORED, STRING,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::error::SearchError;
use crate::highlight;
use crate::query::Plan;
use crate::tokenizer::{JiebaTokenizer, TOKENIZER};

/// Writer memory per indexing thread.
const MEMORY_PER_THREAD: usize = 64 * 1024 * 1024;
/// Baotou's region prefix: district facets count its six-digit districts.
const DISTRICT_FACET: &str = "district";

/// Score given to the record whose id is the query itself: above any text score (BM25 scores of
/// short names and texts stay in the tens).
const EXACT_ID_SCORE: f32 = 1.0e6;

/// The query as a record id, when it looks like one: one token of ASCII letters and digits
/// (credit codes, `AP000002`, `PE000127`), upper-cased as ids are stored. Which record it is, if
/// any, the index decides.
fn exact_id(q: &str) -> Option<String> {
    let t = innomesh_matching::normalize::normalize(q.trim());
    let t = t.trim();
    (t.len() >= 4 && t.bytes().all(|b| b.is_ascii_alphanumeric())).then(|| t.to_ascii_uppercase())
}

/// What to search for. `region_prefix` is a code prefix (`1502` all of Baotou, `150203` 昆都仑区).
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub q: String,
    pub kinds: Vec<EntityKind>,
    pub region_prefix: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

/// One facet value and how many matching records carry it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FacetCount {
    pub key: String,
    pub label: String,
    pub count: u64,
}

/// Facet counts over all matches (not just the returned page).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Facets {
    pub kinds: Vec<FacetCount>,
    pub districts: Vec<FacetCount>,
}

/// One matching record with highlighted name and text snippet (HTML, escaped, `<mark>`).
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub kind: String,
    pub id: String,
    pub name: String,
    pub name_html: String,
    pub snippet_html: String,
    pub score: f32,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct SearchResults {
    pub total: usize,
    pub facets: Facets,
    pub hits: Vec<SearchHit>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    name: Field,
    text: Field,
    region: Field,
    industry: Field,
    subkind: Field,
    kind_facet: Field,
    district_facet: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let words = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_text_field("id", STRING | STORED),
        name: b.add_text_field("name", words(true)),
        text: b.add_text_field("text", words(true)),
        region: b.add_text_field("region", STRING),
        industry: b.add_text_field("industry", STRING),
        subkind: b.add_text_field("subkind", STRING),
        kind_facet: b.add_facet_field("kind_facet", FacetOptions::default()),
        district_facet: b.add_facet_field(DISTRICT_FACET, FacetOptions::default()),
    };
    (b.build(), fields)
}

/// The full-text index over every registry record.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    /// The segmenter and alias groups in use; replaced together by `set_dictionaries`.
    dicts: RwLock<(Arc<Segmenter>, Arc<AliasDict>)>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex").finish_non_exhaustive()
    }
}

fn key(kind: EntityKind, id: &str) -> String {
    format!("{}:{id}", kind.code())
}

impl SearchIndex {
    /// Opens the index in `dir`, creating the directory and an empty index when absent.
    pub fn open_or_create(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        Self::with_index(index, fields, UserDict::bundled(), AliasDict::bundled())
    }

    /// Opens the index in `dir` with given dictionaries.
    pub fn open_or_create_with(
        dir: &Path,
        user: UserDict,
        aliases: AliasDict,
    ) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let index = Index::open_or_create(MmapDirectory::open(dir)?, schema)?;
        Self::with_index(index, fields, user, aliases)
    }

    /// An empty index in memory (tests, and the server when no index directory was given).
    pub fn in_memory() -> Result<Self, SearchError> {
        Self::in_memory_with(UserDict::bundled(), AliasDict::bundled())
    }

    /// In memory, with given dictionaries (the alias and user dictionaries are editable data).
    pub fn in_memory_with(user: UserDict, aliases: AliasDict) -> Result<Self, SearchError> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields, user, aliases)
    }

    fn with_index(
        index: Index,
        fields: Fields,
        user: UserDict,
        aliases: AliasDict,
    ) -> Result<Self, SearchError> {
        let seg = Arc::new(Segmenter::new(&user, &aliases));
        index
            .tokenizers()
            .register(TOKENIZER, JiebaTokenizer::new(seg.clone()));
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 4);
        let writer = index.writer_with_num_threads(threads, threads * MEMORY_PER_THREAD)?;
        // Manual: `commit` reloads the reader itself, so a write is visible as soon as it returns.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Mutex::new(writer),
            fields,
            dicts: RwLock::new((seg, Arc::new(aliases))),
        })
    }

    /// Replaces the user and alias dictionaries. Documents already indexed keep their old
    /// segmentation: `rebuild` afterwards so the whole index follows the new words.
    pub fn set_dictionaries(&self, user: &UserDict, aliases: AliasDict) -> Result<(), SearchError> {
        let seg = Arc::new(Segmenter::new(user, &aliases));
        // Hold the writer so no document is tokenised half with the old and half with the new.
        let _w = self.writer()?;
        self.index
            .tokenizers()
            .register(TOKENIZER, JiebaTokenizer::new(seg.clone()));
        let mut d = self.dicts.write().map_err(|_| SearchError::Poisoned)?;
        *d = (seg, Arc::new(aliases));
        Ok(())
    }

    /// Replaces the dictionaries and re-segments every record, all under the writer lock: writes
    /// made meanwhile wait and land afterwards, and `records` is read inside the lock so none is
    /// lost. Queries keep the old dictionaries until the new index is committed. On any failure the
    /// old index and dictionaries stay as they were.
    pub fn rebuild_with_dictionaries(
        &self,
        user: &UserDict,
        aliases: AliasDict,
        records: impl FnOnce() -> Result<Vec<Record>, String>,
    ) -> Result<usize, SearchError> {
        let seg = Arc::new(Segmenter::new(user, &aliases));
        let mut w = self.writer()?;
        let records = records().map_err(SearchError::Source)?;
        let (old_seg, _) = self.dicts()?;
        let tokenizers = self.index.tokenizers();
        tokenizers.register(TOKENIZER, JiebaTokenizer::new(seg.clone()));
        let written = (|| -> Result<usize, SearchError> {
            w.delete_all_documents()?;
            for r in &records {
                w.add_document(self.document(r))?;
            }
            w.commit()?;
            Ok(records.len())
        })();
        match written {
            Ok(n) => {
                *self.dicts.write().map_err(|_| SearchError::Poisoned)? = (seg, Arc::new(aliases));
                drop(w);
                self.reader.reload()?;
                Ok(n)
            }
            Err(e) => {
                let _ = w.rollback();
                tokenizers.register(TOKENIZER, JiebaTokenizer::new(old_seg));
                Err(e)
            }
        }
    }

    fn dicts(&self) -> Result<(Arc<Segmenter>, Arc<AliasDict>), SearchError> {
        let d = self.dicts.read().map_err(|_| SearchError::Poisoned)?;
        Ok((d.0.clone(), d.1.clone()))
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, SearchError> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    fn document(&self, record: &Record) -> TantivyDocument {
        let f = &self.fields;
        let kind = record.kind();
        let ix = record.index();
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, key(kind, record.id()));
        doc.add_text(f.kind, kind.code());
        doc.add_text(f.id, record.id());
        doc.add_text(f.name, &ix.name);
        doc.add_text(f.text, ix.text.trim());
        doc.add_facet(f.kind_facet, Facet::from_path([kind.code()]));
        if let Some(region) = &ix.region {
            // Every prefix, so a region filter is one term lookup.
            for len in (2..=region.len()).filter(|l| region.is_char_boundary(*l)) {
                doc.add_text(f.region, &region[..len]);
            }
            if region.len() >= 6 && region.is_char_boundary(6) {
                doc.add_facet(f.district_facet, Facet::from_path([&region[..6]]));
            }
        }
        if let Some(path) = &ix.industry_path {
            for part in path.split(['/', '>', ' ']).filter(|p| !p.is_empty()) {
                doc.add_text(f.industry, part);
            }
        }
        if let Some(sub) = ix.subkind {
            doc.add_text(f.subkind, sub);
        }
        doc
    }

    /// Replaces the whole index with `records` and commits.
    pub fn rebuild<'a>(
        &self,
        records: impl IntoIterator<Item = &'a Record>,
    ) -> Result<usize, SearchError> {
        self.rebuild_at(records, None)
    }

    /// Replaces the whole index with `records` read at registry `version`, and commits with it.
    pub fn rebuild_at<'a>(
        &self,
        records: impl IntoIterator<Item = &'a Record>,
        version: Option<i64>,
    ) -> Result<usize, SearchError> {
        let mut w = self.writer()?;
        w.delete_all_documents()?;
        let mut n = 0;
        for r in records {
            w.add_document(self.document(r))?;
            n += 1;
        }
        let mut prepared = w.prepare_commit()?;
        if let Some(v) = version {
            prepared.set_payload(&format!("version={v}"));
        }
        prepared.commit()?;
        drop(w);
        self.reader.reload()?;
        Ok(n)
    }

    /// Adds or replaces one record (visible after `commit`).
    pub fn upsert(&self, record: &Record) -> Result<(), SearchError> {
        let w = self.writer()?;
        w.delete_term(Term::from_field_text(
            self.fields.key,
            &key(record.kind(), record.id()),
        ));
        w.add_document(self.document(record))?;
        Ok(())
    }

    /// Removes one record (visible after `commit`).
    pub fn delete(&self, kind: EntityKind, id: &str) -> Result<(), SearchError> {
        let w = self.writer()?;
        w.delete_term(Term::from_field_text(self.fields.key, &key(kind, id)));
        Ok(())
    }

    /// Removes every record of `kind` (visible after `commit`), e.g. before re-adding an import.
    pub fn delete_kind(&self, kind: EntityKind) -> Result<(), SearchError> {
        let w = self.writer()?;
        w.delete_term(Term::from_field_text(self.fields.kind, kind.code()));
        Ok(())
    }

    /// Makes every write so far durable and visible to the next search.
    pub fn commit(&self) -> Result<(), SearchError> {
        self.writer()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Commits and records, in the same commit, the registry version (audit sequence) that the
    /// index now reflects, so a restart knows exactly which changes it still has to replay.
    pub fn commit_at(&self, version: i64) -> Result<(), SearchError> {
        {
            let mut w = self.writer()?;
            let mut prepared = w.prepare_commit()?;
            prepared.set_payload(&format!("version={version}"));
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The registry version recorded by the last `commit_at` (none for an index committed
    /// without one, which must then be rebuilt).
    pub fn committed_version(&self) -> Option<i64> {
        let metas = self.index.load_metas().ok()?;
        metas
            .payload
            .as_deref()
            .and_then(|p| p.strip_prefix("version="))
            .and_then(|v| v.parse().ok())
    }

    /// Number of records in the index as last committed.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The tantivy index (for inspection in tools).
    pub fn raw(&self) -> &Index {
        &self.index
    }

    /// Searches: every query word required (with aliases and sub-word fallbacks), filtered by
    /// kinds and region prefix; facets count all matches.
    pub fn search(&self, sq: &SearchQuery) -> Result<SearchResults, SearchError> {
        let f = &self.fields;
        let (seg, aliases) = self.dicts()?;
        let plan = Plan::parse(&sq.q, &seg, &aliases);
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let filter =
            |q: Box<dyn Query>| -> Box<dyn Query> { Box::new(ConstScoreQuery::new(q, 0.0)) };
        let term = |field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        let words = plan.query(&seg, f.name, f.text);
        match (words, exact_id(&sq.q)) {
            // A query that is a record's id (an organisation's credit code, AP000002): that record
            // matches even when its text does not, and ranks above every text match.
            (Some(words), Some(id)) => clauses.push((
                Occur::Must,
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, words),
                    (
                        Occur::Should,
                        Box::new(ConstScoreQuery::new(term(f.id, &id), EXACT_ID_SCORE)),
                    ),
                ])),
            )),
            (Some(words), None) => clauses.push((Occur::Must, words)),
            (None, _) => clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        if !sq.kinds.is_empty() {
            let any = sq
                .kinds
                .iter()
                .map(|k| (Occur::Should, term(f.kind, k.code())))
                .collect();
            clauses.push((Occur::Must, filter(Box::new(BooleanQuery::new(any)))));
        }
        if let Some(prefix) = sq.region_prefix.as_deref().filter(|p| !p.is_empty()) {
            clauses.push((Occur::Must, filter(term(f.region, prefix))));
        }
        let query = BooleanQuery::new(clauses);

        let searcher = self.reader.searcher();
        let mut kinds = FacetCollector::for_field("kind_facet");
        kinds.add_facet("/");
        let mut districts = FacetCollector::for_field(DISTRICT_FACET);
        districts.add_facet("/");
        let top = TopDocs::with_limit(sq.limit.max(1)).and_offset(sq.offset);
        let (total, top, kinds, districts) =
            searcher.search(&query, &(Count, top, kinds, districts))?;

        let terms = plan.highlight_terms(&seg);
        let mut hits = Vec::new();
        for (score, addr) in top.into_iter().take(sq.limit) {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let get = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let name = get(f.name);
            let text = get(f.text);
            hits.push(SearchHit {
                kind: get(f.kind),
                id: get(f.id),
                name_html: highlight::mark_all(&name, &terms),
                snippet_html: highlight::snippet(&text, &terms),
                name,
                score,
            });
        }
        let count = |counts: &tantivy::collector::FacetCounts, label: &dyn Fn(&str) -> String| {
            let mut out: Vec<FacetCount> = counts
                .get("/")
                .map(|(facet, count)| {
                    let key = facet
                        .to_path()
                        .last()
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    FacetCount {
                        label: label(&key),
                        key,
                        count,
                    }
                })
                .collect();
            out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
            out
        };
        let facets = Facets {
            kinds: count(&kinds, &|k| {
                EntityKind::from_code(k).map_or_else(|| k.to_string(), |k| k.label().to_string())
            }),
            districts: count(&districts, &|code| {
                innomesh_core::reference::regions()
                    .get(code)
                    .map_or_else(|| code.to_string(), |r| r.name.clone())
            }),
        };
        Ok(SearchResults {
            total,
            facets,
            hits,
        })
    }
}
