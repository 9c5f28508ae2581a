//! Operating-system errors named and described as Node's `fs` names them: libuv's table of
//! codes (`util.getSystemErrorMap()`), so `code`, `errno` and the message match `fs`'s.

use std::io;

/// libuv's name and description of `error`: from its errno where the system gave one, else
/// from its kind (an error Rust made, or Windows, whose codes are not errnos).
pub fn describe(error: &io::Error) -> (&'static str, &'static str) {
  error
    .raw_os_error()
    .and_then(by_errno)
    .unwrap_or_else(|| by_kind(error.kind()))
}

/// Node's `errno`: the negative errno on Unix, as libuv reports it; unknown under WASI (whose
/// numbers are not the host's) and Windows.
pub fn negative_errno(error: &io::Error) -> Option<i32> {
  let errno = error.raw_os_error()?;
  cfg!(unix).then_some(-errno)
}

fn by_kind(kind: io::ErrorKind) -> (&'static str, &'static str) {
  use io::ErrorKind as Kind;
  match kind {
    Kind::NotFound => ("ENOENT", "no such file or directory"),
    Kind::PermissionDenied => ("EACCES", "permission denied"),
    Kind::IsADirectory => ("EISDIR", "illegal operation on a directory"),
    Kind::NotADirectory => ("ENOTDIR", "not a directory"),
    Kind::InvalidFilename => ("ENAMETOOLONG", "name too long"),
    Kind::StorageFull => ("ENOSPC", "no space left on device"),
    Kind::WriteZero => ("EIO", "i/o error"),
    _ => ("UNKNOWN", "unknown error"),
  }
}

#[cfg(any(unix, target_os = "wasi"))]
fn by_errno(errno: i32) -> Option<(&'static str, &'static str)> {
  LIBUV_ERRNOS
    .iter()
    .find(|(number, ..)| *number == errno)
    .map(|&(_, name, description)| (name, description))
}

#[cfg(not(any(unix, target_os = "wasi")))]
fn by_errno(_: i32) -> Option<(&'static str, &'static str)> {
  None
}

