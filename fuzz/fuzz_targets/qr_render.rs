//! Any data and any drawing options → encode → every renderer. Beyond "no panic": the symbol
//! has the size and settings asked for, and a decoded PNG shows each module in its colour.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use qrcode::EcLevel;
use qrhash_core::qr::logo::Logo;
use qrhash_core::qr::options::{FinderShape, ModuleShape, MAX_MARGIN, MAX_SCALE};
use qrhash_core::qr::render::{self, ImageFormat, Placed};
use qrhash_core::qr::{encode, Content, Eci, Request, Rgba, Style};

/// Raster images above this side are only sized, not drawn: the fuzzer wants many runs a second.
const MAX_DRAWN_SIDE: u32 = 600;

#[derive(Arbitrary, Debug)]
struct Case {
  data: Vec<u8>,
  text: bool,
  level: u8,
  version: Option<u8>,
  micro: bool,
  mask: Option<u8>,
  eci: u8,
  margin: u32,
  scale: u32,
  width: Option<u16>,
  dark: [u8; 4],
  light: [u8; 4],
  modules: u8,
  finder: u8,
  quality: u8,
  small: bool,
  logo: Option<(Vec<u8>, u8)>,
}

fuzz_target!(|case: Case| {
  let text;
  let content = if case.text {
    text = String::from_utf8_lossy(&case.data).into_owned();
    Content::Text(text.as_bytes())
  } else {
    Content::Binary(&case.data)
  };
  let request = Request {
    level: [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H][usize::from(case.level % 4)],
    version: case.version,
    micro: case.micro,
    mask: case.mask,
    eci: [Eci::Auto, Eci::Always, Eci::Never][usize::from(case.eci % 3)],
  };
  // Out-of-range versions and masks must come back as errors, never as panics.
  let Ok(symbol) = encode(&content, &request) else {
    return;
  };
  assert_eq!(symbol.matrix.width(), symbol.version.width() as usize);
  assert_eq!(symbol.level, request.level);
  if let Some(version) = request.version {
    let (qrcode::Version::Normal(number) | qrcode::Version::Micro(number)) = symbol.version;
    assert_eq!(i16::from(version), number);
  }
  if let Some(mask) = request.mask {
    assert_eq!(mask, symbol.mask);
  }

  // The same caps the JavaScript options reader enforces.
  let rgba = |[r, g, b, a]: [u8; 4]| Rgba { r, g, b, a };
  let style = Style {
    margin: case.margin % (MAX_MARGIN + 1),
    scale: 1 + case.scale % MAX_SCALE,
    width: case.width.map(|width| u32::from(width.max(1))),
    dark: rgba(case.dark),
    light: rgba(case.light),
    modules: [ModuleShape::Square, ModuleShape::Rounded, ModuleShape::Dots]
      [usize::from(case.modules % 3)],
    finder: [FinderShape::Square, FinderShape::Rounded][usize::from(case.finder % 2)],
  };
  let logo = case
    .logo
    .and_then(|(image, size)| Logo::decode(&image, 0.05 + f64::from(size % 36) / 100.0).ok());
  let placed = logo.as_ref().and_then(|logo| {
    let clearing = logo.place(symbol.version, symbol.level).ok()?;
    Some(Placed { logo, clearing })
  });

  let svg = render::svg(&symbol.matrix, &style, placed.as_ref());
  let utf8 = render::utf8(&symbol.matrix, &style);
  let side = style.side_modules(symbol.matrix.width());
  assert_eq!(utf8.lines().count(), side.div_ceil(2));
  render::terminal(&symbol.matrix, &style, case.small);
  let Ok(side_px) = style.side_px(symbol.matrix.width()) else {
    assert!(
      svg.is_err(),
      "an SVG too large to size is refused like an image"
    );
    return;
  };
  assert!(svg.expect("an image of a valid size").starts_with("<svg "));
  if side_px > MAX_DRAWN_SIDE {
    return;
  }
  let formats = [
    ImageFormat::Png,
    ImageFormat::Jpeg {
      quality: 1 + case.quality % 100,
    },
    ImageFormat::Webp,
  ];
  for format in formats {
    let bytes = render::image(&symbol.matrix, &style, placed.as_ref(), format).expect("drawn");
    if format == ImageFormat::Png {
      check_png(&bytes, &symbol.matrix, &style, side_px, placed.is_some());
    }
  }
});

/// The PNG is `side_px` square, and each square module's centre pixel has its module's colour
/// (away from a logo; shaped modules are checked only at finder centres, which are always dark).
fn check_png(
  bytes: &[u8],
  matrix: &qrhash_core::qr::Matrix,
  style: &Style,
  side_px: u32,
  has_logo: bool,
) {
  let image = image_rgba(bytes);
  assert_eq!(image.dimensions(), (side_px, side_px));
  if has_logo || !style.is_plain() || style.dark == style.light {
    return;
  }
  let side = style.side_modules(matrix.width()) as u32;
  let margin = style.margin as usize;
  for y in 0..matrix.width() {
    for x in 0..matrix.width() {
      // Framed module k starts at pixel ⌈k · side_px / side⌉.
      let edge = |k: usize| (k as u32 * side_px).div_ceil(side);
      let centre = |module: usize| (edge(module + margin) + edge(module + margin + 1)) / 2;
      let pixel = image.get_pixel(centre(x), centre(y)).0;
      let expected = if matrix.is_dark(x, y) {
        style.dark
      } else {
        style.light
      };
      // Fully transparent pixels may store any colour.
      if expected.a != 0 {
        assert_eq!(
          pixel,
          [expected.r, expected.g, expected.b, expected.a],
          "module ({x}, {y})"
        );
      } else {
        assert_eq!(pixel[3], 0, "module ({x}, {y})");
      }
    }
  }
}

fn image_rgba(bytes: &[u8]) -> image::RgbaImage {
  image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
    .expect("a PNG that decodes")
    .to_rgba8()
}
