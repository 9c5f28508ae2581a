//! SHA-256 over borrowed bytes, and the textual encodings of a digest.

pub mod encoding;
pub mod oneshot;

pub use encoding::Encoding;
pub use oneshot::{sha256, Digest};
