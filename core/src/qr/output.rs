//! The output pipeline: data and a [`Recipe`] (how to encode, how to draw, what to hand back)
//! → segments → symbol → logo placed → bytes, text, a file, or the symbol itself.
//!
//! Everything a QR call does after its arguments are read happens here, so `cargo test` and
//! the fuzzers reach all of it; the napi layer only builds the recipe and converts the result.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use encoding_rs::SHIFT_JIS;
use qrcode::types::Mode;
use qrcode::Version;

use super::format::{self, Format, TextFormat};
use super::logo::{Clearing, Logo, LogoError};
use super::render::{self, ImageFormat, Placed, PngRender, RenderError};
use super::{encode, Content, EncodeError, Request, Style, Symbol};
use crate::cancel::{CancelToken, Cancelled};
use crate::fs::{self, FileError};
use crate::slice::{Deadline, Step};

/// What the call hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
  /// `data:image/…;base64,…`
  DataUrl(ImageFormat),
  Buffer(Format),
  String(TextFormat),
  /// Written to the path; the call hands back nothing.
  File(PathBuf, Format),
  /// The modules and what they hold, as `create` returns them.
  Symbol,
}

impl Output {
  /// What is rendered for this output; `None` for the symbol itself.
  fn format(&self) -> Option<Format> {
    match self {
      Self::DataUrl(format) => Some(Format::Image(*format)),
      Self::Buffer(format) | Self::File(_, format) => Some(*format),
      Self::String(format) => Some(Format::Text(*format)),
      Self::Symbol => None,
    }
  }
}

/// How to make a code from data: the encoding request, the look, the logo, the output.
/// `I` holds the logo's encoded image (a borrowed JavaScript buffer in the addon).
pub struct Recipe<I> {
  pub request: Request,
  pub style: Style,
  pub logo: Option<LogoSource<I>>,
  pub output: Output,
}

/// A logo as given: a PNG or JPEG file, and its width as a fraction of the symbol's. It is
/// decoded once, by the first code that needs it: a batch of codes shares one decoding.
pub struct LogoSource<I> {
  pub image: I,
  pub fraction: f64,
  decoded: OnceLock<Result<Logo, LogoError>>,
}

impl<I> LogoSource<I> {
  pub fn new(image: I, fraction: f64) -> Self {
    Self {
      image,
      fraction,
      decoded: OnceLock::new(),
    }
  }
}

impl<I: std::ops::Deref<Target = [u8]>> LogoSource<I> {
  /// The decoded logo; decoded on the first call, on whichever thread makes it (all the
  /// parts of one call share `cancel`, so a cancelled decoding is never wanted again).
  fn decoded(&self, cancel: &CancelToken) -> Result<&Logo, OutputError> {
    match self
      .decoded
      .get_or_init(|| Logo::decode(&self.image, self.fraction, cancel))
    {
      Ok(logo) => Ok(logo),
      Err(LogoError::Cancelled) => Err(OutputError::Cancelled),
      Err(error) => Err(OutputError::Logo(error.clone())),
    }
  }
}

/// A made result.
#[derive(Debug)]
pub enum Made {
  Text(String),
  Bytes(Vec<u8>),
  Symbol(Box<Symbol>),
  /// A file was written.
  Nothing,
}

/// Why a code could not be made.
#[derive(Debug)]
pub enum OutputError {
  Encode(EncodeError),
  Cancelled,
  /// The logo does not decode, or does not fit the code.
  Logo(LogoError),
  /// With the version free, no version up to 40 affords the logo; or the version is fixed and
  /// this one does not. `largest` is the largest logo that fits `version`.
  LogoTooLarge {
    version: Version,
    fraction: f64,
    largest: Option<f64>,
  },
  Render(RenderError),
  /// The file could not be written: `syscall` names the call that failed, as `fs` does.
  Write {
    error: std::io::Error,
    syscall: &'static str,
    path: PathBuf,
  },
}

