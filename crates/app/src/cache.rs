//! Derived values (facet indexes, dashboard figures, chain reports, matching indexes, funding
//! figures, capacity plans), each kept in a field of `App` and versioned by the registry version
//! (the latest audit sequence: every write appends one). A background warmer owned by the `App`
//! rebuilds them right after a write; while it rebuilds, readers get the previous value instead of
//! waiting. Record lists and detail pages always read the store directly; only counts and
//! aggregates can lag like this. Every cache is bounded and is dropped with its `App`, so two
//! `App`s in one process never see each other's values.

use crate::App;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

/// A write burst is over when the registry has not moved for this long.
const QUIET: Duration = Duration::from_millis(250);
/// Derived data are rebuilt at the latest this long after the first write of a burst.
const MAX_DEFER: Duration = Duration::from_secs(2);

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves at worst a stale entry, which the version check drops.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Most keys one cache keeps (years, sample orders…); the oldest version goes first.
const MAX_KEYS: usize = 32;

type Entries<K, V> = HashMap<K, (i64, Arc<V>)>;

pub struct Cache<K, V> {
    entries: Mutex<Entries<K, V>>,
    /// One build at a time: a reader arriving during a build waits for it instead of repeating it.
    building: Mutex<()>,
}

impl<K: Eq + Hash + Clone, V> Default for Cache<K, V> {
    fn default() -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            building: Mutex::new(()),
        }
    }
}

impl<K: Eq + Hash + Clone, V> Cache<K, V> {
    fn fresh(&self, key: &K, version: i64) -> Option<Arc<V>> {
        lock(&self.entries)
            .get(key)
            .filter(|(v, _)| *v == version)
            .map(|(_, value)| value.clone())
    }

    fn any(&self, key: &K) -> Option<Arc<V>> {
        lock(&self.entries).get(key).map(|(_, value)| value.clone())
    }

    /// The latest value built for `key`, whatever its version: what an incremental build starts
    /// from.
    pub(crate) fn latest(&self, key: &K) -> Option<Arc<V>> {
        self.any(key)
    }

    /// The value for `key` at the registry's current version, computing it if needed (or, while
    /// the warmer rebuilds after a write, the previous value).
    pub fn get<E>(
        &self,
        app: &App,
        key: K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        self.get_with(app, key, true, compute)
    }

    /// Like `get`, but never answers with a previous version: for values shown as records (a
    /// detail page's lists), which must not lag a write.
    pub fn get_current<E>(
        &self,
        app: &App,
        key: K,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        self.get_with(app, key, false, compute)
    }

