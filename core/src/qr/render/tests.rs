//! Every renderer against the images it made before it drew in bands (SHA-256 digests: not a
//! byte of JPEG, WebP or GIF, nor a pixel of PNG, may change), and against a cancelled token.

use image::{ImageFormat as FileFormat, Rgba as Pixel, RgbaImage};
use qrcode::EcLevel;

use super::{image, svg, terminal, utf8, ImageFormat, Placed, RenderError};
use crate::cancel::{CancelToken, Cancelled};
use crate::hash::sha256;
use crate::qr::encode::{encode, Request};
use crate::qr::logo::Logo;
use crate::qr::options::{FinderShape, ModuleShape};
use crate::qr::{Content, Matrix, Rgba, Style};

const FORMATS: [ImageFormat; 4] = [
  ImageFormat::Png,
  ImageFormat::Jpeg { quality: 80 },
  ImageFormat::Webp,
  ImageFormat::Gif,
];

/// Sizes that are and are not a multiple of the module count, plain and shaped, opaque and
/// translucent, with and without a logo.
fn styles() -> Vec<(Style, bool)> {
  let plain = Style::default();
  let dots = Style {
    modules: ModuleShape::Dots,
    finder: FinderShape::Rounded,
    ..plain
  };
  let rounded = Style {
    modules: ModuleShape::Rounded,
    width: Some(333),
    margin: 1,
    ..plain
  };
  let translucent = Style {
    dark: Rgba::from_hex("#20406080").unwrap(),
    light: Rgba::from_hex("#ffeedd00").unwrap(),
    scale: 3,
    ..plain
  };
  vec![
    (plain, false),
    (
      Style {
        width: Some(301),
        margin: 0,
        ..plain
      },
      false,
    ),
    (Style { scale: 1, ..plain }, false),
    (dots, false),
    (rounded, false),
    (translucent, false),
    (Style { scale: 6, ..dots }, true),
    (
      Style {
        width: Some(250),
        ..plain
      },
      true,
    ),
  ]
}

/// A logo of many colours and alpha levels, so that GIF quantizes.
fn logo() -> Logo {
  let image = RgbaImage::from_fn(40, 30, |x, y| {
    Pixel([x as u8 * 6, y as u8 * 8, 90, 128 + x as u8])
  });
  let mut file = std::io::Cursor::new(Vec::new());
  image.write_to(&mut file, FileFormat::Png).unwrap();
  Logo::decode(&file.into_inner(), 0.25, &CancelToken::default()).unwrap()
}

/// The first 8 bytes of each image's digest (of its pixels for PNG), made by the full-frame
/// renderers (commit 1991753): one row per style, one column per format (PNG, JPEG, WebP, GIF).
const BEFORE: [[&str; 4]; 8] = [
  [
    "a68430c240e8b0b4",
    "00a3c5f604911b86",
    "2199c90298dc7d0b",
    "ad87dd247b72a2d0",
  ],
  [
    "cbb894b697e477a1",
    "920ee37fef3ed04c",
    "e5be99d829f66935",
    "bf7294c5df34854a",
  ],
  [
    "f35420232f884340",
    "6c6d6cdf8a7c3f5b",
    "cf472d063c61aa7a",
    "3b46f7ad3eb3633e",
  ],
  [
    "0369ffcf784d6204",
    "fac11cd315f7c71b",
    "583e1ed032523a5d",
    "4488873a1fcdbbc6",
  ],
  [
    "583501302437afa0",
    "20d194bc4d1e16e4",
    "53a6a8145d2a49f4",
    "667c34933dbed5ed",
  ],
  [
    "f9551733993df04c",
    "0bbbdebd821907fc",
    "1fe17f36da41d66c",
    "7bc69e8cc1c18850",
  ],
  [
    "ea34b8c9bda9a9f7",
    "35712d0129d44ae4",
    "b0799ce6439156e2",
    "c9c709b540e53e47",
  ],
  [
    "0f58735f0234b1de",
    "888e607da6f31cef",
    "13948d7e64879cbf",
    "b9c68cea10f9a739",
  ],
];

/// The file, or for PNG its pixels: the stream writer cuts the data into chunks of its own.
fn comparable(format: ImageFormat, bytes: Vec<u8>) -> Vec<u8> {
  match format {
    ImageFormat::Png => image::load_from_memory(&bytes)
      .unwrap()
      .into_rgba8()
      .into_raw(),
    _ => bytes,
  }
}

/// Calls `each` with a version 8 code of `text` in every style of [`styles`], with its logo
/// placed where the style has one.
fn for_every_style(text: &[u8], mut each: impl FnMut(&Matrix, &Style, Option<&Placed>)) {
  let request = Request {
    version: Some(8),
    ..Request::new(EcLevel::H)
  };
  let symbol = encode(&Content::Text(text), &request).unwrap();
  let logo = logo();
  let placed = Placed {
    logo: &logo,
    clearing: logo
      .place(symbol.version.qr().unwrap(), symbol.level)
      .unwrap(),
  };
  for (style, with_logo) in styles() {
    each(&symbol.matrix, &style, with_logo.then_some(&placed));
  }
}

fn digests() -> Vec<String> {
  let mut digests = Vec::new();
  for_every_style(b"golden images", |matrix, style, logo| {
    for format in FORMATS {
      let bytes = image(matrix, style, logo, format, &CancelToken::default()).unwrap();
      let digest = sha256(&comparable(format, bytes), &CancelToken::default()).unwrap();
      let hex = digest[..8].iter().map(|byte| format!("{byte:02x}"));
      digests.push(hex.collect());
    }
  });
  digests
}

#[test]
fn every_format_and_style_is_byte_for_byte_what_the_full_frame_renderers_made() {
  let before: Vec<&str> = BEFORE.iter().flatten().copied().collect();
  assert_eq!(digests(), before);
}

#[test]
fn a_cancelled_token_stops_every_renderer_in_every_style() {
  let cancelled = CancelToken::default();
  cancelled.cancel();
  for_every_style(b"cancelled", |matrix, style, logo| {
    for format in FORMATS {
      assert_eq!(
        image(matrix, style, logo, format, &cancelled),
        Err(RenderError::Cancelled),
        "{format:?} {style:?}"
      );
    }
    assert_eq!(
      svg(matrix, style, logo, &cancelled),
      Err(RenderError::Cancelled)
    );
    assert_eq!(utf8(matrix, style, &cancelled), Err(Cancelled));
    for small in [false, true] {
      assert_eq!(terminal(matrix, style, small, &cancelled), Err(Cancelled));
    }
  });
}
