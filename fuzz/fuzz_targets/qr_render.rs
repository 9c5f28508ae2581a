//! Any data, any drawing options and any logo → the whole output pipeline (`Recipe::make`, as
//! the addon runs it): encode, logo re-versioning, every renderer, data URLs. Beyond "no
//! panic": the symbol has the size and settings asked for (a larger version only to make room
//! for a logo), a data URL holds exactly the image bytes, and a decoded PNG shows each module in
//! its colour. rMQR requests (a size or the smallest) go through the same checks.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use qrcode::EcLevel;
use qrhash_core::cancel::CancelToken;
use qrhash_core::qr::format::{Format, TextFormat};
use qrhash_core::qr::logo::Logo;
use qrhash_core::qr::options::{FinderColours, FinderShape, ModuleShape, MAX_MARGIN, MAX_SCALE};
use qrhash_core::qr::output::{
  data_url, encode_with_logo, LogoSource, Made, Output, OutputError, Recipe,
};
use qrhash_core::qr::paint::{Gradient, GradientKind, Stop, Stops};
use qrhash_core::qr::render::{ImageFormat, RenderError};
use qrhash_core::qr::rmqr::{self, Choice};
use qrhash_core::qr::{Content, Eci, Fnc1, Request, Rgba, Style, Symbol, SymbolVersion};

/// Raster images above this side are only sized, not drawn: the fuzzer wants many runs a second.
const MAX_DRAWN_SIDE: u32 = 600;

#[derive(Arbitrary, Debug)]
struct Case {
  data: Vec<u8>,
  text: bool,
  level: u8,
  version: Option<u8>,
  micro: bool,
  /// An rMQR size by its number less one, or (32 and above) the smallest.
  rmqr: Option<u8>,
  mask: Option<u8>,
  eci: u8,
  margin: u32,
  scale: u32,
  width: Option<u16>,
  dark: [u8; 4],
  light: [u8; 4],
  modules: u8,
  finder: u8,
  gradient: Option<GradientCase>,
  finder_ring: Option<[u8; 4]>,
  finder_centre: Option<[u8; 4]>,
  quality: u8,
  small: bool,
  logo: Option<LogoCase>,
}

/// A gradient: linear (with its rotation in degrees) or radial, and its stops as offsets in
/// 255ths and RGBA colours.
#[derive(Arbitrary, Debug)]
struct GradientCase {
  rotation: Option<i16>,
  stops: Vec<(u8, [u8; 4])>,
}

/// A logo: a small PNG drawn from fuzz bytes, or the bytes themselves (mostly unreadable).
#[derive(Arbitrary, Debug)]
struct LogoCase {
  as_png: bool,
  side: (u8, u8),
  bytes: Vec<u8>,
  size: u8,
}

impl LogoCase {
  fn image(&self) -> Vec<u8> {
    if !self.as_png {
      return self.bytes.clone();
    }
    let (width, height) = (
      1 + u32::from(self.side.0 % 24),
      1 + u32::from(self.side.1 % 24),
    );
    let pixels = image::RgbaImage::from_fn(width, height, |x, y| {
      let at = ((y * width + x) * 4) as usize;
      image::Rgba(std::array::from_fn(|channel| {
        self.bytes.get(at + channel).copied().unwrap_or(0xff)
      }))
    });
    let mut png = Cursor::new(Vec::new());
    pixels
      .write_to(&mut png, image::ImageFormat::Png)
      .expect("a small PNG encodes");
    png.into_inner()
  }
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
    fnc1: Fnc1::None,
    sequence: None,
    rmqr: case
      .rmqr
      .map(|number| match rmqr::Size::all().nth(usize::from(number)) {
        Some(size) => Choice::Fixed(size),
        None => Choice::Smallest,
      }),
  };
  // The same caps the JavaScript options reader enforces.
  let rgba = |[r, g, b, a]: [u8; 4]| Rgba { r, g, b, a };
  let style = Style {
    margin: case.margin % (MAX_MARGIN + 1),
    scale: 1 + case.scale % MAX_SCALE,
    width: case.width.map(|width| u32::from(width.max(1))),
    dark: rgba(case.dark),
    light: rgba(case.light),
    gradient: case.gradient.as_ref().and_then(|gradient| {
      let stops: Vec<Stop> = gradient
        .stops
        .iter()
        .map(|&(offset, colour)| Stop {
          offset: f64::from(offset) / 255.0,
          colour: rgba(colour),
        })
        .collect();
      Some(Gradient {
        kind: match gradient.rotation {
          Some(degrees) => GradientKind::Linear {
            rotation: f64::from(degrees % 361),
          },
          None => GradientKind::Radial,
        },
        stops: Stops::new(&stops).ok()?,
      })
    }),
    finder_colours: FinderColours {
      ring: case.finder_ring.map(rgba),
      centre: case.finder_centre.map(rgba),
    },
    modules: [
      ModuleShape::Square,
      ModuleShape::Rounded,
      ModuleShape::Dots,
      ModuleShape::ExtraRounded,
      ModuleShape::Classy,
      ModuleShape::ClassyRounded,
    ][usize::from(case.modules % 6)],
    finder: [
      FinderShape::Square,
      FinderShape::Rounded,
      FinderShape::ExtraRounded,
      FinderShape::Dot,
    ][usize::from(case.finder % 4)],
  };
  let logo = case
    .logo
    .as_ref()
    .map(|logo| LogoSource::new(logo.image(), 0.05 + f64::from(logo.size % 36) / 100.0));
  let recipe = |output| Recipe {
    request,
    style,
    logo: logo
      .as_ref()
      .map(|logo| LogoSource::new(logo.image.as_slice(), logo.fraction)),
    output,
  };
  let make = |output| recipe(output).make(&content, &CancelToken::default());

  // Out-of-range versions and masks, unreadable logos and logos no version affords must come
  // back as errors, never as panics.
  let symbol = match make(Output::Symbol) {
    Ok(Made::Symbol(symbol)) => symbol,
    Ok(other) => panic!("a symbol was asked for, not {other:?}"),
    Err(OutputError::Encode(_) | OutputError::Logo(_) | OutputError::LogoTooLarge { .. }) => return,
    Err(other) => panic!("encoding alone cannot fail with {other:?}"),
  };
  check_symbol(&symbol, &request);
  if logo.is_some() {
    check_logo_version(&recipe(Output::Symbol), &content, &symbol);
  }
  let rows = style.side_modules(symbol.matrix.height());
  let side_px = style.side_px(symbol.matrix.width());

  match make(Output::String(TextFormat::Utf8)) {
    Ok(Made::Text(utf8)) => assert_eq!(utf8.lines().count(), rows.div_ceil(2)),
    other => panic!("utf8 text: {other:?}"),
  }
  assert!(matches!(
    make(Output::String(TextFormat::Terminal { small: case.small })),
    Ok(Made::Text(_))
  ));
  match (make(Output::String(TextFormat::Svg)), side_px) {
    (Ok(Made::Text(svg)), Ok(_)) => assert!(svg.starts_with("<svg ")),
    (Err(OutputError::Render(RenderError::TooLarge(_))), Err(_)) => {}
    (svg, side_px) => panic!("an SVG is refused exactly when the image is: {svg:?}, {side_px:?}"),
  }
  let Ok(side_px) = side_px else {
    return;
  };
  if side_px > MAX_DRAWN_SIDE {
    return;
  }
  let formats = [
    ImageFormat::Png,
    ImageFormat::Jpeg {
      quality: 1 + case.quality % 100,
    },
    ImageFormat::Webp,
    ImageFormat::Gif,
  ];
  for format in formats {
    let Ok(Made::Bytes(bytes)) = make(Output::Buffer(Format::Image(format))) else {
      panic!("{format:?} drawn");
    };
    if format == ImageFormat::Png {
      check_png(&bytes, &symbol.matrix, &style, side_px, logo.is_some());
      let Ok(Made::Text(url)) = make(Output::DataUrl(format)) else {
        panic!("a PNG data URL");
      };
      assert_eq!(url, data_url(format, &bytes));
    }
  }
});

