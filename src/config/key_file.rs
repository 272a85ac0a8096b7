//! Secrets that a fresh install generates once and keeps in a file (the development API
//! key, the unsubscribe signing key), so that no install runs open or unsigned.

use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng;

#[derive(Debug, thiserror::Error)]
#[error("cannot {action} the key file {path}: {source}")]
pub struct KeyFileError {
    action: &'static str,
    path: PathBuf,
    source: std::io::Error,
}

/// The key kept in `path`, or a new random one written there (readable by its owner only)
/// when the file is missing or empty.
pub fn read_or_create_key(path: &Path) -> Result<String, KeyFileError> {
    let fail = |action| {
        move |source| KeyFileError {
            action,
            path: path.to_owned(),
            source,
        }
    };
    // Two processes starting together may both find no file; the one that loses the
    // create reads the winner's key.
    let mut tries = 0;
    loop {
        tries += 1;
        let created = match std::fs::read_to_string(path) {
            Ok(text) if !text.trim().is_empty() => return Ok(text.trim().to_owned()),
            Ok(_) if tries > 1 => write_new_key(path, true),
            Ok(_) => Err(std::io::ErrorKind::AlreadyExists.into()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => write_new_key(path, false),
            Err(err) => return Err(fail("read")(err)),
        };
        match created {
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists && tries < 20 => {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            result => return result.map_err(fail("create")),
        }
    }
}

fn write_new_key(path: &Path, exists: bool) -> std::io::Result<String> {
    let key: String = rand::thread_rng()
        .sample_iter(rand::distributions::Alphanumeric)
        .take(40)
        .map(char::from)
        .collect();
    let mut options = std::fs::OpenOptions::new();
    // An empty file someone created is reused; otherwise never overwrite a key.
    options.write(true).truncate(exists).create_new(!exists);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(format!("{key}\n").as_bytes())?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let first = read_or_create_key(&path).unwrap();
        assert_eq!(first.len(), 40);
        assert_eq!(read_or_create_key(&path).unwrap(), first);
        std::fs::write(&path, "\n").unwrap();
        assert_ne!(read_or_create_key(&path).unwrap(), first);
    }
}
