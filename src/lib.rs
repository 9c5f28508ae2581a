//! qrhash: QR codes and SHA-256 for Node.js, computed on libuv's thread pool.
//!
//! The pure-Rust core (`cancel`, `hash`, `qr`) knows nothing of napi so `cargo test` covers it;
//! `input` and `error` convert between JavaScript and that core; `js` holds the exported
//! functions and the task plumbing they share.

// napi-derive registers exports only outside `cfg(test)`, so in the unit-test build the napi
// layer looks unused; the normal build still denies dead code.
#![cfg_attr(test, allow(dead_code))]

mod cancel;
mod error;
mod hash;
mod input;
mod js;
mod qr;
