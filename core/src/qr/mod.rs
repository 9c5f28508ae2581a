//! QR codes: data → segments (`segment`) → module matrix (`encode`, with the mask chosen by
//! `mask` over bit-packed `line`s), how it is drawn (`options`), images (`render`).

pub mod encode;
mod line;
pub mod logo;
mod mask;
pub mod options;
pub mod render;
pub mod segment;
mod template;

pub use encode::{encode, EncodeError, Matrix, Request, Symbol};
pub use options::{parse_ec_level, Rgba, Style};
pub use segment::{Content, Eci, Piece, PieceError};
