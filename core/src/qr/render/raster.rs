//! Images in pixels: PNG, JPEG, WebP or GIF, with shaped modules and a logo drawn in RGBA.
//!
//! The pixels are drawn in bands of [`BAND_ROWS`] rows (fewer for a wide PNG, where a slice may
//! end after any band: [`PngRender`]), the cancel token checked before each:
//! PNG and JPEG take the bands as they come, so their memory is a band and the compressed
//! file; the WebP and GIF encoders need the whole frame, so those are at most
//! [`MAX_FRAME_SIDE`] pixels a side.

use std::cell::RefCell;
use std::io::{self, Write};
use std::sync::{Arc, Mutex, PoisonError};

use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, GenericImageView, ImageEncoder, Pixel, RgbImage, RgbaImage};
use png::{BitDepth, ColorType, Compression, Encoder, Filter, StreamWriter};

use super::{module_edges, png::Plain, Layout, Placed};
use crate::cancel::{CancelToken, Cancelled};
use crate::qr::logo::{Clearing, Logo};
use crate::qr::options::{FinderShape, ImageTooLarge, ModuleShape, MAX_FRAME_SIDE};
use crate::qr::paint::{Placement, Ramp};
use crate::qr::{Matrix, Rgba, Style};
use crate::slice::{Deadline, Step};

/// An image file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
  Png,
  /// Quality 1‥=100. JPEG has no alpha: colours are drawn over white.
  Jpeg {
    quality: u8,
  },
  /// Lossless: for two-colour art it is both exact and smaller than lossy WebP.
  Webp,
  /// Paletted, with 1-bit transparency: exact for up to 256 colours (two for plain modules,
  /// the anti-aliasing levels for shapes), a quantized palette with a logo. Pixels that are not
  /// fully transparent are opaque.
  Gif,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
  TooLarge(ImageTooLarge),
  Cancelled,
  /// The encoder failed (only an allocation failure does, in practice).
  Encoder(String),
}

impl From<ImageTooLarge> for RenderError {
  fn from(error: ImageTooLarge) -> Self {
    Self::TooLarge(error)
  }
}

impl From<Cancelled> for RenderError {
  fn from(_: Cancelled) -> Self {
    Self::Cancelled
  }
}

/// The symbol as an image file. Plain square modules in a PNG take the 1-bit palette path.
pub fn image(
  matrix: &Matrix,
  style: &Style,
  logo: Option<&Placed>,
  format: ImageFormat,
  cancel: &CancelToken,
) -> Result<Vec<u8>, RenderError> {
  if format == ImageFormat::Png {
    let render = PngRender::start(matrix, style, logo)?;
    return Ok(render.advance(matrix, Deadline::NEVER, cancel)?.finished());
  }
  let style = &drawable(style, style.side_px(matrix.width())?, matrix.width());
  let drawing = logo
    .map(|placed| LogoDrawing::placed(matrix, style, placed))
    .transpose()?;
  let clearing = logo.map(|placed| placed.clearing);
  let painter = Painter::new(matrix, style, clearing, drawing.as_ref())?;
  let mut out = Vec::new();
  let failed = |error: image::ImageError| RenderError::Encoder(error.to_string());
  match format {
    ImageFormat::Png => unreachable!("drawn by PngRender above"),
    ImageFormat::Jpeg { quality } => write_jpeg(&painter, quality, &mut out, cancel)?,
    ImageFormat::Webp => {
      let frame = painter.frame(cancel)?;
      let (width, height) = frame.dimensions();
      WebPEncoder::new_lossless(&mut out)
        .write_image(frame.as_raw(), width, height, ExtendedColorType::Rgba8)
        .map_err(failed)?
    }
    // The encoder takes the pixels without a copy; the trailer is written when it drops.
    ImageFormat::Gif => GifEncoder::new_with_speed(&mut out, GIF_QUANTIZER_SPEED)
      .encode_frame(image::Frame::new(painter.frame(cancel)?))
      .map_err(failed)?,
  }
  Ok(out)
}

/// NeuQuant's sampling step (1‥=30) when a logo brings more than 256 colours: 10 is the
/// `gif` crate's suggested balance; lower costs far more time for no readable difference.
const GIF_QUANTIZER_SPEED: i32 = 10;

/// A PNG part of the way through, drawn in slices: everything it keeps between them is owned
/// (`Send + 'static`), so a slice may continue it on any thread. Plain square modules without a
/// logo take the 1-bit palette path ([`Plain`]); anything else is 8-bit RGB(A) drawn a band of
/// at most [`PNG_BAND_PIXELS`] at a time ([`Styled`]). A slice ends at a band (or batch) boundary, once
/// the deadline has passed and after one band at least, so every slice gets further; the bytes
/// are the same however the image is sliced.
pub struct PngRender {
  /// The style as it can be drawn at its size (see [`drawable`]).
  style: Style,
  path: PngPath,
}

