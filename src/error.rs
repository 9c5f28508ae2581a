//! Every way a call can fail, and how each becomes a JavaScript error.
//!
//! A [`Failure`] is plain data, so it can be made on a pool thread and turned into a
//! `TypeError`, `RangeError`, `AbortError` or coded `Error` back on the JavaScript thread.

use std::fmt;

use napi::bindgen_prelude::{JsObjectValue, Object, Unknown};
use napi::{Env, JsValue};

use crate::cancel::Cancelled;
use crate::errno;
use crate::input::Held;
use crate::napi_raw::{self, ErrorClass};
use crate::qr::logo::{LogoError, MAX_JPEG_LOGO_SIDE, MAX_LOGO_SIDE};
use crate::qr::options::ImageTooLarge;
use crate::qr::output::OutputError;
use crate::qr::render::RenderError;
use crate::qr::rmqr;
use crate::qr::{encode, EncodeError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
  /// An argument of the wrong type: `TypeError`.
  Type,
  /// An argument of the right type with a value outside what is allowed: `RangeError`.
  Range,
  /// The caller's `AbortSignal` fired: an `Error` named `AbortError`.
  Abort,
  /// Anything else, such as a file that cannot be read: a plain `Error`.
  Other,
}

/// A failure with a stable `code` and a message that names the argument, what was given and
/// what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
  pub kind: ErrorKind,
  pub code: &'static str,
  pub message: String,
  /// What `fs` adds to an operating-system error.
  pub system: Option<Box<SystemCall>>,
}

/// The system call that failed, as Node's `fs` errors describe it: `errno` (negative, where
/// known), `syscall` (`'open'`, `'read'`, `'write'`, …) and `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemCall {
  errno: Option<i32>,
  syscall: &'static str,
  path: String,
}

impl Failure {
  /// `argument` has the wrong type: `TypeError` `ERR_INVALID_ARG_TYPE`.
  pub fn wrong_type(argument: impl fmt::Display, expected: &str, given: &str) -> Self {
    Self {
      kind: ErrorKind::Type,
      code: "ERR_INVALID_ARG_TYPE",
      message: format!("{argument} must be {expected}, got {given}"),
      system: None,
    }
  }

  /// `argument` has a value that is not allowed: `RangeError` `ERR_INVALID_ARG_VALUE`.
  pub fn bad_value(argument: impl fmt::Display, allowed: &str, given: &str) -> Self {
    Self {
      kind: ErrorKind::Range,
      code: "ERR_INVALID_ARG_VALUE",
      message: format!("{argument} must be {allowed}, got {given}"),
      system: None,
    }
  }

  /// A number outside its range: `RangeError` `ERR_OUT_OF_RANGE`.
  pub fn out_of_range(argument: impl fmt::Display, allowed: &str, given: &str) -> Self {
    Self {
      code: "ERR_OUT_OF_RANGE",
      ..Self::bad_value(argument, allowed, given)
    }
  }

  /// A value the call cannot work with, with its own `code`: `RangeError`.
  fn range(code: &'static str, message: String) -> Self {
    Self {
      kind: ErrorKind::Range,
      code,
      message,
      system: None,
    }
  }

  /// `bytes` could not be allocated: an `Error` with Node's `ERR_MEMORY_ALLOCATION_FAILED`,
  /// rather than the abort an allocation failure is in Rust (WASI's wasm32 memory is small).
  pub fn out_of_memory(bytes: usize) -> Self {
    Self {
      kind: ErrorKind::Other,
      code: "ERR_MEMORY_ALLOCATION_FAILED",
      message: format!("could not allocate {bytes} bytes"),
      system: None,
    }
  }

  /// An options object has a key this function does not take: `TypeError`
  /// `ERR_INVALID_ARG_VALUE`, so a misspelt option never goes silently unused.
  pub fn unknown_option(path: &str, key: &str, known: &[&str]) -> Self {
    Self {
      kind: ErrorKind::Type,
      code: "ERR_INVALID_ARG_VALUE",
      message: format!(
        "{path}.{key} is not an option here; {path} takes {}",
        known.join(", ")
      ),
      system: None,
    }
  }

