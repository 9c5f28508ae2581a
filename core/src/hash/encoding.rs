//! How a digest is handed back: raw bytes or text, named as Node's crypto names them.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
  Buffer,
  Hex,
  Base64,
  /// RFC 4648 §5 without padding, as Node's `'base64url'`.
  Base64Url,
}

/// A digest after encoding: bytes for [`Encoding::Buffer`], text for every other encoding.
#[derive(Debug, PartialEq, Eq)]
pub enum Encoded {
  Bytes(Vec<u8>),
  Text(String),
}

impl Encoding {
  pub const NAMES: &'static str = "'buffer', 'hex', 'base64' or 'base64url'";

  pub fn from_name(name: &str) -> Option<Self> {
    match name {
      "buffer" => Some(Self::Buffer),
      "hex" => Some(Self::Hex),
      "base64" => Some(Self::Base64),
      "base64url" => Some(Self::Base64Url),
      _ => None,
    }
  }

  pub fn encode(self, bytes: &[u8]) -> Encoded {
    match self {
      Self::Buffer => Encoded::Bytes(bytes.to_vec()),
      Self::Hex => Encoded::Text(to_hex(bytes)),
      Self::Base64 => Encoded::Text(STANDARD.encode(bytes)),
      Self::Base64Url => Encoded::Text(URL_SAFE_NO_PAD.encode(bytes)),
    }
  }
}

pub fn to_hex(bytes: &[u8]) -> String {
  const DIGITS: &[u8; 16] = b"0123456789abcdef";
  let mut text = String::with_capacity(bytes.len() * 2);
  for byte in bytes {
    text.push(DIGITS[usize::from(byte >> 4)] as char);
    text.push(DIGITS[usize::from(byte & 0xf)] as char);
  }
  text
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn encodes_like_node() {
    let bytes = [0xfb, 0xff, 0x00, 0x3e];
    assert_eq!(
      Encoding::Hex.encode(&bytes),
      Encoded::Text("fbff003e".into())
    );
    assert_eq!(
      Encoding::Base64.encode(&bytes),
      Encoded::Text("+/8APg==".into())
    );
    assert_eq!(
      Encoding::Base64Url.encode(&bytes),
      Encoded::Text("-_8APg".into())
    );
    assert_eq!(
      Encoding::Buffer.encode(&bytes),
      Encoded::Bytes(bytes.to_vec())
    );
  }

  #[test]
  fn knows_only_nodes_names() {
    assert_eq!(Encoding::from_name("base64url"), Some(Encoding::Base64Url));
    assert_eq!(Encoding::from_name("HEX"), None);
    assert_eq!(Encoding::from_name("latin1"), None);
  }
}