enum PngPath {
  Plain(Plain),
  /// Boxed: the PNG encoder's state is large.
  Styled(Box<Styled>),
}

impl PngRender {
  /// Checks the size, scales the logo and writes the PNG header; draws no pixel.
  pub fn start(matrix: &Matrix, style: &Style, logo: Option<&Placed>) -> Result<Self, RenderError> {
    let style = drawable(style, style.side_px(matrix.width())?, matrix.width());
    let path = if style.is_plain() && logo.is_none() {
      PngPath::Plain(Plain::start(matrix, &style)?)
    } else {
      PngPath::Styled(Box::new(Styled::start(matrix, &style, logo)?))
    };
    Ok(Self { style, path })
  }

  /// Draws and compresses until the PNG is done or `deadline` has passed (after one band at
  /// least). `matrix` is the one the render was started with; `cancel` is checked every band.
  pub fn advance(
    self,
    matrix: &Matrix,
    deadline: Deadline,
    cancel: &CancelToken,
  ) -> Result<Step<Self, Vec<u8>>, RenderError> {
    let Self { style, path } = self;
    Ok(
      match path {
        PngPath::Plain(plain) => plain
          .advance(matrix, &style, deadline, cancel)?
          .map_paused(PngPath::Plain),
        PngPath::Styled(styled) => styled
          .advance(matrix, &style, deadline, cancel)?
          .map_paused(PngPath::Styled),
      }
      .map_paused(|path| Self { style, path }),
    )
  }
}

/// 8-bit RGB, or RGBA when some pixel is not opaque, streamed into the encoder a band at a
/// time. Between slices it keeps the next row to draw, the logo as scaled for this image and
/// the encoder, which owns its output through [`SharedVec`].
struct Styled {
  clearing: Option<Clearing>,
  logo: Option<LogoDrawing>,
  opaque: bool,
  /// Rows in a band: [`BAND_ROWS`], fewer for a wide image (see [`PNG_BAND_PIXELS`]).
  band_rows: u32,
  /// The first row not yet drawn; a multiple of `band_rows`.
  next_row: u32,
  rows: StreamWriter<'static, SharedVec>,
  out: SharedVec,
}

impl Styled {
  fn start(matrix: &Matrix, style: &Style, placed: Option<&Placed>) -> Result<Self, RenderError> {
    let logo = placed
      .map(|placed| LogoDrawing::placed(matrix, style, placed))
      .transpose()?;
    let clearing = placed.map(|placed| placed.clearing);
    let painter = Painter::new(matrix, style, clearing, logo.as_ref())?;
    let side = painter.side_px;
    let opaque = painter.is_opaque();
    let out = SharedVec::default();
    let mut encoder = Encoder::new(out.clone(), side, painter.height_px);
    encoder.set_depth(BitDepth::Eight);
    encoder.set_filter(Filter::Sub);
    encoder.set_compression(Compression::Fast);
    encoder.set_color(if opaque {
      ColorType::Rgb
    } else {
      ColorType::Rgba
    });
    let rows = encoder
      .write_header()
      .and_then(png::Writer::into_stream_writer)
      .expect("writing a PNG header into a Vec cannot fail");
    Ok(Self {
      clearing,
      logo,
      opaque,
      band_rows: (PNG_BAND_PIXELS / side).clamp(1, BAND_ROWS),
      next_row: 0,
      rows,
      out,
    })
  }

  fn advance(
    mut self: Box<Self>,
    matrix: &Matrix,
    style: &Style,
    deadline: Deadline,
    cancel: &CancelToken,
  ) -> Result<Step<Box<Self>, Vec<u8>>, RenderError> {
    let painter = Painter::new(matrix, style, self.clearing, self.logo.as_ref())?;
    let (rows, opaque) = (&mut self.rows, self.opaque);
    let reached = painter.bands_from(
      self.next_row,
      self.band_rows,
      cancel,
      || deadline.has_passed(),
      |band| {
        let written = if opaque {
          rows.write_all(rgb(band, |pixel| pixel).as_raw())
        } else {
          rows.write_all(band.as_raw())
        };
        written.expect("writing rows into a Vec cannot fail");
      },
    )?;
    if reached < painter.height_px {
      self.next_row = reached;
      return Ok(Step::Paused(self));
    }
    // Finishing writes the last chunk and, as the encoder drops, the trailer.
    self
      .rows
      .finish()
      .expect("finishing a PNG into a Vec cannot fail");
    Ok(Step::Done(self.out.take()))
  }
}

