//! Values derived from the registry for pages (facet indexes, dashboard figures, chain reports),
//! kept until the next write. Every write appends an audit entry, so the latest audit sequence
//! number versions the whole registry. A background warmer rebuilds the caches right after a
//! write (woken by the page that wrote, or within 0.4 s for writes through the API or CLI); while
//! it is rebuilding, readers get the previous figures instead of waiting — at most one rebuild
//! (well under a second) old — and the first reader after the rebuild gets the new ones. Lists
//! and detail pages always read their records from the store directly; only counts and
//! aggregates can lag like this.

use super::common::registry_version;
use crate::AppState;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// Identifies a store instance (tests run several side by side in one process).
pub fn store_key(st: &AppState) -> usize {
    Arc::as_ptr(&st.repo) as *const () as usize
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves at worst a stale entry, which the version check drops.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

type Entries<K, V> = HashMap<K, (i64, Arc<V>)>;

pub struct Cache<K, V> {
    entries: OnceLock<Mutex<Entries<K, V>>>,
    /// One build at a time: a reader arriving during a build waits for it instead of repeating it.
    building: Mutex<()>,
}

impl<K: Eq + Hash + Clone, V> Cache<K, V> {
    pub const fn new() -> Self {
        Self {
            entries: OnceLock::new(),
            building: Mutex::new(()),
        }
    }

    fn fresh(&self, key: &K, version: i64) -> Option<Arc<V>> {
        let entries = lock(self.entries.get_or_init(Default::default));
        entries
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, value)| value.clone())
    }

    fn any(&self, key: &K) -> Option<Arc<V>> {
        let entries = lock(self.entries.get_or_init(Default::default));
        entries.get(key).map(|(_, value)| value.clone())
    }

    /// The value for `key` at the registry's current version, computing it if needed (or, while
    /// the warmer rebuilds after a write, the previous value).
    pub fn get<E>(
        &self,
        st: &AppState,
        key: K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let version = registry_version(st);
        if let Some(v) = self.fresh(&key, version) {
            return Ok(v);
        }
        if warming(st) {
            // The warmer is rebuilding after a write: answer with the previous figures if any.
            if let Some(stale) = self.any(&key) {
                return Ok(stale);
            }
        }
        self.build(key, version, compute)
    }

    /// Like `get`, but never answers with a previous version: for values shown as records (a
    /// detail page's lists), which must not lag a write.
    pub fn get_current<E>(
        &self,
        st: &AppState,
        key: K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let version = registry_version(st);
        if let Some(v) = self.fresh(&key, version) {
            return Ok(v);
        }
        self.build(key, version, compute)
    }

    fn build<E>(
        &self,
        key: K,
        version: i64,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let _building = lock(&self.building);
        if let Some(v) = self.fresh(&key, version) {
            return Ok(v);
        }
        let value = Arc::new(compute()?);
        lock(self.entries.get_or_init(Default::default)).insert(key, (version, value.clone()));
        Ok(value)
    }
}

fn started() -> &'static Mutex<HashSet<usize>> {
    static S: OnceLock<Mutex<HashSet<usize>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

/// Stores whose warmer has a rebuild pending or running.
fn rebuilding() -> &'static Mutex<HashSet<usize>> {
    static S: OnceLock<Mutex<HashSet<usize>>> = OnceLock::new();
    S.get_or_init(Default::default)
}

thread_local! {
    /// Set on the warmer's own thread, which must rebuild rather than read stale values.
    static IS_WARMER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn warming(st: &AppState) -> bool {
    !IS_WARMER.with(|w| w.get()) && lock(rebuilding()).contains(&store_key(st))
}

/// A page has just written: mark a rebuild pending (readers meanwhile get the previous figures)
/// and wake the warmer now instead of at its next poll.
pub fn wake(st: &AppState) {
    let key = store_key(st);
    if lock(started()).contains(&key) {
        lock(rebuilding()).insert(key);
    }
    let (count, cv) = signal();
    *lock(count) += 1;
    cv.notify_all();
}

fn signal() -> &'static (Mutex<u64>, Condvar) {
    static S: OnceLock<(Mutex<u64>, Condvar)> = OnceLock::new();
    S.get_or_init(|| (Mutex::new(0), Condvar::new()))
}

/// Starts (once per store) a thread that builds the page caches right away and rebuilds them soon
/// after each write. It holds only a weak reference, so it ends when the store is dropped. Pages
/// call it; a server may also call it at start so that even the first reader finds warm caches.
pub fn ensure_warmer(st: &AppState) {
    let key = store_key(st);
    if !lock(started()).insert(key) {
        return;
    }
    let weak = Arc::downgrade(&st.repo);
    let spawned = std::thread::Builder::new()
        .name("innomesh-page-cache".into())
        .spawn(move || {
            IS_WARMER.with(|w| w.set(true));
            let mut seen = None;
            loop {
                let Some(repo) = weak.upgrade() else { break };
                let st = AppState::new(repo);
                let version = registry_version(&st);
                if seen != Some(version) {
                    lock(rebuilding()).insert(key);
                    super::warm(&st);
                    seen = Some(version);
                }
                lock(rebuilding()).remove(&key);
                drop(st);
                let (m, cv) = signal();
                let guard = lock(m);
                let _ = cv.wait_timeout(guard, Duration::from_millis(400));
            }
        });
    if spawned.is_err() {
        // Without the warmer pages still work; the first reader after a write rebuilds.
        lock(started()).remove(&key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previous_value_only_while_the_warmer_rebuilds() {
        let store = innomesh_store::SqliteStore::open_in_memory().unwrap();
        let st = AppState::new(Arc::new(store));
        static C: Cache<u8, u32> = Cache::new();
        assert_eq!(*C.get(&st, 1, || Ok::<_, ()>(1)).unwrap(), 1);
        assert_eq!(*C.get(&st, 1, || Ok::<_, ()>(9)).unwrap(), 1, "cached");
        st.repo.set_meta("k", "v", "t").unwrap(); // any write moves the version
        lock(rebuilding()).insert(store_key(&st));
        assert_eq!(
            *C.get(&st, 1, || Ok::<_, ()>(2)).unwrap(),
            1,
            "previous while rebuilding"
        );
        lock(rebuilding()).remove(&store_key(&st));
        assert_eq!(
            *C.get(&st, 1, || Ok::<_, ()>(2)).unwrap(),
            2,
            "fresh afterwards"
        );
    }
}
