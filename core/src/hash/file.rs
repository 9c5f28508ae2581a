//! Files, read through one bounded buffer so memory stays flat whatever their size.

use sha2::{Digest as _, Sha256};

use super::Digest;
use crate::cancel::CancelToken;
pub use crate::fs::FileError;
use crate::fs::Opened;
use crate::slice::{Deadline, Step};

/// Bytes read at a time: large enough for the kernel's readahead, small next to any heap.
const BUFFER_BYTES: usize = 1 << 20;
/// The smallest buffer, for small regular files: one page.
const MIN_BUFFER_BYTES: usize = 4096;

/// SHA-256 of `file` from where it is to its end, reporting the bytes of each read to
/// `progress`. A FIFO or device is read as it comes: a FIFO until its writer closes it,
/// `/dev/zero` until `cancel` fires.
pub fn hash_file(
  file: Opened,
  cancel: &CancelToken,
  progress: &dyn Fn(u64),
) -> Result<Digest, FileError> {
  Ok(
    FileHash::new(file)
      .advance(Deadline::NEVER, cancel, progress)?
      .finished(),
  )
}

/// A file's hash part of the way through: the file at the position reached, and its buffer.
pub struct FileHash {
  file: Opened,
  hasher: Sha256,
  buffer: Vec<u8>,
}

impl FileHash {
  /// A regular file gets a buffer no larger than it needs (one byte more than its size, so the
  /// read that finds its end needs no second buffer): a million hashes of small files then
  /// cost no megabyte each, which the allocator may keep. A FIFO or device gets the largest.
  pub fn new(file: Opened) -> Self {
    let length = file.size().map_or(BUFFER_BYTES, |size| {
      usize::try_from(size.saturating_add(1)).map_or(BUFFER_BYTES, |bytes| {
        bytes.clamp(MIN_BUFFER_BYTES, BUFFER_BYTES)
      })
    });
    Self {
      file,
      hasher: Sha256::new(),
      buffer: vec![0u8; length],
    }
  }

  /// Reads and hashes on until the file ends or `deadline` passes (also while a FIFO waits
  /// for data), as [`hash_file`] does.
  pub fn advance(
    mut self,
    deadline: Deadline,
    cancel: &CancelToken,
    progress: &dyn Fn(u64),
  ) -> Result<Step<Self, Digest>, FileError> {
    // Under WASI each thread has its own table of open files: a file opened on one pool
    // thread is a bad descriptor on the next, so a file's hash must not pause there.
    #[cfg(target_family = "wasm")]
    let deadline = {
      let _sliced = deadline;
      Deadline::NEVER
    };
    loop {
      let Some(read) = self.file.read_by(&mut self.buffer, deadline, cancel)? else {
        return Ok(Step::Paused(self));
      };
      if read == 0 {
        return Ok(Step::Done(self.hasher.finalize().into()));
      }
      self.hasher.update(&self.buffer[..read]);
      progress(read as u64);
      if deadline.has_passed() {
        return Ok(Step::Paused(self));
      }
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::fs::open_to_read;
  use std::cell::Cell;
  use std::fs::File;
  use std::io::{self, Write};
  use std::path::Path;

  #[test]
  fn hashes_the_whole_file_and_reports_every_byte() {
    let path = std::env::temp_dir().join(format!("qrhash-file-test-{}", std::process::id()));
    let data: Vec<u8> = (0..BUFFER_BYTES * 2 + 12_345)
      .map(|i| (i % 253) as u8)
      .collect();
    File::create(&path).unwrap().write_all(&data).unwrap();
    let reported = Cell::new(0);
    let digest = hash_file(
      open_to_read(&path).unwrap(),
      &CancelToken::default(),
      &|bytes| reported.set(reported.get() + bytes),
    )
    .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&data)));
    assert_eq!(reported.get(), data.len() as u64);
  }

  #[test]
  fn a_small_file_gets_a_small_buffer_and_is_still_read_whole_if_it_grows() {
    let path = std::env::temp_dir().join(format!("qrhash-file-grows-{}", std::process::id()));
    File::create(&path).unwrap().write_all(b"48 bytes").unwrap();
    let opened = open_to_read(&path).unwrap();
    // Appended after the size was read: more than the small buffer holds.
    let appended = vec![7u8; MIN_BUFFER_BYTES * 3 + 5];
    std::fs::OpenOptions::new()
      .append(true)
      .open(&path)
      .unwrap()
      .write_all(&appended)
      .unwrap();
    let hash = FileHash::new(opened);
    assert_eq!(hash.buffer.len(), MIN_BUFFER_BYTES);
    let Step::Done(digest) = hash
      .advance(Deadline::NEVER, &CancelToken::default(), &|_| {})
      .unwrap()
    else {
      panic!("a file hashed without a deadline paused");
    };
    std::fs::remove_file(&path).unwrap();
    let whole = [b"48 bytes".as_slice(), &appended].concat();
    assert_eq!(digest, <[u8; 32]>::from(Sha256::digest(&whole)));
  }

  #[test]
  fn a_missing_file_is_an_io_error_from_open() {
    let Err(error) = open_to_read(Path::new("/nonexistent/qrhash")) else {
      panic!("a missing file opened");
    };
    assert!(
      matches!(error, FileError::Io { error, syscall: "open" } if error.kind() == io::ErrorKind::NotFound)
    );
  }
}