/// A `Vec<u8>` the PNG encoder writes into while owning its writer, shared with the render
/// that takes the bytes once the encoder is finished and gone. The lock is never contended: one
/// slice at a time writes.
#[derive(Clone, Default)]
struct SharedVec(Arc<Mutex<Vec<u8>>>);

impl SharedVec {
  fn take(&self) -> Vec<u8> {
    std::mem::take(&mut *self.0.lock().unwrap_or_else(PoisonError::into_inner))
  }
}

impl Write for SharedVec {
  fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
    let mut out = self.0.lock().unwrap_or_else(PoisonError::into_inner);
    out.extend_from_slice(bytes);
    Ok(bytes.len())
  }

  fn flush(&mut self) -> io::Result<()> {
    Ok(())
  }
}

/// The encoder reads 8×8 blocks of pixels in order, so it is handed a view that draws the
/// rows of each block row as it reaches them; the output stops at the first write once
/// cancelled.
fn write_jpeg(
  painter: &Painter,
  quality: u8,
  out: &mut Vec<u8>,
  cancel: &CancelToken,
) -> Result<(), RenderError> {
  let view = DrawnOnDemand {
    painter,
    cancel,
    band: RefCell::new(None),
  };
  let written =
    JpegEncoder::new_with_quality(CancellableWriter { out, cancel }, quality).encode_image(&view);
  cancel.check()?;
  written.map_err(|error| RenderError::Encoder(error.to_string()))
}

/// Rows of a JPEG's 8×8 blocks.
const JPEG_BLOCK_ROWS: u32 = 8;

/// The image as RGB over white, drawn one block row at a time as the JPEG encoder asks.
struct DrawnOnDemand<'a> {
  painter: &'a Painter<'a>,
  cancel: &'a CancelToken,
  /// The first row of the band drawn last, and its pixels.
  band: RefCell<Option<(u32, RgbImage)>>,
}

impl GenericImageView for DrawnOnDemand<'_> {
  type Pixel = image::Rgb<u8>;

  fn dimensions(&self) -> (u32, u32) {
    (self.painter.side_px, self.painter.height_px)
  }

  fn get_pixel(&self, x: u32, y: u32) -> Self::Pixel {
    let first = y - y % JPEG_BLOCK_ROWS;
    let mut band = self.band.borrow_mut();
    if band.as_ref().is_none_or(|(drawn, _)| *drawn != first) {
      // Once cancelled, the encoder's next write fails: no need to draw what it will not use.
      let rows = JPEG_BLOCK_ROWS.min(self.painter.height_px - first);
      let mut rgba = RgbaImage::new(self.painter.side_px, rows);
      if !self.cancel.is_cancelled() {
        self.painter.paint(first, &mut rgba);
      }
      *band = Some((first, rgb(&rgba, over_white)));
    }
    let (_, pixels) = band.as_ref().expect("drawn above");
    *pixels.get_pixel(x, y - first)
  }
}

/// A `Write` that fails once the work is cancelled, so that an encoder writing as it goes
/// stops there.
struct CancellableWriter<'a> {
  out: &'a mut Vec<u8>,
  cancel: &'a CancelToken,
}

impl Write for CancellableWriter<'_> {
  fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
    if self.cancel.is_cancelled() {
      return Err(io::Error::other("cancelled"));
    }
    self.out.write(bytes)
  }

  fn flush(&mut self) -> io::Result<()> {
    Ok(())
  }
}

/// `pixels` without alpha, each pixel first passed through `flatten`.
fn rgb(pixels: &RgbaImage, flatten: impl Fn(image::Rgba<u8>) -> image::Rgba<u8>) -> RgbImage {
  let (width, height) = pixels.dimensions();
  RgbImage::from_fn(width, height, |x, y| {
    let [r, g, b, _] = flatten(*pixels.get_pixel(x, y)).0;
    image::Rgb([r, g, b])
  })
}

/// The pixel composited over opaque white: JPEG has no alpha.
fn over_white(pixel: image::Rgba<u8>) -> image::Rgba<u8> {
  let white = Rgba::WHITE;
  let alpha = u32::from(pixel[3]);
  let over = |channel: u8, background: u8| {
    ((u32::from(channel) * alpha + u32::from(background) * (255 - alpha) + 127) / 255) as u8
  };
  image::Rgba([
    over(pixel[0], white.r),
    over(pixel[1], white.g),
    over(pixel[2], white.b),
    0xff,
  ])
}

