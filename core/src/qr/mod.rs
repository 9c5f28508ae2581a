//! QR codes: data → segments (`segment`) → module matrix (`encode`, with the mask chosen by
//! `mask` over bit-packed `line`s), how it is drawn (`options`), images (`render`), and the
//! pipeline from a recipe to a result (`output`) in the formats one table lists (`format`).

mod bit_writer;
pub mod encode;
pub mod format;
mod line;
pub mod logo;
mod mask;
pub mod options;
pub mod output;
pub mod paint;
pub mod render;
pub mod rmqr;
pub mod segment;
pub mod sequence;
mod template;

pub use encode::{encode, EncodeError, Matrix, Request, Symbol, SymbolVersion};
pub use options::{parse_ec_level, Rgba, Style};
pub use segment::{Content, Eci, Fnc1, Piece, PieceError};