  /// A bug in qrhash: a panic, caught before it could unwind into Node and abort the process.
  /// An `Error` with code `ERR_QRHASH_INTERNAL` and the panic's message.
  pub fn internal(panic: &(dyn std::any::Any + Send)) -> Self {
    let what = panic
      .downcast_ref::<&str>()
      .copied()
      .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
      .unwrap_or("a panic with no message");
    Self {
      kind: ErrorKind::Other,
      code: "ERR_QRHASH_INTERNAL",
      message: format!("qrhash internal error: {what}. This is a bug; please report it"),
      system: None,
    }
  }

  /// An I/O error as Node's `fs` reports one: `code` (`ENOENT`), `errno`, `syscall`, `path`
  /// and the message `ENOENT: no such file or directory, open '/x'`.
  pub fn io(error: &std::io::Error, syscall: &'static str, path: &std::path::Path) -> Self {
    // libuv's words for each code; Rust's own add " (os error 2)".
    let (code, description) = errno::describe(error);
    let path = path.to_string_lossy().into_owned();
    Self {
      kind: ErrorKind::Other,
      code,
      message: format!("{code}: {description}, {syscall} '{path}'"),
      system: Some(Box::new(SystemCall {
        errno: errno::negative_errno(error),
        syscall,
        path,
      })),
    }
  }

  /// The JavaScript error. `abort_reason` (the signal's `reason`) becomes the `cause` of an
  /// `AbortError`. Only a dying environment fails to create one; then the value is whatever
  /// napi could make of the message.
  pub fn to_value<'env>(&self, env: &'env Env, abort_reason: Option<Unknown>) -> Unknown<'env> {
    match self.to_js(env, abort_reason) {
      Ok(error) => error.to_unknown(),
      Err(error) => napi_error_value(env, error),
    }
  }

  /// Throws this failure on the calling (JavaScript) thread.
  pub fn throw(&self, env: &Env) -> napi::Error {
    throw(env, self.to_value(env, None))
  }

  fn to_js<'env>(
    &self,
    env: &'env Env,
    abort_reason: Option<Unknown>,
  ) -> napi::Result<Object<'env>> {
    let class = match self.kind {
      ErrorKind::Type => ErrorClass::TypeError,
      ErrorKind::Range => ErrorClass::RangeError,
      ErrorKind::Abort | ErrorKind::Other => ErrorClass::Error,
    };
    let mut error = napi_raw::create_error(env, class, self.code, &self.message)?;
    if let Some(system) = &self.system {
      if let Some(errno) = system.errno {
        error.set_named_property("errno", errno)?;
      }
      error.set_named_property("syscall", system.syscall)?;
      error.set_named_property("path", system.path.as_str())?;
    }
    if self.kind == ErrorKind::Abort {
      error.set_named_property("name", "AbortError")?;
      if let Some(reason) = abort_reason {
        error.set_named_property("cause", reason)?;
      }
    }
    Ok(error)
  }
}

/// Why a call was refused before any work started.
pub enum Refusal {
  /// qrhash's own validation.
  Invalid(Failure),
  /// JavaScript that reading the arguments ran (a getter, a Proxy trap, the signal's methods)
  /// threw this; it is passed on unchanged, as a JavaScript async function would.
  Thrown(Held),
}

impl Refusal {
  /// Prefers an exception JavaScript left pending over the failure it caused, so the caller
  /// sees their own error and the environment is left with no exception pending.
  pub fn new(env: &Env, failure: Failure) -> Self {
    take_pending_exception(env).map_or(Self::Invalid(failure), Self::Thrown)
  }

  pub fn to_value<'env>(&self, env: &'env Env) -> Unknown<'env> {
    match self {
      Self::Invalid(failure) => failure.to_value(env, None),
      Self::Thrown(thrown) => thrown
        .value(env)
        .unwrap_or_else(|error| napi_error_value(env, error)),
    }
  }
}