/// `style` as it can be drawn at `side_px`: curves need pixels. Under 2 px a module, shaped
/// modules turn grey and finders unreadable; under 3 px, rounded finders beside dots are still
/// missed by scanners (zxing, at versions 12–20), and so are modules with corners a module in
/// radius (zxing read 2 in 14 such codes at 2 px). Those are drawn square instead, or, for
/// those corners at 2 px, with corners half a module in radius.
fn drawable(style: &Style, side_px: u32, matrix_width: usize) -> Style {
  let side = style.side_modules(matrix_width);
  let px = side_px as usize;
  Style {
    modules: match style.modules {
      _ if px < 2 * side => ModuleShape::Square,
      ModuleShape::ExtraRounded if px < 3 * side => ModuleShape::Rounded,
      ModuleShape::ClassyRounded if px < 3 * side => ModuleShape::Classy,
      shape => shape,
    },
    finder: if px < 3 * side {
      FinderShape::Square
    } else {
      style.finder
    },
    ..*style
  }
}

/// Samples per pixel side for shapes with curves: 4×4 gives 17 levels of anti-aliasing.
const SUBSAMPLES: usize = 4;

/// Rows drawn between two looks at the cancel token: at the largest side with shaped modules,
/// a row takes about a millisecond and a half.
const BAND_ROWS: u32 = 8;

/// Pixels in a band of a PNG drawn in RGB(A), where a slice may end: 8 rows up to 2048 px
/// wide, one at 16384 px, so that with shaped modules a band takes under 2 ms (8 rows at the
/// largest side took 13). The encoder filters and compresses row by row, so how many rows a
/// band holds does not change the file.
const PNG_BAND_PIXELS: u32 = 16 * 1024;

/// Draws the symbol in RGBA, any band of rows on its own: each pixel blends the light colour
/// and each ink's colour by the share of its area that ink covers; then the logo, centred in
/// its cleared square.
struct Painter<'a> {
  layout: Layout<'a>,
  style: &'a Style,
  /// The dark modules' gradient and where it lies; without one they are `style.dark`.
  gradient: Option<(Ramp, Placement)>,
  /// Whether every ink is `style.dark`, so that a pixel blends just two colours.
  one_ink: bool,
  /// Pixels across and down (as many but for rMQR; see [`Framed::height_px`]).
  side_px: u32,
  height_px: u32,
  /// Where a pixel's samples are taken, as fractions of the pixel.
  offsets: Vec<f64>,
  /// Modules per pixel.
  scale: f64,
  logo: Option<&'a LogoDrawing>,
}

impl<'a> Painter<'a> {
  /// `logo` is the drawing [`LogoDrawing::placed`] made for the logo that clears `clearing`.
  fn new(
    matrix: &'a Matrix,
    style: &'a Style,
    clearing: Option<Clearing>,
    logo: Option<&'a LogoDrawing>,
  ) -> Result<Self, ImageTooLarge> {
    let side_px = style.side_px(matrix.width())?;
    let layout = Layout::new(matrix, style, clearing);
    let side = layout.framed.side;
    let height_px = layout.framed.height_px(side_px as usize) as u32;
    let samples = if style.is_square() { 1 } else { SUBSAMPLES };
    // One sample at the pixel's left/top edge puts pixel p in module ⌊p × side / side_px⌋,
    // exactly as the 1-bit PNG path's module edges do.
    let offsets = match samples {
      1 => vec![0.0],
      _ => (0..samples)
        .map(|i| (i as f64 + 0.5) / samples as f64)
        .collect(),
    };
    let gradient = style.gradient.map(|gradient| {
      (
        Ramp::new(&gradient.stops),
        layout.framed.gradient(&gradient),
      )
    });
    Ok(Self {
      layout,
      style,
      gradient,
      one_ink: style.gradient.is_none() && !style.finder_colours.is_set(),
      side_px,
      height_px,
      offsets,
      scale: side as f64 / f64::from(side_px),
      logo,
    })
  }

  /// Whether every pixel is opaque, known before drawing: every colour is, and the logo
  /// blended over them leaves them so (blending rounds some nearly opaque pixels down).
  fn is_opaque(&self) -> bool {
    let style = self.style;
    let dark = match &style.gradient {
      Some(gradient) => gradient
        .stops
        .as_slice()
        .iter()
        .all(|stop| stop.colour.is_opaque()),
      None => style.dark.is_opaque(),
    };
    let finder = style.finder_colours;
    style.light.is_opaque()
      && dark
      && [finder.ring, finder.centre]
        .iter()
        .flatten()
        .all(|colour| colour.is_opaque())
      && self.logo.is_none_or(LogoDrawing::keeps_opaque)
  }