impl From<EncodeError> for OutputError {
  fn from(error: EncodeError) -> Self {
    Self::Encode(error)
  }
}

impl From<Cancelled> for OutputError {
  fn from(_: Cancelled) -> Self {
    Self::Cancelled
  }
}

impl From<RenderError> for OutputError {
  fn from(error: RenderError) -> Self {
    match error {
      RenderError::Cancelled => Self::Cancelled,
      error => Self::Render(error),
    }
  }
}

impl<I> Recipe<I> {
  /// The same recipe with its logo image held another way (the addon reads the image as a
  /// handle first and takes its memory only once no JavaScript can run). Not yet decoded.
  pub fn try_map_image<J, E>(self, map: impl FnOnce(I) -> Result<J, E>) -> Result<Recipe<J>, E> {
    let logo = match self.logo {
      Some(LogoSource {
        image, fraction, ..
      }) => Some(LogoSource::new(map(image)?, fraction)),
      None => None,
    };
    Ok(Recipe {
      request: self.request,
      style: self.style,
      logo,
      output: self.output,
    })
  }
}

impl<I: std::ops::Deref<Target = [u8]>> Recipe<I> {
  /// The output for `content`, made in one go: [`Recipe::start`] advanced with no deadline.
  pub fn make(&self, content: &Content, cancel: &CancelToken) -> Result<Made, OutputError> {
    self.make_as(&self.request, content, cancel)
  }

  /// As [`Recipe::make`] with `request` in place of the recipe's own (a symbol of a sequence:
  /// its version and position), sharing the recipe's logo and look.
  pub fn make_as(
    &self,
    request: &Request,
    content: &Content,
    cancel: &CancelToken,
  ) -> Result<Made, OutputError> {
    Ok(
      self
        .start_as(request, content, cancel)?
        .advance(Deadline::NEVER, cancel)?
        .finished(),
    )
  }

  /// Begins the output for `content`: decodes the logo (once per recipe), encodes the symbol
  /// and, for a PNG, writes its header; every other output (the symbol, text, SVG, JPEG, WebP,
  /// GIF) is made whole here. [`Making::advance`] draws the PNG. `cancel` is checked once the
  /// symbol is encoded, and by the renderers every few rows.
  pub fn start(&self, content: &Content, cancel: &CancelToken) -> Result<Making, OutputError> {
    self.start_as(&self.request, content, cancel)
  }

  fn start_as(
    &self,
    request: &Request,
    content: &Content,
    cancel: &CancelToken,
  ) -> Result<Making, OutputError> {
    let logo = match &self.logo {
      Some(source) => Some(source.decoded(cancel)?),
      None => None,
    };
    let (symbol, clearing) = encode_with_logo(request, content, logo)?;
    cancel.check()?;
    let placed = logo
      .zip(clearing)
      .map(|(logo, clearing)| Placed { logo, clearing });
    let Some(format) = self.output.format() else {
      return Ok(Making(Stage::Made(Made::Symbol(Box::new(symbol)))));
    };
    if format == Format::Image(ImageFormat::Png) {
      let render = PngRender::start(&symbol.matrix, &self.style, placed.as_ref())?;
      return Ok(Making(Stage::Png(Box::new(Png {
        symbol,
        render,
        output: self.output.clone(),
      }))));
    }
    let rendered = self.render(&symbol, format, placed.as_ref(), cancel)?;
    Ok(Making(Stage::Made(deliver(
      &self.output,
      rendered,
      cancel,
    )?)))
  }

  fn render(
    &self,
    symbol: &Symbol,
    format: Format,
    placed: Option<&Placed>,
    cancel: &CancelToken,
  ) -> Result<Made, RenderError> {
    let (matrix, style) = (&symbol.matrix, &self.style);
    Ok(match format {
      Format::Image(format) => Made::Bytes(render::image(matrix, style, placed, format, cancel)?),
      Format::Text(TextFormat::Svg) => Made::Text(render::svg(matrix, style, placed, cancel)?),
      Format::Text(TextFormat::Utf8) => Made::Text(render::utf8(matrix, style, cancel)?),
      Format::Text(TextFormat::Terminal { small }) => {
        Made::Text(render::terminal(matrix, style, small, cancel)?)
      }
    })
  }
}

