//! The import lock: an exclusive OS lock on `<database>.lock`, held for a whole run.
//!
//! The kernel drops it when the process ends, however it ends, so a crashed importer never
//! leaves a stale lock behind; `flock -n` on the same file sees it too.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct ImportLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another import is running (it holds {}); try again later", path.display())]
    Held { path: PathBuf },
    #[error("cannot open the lock file {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The lock file of a database: the database's path with `.lock` added.
pub fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_os_string();
    name.push(".lock");
    PathBuf::from(name)
}

impl ImportLock {
    /// Takes the lock at once, or says who holds it; never waits.
    pub fn acquire(database: &Path) -> Result<ImportLock, LockError> {
        let path = lock_path(database);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| LockError::Io { path: path.clone(), source })?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| LockError::Io { path: path.clone(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(ImportLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held { path }),
            Err(TryLockError::Error(source)) => Err(LockError::Io { path, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_database_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("almanac.db");
        let first = ImportLock::acquire(&database).expect("first lock");
        assert!(matches!(ImportLock::acquire(&database), Err(LockError::Held { .. })));
        drop(first);
        assert!(ImportLock::acquire(&database).is_ok());
    }
}
