//! Non-blocking reads of derived values for pages (「正在准备」 / 「正在更新」).
//!
//! `Cache::get` blocks a reader who finds no value: right after a start, or for a key nobody
//! asked for yet (a policy rule, a funding year, a sample order), that is seconds to minutes on a
//! province-size registry. Pages instead ask `App::derived_view`, which never waits longer than a
//! short budget (`WAIT`, so small registries still answer in one request):
//!
//! - `Ready(v)`: computed at the registry's current version;
//! - `Updating { previous, as_of }`: the registry moved (a write); the previous value is shown with
//!   「正在更新（基于 HH:MM 的数据）」 while a background build computes the current one;
//! - `Preparing`: there is nothing to show yet; a background build has started (or is queued).
//!
//! A view is keyed by its name, the caller (user, role, scope: what one caller may see is never
//! shown to another), its parameters and the day. Builds run on a small pool owned by the `App`:
//! at most one build per key at a time, at most `MAX_BUILDS` at once and `MAX_QUEUED` waiting
//! (a crawl cannot spawn hundreds of threads; a refused start is retried by the page's refresh).
//! A failed build's error is kept for its registry version and returned to the next readers
//! (retried after `RETRY_ERROR`), never swallowed into an empty page.
//!
//! Which doors block: the API and the command line keep the blocking reads (`Cache::get` through
//! the `App` methods): a program asking for figures wants the figures, and an HTTP client has its
//! own timeout. Only the HTML pages of the engines use this module.

use crate::cache::lock;
use crate::{App, Error, Perm, Principal};
use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

/// Background builds running at once (the machine this is sized for has 2 cores).
pub const MAX_BUILDS: usize = 2;
/// Builds waiting for a free slot; beyond this a start is refused and retried on the next visit.
pub const MAX_QUEUED: usize = 64;
/// Views kept (the least recently read goes first).
const MAX_SLOTS: usize = 256;
/// How long a page waits for a build before answering 「正在准备」 or with the previous value.
/// Debug builds (the test suites, where a sample plan takes seconds) wait longer, so tests that
/// read a page's figures right away still see them; the non-blocking path is tested with an
/// explicit `Views::set_wait`.
const WAIT: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(60)
} else {
    Duration::from_millis(700)
};
/// A failed build is tried again after this long even if the registry has not moved.
const RETRY_ERROR: Duration = Duration::from_secs(30);

/// What a page can show of a derived value now.
#[derive(Debug)]
pub enum Derived<V> {
    Ready(Arc<V>),
    /// The value of an earlier registry version, computed at `as_of` (Unix seconds); the current
    /// one is being built.
    Updating {
        previous: Arc<V>,
        as_of: i64,
    },
    /// Nothing to show yet: a build is running or queued since `elapsed`; `estimate` is how long
    /// the last build of this view took, when known.
    Preparing {
        elapsed: Duration,
        estimate: Option<Duration>,
    },
}

impl<V> Derived<V> {
    /// The value to show (current or previous), if any.
    pub fn value(&self) -> Option<&Arc<V>> {
        match self {
            Derived::Ready(v) | Derived::Updating { previous: v, .. } => Some(v),
            Derived::Preparing { .. } => None,
        }
    }

    /// The notice to show with the value, in Chinese (none when it is current).
    pub fn notice(&self) -> Option<String> {
        match self {
            Derived::Ready(_) => None,
            Derived::Updating { as_of, .. } => {
                Some(format!("正在更新（基于 {} 的数据）", hhmm(*as_of)))
            }
            Derived::Preparing { elapsed, estimate } => Some(match estimate {
                Some(e) => {
                    let left = e.saturating_sub(*elapsed).as_secs().max(1);
                    format!("正在准备……（约需 {left} 秒，页面会自动刷新）")
                }
                None => format!(
                    "正在准备……（首次计算，约需数秒至数分钟，已用 {} 秒，页面会自动刷新）",
                    elapsed.as_secs()
                ),
            }),
        }
    }