  /// Rows `first..first + band.height()` of the image into `band`.
  fn paint(&self, first: u32, band: &mut RgbaImage) {
    let of = self.offsets.len() * self.offsets.len();
    for (px, row, pixel) in band.enumerate_pixels_mut() {
      let py = first + row;
      let mut inks = [0; 3];
      for dy in &self.offsets {
        for dx in &self.offsets {
          let (u, v) = (
            (f64::from(px) + dx) * self.scale,
            (f64::from(py) + dy) * self.scale,
          );
          if let Some(ink) = self.layout.ink_at(u, v) {
            inks[ink as usize] += 1;
          }
        }
      }
      let light = (self.style.light, of - inks.iter().sum::<usize>());
      *pixel = if self.one_ink || light.1 == of {
        mix([light, (self.style.dark, of - light.1)], of)
      } else {
        let module = match &self.gradient {
          Some((ramp, placed)) => ramp.at(placed.offset(
            (f64::from(px) + 0.5) * self.scale,
            (f64::from(py) + 0.5) * self.scale,
          )),
          None => self.style.dark,
        };
        let finder = self.style.finder_colours;
        let ring = finder.ring.unwrap_or(module);
        let centre = finder.centre.unwrap_or(ring);
        let [modules, rings, centres] = inks;
        mix(
          [light, (module, modules), (ring, rings), (centre, centres)],
          of,
        )
      };
    }
    if let Some(logo) = self.logo {
      logo.draw(first, band);
    }
  }

  /// Hands each band of [`BAND_ROWS`] rows to `each`, top to bottom, checking `cancel` before
  /// drawing each.
  fn bands(&self, cancel: &CancelToken, each: impl FnMut(&RgbaImage)) -> Result<(), Cancelled> {
    self
      .bands_from(0, BAND_ROWS, cancel, || false, each)
      .map(drop)
  }

  /// Hands each band of `band_rows` rows from row `first` (a multiple of it) to `each`, top to
  /// bottom, checking `cancel` before drawing each, until the image ends or, after a band,
  /// `stop` says so. The first row not drawn: [`Painter::height_px`] once all are.
  fn bands_from(
    &self,
    first: u32,
    band_rows: u32,
    cancel: &CancelToken,
    mut stop: impl FnMut() -> bool,
    mut each: impl FnMut(&RgbaImage),
  ) -> Result<u32, Cancelled> {
    let mut band = RgbaImage::new(self.side_px, band_rows.min(self.height_px - first));
    for first in (first..self.height_px).step_by(band_rows as usize) {
      cancel.check()?;
      let rows = band_rows.min(self.height_px - first);
      if rows != band.height() {
        band = RgbaImage::new(self.side_px, rows);
      }
      self.paint(first, &mut band);
      each(&band);
      let next = first + rows;
      if next < self.height_px && stop() {
        return Ok(next);
      }
    }
    Ok(self.height_px)
  }

  /// The whole image, for the encoders that need it: at most [`MAX_FRAME_SIDE`] a side.
  fn frame(&self, cancel: &CancelToken) -> Result<RgbaImage, RenderError> {
    if self.side_px > MAX_FRAME_SIDE {
      return Err(RenderError::TooLarge(ImageTooLarge {
        side: self.side_px.into(),
        limit: MAX_FRAME_SIDE,
      }));
    }
    let mut pixels = Vec::with_capacity(self.side_px as usize * self.height_px as usize * 4);
    self.bands(cancel, |band| pixels.extend_from_slice(band.as_raw()))?;
    Ok(RgbaImage::from_raw(self.side_px, self.height_px, pixels).expect("every row was drawn"))
  }
}

/// Beyond this many pixels a side, a logo is scaled in bands (see [`LogoDrawing`]).
const MAX_LOGO_SCALED: u32 = crate::qr::logo::MAX_SOURCE_SIDE;

/// A logo scaled to its room and drawn band by band. Up to [`MAX_LOGO_SCALED`] pixels it is
/// scaled once, whole; larger, it is scaled to that size and each band's rows are interpolated
/// from it as they are drawn: scaling to 6500 px in one step took a second (twenty under load)
/// and its memory, and could not be interrupted.
struct LogoDrawing {
  /// The logo scaled to its room, or to at most [`MAX_LOGO_SCALED`] a side.
  pixels: RgbaImage,
  /// Its size and top-left corner in the image.
  width: u32,
  height: u32,
  x: i64,
  y: i64,
}

impl LogoDrawing {
  /// The placed logo as drawn into `matrix` with `style`: inside its cleared square, with one
  /// module of light border on each side.
  fn placed(matrix: &Matrix, style: &Style, placed: &Placed) -> Result<Self, ImageTooLarge> {
    let side_px = style.side_px(matrix.width())?;
    let layout = Layout::new(matrix, style, Some(placed.clearing));
    let edges = module_edges(layout.framed.side, side_px as usize);
    let cleared = layout.cleared.expect("a placed logo clears modules");
    let low = edges[cleared.start + 1];
    let high = edges[cleared.end - 1];
    Ok(Self::new(placed.logo, (high - low) as u32, low as i64))
  }