/// The symbol has the size and settings asked for.
fn check_symbol(symbol: &Symbol, request: &Request) {
  assert_eq!(symbol.level, request.level);
  let version = match symbol.version {
    SymbolVersion::Qr(version) => version,
    SymbolVersion::Rmqr(size) => {
      assert_eq!(symbol.matrix.width(), size.width());
      assert_eq!(symbol.matrix.height(), size.height());
      if let Some(Choice::Fixed(asked)) = request.rmqr {
        assert_eq!(size, asked);
      }
      return;
    }
  };
  assert!(request.rmqr.is_none());
  assert_eq!(symbol.matrix.width(), version.width() as usize);
  assert_eq!(symbol.matrix.height(), symbol.matrix.width());
  if let Some(number) = request.version {
    assert_eq!(version_number(version), i16::from(number));
  }
  if let Some(mask) = request.mask {
    assert_eq!(mask, symbol.mask);
  }
}

/// With a logo, the symbol's version affords it; with the version free, it is the smallest
/// version from the one the data needs upwards that does.
fn check_logo_version(recipe: &Recipe<&[u8]>, content: &Content, symbol: &Symbol) {
  let source = recipe.logo.as_ref().expect("a logo was given");
  let logo = Logo::decode(source.image, source.fraction, &CancelToken::default())
    .expect("it decoded in make");
  let qr = |symbol: &Symbol| symbol.version.qr().expect("a logo is only on QR codes");
  assert!(logo.place(qr(symbol), symbol.level).is_ok());
  let Ok((plain, None)) = encode_with_logo(&recipe.request, content, None) else {
    panic!("the data encodes without the logo");
  };
  let (number, needed) = (version_number(qr(symbol)), version_number(qr(&plain)));
  assert!(number >= needed);
  if recipe.request.version.is_none() && number > needed {
    let smaller = qrcode::Version::Normal(number - 1);
    assert!(
      logo.place(smaller, symbol.level).is_err(),
      "version {number} was chosen though {} affords the logo",
      number - 1
    );
  }
}

fn version_number(version: qrcode::Version) -> i16 {
  let (qrcode::Version::Normal(number) | qrcode::Version::Micro(number)) = version;
  number
}

/// The PNG is `side_px` wide and as tall as its rows of modules are (square but for rMQR), and
/// each square module's centre pixel has its module's colour (away from a logo; shaped modules
/// are checked only at finder centres, which are always dark).
fn check_png(
  bytes: &[u8],
  matrix: &qrhash_core::qr::Matrix,
  style: &Style,
  side_px: u32,
  has_logo: bool,
) {
  let image = image_rgba(bytes);
  let side = style.side_modules(matrix.width()) as u32;
  let rows = style.side_modules(matrix.height()) as u32;
  assert_eq!(
    image.dimensions(),
    (side_px, (rows * side_px).div_ceil(side))
  );
  if has_logo || !style.is_plain() || style.dark == style.light {
    return;
  }
  let margin = style.margin as usize;
  for y in 0..matrix.height() {
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
