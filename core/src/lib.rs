//! qrhash's core, with no napi in it: `qr` (data → segments → modules → images), `hash`
//! (SHA-256 over borrowed bytes) `cancel` (the flag long work checks) and `slice` (the deadline it pauses at). Being a plain
//! library, it is what `cargo test`, the fuzz targets in `fuzz/` and valgrind exercise directly.

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod cancel;
pub mod fs;
pub mod hash;
pub mod qr;
pub mod slice;