/// An output part of the way through, from [`Recipe::start`]. It owns all it holds (`Send +
/// 'static`: the symbol, the PNG encoder and what it has written, the logo as scaled), so a
/// pool may keep it between slices and continue it on any thread, with no borrow of the recipe.
pub struct Making(Stage);

enum Stage {
  /// Made whole by `start`.
  Made(Made),
  Png(Box<Png>),
}

/// A PNG drawn band by band, then handed back as `output` says.
struct Png {
  symbol: Symbol,
  render: PngRender,
  output: Output,
}

impl Making {
  /// Goes on until the output is made or `deadline` has passed: a PNG pauses only at a band
  /// boundary, after one band at least, so every slice gets further, and its bytes are those
  /// [`Recipe::make`] gives however it was sliced. Anything else is done at the first call.
  pub fn advance(
    self,
    deadline: Deadline,
    cancel: &CancelToken,
  ) -> Result<Step<Self, Made>, OutputError> {
    match self.0 {
      Stage::Made(made) => Ok(Step::Done(made)),
      Stage::Png(mut png) => match png.render.advance(&png.symbol.matrix, deadline, cancel)? {
        Step::Paused(render) => {
          png.render = render;
          Ok(Step::Paused(Self(Stage::Png(png))))
        }
        Step::Done(bytes) => Ok(Step::Done(deliver(
          &png.output,
          Made::Bytes(bytes),
          cancel,
        )?)),
      },
    }
  }
}

/// A rendered image or text handed back as `output` asks: as it is, as a data URL, or written
/// to a file.
fn deliver(output: &Output, rendered: Made, cancel: &CancelToken) -> Result<Made, OutputError> {
  Ok(match output {
    Output::DataUrl(format) => Made::Text(data_url(*format, &rendered.into_bytes())),
    Output::Buffer(_) => Made::Bytes(rendered.into_bytes()),
    Output::String(_) | Output::Symbol => rendered,
    Output::File(path, _) => {
      write(path, &rendered.into_bytes(), cancel)?;
      Made::Nothing
    }
  })
}

impl Made {
  fn into_bytes(self) -> Vec<u8> {
    match self {
      Self::Text(text) => text.into_bytes(),
      Self::Bytes(bytes) => bytes,
      Self::Symbol(_) | Self::Nothing => Vec::new(),
    }
  }
}

/// `data:<mime>;base64,<image>`, allocated once at its final length.
pub fn data_url(format: ImageFormat, image: &[u8]) -> String {
  const HEAD: [&str; 2] = ["data:", ";base64,"];
  let mime = format::mime(format);
  let mut url =
    String::with_capacity(HEAD[0].len() + mime.len() + HEAD[1].len() + image.len().div_ceil(3) * 4);
  url.push_str(HEAD[0]);
  url.push_str(mime);
  url.push_str(HEAD[1]);
  STANDARD.encode_string(image, &mut url);
  url
}

/// Writes `contents` to `path`; a FIFO is waited for (a reader, room) while `cancel` allows.
fn write(path: &Path, contents: &[u8], cancel: &CancelToken) -> Result<(), OutputError> {
  fs::open_to_write(path, cancel)
    .and_then(|mut file| file.write_all(contents, cancel))
    .map_err(|error| match error {
      FileError::Io { error, syscall } => OutputError::Write {
        error,
        syscall,
        path: path.to_owned(),
      },
      FileError::Cancelled => OutputError::Cancelled,
    })
}

// ---------------------------------------------------------------------------------------------
// create(): what each segment holds

