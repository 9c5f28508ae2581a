//! The parsers behind options given as strings: colours, error correction levels and digest
//! encodings. Each accepts exactly its documented forms, and what it accepts round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qrhash_core::hash::Encoding;
use qrhash_core::qr::{parse_ec_level, Rgba};

fuzz_target!(|text: &str| {
  let digits = text.strip_prefix('#').unwrap_or(text);
  let colour_form =
    matches!(digits.len(), 3 | 4 | 6 | 8) && digits.bytes().all(|b| b.is_ascii_hexdigit());
  match Rgba::from_hex(text) {
    Some(colour) => {
      assert!(colour_form, "{text:?} accepted as a colour");
      let long = format!(
        "#{:02x}{:02x}{:02x}{:02x}",
        colour.r, colour.g, colour.b, colour.a
      );
      assert_eq!(Rgba::from_hex(&long), Some(colour));
      if digits.len() == 3 || digits.len() == 6 {
        assert_eq!(colour.a, 0xff, "no alpha given means opaque");
      }
    }
    None => assert!(!colour_form, "{text:?} refused as a colour"),
  }

  let level_names = ["l", "m", "q", "h", "low", "medium", "quartile", "high"];
  let is_level_name = level_names.contains(&text.to_ascii_lowercase().as_str());
  assert_eq!(parse_ec_level(text).is_some(), is_level_name, "{text:?}");

  let encoding_names = ["buffer", "hex", "base64", "base64url"];
  assert_eq!(
    Encoding::from_name(text).is_some(),
    encoding_names.contains(&text),
    "{text:?}"
  );
});
