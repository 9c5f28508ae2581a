//! qrhash's core, with no napi in it: `qr` (data → segments → modules → images), `hash`
//! (SHA-256 over borrowed bytes) and `cancel` (the flag long work checks). Being a plain
//! library, it is what `cargo test`, the fuzz targets in `fuzz/` and valgrind exercise directly.

#![deny(clippy::undocumented_unsafe_blocks)]

pub mod cancel;
pub mod fs;
pub mod hash;
pub mod qr;