    /// Seconds after which the page should reload itself (none when it is current).
    pub fn refresh_secs(&self) -> Option<u64> {
        match self {
            Derived::Ready(_) => None,
            Derived::Updating { .. } => Some(10),
            Derived::Preparing { elapsed, estimate } => Some(match estimate {
                Some(e) => e.saturating_sub(*elapsed).as_secs().clamp(2, 10),
                None => (elapsed.as_secs() / 4).clamp(3, 10),
            }),
        }
    }
}

/// `HH:MM` in Beijing time (UTC+8) of a Unix time.
fn hhmm(unix: i64) -> String {
    let s = (unix + 8 * 3600).rem_euclid(86_400);
    format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
}

type Shared = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct Slot {
    /// Last successful build: (registry version, Unix time, `Arc<V>`).
    ok: Option<(i64, i64, Shared)>,
    /// Last failed build: (registry version, when, `E`).
    err: Option<(i64, Instant, Shared)>,
    /// A build running or queued since.
    building: Option<Instant>,
    /// The store's kept value was looked for (views that keep one).
    looked_up: bool,
    used: u64,
}

/// How a kept view's value is written to and read from the store (`Repository::view_snapshot`).
type Keep<V> = (fn(&V) -> Option<String>, fn(&str) -> Option<V>);

type Job = Box<dyn FnOnce() + Send>;

#[derive(Default)]
struct Pool {
    running: usize,
    queue: VecDeque<Job>,
}

/// The views of one `App` (a field of it).
pub struct Views {
    slots: Mutex<HashMap<String, Slot>>,
    done: Condvar,
    pool: Arc<Mutex<Pool>>,
    /// Last build time per view name (for 「约需 N 秒」).
    durations: Mutex<HashMap<String, Duration>>,
    tick: AtomicU64,
    wait_ms: AtomicU64,
    /// While true, builds wait before computing (`hold_builds`, tests).
    gate: Arc<(Mutex<bool>, Condvar)>,
}

impl Default for Views {
    fn default() -> Self {
        Views {
            slots: Mutex::new(HashMap::new()),
            done: Condvar::new(),
            pool: Arc::new(Mutex::new(Pool::default())),
            durations: Mutex::new(HashMap::new()),
            tick: AtomicU64::new(0),
            wait_ms: AtomicU64::new(WAIT.as_millis() as u64),
            gate: Arc::new((Mutex::new(false), Condvar::new())),
        }
    }
}

/// While held, background builds of views wait before computing (tests of the 「正在准备」 path).
pub struct HeldBuilds(Arc<(Mutex<bool>, Condvar)>);

impl Drop for HeldBuilds {
    fn drop(&mut self) {
        *lock(&self.0 .0) = false;
        self.0 .1.notify_all();
    }
}

impl Views {
    fn submit(&self, job: Job) -> bool {
        let mut pool = lock(&self.pool);
        if pool.running >= MAX_BUILDS {
            if pool.queue.len() >= MAX_QUEUED {
                return false;
            }
            pool.queue.push_back(job);
            return true;
        }
        pool.running += 1;
        drop(pool);
        let shared = self.pool.clone();
        let first = Mutex::new(Some(job));
        let spawned = std::thread::Builder::new()
            .name("innomesh-view".into())
            .spawn(move || {
                crate::cache::fresh_reads_on_this_thread();
                let mut next = lock(&first).take();
                while let Some(job) = next {
                    job();
                    let mut pool = lock(&shared);
                    next = pool.queue.pop_front();
                    if next.is_none() {
                        pool.running -= 1;
                    }
                }
            });
        if spawned.is_err() {
            lock(&self.pool).running -= 1;
            return false;
        }
        true
    }

    /// Number of builds running and queued (tests, diagnostics).
    pub fn load(&self) -> (usize, usize) {
        let pool = lock(&self.pool);
        (pool.running, pool.queue.len())
    }

    /// Makes background builds wait until the returned guard is dropped (tests).
    #[doc(hidden)]
    pub fn hold_builds(&self) -> HeldBuilds {
        *lock(&self.gate.0) = true;
        HeldBuilds(self.gate.clone())
    }

