//! The editable dictionaries: alias groups (包钢 ↔ 包头钢铁（集团）有限责任公司) and the user word
//! list of domain terms. They live in the store (`meta`), start as the bundled files, and drive
//! search and matching alike; saving one re-segments the search index.

use crate::App;
use crate::Code;
use crate::Error;
use innomesh_matching::dict::{DEFAULT_ALIASES, DEFAULT_USER_DICT};
use innomesh_matching::{AliasDict, Segmenter, UserDict};
use innomesh_store::Repository;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Which dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Aliases,
    UserWords,
}

impl Which {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "aliases" => Some(Self::Aliases),
            "user-words" => Some(Self::UserWords),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Aliases => "aliases",
            Self::UserWords => "user-words",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Aliases => "别名词典",
            Self::UserWords => "领域词典",
        }
    }
    fn meta_key(self) -> &'static str {
        match self {
            Self::Aliases => "dict.aliases",
            Self::UserWords => "dict.user_words",
        }
    }
    fn bundled(self) -> &'static str {
        match self {
            Self::Aliases => DEFAULT_ALIASES,
            Self::UserWords => DEFAULT_USER_DICT,
        }
    }
}

/// A dictionary's text and whether it differs from the bundled one.
pub fn text(repo: &dyn Repository, which: Which) -> Result<(String, bool), Error> {
    Ok(match repo.meta(which.meta_key())? {
        Some(t) => {
            let edited = t != which.bundled();
            (t, edited)
        }
        None => (which.bundled().to_string(), false),
    })
}

/// Parses a dictionary text; errors name the line, in Chinese, with a stable code.
pub fn check(which: Which, text: &str) -> Result<usize, Error> {
    let invalid = |e: innomesh_matching::MatchError| Error::new(Code::InvalidDictionary, e.message);
    if text.chars().count() > 200_000 {
        return Err(Error::new(
            Code::InvalidDictionary,
            "词典过长：最多 200000 字",
        ));
    }
    match which {
        Which::Aliases => AliasDict::parse(text)
            .map(|d| d.groups().len())
            .map_err(invalid),
        Which::UserWords => UserDict::parse(text)
            .map(|d| d.words.len())
            .map_err(invalid),
    }
}

/// The dictionaries in force, parsed, with the segmenter built from them.
pub struct Active {
    pub user: UserDict,
    pub aliases: AliasDict,
    pub segmenter: Arc<Segmenter>,
    /// Identifies the texts (the on-disk search index records which ones it was built with).
    pub fingerprint: u64,
}

fn fingerprint(a: &str, u: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    a.hash(&mut h);
    u.hash(&mut h);
    h.finish()
}

/// Builds the dictionaries from a store (for the CLI, which has no `App`).
pub fn load(repo: &dyn Repository) -> Result<Active, Error> {
    let (a, _) = text(repo, Which::Aliases)?;
    let (u, _) = text(repo, Which::UserWords)?;
    // Stored texts were checked when saved; a bad one (edited by hand in the database) falls back
    // to the bundled file rather than stopping search.
    let aliases = AliasDict::parse(&a).unwrap_or_else(|_| AliasDict::bundled());
    let user = UserDict::parse(&u).unwrap_or_else(|_| UserDict::bundled());
    Ok(Active {
        segmenter: Arc::new(Segmenter::new(&user, &aliases)),
        fingerprint: fingerprint(&a, &u),
        user,
        aliases,
    })
}

/// The dictionaries in force for this store; rebuilt only when their texts change.
pub fn active(st: &App) -> Result<Arc<Active>, Error> {
    let (a, _) = text(st.repo.as_ref(), Which::Aliases)?;
    let (u, _) = text(st.repo.as_ref(), Which::UserWords)?;
    let fp = fingerprint(&a, &u);
    let mut held = crate::cache::lock(&st.derived.dictionaries);
    if let Some(x) = held.as_ref().filter(|x| x.fingerprint == fp) {
        return Ok(x.clone());
    }
    let built = Arc::new(load(st.repo.as_ref())?);
    *held = Some(built.clone());
    Ok(built)
}

/// Saves a dictionary (or, with `None`, goes back to the bundled one), then re-segments the
/// search index with it. Returns the number of groups or words. One save at a time, so the index
/// always ends with the dictionaries stored last.
pub fn save(
    st: &App,
    which: Which,
    new_text: Option<&str>,
    actor: &crate::Actor,
) -> Result<usize, Error> {
    let _one = crate::cache::lock(&st.dictionary_save);
    let t = new_text.unwrap_or(which.bundled());
    let n = check(which, t)?;
    st.repo.set_meta(which.meta_key(), t, actor)?;
    st.warmer.wake();
    let act = active(st)?;
    if let Some(ix) = st.search.get() {
        // Hold the index's catch-up while it is re-segmented, then record the version it reflects.
        let mut state = crate::cache::lock(&st.search_state);
        let version = st.registry_version();
        let repo = st.repo.clone();
        ix.rebuild_with_dictionaries(&act.user, act.aliases.clone(), || {
            let mut records = Vec::new();
            for kind in innomesh_core::EntityKind::ALL {
                records.extend(repo.all(kind).map_err(|e| e.to_string())?);
            }
            Ok(records)
        })
        .map_err(|e| {
            eprintln!("词典已保存，搜索索引重建失败：{e}");
            Error::new(Code::ReindexFailed,
                format!(
                    "{}已保存，但搜索索引未能按新词典重建（检索仍按原词典）：请运行 innomesh reindex",
                    which.label()
                ),
            )
        })?;
        crate::search::committed(ix, &mut state, version);
    }
    Ok(n)
}
