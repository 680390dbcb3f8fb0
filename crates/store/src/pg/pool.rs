//! A small pool of PostgreSQL connections: at most `SIZE` open, taken in turn, reopened when the
//! server closed one. A minimal Mutex/Condvar pool like the SQLite store's (no pool crate): the
//! synchronous client needs nothing more, and the dependency tree stays lean.

use crate::StoreError;
use postgres::{Client, NoTls};
use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex, MutexGuard};

/// Connections kept at most (readers and the writer alike; writes also queue on the database's
/// write lock).
const SIZE: usize = 8;

pub(super) struct Pool {
    config: postgres::Config,
    state: Mutex<State>,
    returned: Condvar,
}

struct State {
    idle: Vec<Client>,
    open: usize,
}

pub(super) struct Conn<'a> {
    pool: &'a Pool,
    client: Option<Client>,
}

impl Deref for Conn<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        // `client` is only taken in `drop`.
        self.client.as_ref().expect("pooled connection present")
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        self.client.as_mut().expect("pooled connection present")
    }
}

impl Drop for Conn<'_> {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            let mut s = self.pool.lock();
            if c.is_closed() {
                s.open -= 1;
            } else {
                s.idle.push(c);
            }
            self.pool.returned.notify_one();
        }
    }
}

impl Pool {
    pub(super) fn new(config: postgres::Config) -> Self {
        Self {
            config,
            state: Mutex::new(State {
                idle: Vec::new(),
                open: 0,
            }),
            returned: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A connection: an idle one, a new one while fewer than `SIZE` are open, else the next
    /// one returned.
    pub(super) fn get(&self) -> Result<Conn<'_>, StoreError> {
        let mut s = self.lock();
        loop {
            while let Some(c) = s.idle.pop() {
                if c.is_closed() {
                    s.open -= 1;
                    continue;
                }
                return Ok(Conn {
                    pool: self,
                    client: Some(c),
                });
            }
            if s.open < SIZE {
                s.open += 1;
                drop(s);
                return match self.config.connect(NoTls) {
                    Ok(c) => Ok(Conn {
                        pool: self,
                        client: Some(c),
                    }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.returned.notify_one();
                        Err(StoreError::Database(format!(
                            "无法连接 PostgreSQL 数据库：{e}"
                        )))
                    }
                };
            }
            s = self.returned.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }
}
