//! Content hashes of built executables, remembered by size and modification time so that a
//! build that left the binary untouched does not read a gigabyte again.

use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use crate::request::BinaryHash;

/// A file's size and modification time: if both are unchanged, so is its hash.
type Stamp = (u64, SystemTime);

/// Hashes already computed, shared by the builds of one [`crate::Builder`].
#[derive(Debug, Clone, Default)]
pub(crate) struct HashCache {
    known: Arc<Mutex<HashMap<PathBuf, (Stamp, BinaryHash)>>>,
}

impl HashCache {
    /// The hash of `path` (BLAKE3 of its bytes), read on a blocking thread.
    pub(crate) async fn hash(&self, path: &Path) -> io::Result<BinaryHash> {
        let meta = tokio::fs::metadata(path).await?;
        let (len, mtime) = (meta.len(), meta.modified()?);
        if let Ok(known) = self.known.lock()
            && let Some((stamp, hash)) = known.get(path)
            && *stamp == (len, mtime)
        {
            return Ok(*hash);
        }
        let owned = path.to_path_buf();
        let hash = tokio::task::spawn_blocking(move || -> io::Result<BinaryHash> {
            let mut hasher = blake3::Hasher::new();
            hasher.update_reader(std::fs::File::open(&owned)?)?;
            Ok(BinaryHash(*hasher.finalize().as_bytes()))
        })
        .await
        .map_err(io::Error::other)??;
        if let Ok(mut known) = self.known.lock() {
            known.insert(path.to_path_buf(), ((len, mtime), hash));
        }
        Ok(hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn equal_contents_equal_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, b"binary one").unwrap();
        std::fs::write(&b, b"binary one").unwrap();
        let cache = HashCache::default();
        let first = cache.hash(&a).await.unwrap();
        assert_eq!(first, cache.hash(&b).await.unwrap());
        std::fs::write(&b, b"binary two, longer").unwrap();
        assert_ne!(first, cache.hash(&b).await.unwrap());
        assert_eq!(first.0, *blake3::hash(b"binary one").as_bytes());
    }
}