/// Takes the exception JavaScript left pending, if there is one, keeping the very value thrown
/// (a napi reference, which every target has, WASI included).
pub fn take_pending_exception(env: &Env) -> Option<Held> {
  Held::new(env, &napi_raw::take_exception(env)?).ok()
}

/// Throws `value` and returns the error that tells napi-rs an exception is already pending, so
/// the caller receives `value` itself rather than an error napi-rs rebuilds from a message.
pub fn throw(env: &Env, value: Unknown) -> napi::Error {
  napi_raw::throw(env, &value);
  napi::Error::from_status(napi::Status::PendingException)
}

/// A napi-rs error (a failed conversion, a dying environment) as a JavaScript value.
pub fn napi_error_value(env: &Env, error: napi::Error) -> Unknown<'_> {
  napi_raw::error_value(env, error)
}

impl From<Cancelled> for Failure {
  fn from(_: Cancelled) -> Self {
    Self {
      kind: ErrorKind::Abort,
      code: "ERR_ABORTED",
      message: "The operation was aborted".into(),
      system: None,
    }
  }
}

impl From<EncodeError> for Failure {
  fn from(error: EncodeError) -> Self {
    match error {
      EncodeError::Empty => Self::range(
        "ERR_QR_EMPTY_INPUT",
        "text must not be empty: a QR code needs at least one character or byte".into(),
      ),
      EncodeError::TooLong {
        level,
        micro: false,
      } => Self::range(
        "ERR_QR_DATA_TOO_LONG",
        format!(
          "text does not fit in a QR code at error correction level {level:?}: version 40 \
           holds at most {} bytes of binary data at that level (more for digits and upper-case \
           letters); use a lower level or less data",
          encode::max_bytes(level)
        ),
      ),
      EncodeError::TooLong { level, micro: true } => Self::range(
        "ERR_QR_DATA_TOO_LONG",
        format!(
          "text does not fit in a Micro QR code at error correction level {level:?}: M4 holds \
           at most 35 digits, 21 alphanumerics or 15 bytes at level L, fewer at M and Q; leave \
           options.micro off for more"
        ),
      ),
      EncodeError::SequenceTooLong { level, symbols } => Self::range(
        "ERR_QR_DATA_TOO_LONG",
        format!(
          "text does not fit in {symbols} QR codes of a structured-append sequence at error \
           correction level {level:?} (a sequence has at most 16; each holds a little less \
           than one code alone); use a lower level, a larger options.version or less data"
        ),
      ),
      EncodeError::VersionTooSmall { version, needed } => Self::range(
        "ERR_QR_VERSION_TOO_SMALL",
        format!(
          "options.version {} cannot hold this data at this error correction level; the \
           minimum version is {}",
          version_name(version),
          version_name(needed)
        ),
      ),
      EncodeError::RmqrTooLong { level } => Self::range(
        "ERR_QR_DATA_TOO_LONG",
        format!(
          "text does not fit in an rMQR code at error correction level {level:?}: R17x139, the \
           largest, holds at most {} bytes of binary data at that level (more for digits and \
           upper-case letters); use level M, a QR code or less data",
          rmqr::RmqrLevel::of(level).map_or(0, |level| rmqr::Size::LARGEST.most_bytes(level))
        ),
      ),
      EncodeError::RmqrTooSmall { size, needed } => Self::range(
        "ERR_QR_VERSION_TOO_SMALL",
        format!(
          "options.rmqr '{}' cannot hold this data at this error correction level; {}",
          size.name(),
          match needed {
            Some(needed) => format!("the smallest size that holds it is '{}'", needed.name()),
            None => "no rMQR size holds it (R17x139 is the largest)".into(),
          }
        ),
      ),
      EncodeError::NotInRmqr { option, given } => match option {
        "errorCorrectionLevel" => Self::bad_value(
          "options.errorCorrectionLevel",
          "'M' or 'H' for an rMQR code (options.rmqr): rMQR has levels M and H",
          &format!("level {given}"),
        ),
        _ => Self::bad_value(
          format!("options.{option}"),
          "left out with options.rmqr (an rMQR code has one size, one mask and no FNC1, \
           structured append or logo)",
          &given,
        ),
      },
      EncodeError::Invalid {
        option: "symbols",
        given,
      } => Self::bad_value(
        "options.symbols",
        "at most the data's characters, and not with options.micro (Micro QR has no structured append)",
        &given,
      ),
      EncodeError::Invalid { option: "fnc1", .. } => Self::bad_value(
        "options.gs1 or options.applicationIndicator",
        "left out for a Micro QR code (options.micro), which has no FNC1 mode",
        "one of them",
      ),
      EncodeError::Invalid { option, given } => Self::out_of_range(
        format!("options.{option}"),
        match option {
          "version" => "1 to 40, or 1 to 4 for a Micro QR code (options.micro)",
          "maskPattern" => "0 to 7, or 0 to 3 for a Micro QR code (options.micro)",
          _ => "'L', 'M' or 'Q' for a Micro QR code (it has no level H)",
        },
        &match option {
          "errorCorrectionLevel" => format!("level {given}"),
          _ => format!("the number {given}"),
        },
      ),
    }
  }
}