/// One segment's data as `create()` reports it.
#[derive(Debug, PartialEq, Eq)]
pub enum SegmentData<'a> {
  /// Text: kanji decoded from Shift_JIS, text given as a string, digits and alphanumerics.
  Text(Cow<'a, str>),
  /// Bytes given as bytes.
  Bytes(&'a [u8]),
}

/// Each segment's data, in order, with the modes `symbol.plan.runs` gives.
pub fn segment_data(symbol: &Symbol) -> impl Iterator<Item = SegmentData<'_>> {
  let plan = &symbol.plan;
  plan.runs.iter().map(|run| {
    let bytes = &plan.bytes[run.span.begin..run.span.end];
    match run.span.mode {
      Mode::Kanji => SegmentData::Text(SHIFT_JIS.decode(bytes).0),
      Mode::Byte if !run.text => SegmentData::Bytes(bytes),
      _ => SegmentData::Text(String::from_utf8_lossy(bytes)),
    }
  })
}

/// The symbol, and where the logo goes. Without a fixed version, a logo too large for the
/// smallest version that holds the data gets the next version up that can afford it.
pub fn encode_with_logo(
  request: &Request,
  content: &Content,
  logo: Option<&Logo>,
) -> Result<(Symbol, Option<Clearing>), OutputError> {
  let mut symbol = encode(content, request)?;
  let Some(logo) = logo else {
    return Ok((symbol, None));
  };
  loop {
    // A logo needs the spare error correction of level H in a QR code.
    let Some(version) = symbol.version.qr() else {
      return Err(
        EncodeError::NotInRmqr {
          option: "logo",
          given: "a logo".into(),
        }
        .into(),
      );
    };
    match logo.place(version, symbol.level) {
      Ok(clearing) => return Ok((symbol, Some(clearing))),
      Err(LogoError::TooLarge { largest }) => {
        let next = match version {
          Version::Normal(number) if request.version.is_none() && number < 40 => number as u8 + 1,
          _ => {
            return Err(OutputError::LogoTooLarge {
              version,
              fraction: logo.fraction,
              largest,
            })
          }
        };
        let request = Request {
          version: Some(next),
          ..*request
        };
        symbol = encode(content, &request)?;
      }
      Err(other) => return Err(OutputError::Logo(other)),
    }
  }
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::options::{FinderShape, ModuleShape};
  use crate::qr::segment::{Eci, Piece};
  use crate::qr::SymbolVersion;
  use qrcode::EcLevel;
  use std::time::Duration;

  fn recipe(output: Output, logo: Option<Vec<u8>>) -> Recipe<Vec<u8>> {
    Recipe {
      request: Request {
        level: if logo.is_some() {
          EcLevel::H
        } else {
          EcLevel::M
        },
        version: None,
        micro: false,
        mask: None,
        eci: Eci::Auto,
        fnc1: Default::default(),
        sequence: None,
        rmqr: None,
      },
      style: Style::default(),
      logo: logo.map(|image| LogoSource::new(image, 0.3)),
      output,
    }
  }

  #[test]
  fn a_logo_is_decoded_once_for_every_code_of_a_recipe() {
    let recipe = recipe(
      Output::Buffer(Format::Image(ImageFormat::Png)),
      Some(logo_png()),
    );
    let source = recipe.logo.as_ref().expect("a logo");
    assert!(
      source.decoded.get().is_none(),
      "not decoded before a code needs it"
    );
    let make = |text: &str| {
      recipe
        .make(&Content::Text(text.as_bytes()), &CancelToken::default())
        .expect("a code with a logo");
      source.decoded.get().expect("decoded by make") as *const _
    };
    let first = make("one");
    assert_eq!(make("two"), first, "the second code reuses the decoding");
    assert_eq!(make("three"), first, "and the third");
  }

  fn logo_png() -> Vec<u8> {
    let image = image::RgbaImage::from_pixel(8, 8, image::Rgba([200, 30, 30, 255]));
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
  }

  /// Starts `recipe` on `content` and advances it with a deadline already passed at every
  /// step (each slice still draws one band); what it makes, as bytes, and how many slices.
  fn made_in_slices(recipe: &Recipe<Vec<u8>>, content: &Content) -> (Vec<u8>, usize) {
    let cancel = CancelToken::default();
    let mut making = recipe.start(content, &cancel).expect("started");
    let mut slices = 0;
    loop {
      slices += 1;
      match making.advance(Deadline::after(Duration::ZERO), &cancel) {
        Ok(Step::Paused(paused)) => making = paused,
        Ok(Step::Done(made)) => return (made.into_bytes(), slices),
        Err(error) => panic!("{error:?}"),
      }
    }
  }

  #[test]
  fn a_png_paused_at_every_band_is_the_png_made_at_once() {
    let content = Content::Text(b"https://example.com/a/large/render");
    let png = Format::Image(ImageFormat::Png);
    let dots = Style {
      modules: ModuleShape::Dots,
      finder: FinderShape::Rounded,
      ..Style::default()
    };
    let translucent = Style {
      dark: crate::qr::Rgba::from_hex("#0000ff80").unwrap(),
      ..dots
    };
    // Plain: the 1-bit path, paused after each compressed batch; styled: RGB and RGBA bands.
    for (name, style, output, logo, least_slices) in [
      ("plain", Style::default(), Output::Buffer(png), None, 5),
      (
        "plain data URL",
        Style::default(),
        Output::DataUrl(ImageFormat::Png),
        None,
        5,
      ),
      ("dots", dots, Output::Buffer(png), None, 20),
      (
        "dots data URL",
        dots,
        Output::DataUrl(ImageFormat::Png),
        None,
        20,
      ),
      ("translucent", translucent, Output::Buffer(png), None, 20),
      ("logo", dots, Output::Buffer(png), Some(logo_png()), 20),
    ] {
      let width = if style.is_plain() { 2048 } else { 240 };
      let mut recipe = recipe(output, logo);
      recipe.style = Style {
        width: Some(width),
        ..style
      };
      let whole = recipe
        .make(&content, &CancelToken::default())
        .unwrap()
        .into_bytes();
      let (sliced, slices) = made_in_slices(&recipe, &content);
      assert!(sliced == whole, "{name}: the same bytes however sliced");
      assert!(slices >= least_slices, "{name}: {slices} slices");
    }
  }

  #[test]
  fn a_small_code_and_other_formats_are_made_in_one_slice() {
    let content = Content::Text(b"small");
    for output in [
      Output::Buffer(Format::Image(ImageFormat::Png)),
      Output::Buffer(Format::Image(ImageFormat::Gif)),
      Output::String(TextFormat::Svg),
      Output::Symbol,
    ] {
      let (_, slices) = made_in_slices(&recipe(output.clone(), None), &content);
      assert_eq!(slices, 1, "{output:?}");
    }
  }

  #[test]
  fn a_paused_png_stops_when_cancelled_and_is_sent_across_threads() {
    let mut recipe = recipe(Output::Buffer(Format::Image(ImageFormat::Png)), None);
    recipe.style.width = Some(4096);
    let cancel = CancelToken::default();
    let making = recipe.start(&Content::Text(b"x"), &cancel).unwrap();
    let Ok(Step::Paused(making)) = making.advance(Deadline::after(Duration::ZERO), &cancel) else {
      panic!("a large PNG pauses");
    };
    let making = std::thread::spawn(move || making).join().unwrap();
    cancel.cancel();
    assert!(matches!(
      making.advance(Deadline::NEVER, &cancel),
      Err(OutputError::Cancelled)
    ));
  }

  #[test]
  fn data_urls_state_each_image_format() {
    let content = Content::Text(b"https://example.com/");
    for (format, prefix, magic) in [
      (ImageFormat::Png, "data:image/png;base64,", &b"\x89PNG"[..]),
      (
        ImageFormat::Jpeg { quality: 80 },
        "data:image/jpeg;base64,",
        b"\xff\xd8\xff",
      ),
      (ImageFormat::Webp, "data:image/webp;base64,", b"RIFF"),
      (ImageFormat::Gif, "data:image/gif;base64,", b"GIF89a"),
    ] {
      let Made::Text(url) = recipe(Output::DataUrl(format), None)
        .make(&content, &CancelToken::default())
        .unwrap()
      else {
        panic!("a data URL is text");
      };
      let body = url.strip_prefix(prefix).expect(prefix);
      let image = STANDARD.decode(body).unwrap();
      assert!(image.starts_with(magic), "{format:?}");
      assert_eq!(
        url.capacity(),
        url.len(),
        "{format:?}: allocated once, exactly"
      );
    }
  }

  #[test]
  fn a_logo_too_large_for_the_smallest_version_gets_a_larger_one() {
    let content = Content::Text(b"logo");
    let plain = recipe(Output::Symbol, None);
    let (small, _) = encode_with_logo(&plain.request, &content, None).unwrap();
    let with_logo = recipe(Output::Symbol, Some(logo_png()));
    let logo = Logo::decode(&logo_png(), 0.3, &CancelToken::default()).unwrap();
    assert!(
      logo.place(small.version.qr().unwrap(), EcLevel::H).is_err(),
      "does not fit the smallest"
    );
    let (larger, clearing) = encode_with_logo(&with_logo.request, &content, Some(&logo)).unwrap();
    let number = |version: SymbolVersion| match version.qr() {
      Some(Version::Normal(number)) => number,
      _ => unreachable!(),
    };
    assert!(number(larger.version) > number(small.version));
    assert_eq!(
      logo.place(larger.version.qr().unwrap(), EcLevel::H).ok(),
      clearing
    );

    let fixed = Recipe {
      request: Request {
        version: Some(1),
        ..with_logo.request
      },
      ..with_logo
    };
    assert!(matches!(
      encode_with_logo(&fixed.request, &content, Some(&logo)),
      Err(OutputError::LogoTooLarge { fraction, .. }) if fraction == 0.3
    ));
  }

  #[test]
  fn cancelled_work_stops_before_drawing() {
    let cancel = CancelToken::default();
    cancel.cancel();
    let made = recipe(Output::Buffer(Format::Image(ImageFormat::Png)), None)
      .make(&Content::Text(b"x"), &cancel);
    assert!(matches!(made, Err(OutputError::Cancelled)));
  }

  #[test]
  fn files_are_written_and_failures_name_the_path() {
    let path = std::env::temp_dir().join(format!("qrhash-output-{}.svg", std::process::id()));
    let made = recipe(
      Output::File(path.clone(), Format::Text(TextFormat::Svg)),
      None,
    )
    .make(&Content::Text(b"file"), &CancelToken::default())
    .unwrap();
    assert!(matches!(made, Made::Nothing));
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("<svg "));
    std::fs::remove_file(&path).unwrap();
    let missing = path.join("nowhere.png"); // under the file just removed
    match recipe(
      Output::File(missing.clone(), Format::Image(ImageFormat::Png)),
      None,
    )
    .make(&Content::Text(b"file"), &CancelToken::default())
    {
      Err(OutputError::Write { error, path, .. }) => {
        assert_eq!(path, missing);
        assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
      }
      other => panic!("{other:?}"),
    }
  }

  #[test]
  fn segments_come_back_as_given_and_kanji_as_text() {
    let pieces = [
      Piece::new(None, "点茗".as_bytes().to_vec(), true).unwrap(),
      Piece::new(None, vec![0, 255], false).unwrap(),
      Piece::new(None, b"12345".to_vec(), true).unwrap(),
    ];
    let recipe = recipe(Output::Symbol, None);
    let (symbol, _) = encode_with_logo(&recipe.request, &Content::Pieces(&pieces), None).unwrap();
    let data: Vec<SegmentData> = segment_data(&symbol).collect();
    assert_eq!(
      data,
      [
        SegmentData::Text("点茗".into()),
        SegmentData::Bytes(&[0, 255]),
        SegmentData::Text("12345".into()),
      ]
    );
  }
}