    fn get_with<E>(
        &self,
        app: &App,
        key: K,
        previous_ok: bool,
        compute: impl FnOnce() -> Result<V, E>,
    ) -> Result<Arc<V>, E> {
        let version = app.registry_version();
        if let Some(v) = self.fresh(&key, version) {
            return Ok(v);
        }
        if previous_ok && app.warmer.warming() {
            if let Some(stale) = self.any(&key) {
                return Ok(stale);
            }
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
        let mut entries = lock(&self.entries);
        if entries.len() >= MAX_KEYS && !entries.contains_key(&key) {
            if let Some(oldest) = entries
                .iter()
                .min_by_key(|(_, (v, _))| *v)
                .map(|(k, _)| k.clone())
            {
                entries.remove(&oldest);
            }
        }
        entries.insert(key, (version, value.clone()));
        Ok(value)
    }

    /// Number of keys held (tests).
    pub fn len(&self) -> usize {
        lock(&self.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

thread_local! {
    /// Set on a warmer's own thread, which must rebuild rather than read stale values.
    static IS_WARMER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The background rebuilder of one `App`'s derived data.
#[derive(Default)]
pub struct Warmer {
    started: AtomicBool,
    /// A rebuild is pending or running: readers meanwhile get previous values.
    rebuilding: AtomicBool,
    stop: AtomicBool,
    signal: Arc<(Mutex<u64>, Condvar)>,
}

impl Warmer {
    pub(crate) fn warming(&self) -> bool {
        !IS_WARMER.with(|w| w.get()) && self.rebuilding.load(Ordering::Acquire)
    }

    /// A write has happened: mark a rebuild pending and wake the warmer now.
    pub(crate) fn wake(&self) {
        if self.started.load(Ordering::Acquire) {
            self.rebuilding.store(true, Ordering::Release);
        }
        let (count, cv) = &*self.signal;
        *lock(count) += 1;
        cv.notify_all();
    }

    pub(crate) fn stop(&self) {
        self.stop.store(true, Ordering::Release);
        let (count, cv) = &*self.signal;
        *lock(count) += 1;
        cv.notify_all();
    }

    /// Starts (once per `App`) a thread that builds the derived data now and again soon after each
    /// write. It holds only a weak reference, so it ends when the `App` is dropped.
    pub(crate) fn start(app: &Arc<App>) {
        if app.warmer.started.swap(true, Ordering::AcqRel) {
            return;
        }
        let weak: Weak<App> = Arc::downgrade(app);
        let spawned = std::thread::Builder::new()
            .name("innomesh-warmer".into())
            .spawn(move || {
                IS_WARMER.with(|w| w.set(true));
                let mut seen = None;
                loop {
                    let Some(app) = weak.upgrade() else { break };
                    if app.warmer.stop.load(Ordering::Acquire) {
                        break;
                    }
                    let mut version = app.registry_version();
                    if seen != Some(version) {
                        app.warmer.rebuilding.store(true, Ordering::Release);
                        if seen.is_some() {
                            // Let a burst of writes settle (readers meanwhile get the previous
                            // values), so 20 clients writing do not each pay a full rebuild.
                            let started = Instant::now();
                            loop {
                                std::thread::sleep(QUIET);
                                let now = app.registry_version();
                                if now == version || started.elapsed() >= MAX_DEFER {
                                    version = now;
                                    break;
                                }
                                version = now;
                            }
                        }
                        // Bring the search index up to the store first (imports leave it to
                        // this thread), then the derived data.
                        if let Err(e) = crate::search::catch_up_with(&app, true) {
                            eprintln!("搜索索引更新失败（下次检索时重试）：{}", e.message);
                        }
                        app.warm();
                        seen = Some(version);
                    }
                    // Writes that landed during the rebuild are picked up on the next turn.
                    if app.registry_version() == version {
                        app.warmer.rebuilding.store(false, Ordering::Release);
                    }
                    let signal = app.warmer.signal.clone();
                    let (m, cv) = &*signal;
                    let guard = lock(m);
                    // Not holding the App while asleep: dropping it ends this thread.
                    drop(app);
                    let _ = cv.wait_timeout(guard, Duration::from_millis(400));
                }
            });
        if spawned.is_err() {
            // Without the warmer everything still works; the first reader after a write rebuilds.
            app.warmer.started.store(false, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> Arc<App> {
        App::in_memory().unwrap()
    }

    #[test]
    fn values_are_versioned_and_previous_only_while_rebuilding() {
        let a = app();
        let c: Cache<u8, u32> = Cache::default();
        assert_eq!(*c.get(&a, 1, || Ok::<_, ()>(1)).unwrap(), 1);
        assert_eq!(*c.get(&a, 1, || Ok::<_, ()>(9)).unwrap(), 1, "cached");
        a.set_setting(&crate::Principal::local("t"), "k", "v")
            .unwrap(); // any write moves the version
        a.warmer.started.store(true, Ordering::Release);
        a.warmer.wake();
        assert_eq!(
            *c.get(&a, 1, || Ok::<_, ()>(2)).unwrap(),
            1,
            "previous while rebuilding"
        );
        assert_eq!(
            *c.get_current(&a, 1, || Ok::<_, ()>(3)).unwrap(),
            3,
            "current never lags"
        );
        // No warmer running: a write leaves nothing pending, so readers compute the new value.
        a.warmer.started.store(false, Ordering::Release);
        a.warmer.rebuilding.store(false, Ordering::Release);
        a.set_setting(&crate::Principal::local("t"), "k", "w")
            .unwrap();
        assert_eq!(
            *c.get(&a, 1, || Ok::<_, ()>(4)).unwrap(),
            4,
            "fresh afterwards"
        );
    }

    #[test]
    fn two_apps_never_share_derived_values() {
        let (a, b) = (app(), app());
        a.set_setting(&crate::Principal::local("t"), "k", "v")
            .unwrap();
        b.set_setting(&crate::Principal::local("t"), "k", "v")
            .unwrap();
        // Same registry version in both, yet each App computes its own.
        assert_eq!(a.registry_version(), b.registry_version());
        let fa = crate::dashboard::figures(&a).unwrap();
        let fb = crate::dashboard::figures(&b).unwrap();
        assert!(!Arc::ptr_eq(&fa, &fb));
        assert_eq!(a.derived.dashboard.len(), 1);
    }

    #[test]
    fn a_cache_is_bounded() {
        let a = app();
        let c: Cache<usize, usize> = Cache::default();
        for k in 0..(MAX_KEYS * 3) {
            c.get(&a, k, || Ok::<_, ()>(k)).unwrap();
        }
        assert!(c.len() <= MAX_KEYS);
    }

    #[test]
    fn the_warmer_stops_with_its_app() {
        let a = app();
        a.start_background();
        let weak = Arc::downgrade(&a);
        drop(a);
        // The warmer holds no strong reference while it sleeps: the App is gone within a turn.
        let t = Instant::now();
        while weak.upgrade().is_some() && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(weak.upgrade().is_none());
    }
}
