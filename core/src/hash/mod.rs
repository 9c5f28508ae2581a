//! SHA-256 over borrowed bytes: one message, fixed-size records, chains, Merkle trees, files;
//! and the textual encodings of a digest.

pub mod chain;
pub mod encoding;
pub mod file;
pub mod incremental;
pub mod merkle;
pub mod oneshot;
pub mod records;
#[cfg(target_arch = "x86_64")]
mod sha_ni;
mod short;
pub mod state;

pub use encoding::Encoding;
pub use oneshot::{sha256, Digest, DIGEST_LEN};
