//! QR codes: data → module matrix (`encode`), how it is drawn (`options`), images (`render`).

pub mod encode;
pub mod options;
pub mod render;

pub use encode::{encode, Charset, EncodeError, Matrix};
pub use options::{parse_ec_level, Rgba, Style};