/// `7`, or `M3` for a Micro QR version.
pub fn version_name(version: qrcode::Version) -> String {
  match version {
    qrcode::Version::Normal(number) => number.to_string(),
    qrcode::Version::Micro(number) => format!("M{number}"),
  }
}

impl From<ImageTooLarge> for Failure {
  fn from(error: ImageTooLarge) -> Self {
    Self {
      kind: ErrorKind::Range,
      code: "ERR_QR_IMAGE_TOO_LARGE",
      message: format!(
        "the image would be {} px wide, more than the {} px allowed{}; lower options.width, \
         options.scale or options.margin",
        error.side,
        error.limit,
        if error.limit < crate::qr::options::MAX_IMAGE_SIDE {
          " for WebP and GIF, which are drawn whole in memory"
        } else {
          ""
        }
      ),
      system: None,
    }
  }
}

impl From<OutputError> for Failure {
  fn from(error: OutputError) -> Self {
    match error {
      OutputError::Encode(error) => error.into(),
      OutputError::Cancelled
      | OutputError::Render(RenderError::Cancelled)
      | OutputError::Logo(LogoError::Cancelled) => Cancelled.into(),
      OutputError::Logo(LogoError::Unreadable(reason)) => Self::range(
        "ERR_QR_LOGO_UNREADABLE",
        format!("options.logo.image must be a PNG or JPEG image: {reason}"),
      ),
      OutputError::Logo(LogoError::TooManyPixels {
        width,
        height,
        limit,
      }) => {
        let which = if limit == MAX_JPEG_LOGO_SIDE {
          format!(" as a JPEG (a PNG may have {MAX_LOGO_SIDE})")
        } else {
          String::new()
        };
        Self::range(
          "ERR_QR_LOGO_IMAGE_TOO_LARGE",
          format!(
            "options.logo.image must be at most {limit} × {limit} pixels{which}; its header \
             says {width} × {height}"
          ),
        )
      }
      OutputError::Logo(LogoError::TooLarge { .. }) => Self::range(
        "ERR_QR_LOGO_TOO_LARGE",
        "options.logo does not fit this code".into(),
      ),
      OutputError::LogoTooLarge {
        version,
        fraction,
        largest,
      } => {
        let advice = match largest {
          Some(largest) => format!("at most {:.2} fits", (largest * 100.0).floor() / 100.0),
          None => "no logo fits; use a larger options.version".into(),
        };
        Self::range(
          "ERR_QR_LOGO_TOO_LARGE",
          format!(
            "options.logo.size {fraction} would hide more of this version {} code than error \
             correction level H recovers; {advice}",
            version_name(version)
          ),
        )
      }
      OutputError::Render(RenderError::TooLarge(error)) => error.into(),
      OutputError::Render(RenderError::Encoder(reason)) => Self {
        kind: ErrorKind::Other,
        code: "ERR_QR_RENDER",
        message: format!("the image could not be encoded: {reason}"),
        system: None,
      },
      OutputError::Write {
        error,
        syscall,
        path,
      } => Self::io(&error, syscall, &path),
    }
  }
}
