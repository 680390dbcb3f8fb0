//! Connections of one SQLite database: one writer behind a lock, and a few read-only connections
//! that readers take in turn, so a read never waits for a long write (WAL lets a reader see the
//! last committed state while the writer works).

use rusqlite::{Connection, OpenFlags};
use std::ops::Deref;
use std::path::Path;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How many read-only connections a file database keeps.
const READERS: usize = 4;
/// How long SQLite retries a locked database before giving up (a checkpoint, a migration).
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

pub(super) struct Connections {
    writer: Mutex<Connection>,
    /// Idle read-only connections; empty for an in-memory database, whose reads go through the
    /// writer (a private in-memory database has no second connection to open).
    idle: Mutex<Vec<Connection>>,
    returned: Condvar,
    pooled: bool,
}

/// A connection a read holds: one of the pool, or the writer for an in-memory database.
pub(super) enum ReadConn<'a> {
    Pooled {
        conns: &'a Connections,
        conn: Option<Connection>,
    },
    Writer(MutexGuard<'a, Connection>),
}

impl Deref for ReadConn<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        match self {
            // `conn` is only taken in `drop`.
            ReadConn::Pooled { conn, .. } => conn.as_ref().expect("pooled connection present"),
            ReadConn::Writer(g) => g,
        }
    }
}

impl Drop for ReadConn<'_> {
    fn drop(&mut self) {
        if let ReadConn::Pooled { conns, conn } = self {
            if let Some(c) = conn.take() {
                relock(&conns.idle).push(c);
                conns.returned.notify_one();
            }
        }
    }
}

/// A panic while holding a lock cannot leave a half-written transaction (SQLite rolls back), so a
/// poisoned lock is still safe to use.
fn relock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Connections {
    /// The writer of a file database (already migrated) and its read-only companions.
    pub(super) fn file(writer: Connection, path: &Path) -> rusqlite::Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        let mut idle = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let c = Connection::open_with_flags(path, flags)?;
            c.busy_timeout(BUSY_TIMEOUT)?;
            c.pragma_update(None, "cache_size", -16000)?;
            idle.push(c);
        }
        Ok(Self {
            writer: Mutex::new(writer),
            idle: Mutex::new(idle),
            returned: Condvar::new(),
            pooled: true,
        })
    }

    /// An in-memory database: reads share the writer.
    pub(super) fn single(writer: Connection) -> Self {
        Self {
            writer: Mutex::new(writer),
            idle: Mutex::new(Vec::new()),
            returned: Condvar::new(),
            pooled: false,
        }
    }

    pub(super) fn write(&self) -> MutexGuard<'_, Connection> {
        relock(&self.writer)
    }

    /// A connection for reading; waits only for another reader to finish when all are busy.
    pub(super) fn read(&self) -> ReadConn<'_> {
        if !self.pooled {
            return ReadConn::Writer(self.write());
        }
        let mut idle = relock(&self.idle);
        loop {
            if let Some(conn) = idle.pop() {
                return ReadConn::Pooled {
                    conns: self,
                    conn: Some(conn),
                };
            }
            idle = self.returned.wait(idle).unwrap_or_else(|p| p.into_inner());
        }
    }
}