  /// `logo` centred in the square of side `room` whose top-left corner is at (`low`, `low`).
  fn new(logo: &Logo, room: u32, low: i64) -> Self {
    let (width, height) = logo.fitted(room);
    Self {
      pixels: logo.scaled(room.min(MAX_LOGO_SCALED)),
      width,
      height,
      x: low + i64::from(room - width) / 2,
      y: low + i64::from(room - height) / 2,
    }
  }

  /// Whether the logo blended over opaque pixels leaves them opaque. Interpolated pixels mix
  /// the alphas of their neighbours, so there every alpha must be opaque.
  fn keeps_opaque(&self) -> bool {
    let stays_opaque = |pixel: &image::Rgba<u8>| {
      let mut under = image::Rgba([0, 0, 0, 0xff]);
      under.blend(pixel);
      under[3] == 0xff
    };
    if self.pixels.dimensions() == (self.width, self.height) {
      self.pixels.pixels().all(stays_opaque)
    } else {
      self.pixels.pixels().all(|pixel| pixel[3] == 0xff)
    }
  }

  /// The logo's part of rows `first..first + band.height()`, blended over `band`.
  fn draw(&self, first: u32, band: &mut RgbaImage) {
    if self.pixels.dimensions() == (self.width, self.height) {
      image::imageops::overlay(band, &self.pixels, self.x, self.y - i64::from(first));
      return;
    }
    let top = self.y.max(i64::from(first));
    let bottom = (self.y + i64::from(self.height)).min(i64::from(first + band.height()));
    if top >= bottom {
      return;
    }
    let strip = RgbaImage::from_fn(self.width, (bottom - top) as u32, |x, row| {
      self.interpolated(x, (top - self.y) as u32 + row)
    });
    image::imageops::overlay(band, &strip, self.x, top - i64::from(first));
  }

  /// Pixel (`x`, `y`) of the logo at its full size, interpolated bilinearly from `pixels`.
  fn interpolated(&self, x: u32, y: u32) -> image::Rgba<u8> {
    let (scaled_width, scaled_height) = self.pixels.dimensions();
    let source = |at: u32, length: u32, scaled: u32| {
      let position = (at as f32 + 0.5) * scaled as f32 / length as f32 - 0.5;
      let position = position.clamp(0.0, (scaled - 1) as f32);
      let low = position.floor() as u32;
      (low, (low + 1).min(scaled - 1), position - low as f32)
    };
    let (left, right, across) = source(x, self.width, scaled_width);
    let (upper, lower, down) = source(y, self.height, scaled_height);
    let at = |x, y| self.pixels.get_pixel(x, y).0.map(f32::from);
    let (a, b, c, d) = (
      at(left, upper),
      at(right, upper),
      at(left, lower),
      at(right, lower),
    );
    image::Rgba(std::array::from_fn(|i| {
      let top = a[i] + (b[i] - a[i]) * across;
      let bottom = c[i] + (d[i] - c[i]) * across;
      (top + (bottom - top) * down).round() as u8
    }))
  }
}

/// The colours weighted by how many of a pixel's `of` samples each covers (the weights sum
/// to `of`), each channel rounded.
fn mix<const N: usize>(weighted: [(Rgba, usize); N], of: usize) -> image::Rgba<u8> {
  let mut sums = [of / 2; 4];
  for (colour, weight) in weighted {
    let channels = [colour.r, colour.g, colour.b, colour.a];
    for (sum, channel) in sums.iter_mut().zip(channels) {
      *sum += usize::from(channel) * weight;
    }
  }
  image::Rgba(sums.map(|sum| (sum / of) as u8))
}

#[cfg(test)]
mod tests {
  use super::*;
  use crate::qr::encode::sample;
  use crate::qr::options::{FinderColours, FinderShape, ModuleShape};
  use crate::qr::paint::{Gradient, GradientKind, Stop, Stops};
  use qrcode::EcLevel;

  /// `matrix` drawn as a PNG with `style`.
  fn png(matrix: &Matrix, style: &Style) -> Vec<u8> {
    image(
      matrix,
      style,
      None,
      ImageFormat::Png,
      &CancelToken::default(),
    )
    .unwrap()
  }

  #[test]
  fn plain_pixels_match_the_modules_in_every_format() {
    let matrix = sample(b"raster", EcLevel::M);
    let style = Style {
      margin: 1,
      scale: 2,
      ..Style::default()
    };
    for format in [ImageFormat::Png, ImageFormat::Webp, ImageFormat::Gif] {
      // Force the RGBA path for PNG with a translucent colour.
      let style = Style {
        dark: Rgba::from_hex("#000000fe").unwrap(),
        ..style
      };
      let bytes = image(&matrix, &style, None, format, &CancelToken::default()).unwrap();
      let decoded = image::load_from_memory(&bytes).unwrap().into_rgba8();
      let side = matrix.width() + 2;
      assert_eq!(decoded.dimensions(), (side as u32 * 2, side as u32 * 2));
      for y in 0..side {
        for x in 0..side {
          let dark = (1..=matrix.width()).contains(&x)
            && (1..=matrix.width()).contains(&y)
            && matrix.is_dark(x - 1, y - 1);
          let pixel = decoded.get_pixel(x as u32 * 2, y as u32 * 2);
          assert_eq!(pixel[0] == 0, dark, "{format:?} ({x}, {y})");
        }
      }
    }
  }

