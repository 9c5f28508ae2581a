//! QR codes: data → module matrix (`encode`, with the mask chosen by `mask` over bit-packed
//! `line`s), how it is drawn (`options`), images (`render`).

pub mod encode;
mod line;
mod mask;
pub mod options;
pub mod render;

pub use encode::{encode, Charset, EncodeError, Matrix};
pub use options::{parse_ec_level, Rgba, Style};
