//! Opening, reading and writing files that may never be ready: a FIFO nobody opens at the other
//! end, a writer that never writes, a reader that never reads. On Unix such files are opened
//! non-blocking and waited for in short polls that check the cancel token between them, so an
//! abort, `cancelAll()` or `process.exit()` is honoured within one poll. Regular files are read
//! and written as before: non-blocking changes nothing for them.
//!
//! Elsewhere (Windows, WASI) files are opened and used as plain blocking files.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

use crate::cancel::{CancelToken, Cancelled};
use crate::slice::Deadline;

/// Longest wait between two looks at the cancel token, in milliseconds.
#[cfg(unix)]
const POLL_MS: u16 = 10;

/// Why a file could not be read or written.
#[derive(Debug)]
pub enum FileError {
  /// The system refused: `syscall` is the call that failed, named as Node's `fs` names it.
  Io {
    error: io::Error,
    syscall: &'static str,
  },
  Cancelled,
}

impl From<Cancelled> for FileError {
  fn from(_: Cancelled) -> Self {
    Self::Cancelled
  }
}

impl FileError {
  fn io(syscall: &'static str) -> impl FnOnce(io::Error) -> Self {
    move |error| Self::Io { error, syscall }
  }
}

/// An open file, and whether it is regular (its size is known and I/O on it never waits).
pub struct Opened {
  file: File,
  size: Option<u64>,
}

impl Opened {
  /// The size of a regular file; `None` for a FIFO or a device (`/dev/zero` never ends, and
  /// the 0 `stat` gives them is no size).
  pub fn size(&self) -> Option<u64> {
    self.size
  }

  fn new(file: File) -> Result<Self, FileError> {
    let metadata = file.metadata().map_err(FileError::io("fstat"))?;
    // Said here: reading a directory fails differently on each system (EBADF under WASI).
    if metadata.is_dir() {
      return Err(FileError::Io {
        error: is_a_directory(),
        syscall: "read",
      });
    }
    let size = metadata.is_file().then_some(metadata.len());
    Ok(Self { file, size })
  }

  /// Reads into `buffer`, waiting (in polls that check `cancel`) until a FIFO or device has
  /// data or has ended. `Ok(0)` is the end of the file.
  pub fn read(&mut self, buffer: &mut [u8], cancel: &CancelToken) -> Result<usize, FileError> {
    Ok(
      self
        .read_by(buffer, Deadline::NEVER, cancel)?
        .expect("no deadline to pass"),
    )
  }

  /// As [`read`](Self::read), but a FIFO or device still not ready when `deadline` passes
  /// gives `Ok(None)`: its slice ends instead of holding a pool thread while it waits.
  pub fn read_by(
    &mut self,
    buffer: &mut [u8],
    deadline: Deadline,
    cancel: &CancelToken,
  ) -> Result<Option<usize>, FileError> {
    loop {
      cancel.check()?;
      if self.size.is_none() && !wait_until_ready(&self.file, Readiness::Read, deadline, cancel)? {
        return Ok(None);
      }
      match self.file.read(buffer) {
        Ok(read) => return Ok(Some(read)),
        Err(error) if retry(&error) => continue,
        Err(error) => return Err(FileError::io("read")(error)),
      }
    }
  }

  /// Writes all of `bytes`, waiting (in polls that check `cancel`) while a FIFO is full.
  pub fn write_all(&mut self, mut bytes: &[u8], cancel: &CancelToken) -> Result<(), FileError> {
    while !bytes.is_empty() {
      cancel.check()?;
      if self.size.is_none() {
        wait_until_ready(&self.file, Readiness::Write, Deadline::NEVER, cancel)?;
      }
      match self.file.write(bytes) {
        Ok(0) => return Err(FileError::io("write")(io::ErrorKind::WriteZero.into())),
        Ok(written) => bytes = &bytes[written..],
        Err(error) if retry(&error) => continue,
        Err(error) => return Err(FileError::io("write")(error)),
      }
    }
    Ok(())
  }
}

/// An interrupted call, or a non-blocking one that found nothing to do yet: try again.
fn retry(error: &io::Error) -> bool {
  matches!(
    error.kind(),
    io::ErrorKind::Interrupted | io::ErrorKind::WouldBlock
  )
}

fn is_a_directory() -> io::Error {
  #[cfg(any(unix, target_os = "wasi"))]
  return io::Error::from_raw_os_error(libc::EISDIR);
  #[cfg(not(any(unix, target_os = "wasi")))]
  return io::ErrorKind::IsADirectory.into();
}

/// Opens `path` for reading. A FIFO opens at once, with or without a writer.
pub fn open_to_read(path: &Path) -> Result<Opened, FileError> {
  let file = non_blocking(OpenOptions::new().read(true))
    .open(path)
    .map_err(FileError::io("open"))?;
  Opened::new(file)
}