  #[test]
  fn shapes_need_two_pixels_a_module_and_rounded_finders_three() {
    let matrix = sample(b"tiny", EcLevel::M);
    let plain = Style {
      margin: 1,
      scale: 1,
      ..Style::default()
    };
    let expected = image(
      &matrix,
      &plain,
      None,
      ImageFormat::Png,
      &CancelToken::default(),
    )
    .unwrap();
    for (modules, finder) in [
      (ModuleShape::Dots, FinderShape::Rounded),
      (ModuleShape::Rounded, FinderShape::Square),
    ] {
      let shaped = Style {
        modules,
        finder,
        ..plain
      };
      assert_eq!(
        image(
          &matrix,
          &shaped,
          None,
          ImageFormat::Png,
          &CancelToken::default()
        )
        .unwrap(),
        expected
      );
      let two_px = Style { scale: 2, ..shaped };
      let plain_two_px = Style { scale: 2, ..plain };
      assert_ne!(
        image(
          &matrix,
          &two_px,
          None,
          ImageFormat::Png,
          &CancelToken::default()
        )
        .unwrap(),
        image(
          &matrix,
          &plain_two_px,
          None,
          ImageFormat::Png,
          &CancelToken::default()
        )
        .unwrap(),
        "from 2 px a module, shapes are drawn"
      );
    }
    let rounded_finder = |scale| Style {
      scale,
      finder: FinderShape::Rounded,
      ..plain
    };
    let square_finder = |scale| Style { scale, ..plain };
    let png = |style: &Style| png(&matrix, style);
    assert_eq!(png(&rounded_finder(2)), png(&square_finder(2)));
    assert_ne!(png(&rounded_finder(3)), png(&square_finder(3)));
  }

  #[test]
  fn shapes_are_anti_aliased_and_keep_module_centres() {
    let matrix = sample(b"dots", EcLevel::M);
    for (modules, finder) in [
      (ModuleShape::Dots, FinderShape::Rounded),
      (ModuleShape::Rounded, FinderShape::Square),
    ] {
      let style = Style {
        margin: 0,
        scale: 8,
        modules,
        finder,
        ..Style::default()
      };
      let painter = Painter::new(&matrix, &style, None, None).unwrap();
      let pixels = painter.frame(&CancelToken::default()).unwrap();
      let greys = pixels.pixels().filter(|p| p[0] != 0 && p[0] != 255).count();
      assert!(greys > 0, "{modules:?}: curves have edge pixels");
      let in_finder = |x: usize, y: usize| {
        matrix
          .finders()
          .iter()
          .any(|&(fx, fy)| (fx..fx + 7).contains(&x) && (fy..fy + 7).contains(&y))
      };
      for y in 0..matrix.width() {
        for x in 0..matrix.width() {
          if finder == FinderShape::Rounded && in_finder(x, y) {
            continue;
          }
          let centre = pixels.get_pixel(x as u32 * 8 + 4, y as u32 * 8 + 4);
          assert_eq!(
            centre[0] == 0,
            matrix.is_dark(x, y),
            "{modules:?} ({x}, {y})"
          );
        }
      }
    }
  }

  #[test]
  fn a_logo_larger_than_its_scaling_cap_is_interpolated_band_by_band_close_to_whole() {
    let gradient = RgbaImage::from_fn(300, 200, |x, y| {
      image::Rgba([(x * 255 / 299) as u8, (y * 255 / 199) as u8, 128, 255])
    });
    let logo = Logo {
      image: gradient,
      fraction: 0.3,
    };
    let room = MAX_LOGO_SCALED * 2;
    let drawing = LogoDrawing::new(&logo, room, 10);
    assert_eq!(drawing.pixels.width(), MAX_LOGO_SCALED);
    assert!(drawing.keeps_opaque());
    let whole = logo.scaled(room);
    assert_eq!((drawing.width, drawing.height), whole.dimensions());
    // A band that starts above the logo, as the image's bands do: the logo's first rows.
    let mut band = RgbaImage::from_pixel(room + 20, 16, image::Rgba([255; 4]));
    let first = drawing.y as u32 - 8;
    drawing.draw(first, &mut band);
    assert_eq!(
      *band.get_pixel(0, 0),
      image::Rgba([255; 4]),
      "outside the logo"
    );
    for row in 8..16 {
      for x in (0..drawing.width).step_by(7) {
        let drawn = band.get_pixel(drawing.x as u32 + x, row).0;
        let expected = whole.get_pixel(x, row - 8).0;
        let near = drawn.iter().zip(expected).all(|(&a, b)| a.abs_diff(b) <= 2);
        assert!(near, "({x}, {row}): {drawn:?} against {expected:?}");
      }
    }
  }

