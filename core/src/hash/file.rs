//! Files, read through one bounded buffer so memory stays flat whatever their size.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest as _, Sha256};

use super::Digest;
use crate::cancel::{CancelToken, Cancelled};

/// Bytes read at a time: large enough for the kernel's readahead, small next to any heap.
const BUFFER_BYTES: usize = 1 << 20;

#[derive(Debug)]
pub enum FileError {
  Io(io::Error),
  Cancelled,
}

impl From<Cancelled> for FileError {
  fn from(_: Cancelled) -> Self {
    Self::Cancelled
  }
}

/// SHA-256 of the file at `path`, reporting the bytes of each read to `progress`.
pub fn hash_file(
  path: &Path,
  cancel: &CancelToken,
  progress: &dyn Fn(u64),
) -> Result<Digest, FileError> {
  let mut file = File::open(path).map_err(FileError::Io)?;
  let mut hasher = Sha256::new();
  let mut buffer = vec![0u8; BUFFER_BYTES];
  loop {
    cancel.check()?;
    let read = match file.read(&mut buffer) {
      Ok(0) => return Ok(hasher.finalize().into()),
      Ok(read) => read,
      Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
      Err(error) => return Err(FileError::Io(error)),
    };
    hasher.update(&buffer[..read]);
    progress(read as u64);
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use std::cell::Cell;
  use std::io::Write;

  #[test]
  fn hashes_the_whole_file_and_reports_every_byte() {
    let path = std::env::temp_dir().join(format!("qrhash-file-test-{}", std::process::id()));
    let data: Vec<u8> = (0..BUFFER_BYTES * 2 + 12_345)
      .map(|i| (i % 253) as u8)
      .collect();
    File::create(&path).unwrap().write_all(&data).unwrap();
    let reported = Cell::new(0);
    let digest = hash_file(&path, &CancelToken::default(), &|bytes| {
      reported.set(reported.get() + bytes)
    })
    .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&data)));
    assert_eq!(reported.get(), data.len() as u64);
  }

  #[test]
  fn a_missing_file_is_an_io_error() {
    let error = hash_file(
      Path::new("/nonexistent/qrhash"),
      &CancelToken::default(),
      &|_| (),
    )
    .unwrap_err();
    assert!(matches!(error, FileError::Io(e) if e.kind() == io::ErrorKind::NotFound));
  }
}
