//! Caller-chosen segments: any bytes in any mode are either refused by `Piece::new` or encode,
//! and a refusal matches the mode's alphabet.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use qrcode::types::Mode;
use qrcode::EcLevel;
use qrhash_core::qr::{encode, Content, Eci, EncodeError, Fnc1, Piece, PieceError, Request};

#[derive(Arbitrary, Debug)]
struct Segment {
  mode: u8,
  bytes: Vec<u8>,
  text: bool,
}

#[derive(Arbitrary, Debug)]
struct Case {
  segments: Vec<Segment>,
  level: u8,
  eci: u8,
  fnc1: u8,
}

const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

fuzz_target!(|case: Case| {
  let mut pieces = Vec::new();
  for segment in case.segments {
    let mode = [
      None,
      Some(Mode::Numeric),
      Some(Mode::Alphanumeric),
      Some(Mode::Byte),
      Some(Mode::Kanji),
    ][usize::from(segment.mode % 5)];
    let bytes = segment.bytes.clone();
    match Piece::new(mode, segment.bytes, segment.text) {
      Ok(piece) => pieces.push(piece),
      Err(PieceError::Empty) => assert!(bytes.is_empty()),
      Err(PieceError::NotNumeric) => {
        assert_eq!(mode, Some(Mode::Numeric));
        assert!(!bytes.iter().all(u8::is_ascii_digit));
      }
      Err(PieceError::NotAlphanumeric) => {
        assert_eq!(mode, Some(Mode::Alphanumeric));
        assert!(!bytes.iter().all(|byte| ALPHANUMERIC.contains(byte)));
      }
      Err(PieceError::NotKanji) => assert_eq!(mode, Some(Mode::Kanji)),
    }
  }
  let request = Request {
    level: [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H][usize::from(case.level % 4)],
    version: None,
    micro: false,
    mask: None,
    eci: [Eci::Auto, Eci::Always, Eci::Never][usize::from(case.eci % 3)],
    fnc1: match case.fnc1 % 4 {
      0 => Fnc1::None,
      1 => Fnc1::Gs1,
      _ => Fnc1::industry(&format!("{:02}", case.fnc1 % 100)).expect("two digits"),
    },
    sequence: None,
    rmqr: None,
  };
  match encode(&Content::Pieces(&pieces), &request) {
    Ok(symbol) => {
      let version = symbol.version.qr().expect("a QR request");
      assert_eq!(symbol.matrix.width(), version.width() as usize);
    }
    Err(EncodeError::Empty) => assert!(pieces.is_empty()),
    Err(EncodeError::TooLong { level, micro }) => assert!(level == request.level && !micro),
    Err(other) => panic!("a valid request refused: {other:?}"),
  }
});
