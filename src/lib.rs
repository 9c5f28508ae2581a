//! qrhash: QR codes and SHA-256 for Node.js, computed on libuv's thread pool.
//!
//! The pure-Rust core (`cancel`, `hash`, `qr`) is the `qrhash-core` crate in `core/`, free of napi;
//! `input` and `error` convert between JavaScript and that core; `js` holds the exported
//! functions and the task plumbing they share.

// napi-derive registers exports only outside `cfg(test)`, so in the unit-test build the napi
// layer looks unused; the normal build still denies dead code.
#![cfg_attr(test, allow(dead_code))]
#![deny(clippy::undocumented_unsafe_blocks)]

mod errno;
mod error;
mod input;
mod js;
mod napi_raw;

use qrhash_core::{cancel, fs, hash, qr, slice};