  #[test]
  fn a_png_is_the_same_file_whatever_its_bands_hold() {
    let matrix = sample(b"bands", EcLevel::M);
    let style = Style {
      scale: 6,
      modules: ModuleShape::Rounded,
      light: Rgba::from_hex("#ffffffc0").unwrap(),
      ..Style::default()
    };
    let png = |band_rows: u32| {
      let Ok(PngRender {
        style,
        path: PngPath::Styled(mut styled),
      }) = PngRender::start(&matrix, &style, None)
      else {
        panic!("shaped modules take the RGB(A) path");
      };
      styled.band_rows = band_rows;
      let render = PngRender {
        style,
        path: PngPath::Styled(styled),
      };
      let cancel = CancelToken::default();
      render
        .advance(&matrix, Deadline::NEVER, &cancel)
        .unwrap()
        .finished()
    };
    let eight = png(BAND_ROWS);
    for band_rows in [1, 3, 5] {
      assert!(png(band_rows) == eight, "{band_rows} rows a band");
    }
  }

  #[test]
  fn gradients_and_finder_colours_paint_their_inks() {
    let matrix = sample(b"paint", EcLevel::M);
    let hex = |text| Rgba::from_hex(text).unwrap();
    let stops = |from, to| {
      let stop = |offset, colour| Stop {
        offset,
        colour: hex(colour),
      };
      Stops::new(&[stop(0.0, from), stop(1.0, to)]).unwrap()
    };
    let style = Style {
      margin: 2,
      scale: 8,
      gradient: Some(Gradient {
        kind: GradientKind::Linear { rotation: 0.0 },
        stops: stops("#ff0000", "#0000ff"),
      }),
      finder_colours: FinderColours {
        ring: Some(hex("#00ff00")),
        centre: Some(hex("#ffff00")),
      },
      ..Style::default()
    };
    let pixels = Painter::new(&matrix, &style, None, None)
      .unwrap()
      .frame(&CancelToken::default())
      .unwrap();
    let at = |x: usize, y: usize| {
      pixels
        .get_pixel((x as u32 + 2) * 8 + 4, (y as u32 + 2) * 8 + 4)
        .0
    };
    assert_eq!(at(0, 0), [0, 0xff, 0, 0xff], "the finder's ring");
    assert_eq!(at(3, 3), [0xff, 0xff, 0, 0xff], "the finder's centre");
    assert_eq!(at(1, 1), [0xff; 4], "light");
    // The timing pattern's dark modules on row 6, left to right: red fading to blue.
    let width = matrix.width();
    let (left, right) = (at(8, 6), at(width - 9, 6));
    assert!(left[0] > right[0] + 0x20, "{left:?} {right:?}");
    assert!(right[2] > left[2] + 0x20, "{left:?} {right:?}");
    for pixel in [left, right] {
      let red_and_blue = u16::from(pixel[0]) + u16::from(pixel[2]);
      assert!(
        (254..=256).contains(&red_and_blue),
        "{pixel:?} is between the stops"
      );
    }

    // Inks in the dark colour draw what `dark` draws.
    let rounded = Style {
      modules: ModuleShape::Rounded,
      scale: 5,
      ..Style::default()
    };
    let png = |style: &Style| png(&matrix, style);
    let black = Some(Gradient {
      kind: GradientKind::Radial,
      stops: stops("#000", "#000"),
    });
    let black_finders = FinderColours {
      ring: Some(Rgba::BLACK),
      centre: None,
    };
    assert!(
      png(&Style {
        gradient: black,
        ..rounded
      }) == png(&rounded)
    );
    assert!(
      png(&Style {
        finder_colours: black_finders,
        ..rounded
      }) == png(&rounded)
    );
  }

  #[test]
  fn jpeg_flattens_onto_white() {
    let matrix = sample(b"jpeg", EcLevel::L);
    let style = Style {
      light: Rgba::from_hex("#fff0").unwrap(),
      ..Style::default()
    };
    let bytes = image(
      &matrix,
      &style,
      None,
      ImageFormat::Jpeg { quality: 90 },
      &CancelToken::default(),
    )
    .unwrap();
    let decoded = image::load_from_memory(&bytes).unwrap().into_rgb8();
    assert!(
      decoded.get_pixel(0, 0)[0] > 240,
      "the transparent margin is white"
    );
  }
}