    /// How long pages wait for a build before answering without it (tests set 0).
    #[doc(hidden)]
    pub fn set_wait(&self, d: Duration) {
        self.wait_ms.store(d.as_millis() as u64, Ordering::Release);
    }
}

fn principal_key(who: &Principal) -> String {
    format!(
        "{}:{}:{:?}:{}:{}",
        who.user_id, who.username, who.role, who.scope, who.can_unmask
    )
}

impl App {
    pub fn views(&self) -> &Views {
        &self.views
    }

    /// The derived value `view` with `params` for `who`, without waiting for a long build (see
    /// the module). `perm` is checked here, before anything starts, so a caller without it gets
    /// the refusal at once; `compute` runs on a background thread with `who` and reads the
    /// current registry (never a previous version). Errors of `compute` are returned to every
    /// reader of that registry version.
    pub fn derived_view<V, E>(
        &self,
        who: &Principal,
        perm: Perm,
        view: &str,
        params: &str,
        compute: impl FnOnce(&App, &Principal) -> Result<V, E> + Send + 'static,
    ) -> Result<Derived<V>, E>
    where
        V: Send + Sync + 'static,
        E: From<Error> + Clone + Send + Sync + 'static,
    {
        self.view_with(who, perm, view, params, None, compute)
    }

    /// Like `derived_view`, for the slowest views: the last computed value is also kept in the
    /// store (`Repository::save_view_snapshot`, bounded), so that right after a restart the page
    /// shows it marked 「正在更新」 while the current one is built, instead of 「正在准备」. A kept
    /// value is never taken for current, even at the same registry version (the program that
    /// made it may have been another).
    pub fn derived_view_kept<V, E>(
        &self,
        who: &Principal,
        perm: Perm,
        view: &str,
        params: &str,
        compute: impl FnOnce(&App, &Principal) -> Result<V, E> + Send + 'static,
    ) -> Result<Derived<V>, E>
    where
        V: serde::Serialize + serde::de::DeserializeOwned + Send + Sync + 'static,
        E: From<Error> + Clone + Send + Sync + 'static,
    {
        let keep: Keep<V> = (
            |v| serde_json::to_string(v).ok(),
            |s| serde_json::from_str(s).ok(),
        );
        self.view_with(who, perm, view, params, Some(keep), compute)
    }