/// Every errno libuv names, with its words (libuv's `UV_ERRNO_MAP`); those some systems lack
/// are marked with the systems that have them.
#[cfg(any(unix, target_os = "wasi"))]
const LIBUV_ERRNOS: &[(i32, &str, &str)] = &[
  (libc::E2BIG, "E2BIG", "argument list too long"),
  (libc::EACCES, "EACCES", "permission denied"),
  (libc::EADDRINUSE, "EADDRINUSE", "address already in use"),
  (
    libc::EADDRNOTAVAIL,
    "EADDRNOTAVAIL",
    "address not available",
  ),
  (
    libc::EAFNOSUPPORT,
    "EAFNOSUPPORT",
    "address family not supported",
  ),
  (libc::EAGAIN, "EAGAIN", "resource temporarily unavailable"),
  (libc::EALREADY, "EALREADY", "connection already in progress"),
  (libc::EBADF, "EBADF", "bad file descriptor"),
  (libc::EBUSY, "EBUSY", "resource busy or locked"),
  (libc::ECANCELED, "ECANCELED", "operation canceled"),
  (
    libc::ECONNABORTED,
    "ECONNABORTED",
    "software caused connection abort",
  ),
  (libc::ECONNREFUSED, "ECONNREFUSED", "connection refused"),
  (libc::ECONNRESET, "ECONNRESET", "connection reset by peer"),
  (
    libc::EDESTADDRREQ,
    "EDESTADDRREQ",
    "destination address required",
  ),
  (libc::EEXIST, "EEXIST", "file already exists"),
  (
    libc::EFAULT,
    "EFAULT",
    "bad address in system call argument",
  ),
  (libc::EFBIG, "EFBIG", "file too large"),
  #[cfg(any(target_os = "linux", target_os = "android"))]
  (libc::EHOSTDOWN, "EHOSTDOWN", "host is down"),
  (libc::EHOSTUNREACH, "EHOSTUNREACH", "host is unreachable"),
  (libc::EILSEQ, "EILSEQ", "illegal byte sequence"),
  (libc::EINTR, "EINTR", "interrupted system call"),
  (libc::EINVAL, "EINVAL", "invalid argument"),
  (libc::EIO, "EIO", "i/o error"),
  (libc::EISCONN, "EISCONN", "socket is already connected"),
  (libc::EISDIR, "EISDIR", "illegal operation on a directory"),
  (libc::ELOOP, "ELOOP", "too many symbolic links encountered"),
  (libc::EMFILE, "EMFILE", "too many open files"),
  (libc::EMLINK, "EMLINK", "too many links"),
  (libc::EMSGSIZE, "EMSGSIZE", "message too long"),
  (libc::ENAMETOOLONG, "ENAMETOOLONG", "name too long"),
  (libc::ENETDOWN, "ENETDOWN", "network is down"),
  (libc::ENETUNREACH, "ENETUNREACH", "network is unreachable"),
  (libc::ENFILE, "ENFILE", "file table overflow"),
  (libc::ENOBUFS, "ENOBUFS", "no buffer space available"),
  #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
  (libc::ENODATA, "ENODATA", "no data available"),
  (libc::ENODEV, "ENODEV", "no such device"),
  (libc::ENOENT, "ENOENT", "no such file or directory"),
  (libc::ENOMEM, "ENOMEM", "not enough memory"),
  #[cfg(any(target_os = "linux", target_os = "android"))]
  (libc::ENONET, "ENONET", "machine is not on the network"),
  (libc::ENOPROTOOPT, "ENOPROTOOPT", "protocol not available"),
  (libc::ENOSPC, "ENOSPC", "no space left on device"),
  (libc::ENOSYS, "ENOSYS", "function not implemented"),
  (libc::ENOTCONN, "ENOTCONN", "socket is not connected"),
  (libc::ENOTDIR, "ENOTDIR", "not a directory"),
  (libc::ENOTEMPTY, "ENOTEMPTY", "directory not empty"),
  (libc::ENOTSOCK, "ENOTSOCK", "socket operation on non-socket"),
  (
    libc::ENOTSUP,
    "ENOTSUP",
    "operation not supported on socket",
  ),
  (libc::ENOTTY, "ENOTTY", "inappropriate ioctl for device"),
  (libc::ENXIO, "ENXIO", "no such device or address"),
  (
    libc::EOVERFLOW,
    "EOVERFLOW",
    "value too large for defined data type",
  ),
  (libc::EPERM, "EPERM", "operation not permitted"),
  (libc::EPIPE, "EPIPE", "broken pipe"),
  (libc::EPROTO, "EPROTO", "protocol error"),
  (
    libc::EPROTONOSUPPORT,
    "EPROTONOSUPPORT",
    "protocol not supported",
  ),
  (
    libc::EPROTOTYPE,
    "EPROTOTYPE",
    "protocol wrong type for socket",
  ),
  (libc::ERANGE, "ERANGE", "result too large"),
  #[cfg(any(target_os = "linux", target_os = "android"))]
  (libc::EREMOTEIO, "EREMOTEIO", "remote I/O error"),
  (libc::EROFS, "EROFS", "read-only file system"),
  #[cfg(any(target_os = "linux", target_os = "android"))]
  (
    libc::ESHUTDOWN,
    "ESHUTDOWN",
    "cannot send after transport endpoint shutdown",
  ),
  #[cfg(any(target_os = "linux", target_os = "android"))]
  (
    libc::ESOCKTNOSUPPORT,
    "ESOCKTNOSUPPORT",
    "socket type not supported",
  ),
  (libc::ESPIPE, "ESPIPE", "invalid seek"),
  (libc::ESRCH, "ESRCH", "no such process"),
  (libc::ETIMEDOUT, "ETIMEDOUT", "connection timed out"),
  (libc::ETXTBSY, "ETXTBSY", "text file is busy"),
  #[cfg(any(target_os = "linux", target_os = "android"))]
  (libc::EUNATCH, "EUNATCH", "protocol driver not attached"),
  (libc::EXDEV, "EXDEV", "cross-device link not permitted"),
];

#[cfg(all(test, unix))]
mod tests {
  use super::*;

  #[test]
  fn errnos_take_libuv_names_and_words() {
    let looped = io::Error::from_raw_os_error(libc::ELOOP);
    assert_eq!(
      describe(&looped),
      ("ELOOP", "too many symbolic links encountered")
    );
    assert_eq!(negative_errno(&looped), Some(-libc::ELOOP));
    assert_eq!(
      describe(&io::Error::from_raw_os_error(libc::ENOSPC)).0,
      "ENOSPC"
    );
    assert_eq!(describe(&io::ErrorKind::Other.into()).0, "UNKNOWN");
  }
}