/// Creates or truncates `path` for writing. A FIFO with no reader yet is waited for, in sleeps
/// that check `cancel` (a non-blocking open of one fails with `ENXIO` until a reader comes).
pub fn open_to_write(path: &Path, cancel: &CancelToken) -> Result<Opened, FileError> {
  let mut options = OpenOptions::new();
  non_blocking(options.write(true).create(true).truncate(true));
  loop {
    cancel.check()?;
    match options.open(path) {
      Ok(file) => return Opened::new(file),
      Err(error) if retry(&error) || awaits_reader(&error, path) => wait_a_moment(),
      Err(error) => return Err(FileError::io("open")(error)),
    }
  }
}

#[cfg(unix)]
fn non_blocking(options: &mut OpenOptions) -> &mut OpenOptions {
  use std::os::unix::fs::OpenOptionsExt;
  options.custom_flags(libc::O_NONBLOCK)
}

#[cfg(not(unix))]
fn non_blocking(options: &mut OpenOptions) -> &mut OpenOptions {
  options
}

/// `ENXIO` from a non-blocking open for writing means "no reader yet" only for a FIFO.
#[cfg(unix)]
fn awaits_reader(error: &io::Error, path: &Path) -> bool {
  use std::os::unix::fs::FileTypeExt;
  error.raw_os_error() == Some(libc::ENXIO)
    && std::fs::metadata(path).is_ok_and(|metadata| metadata.file_type().is_fifo())
}

#[cfg(not(unix))]
fn awaits_reader(_: &io::Error, _: &Path) -> bool {
  false
}

fn wait_a_moment() {
  #[cfg(unix)]
  std::thread::sleep(std::time::Duration::from_millis(POLL_MS.into()));
}

#[derive(Clone, Copy)]
enum Readiness {
  Read,
  Write,
}

/// Returns `true` once `file` can be read (data, or its writer gone) or written, as
/// `readiness` asks; `false` if `deadline` passes first.
#[cfg(unix)]
fn wait_until_ready(
  file: &File,
  readiness: Readiness,
  deadline: Deadline,
  cancel: &CancelToken,
) -> Result<bool, FileError> {
  use std::os::fd::AsRawFd;
  let events = match readiness {
    Readiness::Read => libc::POLLIN,
    Readiness::Write => libc::POLLOUT,
  };
  let mut watched = libc::pollfd {
    fd: file.as_raw_fd(),
    events,
    revents: 0,
  };
  loop {
    cancel.check()?;
    // SAFETY: `watched` is one initialised `pollfd` that outlives the call, and the count is 1.
    let ready = unsafe { libc::poll(&mut watched, 1, deadline.poll_ms(POLL_MS).into()) };
    if ready > 0 {
      return Ok(true);
    }
    let error = io::Error::last_os_error();
    if ready < 0 && !retry(&error) {
      return Err(FileError::io("poll")(error));
    }
    if deadline.has_passed() {
      return Ok(false);
    }
  }
}

#[cfg(not(unix))]
fn wait_until_ready(
  _: &File,
  _: Readiness,
  _: Deadline,
  _: &CancelToken,
) -> Result<bool, FileError> {
  Ok(true)
}

#[cfg(all(test, unix))]
mod tests {
  use super::*;
  use std::time::{Duration, Instant};

  fn fifo() -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
      "qrhash-fs-test-{}-{:?}",
      std::process::id(),
      std::thread::current().id()
    ));
    let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    // SAFETY: `name` is a NUL-terminated path that outlives the call.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    path
  }

  /// Cancels `cancel` after 50 ms from another thread.
  fn cancel_soon(cancel: &CancelToken) {
    let cancel = cancel.clone();
    std::thread::spawn(move || {
      std::thread::sleep(Duration::from_millis(50));
      cancel.cancel();
    });
  }

  #[test]
  fn reading_a_fifo_with_no_writer_waits_until_cancelled() {
    let path = fifo();
    let cancel = CancelToken::default();
    let mut opened = open_to_read(&path).unwrap();
    assert_eq!(opened.size(), None);
    let started = Instant::now();
    cancel_soon(&cancel);
    let outcome = opened.read(&mut [0; 16], &cancel);
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(outcome, Err(FileError::Cancelled)));
    assert!(started.elapsed() < Duration::from_secs(5));
  }

  #[test]
  fn writing_a_fifo_with_no_reader_waits_until_cancelled() {
    let path = fifo();
    let cancel = CancelToken::default();
    cancel_soon(&cancel);
    let outcome = open_to_write(&path, &cancel);
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(outcome, Err(FileError::Cancelled)));
  }

  #[test]
  fn a_directory_is_eisdir_from_read() {
    match open_to_read(&std::env::temp_dir()) {
      Err(FileError::Io { error, syscall }) => {
        assert_eq!(error.raw_os_error(), Some(libc::EISDIR));
        assert_eq!(syscall, "read");
      }
      _ => panic!("a directory opened for reading"),
    }
  }
}