    fn view_with<V, E>(
        &self,
        who: &Principal,
        perm: Perm,
        view: &str,
        params: &str,
        keep: Option<Keep<V>>,
        compute: impl FnOnce(&App, &Principal) -> Result<V, E> + Send + 'static,
    ) -> Result<Derived<V>, E>
    where
        V: Send + Sync + 'static,
        E: From<Error> + Clone + Send + Sync + 'static,
    {
        who.require(perm).map_err(E::from)?;
        let day = crate::policy::today();
        let key = format!(
            "{view}\u{1f}{}\u{1f}{params}\u{1f}{day:?}",
            principal_key(who)
        );
        let version = self.registry_version();
        let views = &self.views;
        let tick = views.tick.fetch_add(1, Ordering::Relaxed);
        let mut slots = lock(&views.slots);
        if slots.len() >= MAX_SLOTS && !slots.contains_key(&key) {
            if let Some(oldest) = slots
                .iter()
                .filter(|(_, s)| s.building.is_none())
                .min_by_key(|(_, s)| s.used)
                .map(|(k, _)| k.clone())
            {
                slots.remove(&oldest);
            }
        }
        let mut slot = slots.entry(key.clone()).or_default();
        slot.used = tick;
        if let Some(ready) = current::<V, E>(slot, version) {
            return ready;
        }
        if let Some((_, decode)) = keep.filter(|_| slot.ok.is_none() && !slot.looked_up) {
            slot.looked_up = true;
            drop(slots);
            let kept = match self.repo.view_snapshot(&key) {
                Ok(kept) => kept.and_then(|(_, at, body)| Some((at, decode(&body)?))),
                Err(e) => {
                    eprintln!("读取页面快照失败（重新计算）：{e}");
                    None
                }
            };
            slots = lock(&views.slots);
            slot = slots.entry(key.clone()).or_default();
            if let (Some((at, v)), None) = (kept, &slot.ok) {
                // Version -1: never current, shown as the previous figures.
                let v: Shared = Arc::new(v);
                slot.ok = Some((-1, at, v));
            }
        }
        if slot.building.is_none() {
            slot.building = Some(Instant::now());
            drop(slots);
            let job = self.job(
                who.clone(),
                view.to_string(),
                key.clone(),
                version,
                keep.map(|k| k.0),
                compute,
            );
            let started = views.submit(job);
            slots = lock(&views.slots);
            if !started {
                if let Some(s) = slots.get_mut(&key) {
                    s.building = None;
                }
            }
        }
        // A short wait: on a small registry the build is done within it.
        let deadline =
            Instant::now() + Duration::from_millis(views.wait_ms.load(Ordering::Acquire));
        while let Some(slot) = slots.get(&key) {
            if let Some(ready) = current::<V, E>(slot, version) {
                return ready;
            }
            let now = Instant::now();
            if slot.building.is_none() || now >= deadline {
                break;
            }
            slots = views
                .done
                .wait_timeout(slots, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        let slot = slots.get(&key);
        if let Some((_, as_of, v)) = slot.and_then(|s| s.ok.as_ref()) {
            if let Ok(previous) = v.clone().downcast::<V>() {
                return Ok(Derived::Updating {
                    previous,
                    as_of: *as_of,
                });
            }
        }
        let elapsed = slot
            .and_then(|s| s.building)
            .map(|t| t.elapsed())
            .unwrap_or_default();
        drop(slots);
        Ok(Derived::Preparing {
            elapsed,
            estimate: lock(&views.durations).get(view).copied(),
        })
    }

    fn job<V, E>(
        &self,
        who: Principal,
        view: String,
        key: String,
        version: i64,
        encode: Option<fn(&V) -> Option<String>>,
        compute: impl FnOnce(&App, &Principal) -> Result<V, E> + Send + 'static,
    ) -> Job
    where
        V: Send + Sync + 'static,
        E: From<Error> + Clone + Send + Sync + 'static,
    {
        let me: Weak<App> = self.me.clone();
        Box::new(move || {
            let Some(app) = me.upgrade() else { return };
            {
                let (held, cv) = &*app.views.gate;
                let mut h = lock(held);
                while *h {
                    h = cv.wait(h).unwrap_or_else(|p| p.into_inner());
                }
            }
            let t = Instant::now();
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| compute(&app, &who)))
                    .unwrap_or_else(|_| Err(E::from(Error::internal("后台计算异常中止"))));
            let took = t.elapsed();
            let views = &app.views;
            let at = innomesh_store::unix_now();
            if let (Ok(v), Some(encode)) = (&result, encode) {
                if let Some(body) = encode(v) {
                    if let Err(e) = app.repo.save_view_snapshot(&key, version, at, &body) {
                        eprintln!("保存页面快照失败（不影响页面）：{e}");
                    }
                }
            }
            let mut slots = lock(&views.slots);
            if let Some(slot) = slots.get_mut(&key) {
                slot.building = None;
                match result {
                    Ok(v) => {
                        let v: Shared = Arc::new(v);
                        slot.ok = Some((version, at, v));
                        slot.err = None;
                    }
                    Err(e) => {
                        let e: Shared = Arc::new(e);
                        slot.err = Some((version, Instant::now(), e));
                    }
                }
            }
            drop(slots);
            lock(&views.durations).insert(view, took);
            views.done.notify_all();
        })
    }
}

/// The slot's answer when it has one for `version`: its value, or its recent error.
fn current<V: Send + Sync + 'static, E: Clone + Send + Sync + 'static>(
    slot: &Slot,
    version: i64,
) -> Option<Result<Derived<V>, E>> {
    if let Some((v, _, value)) = &slot.ok {
        if *v == version {
            if let Ok(value) = value.clone().downcast::<V>() {
                return Some(Ok(Derived::Ready(value)));
            }
        }
    }
    if let Some((v, at, e)) = &slot.err {
        if *v == version && at.elapsed() < RETRY_ERROR && slot.building.is_none() {
            if let Some(e) = e.downcast_ref::<E>() {
                return Some(Err(e.clone()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;
    use std::sync::atomic::AtomicUsize;
    use std::sync::mpsc;

    fn who() -> Principal {
        Principal::local("t")
    }

    /// A compute that reports it started and then waits for `go` before answering `value`.
    fn gated(
        go: Arc<Mutex<mpsc::Receiver<()>>>,
        value: u32,
    ) -> impl FnOnce(&App, &Principal) -> Result<u32, Error> + Send + 'static {
        move |_, _| {
            let _ = lock(&go).recv();
            Ok(value)
        }
    }

    #[test]
    fn preparing_at_once_then_ready() {
        let a = App::in_memory().unwrap();
        a.views().set_wait(Duration::ZERO);
        let (tx, rx) = mpsc::channel();
        let rx = Arc::new(Mutex::new(rx));
        let first = a
            .derived_view(&who(), Perm::Engines, "v", "", gated(rx.clone(), 7))
            .unwrap();
        assert!(matches!(first, Derived::Preparing { .. }), "{first:?}");
        assert!(first.notice().unwrap().contains("正在准备"));
        assert!(first.refresh_secs().is_some());
        tx.send(()).unwrap();
        // Now wait for it (a long budget ends as soon as the build is done).
        a.views().set_wait(Duration::from_secs(60));
        let then = a
            .derived_view(&who(), Perm::Engines, "v", "", |_, _| Ok::<u32, Error>(99))
            .unwrap();
        match then {
            Derived::Ready(v) => assert_eq!(*v, 7, "the started build's value, not a second one"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn after_a_write_the_previous_value_shows_while_updating() {
        let a = App::in_memory().unwrap();
        a.views().set_wait(Duration::from_secs(60));
        let v1 = a
            .derived_view(&who(), Perm::Engines, "v", "", |_, _| Ok::<u32, Error>(1))
            .unwrap();
        assert!(matches!(v1, Derived::Ready(ref v) if **v == 1));
        a.set_setting(&who(), "k", "v").unwrap(); // moves the registry version
        a.views().set_wait(Duration::ZERO);
        let (tx, rx) = mpsc::channel();
        let rx = Arc::new(Mutex::new(rx));
        let during = a
            .derived_view(&who(), Perm::Engines, "v", "", gated(rx, 2))
            .unwrap();
        match &during {
            Derived::Updating { previous, .. } => assert_eq!(**previous, 1),
            other => panic!("{other:?}"),
        }
        assert!(during.notice().unwrap().starts_with("正在更新（基于 "));
        tx.send(()).unwrap();
        a.views().set_wait(Duration::from_secs(60));
        let after = a
            .derived_view(&who(), Perm::Engines, "v", "", |_, _| Ok::<u32, Error>(3))
            .unwrap();
        assert!(
            matches!(after, Derived::Ready(ref v) if **v == 2),
            "{after:?}"
        );
    }

    #[test]
    fn concurrent_readers_start_one_build() {
        let a = App::in_memory().unwrap();
        a.views().set_wait(Duration::ZERO);
        let held = a.views().hold_builds();
        let builds = Arc::new(AtomicUsize::new(0));
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (a, builds) = (a.clone(), builds.clone());
                std::thread::spawn(move || {
                    let d = a
                        .derived_view(&who(), Perm::Engines, "v", "p", move |_, _| {
                            builds.fetch_add(1, Ordering::SeqCst);
                            Ok::<u32, Error>(5)
                        })
                        .unwrap();
                    assert!(d.value().is_none());
                })
            })
            .collect();
        for r in readers {
            r.join().unwrap();
        }
        drop(held);
        a.views().set_wait(Duration::from_secs(60));
        let d = a
            .derived_view(&who(), Perm::Engines, "v", "p", |_, _| Ok::<u32, Error>(6))
            .unwrap();
        assert!(matches!(d, Derived::Ready(ref v) if **v == 5), "{d:?}");
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_failing_build_surfaces_its_error() {
        let a = App::in_memory().unwrap();
        a.views().set_wait(Duration::ZERO);
        let held = a.views().hold_builds();
        let first = a
            .derived_view(&who(), Perm::Engines, "v", "", |_, _| {
                Err::<u32, Error>(Error::invalid("规则有误：第 3 条"))
            })
            .unwrap();
        assert!(matches!(first, Derived::Preparing { .. }));
        drop(held);
        a.views().set_wait(Duration::from_secs(60));
        let e = a
            .derived_view(&who(), Perm::Engines, "v", "", |_, _| Ok::<u32, Error>(1))
            .unwrap_err();
        assert_eq!(e.message, "规则有误：第 3 条");
        // Kept for later readers of this registry version, not retried at once.
        let again = a
            .derived_view(&who(), Perm::Engines, "v", "", |_, _| Ok::<u32, Error>(1))
            .unwrap_err();
        assert_eq!(again.message, e.message);
    }

    #[test]
    fn builds_are_bounded_and_refusals_do_not_start_anything() {
        let a = App::in_memory().unwrap();
        a.views().set_wait(Duration::ZERO);
        let held = a.views().hold_builds();
        for i in 0..(MAX_BUILDS + MAX_QUEUED + 10) {
            let d = a
                .derived_view(&who(), Perm::Engines, "v", &i.to_string(), |_, _| {
                    Ok::<u32, Error>(0)
                })
                .unwrap();
            assert!(d.value().is_none());
        }
        let (running, queued) = a.views().load();
        assert!(running <= MAX_BUILDS, "{running}");
        assert!(queued <= MAX_QUEUED, "{queued}");
        drop(held);
        // A caller without the permission is refused before anything starts.
        let mut clerk = who();
        clerk.role = Role::Expert;
        let refused = a.derived_view(&clerk, Perm::Engines, "v", "x", |_, _| Ok::<u32, Error>(0));
        assert!(refused.is_err());
    }

    #[test]
    fn one_caller_never_sees_anothers_view() {
        let a = App::in_memory().unwrap();
        a.views().set_wait(Duration::from_secs(60));
        let mut other = who();
        other.user_id += 1;
        let x = a
            .derived_view(&who(), Perm::Engines, "v", "", |_, p| {
                Ok::<_, Error>(p.user_id)
            })
            .unwrap();
        let y = a
            .derived_view(&other, Perm::Engines, "v", "", |_, p| {
                Ok::<_, Error>(p.user_id)
            })
            .unwrap();
        assert_ne!(x.value().map(|v| **v), y.value().map(|v| **v));
    }

    #[test]
    fn a_kept_view_shows_its_previous_value_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("innomesh.db");
        let open = || {
            let store = innomesh_store::SqliteStore::open(&path).unwrap();
            App::new(Arc::new(store), crate::Config::default())
        };
        let a = open();
        a.views().set_wait(Duration::from_secs(60));
        let first = a
            .derived_view_kept(&who(), Perm::Engines, "v", "", |_, _| {
                Ok::<_, Error>("上次的数字".to_string())
            })
            .unwrap();
        assert!(matches!(first, Derived::Ready(_)));
        drop(a);
        // A restart: nothing computed yet, but the kept value shows, marked as updating.
        let b = open();
        b.views().set_wait(Duration::ZERO);
        let held = b.views().hold_builds();
        let after = b
            .derived_view_kept(&who(), Perm::Engines, "v", "", |_, _| {
                Ok::<_, Error>("新的数字".to_string())
            })
            .unwrap();
        match &after {
            Derived::Updating { previous, .. } => assert_eq!(previous.as_str(), "上次的数字"),
            other => panic!("{other:?}"),
        }
        drop(held);
        b.views().set_wait(Duration::from_secs(60));
        let now = b
            .derived_view_kept(&who(), Perm::Engines, "v", "", |_, _| {
                Ok::<_, Error>("不应再算".to_string())
            })
            .unwrap();
        assert!(
            matches!(now, Derived::Ready(ref v) if v.as_str() == "新的数字"),
            "{now:?}"
        );
    }
}
