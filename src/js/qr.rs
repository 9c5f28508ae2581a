//! The QR functions: node-qrcode's server API (`toDataURL`, `toBuffer`, `toString`, `toFile`,
//! `create`), `createQr` and `createQrBatch`; one recipe, many outputs, each call a job on
//! libuv's pool with a `…Sync` twin. This module reads the arguments into a core
//! [`Recipe`] and converts what it makes; the pipeline itself is `qrhash_core::qr::output`.

use std::ops::Range;
use std::path::PathBuf;

use napi::bindgen_prelude::{Null, PromiseRaw, ToNapiValue, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use qrcode::types::Mode;
use qrcode::EcLevel;
use qrhash_macros::export_with_sync_twin;

use super::colours::{read_finder_colours, read_gradient, COLOR_KEYS};
use super::partition::split;
use super::{buffer_copy, buffer_of, Call, Job, Slice};
use crate::error::Failure;
use crate::input::{self, Bytes, FlagOr, Options, PendingBytes, Pinning};
use crate::qr::encode;
use crate::qr::format::{self, Accepted, Format, Settings, TextFormat};
use crate::qr::logo;
use crate::qr::options::{
  FinderShape, ModuleShape, EC_LEVEL_NAMES, MAX_IMAGE_SIDE, MAX_MARGIN, MAX_SCALE,
};
use crate::qr::output::{segment_data, LogoSource, Made, Making, Output, Recipe, SegmentData};
use crate::qr::render::ImageFormat;
use crate::qr::rmqr;
use crate::qr::sequence::{self, Split};
use crate::qr::{
  parse_ec_level, Content, Eci, Fnc1, Piece, PieceError, Request, Rgba, Style, Symbol,
  SymbolVersion,
};
use crate::slice::Step;

// ---------------------------------------------------------------------------------------------
// What a call makes

/// The data argument: a string, bytes, or segments; its bytes are [`PendingBytes`] while the
/// arguments are read.
enum Data<B = Bytes> {
  Bytes(B),
  Pieces(Vec<Piece>),
}

impl Data<PendingBytes<'_>> {
  fn pin(self, pinning: &Pinning) -> Result<Data, Failure> {
    Ok(match self {
      Self::Bytes(bytes) => Data::Bytes(bytes.pin(pinning)?),
      Self::Pieces(pieces) => Data::Pieces(pieces),
    })
  }
}

impl Data {
  fn content(&self) -> Content<'_> {
    match self {
      Self::Bytes(Bytes::Text(utf8)) => Content::Text(utf8),
      Self::Bytes(Bytes::Binary(view)) => Content::Binary(view),
      Self::Pieces(pieces) => Content::Pieces(pieces),
    }
  }
}

/// A made result as JavaScript: a string, a Buffer, `create()`'s packed symbol, or `undefined`.
fn made_to_js(made: Made, env: &Env) -> napi::Result<Unknown<'_>> {
  match made {
    Made::Text(text) => js_string(env, &text),
    Made::Bytes(bytes) => buffer_of(env, bytes),
    Made::Symbol(symbol) => symbol_to_js(env, &symbol),
    Made::Nothing => ().into_unknown(env),
  }
}

/// A JavaScript string. Data URLs and SVG are ASCII, which V8 takes as Latin-1 with a copy;
/// through UTF-8 it would decode them byte by byte.
fn js_string<'env>(env: &'env Env, text: &str) -> napi::Result<Unknown<'env>> {
  if !text.is_ascii() {
    return text.into_unknown(env);
  }
  Ok(env.create_string_latin1(text.as_bytes())?.to_unknown())
}

// ---------------------------------------------------------------------------------------------
// create(): the symbol as data

/// `create()`'s result, packed for index.js to build the object from (`unpackSymbol`), as one
/// property set from JavaScript costs a tenth of one set through N-API: an array of the packed
/// symbol (see [`pack_symbol`]) as a Buffer, then each segment's data.
fn symbol_to_js<'env>(env: &'env Env, symbol: &Symbol) -> napi::Result<Unknown<'env>> {
  let mut packed = vec![0; packed_length(symbol)];
  pack_symbol(symbol, &mut packed);
  symbol_parts_to_js(env, symbol, buffer_copy(env, &packed)?)
}

/// Bytes of [`pack_symbol`]'s head before the segments' modes.
const PACKED_HEAD: usize = 8;

/// Bytes [`pack_symbol`] writes.
fn packed_length(symbol: &Symbol) -> usize {
  PACKED_HEAD + symbol.plan.runs.len() + symbol.matrix.width() * symbol.matrix.height()
}

/// The symbol as `unpackSymbol` reads it: version (an rMQR size's number, 1‥=32), kind (0 for
/// QR, 1 for Micro QR, 2 for rMQR), level as an index into "LMQH", mask, width and height as
/// little-endian u16s, one [`mode_index`] per segment, then the `width × height` modules.
fn pack_symbol(symbol: &Symbol, packed: &mut [u8]) {
  let (width, height) = (symbol.matrix.width(), symbol.matrix.height());
  let (number, kind) = match symbol.version {
    SymbolVersion::Qr(qrcode::Version::Normal(number)) => (number as u8, 0),
    SymbolVersion::Qr(qrcode::Version::Micro(number)) => (number as u8, 1),
    SymbolVersion::Rmqr(size) => (size.index() + 1, 2),
  };
  let level = match symbol.level {
    EcLevel::L => 0,
    EcLevel::M => 1,
    EcLevel::Q => 2,
    EcLevel::H => 3,
  };
  let runs = &symbol.plan.runs;
  let (head, modules) = packed.split_at_mut(PACKED_HEAD + runs.len());
  head[..4].copy_from_slice(&[number, kind, level, symbol.mask]);
  head[4..6].copy_from_slice(&(width as u16).to_le_bytes());
  head[6..8].copy_from_slice(&(height as u16).to_le_bytes());
  for (mode, run) in head[PACKED_HEAD..].iter_mut().zip(runs) {
    *mode = mode_index(run.span.mode);
  }
  symbol.matrix.write_modules(modules);
}

/// `[head, ...segment data]`: `head` is the packed symbol, or where index.js finds it.
fn symbol_parts_to_js<'env>(
  env: &'env Env,
  symbol: &Symbol,
  head: Unknown,
) -> napi::Result<Unknown<'env>> {
  let mut array = env.create_array(symbol.plan.runs.len() as u32 + 1)?;
  array.set(0, head)?;
  for (index, data) in segment_data(symbol).enumerate() {
    let slot = index as u32 + 1;
    match data {
      SegmentData::Text(text) => array.set(slot, text.as_ref())?,
      SegmentData::Bytes(bytes) => array.set(slot, buffer_copy(env, bytes)?)?,
    }
  }
  array.into_unknown(env)
}

/// A segment mode as index.js's `MODES` lists it.
fn mode_index(mode: Mode) -> u8 {
  match mode {
    Mode::Numeric => 0,
    Mode::Alphanumeric => 1,
    Mode::Byte => 2,
    Mode::Kanji => 3,
  }
}

// ---------------------------------------------------------------------------------------------
// Jobs

pub struct QrJob {
  data: Data,
  recipe: Recipe<Bytes>,
}

impl Job for QrJob {
  type Part = Made;
  /// A PNG part of the way through (everything else is made in the first slice).
  type Paused = Making;

  fn run(
    &self,
    _part: usize,
    from: Option<Making>,
    slice: &Slice,
  ) -> Result<Step<Making, Made>, Failure> {
    let making = match from {
      Some(making) => making,
      None => self.recipe.start(&self.data.content(), slice.cancel)?,
    };
    Ok(making.advance(slice.deadline, slice.cancel)?)
  }

  fn to_js<'env>(&self, env: &'env Env, mut parts: Vec<Made>) -> napi::Result<Unknown<'env>> {
    made_to_js(parts.remove(0), env)
  }
}

/// Many codes made alike, in contiguous ranges, one per pool thread.
pub struct QrBatchJob {
  data: Vec<Data>,
  recipe: Recipe<Bytes>,
  parts: Vec<Range<usize>>,
}

impl Job for QrBatchJob {
  type Part = Vec<Made>;
  /// The codes of the part made so far.
  type Paused = Vec<Made>;

  fn parts(&self) -> usize {
    self.parts.len()
  }

  fn run(
    &self,
    part: usize,
    from: Option<Vec<Made>>,
    slice: &Slice,
  ) -> Result<Step<Vec<Made>, Vec<Made>>, Failure> {
    let range = self.parts[part].clone();
    let mut made = from.unwrap_or_else(|| Vec::with_capacity(range.len()));
    for index in range.start + made.len()..range.end {
      if !made.is_empty() && slice.deadline.has_passed() {
        return Ok(Step::Paused(made));
      }
      let code = self.recipe.make(&self.data[index].content(), slice.cancel);
      made.push(code.map_err(|error| {
        let failure = Failure::from(error);
        Failure {
          message: format!("texts[{index}]: {}", failure.message),
          ..failure
        }
      })?);
    }
    Ok(Step::Done(made))
  }

  fn to_js<'env>(&self, env: &'env Env, parts: Vec<Vec<Made>>) -> napi::Result<Unknown<'env>> {
    let mut array = env.create_array(self.data.len() as u32)?;
    for (index, made) in parts.into_iter().flatten().enumerate() {
      array.set(index as u32, made_to_js(made, env)?)?;
    }
    array.into_unknown(env)
  }
}

/// One message across a structured-append sequence of codes made alike, in order.
pub struct QrSequenceJob {
  data: Bytes,
  recipe: Recipe<Bytes>,
  symbols: Option<u8>,
}

/// A sequence's codes, and its parity (`None` when one code holds the message).
pub struct Sequence {
  made: Vec<Made>,
  parity: Option<u8>,
}

impl Job for QrSequenceJob {
  type Part = Sequence;
  /// The split, and the codes made so far.
  type Paused = (Split, Vec<Made>);

  fn run(
    &self,
    _part: usize,
    from: Option<(Split, Vec<Made>)>,
    slice: &Slice,
  ) -> Result<Step<(Split, Vec<Made>), Sequence>, Failure> {
    let text = matches!(self.data, Bytes::Text(_));
    let (split, mut made) = match from {
      Some(paused) => paused,
      None => {
        let split = sequence::split(
          &self.data,
          text,
          &self.recipe.request,
          self.symbols,
          slice.cancel,
        )?;
        let made = Vec::with_capacity(split.parts.len());
        (split, made)
      }
    };
    while let Some((range, position)) = split.parts.get(made.len()).cloned() {
      if !made.is_empty() && slice.deadline.has_passed() {
        return Ok(Step::Paused((split, made)));
      }
      let bytes = &self.data[range];
      let content = if text {
        Content::Text(bytes)
      } else {
        Content::Binary(bytes)
      };
      let request = Request {
        version: Some(split.version),
        sequence: position,
        ..self.recipe.request
      };
      let index = made.len();
      made.push(
        self
          .recipe
          .make_as(&request, &content, slice.cancel)
          .map_err(|error| {
            let failure = Failure::from(error);
            Failure {
              message: format!("symbol {index} of the sequence: {}", failure.message),
              ..failure
            }
          })?,
      );
    }
    let parity = split.parts[0].1.map(|position| position.parity());
    Ok(Step::Done(Sequence { made, parity }))
  }

  /// The codes as an array; for symbols (`createSequence`), the parity follows them, or
  /// `null` (index.js adds each symbol's place in the sequence).
  fn to_js<'env>(&self, env: &'env Env, mut parts: Vec<Sequence>) -> napi::Result<Unknown<'env>> {
    let Sequence { made, parity } = parts.remove(0);
    let symbols = matches!(self.recipe.output, Output::Symbol);
    let mut array = env.create_array((made.len() + usize::from(symbols)) as u32)?;
    let count = made.len() as u32;
    for (index, made) in made.into_iter().enumerate() {
      array.set(index as u32, made_to_js(made, env)?)?;
    }
    if symbols {
      match parity {
        Some(parity) => array.set(count, u32::from(parity))?,
        None => array.set(count, Null)?,
      }
    }
    array.into_unknown(env)
  }
}

// ---------------------------------------------------------------------------------------------
// Reading arguments

const ENCODING_OPTIONS: &[&str] = &[
  "version",
  "errorCorrectionLevel",
  "maskPattern",
  "eci",
  "gs1",
  "applicationIndicator",
  "micro",
  "rmqr",
  "signal",
];
const DRAWING_OPTIONS: &[&str] = &[
  "margin",
  "scale",
  "width",
  "color",
  "type",
  "rendererOpts",
  "small",
  "style",
  "logo",
];
const RENDERING_OPTIONS: &[&str] = &joined::<18>(ENCODING_OPTIONS, DRAWING_OPTIONS);
const SEQUENCE_ENCODING_OPTIONS: &[&str] = &joined::<10>(ENCODING_OPTIONS, &["symbols"]);
const SEQUENCE_RENDERING_OPTIONS: &[&str] = &joined::<19>(RENDERING_OPTIONS, &["symbols"]);

/// `first` then `second` as one list of `N` names (a length that is not theirs fails to
/// compile).
const fn joined<const N: usize>(
  first: &[&'static str],
  second: &[&'static str],
) -> [&'static str; N] {
  assert!(first.len() + second.len() == N);
  let mut names = [""; N];
  let mut index = 0;
  while index < N {
    names[index] = if index < first.len() {
      first[index]
    } else {
      second[index - first.len()]
    };
    index += 1;
  }
  names
}

const MODE_NAMES: &str = "'numeric', 'alphanumeric', 'byte' or 'kanji'";

/// How a function chooses its output.
#[derive(Clone)]
enum Wanted {
  DataUrl,
  Buffer,
  String,
  File(PathBuf),
  Symbol,
}

/// Reads the data argument and options of any QR function.
fn read_call(env: &Env, text: Unknown, options: Option<Unknown>, wanted: Wanted) -> Call<QrJob> {
  let known = match wanted {
    Wanted::Symbol => ENCODING_OPTIONS,
    _ => RENDERING_OPTIONS,
  };
  Call::read(env, options, known, |options| {
    let data = read_data(env, text, "text")?;
    let recipe = read_recipe(env, options, wanted)?;
    Ok(move |pinning: &Pinning| {
      Ok(QrJob {
        data: data.pin(pinning)?,
        recipe: recipe.try_map_image(|image| image.pin(pinning))?,
      })
    })
  })
}

/// A sequence's data (text or bytes, up to 16 codes' worth) and options: those of the codes,
/// and `symbols`.
fn read_sequence(
  env: &Env,
  text: Unknown,
  options: Option<Unknown>,
  wanted: Wanted,
) -> Call<QrSequenceJob> {
  let known = match wanted {
    Wanted::Symbol => SEQUENCE_ENCODING_OPTIONS,
    _ => SEQUENCE_RENDERING_OPTIONS,
  };
  Call::read(env, options, known, |options| {
    let data = read_bytes_up_to(
      env,
      text,
      "text",
      MOST_CHARACTERS * usize::from(sequence::MAX_SYMBOLS),
    )?;
    let symbols = options
      .integer("symbols", 2..=u32::from(sequence::MAX_SYMBOLS))?
      .map(|symbols| symbols as u8);
    let recipe = read_recipe(env, options, wanted)?;
    if recipe.request.rmqr.is_some() {
      return Err(Failure::bad_value(
        "options.rmqr",
        "left out of a structured-append sequence (rMQR has no structured append)",
        "an rMQR code",
      ));
    }
    Ok(move |pinning: &Pinning| {
      Ok(QrSequenceJob {
        data: data.pin(pinning)?,
        recipe: recipe.try_map_image(|image| image.pin(pinning))?,
        symbols,
      })
    })
  })
}

fn read_create_qr_batch(env: &Env, texts: Unknown, options: Option<Unknown>) -> Call<QrBatchJob> {
  Call::read(env, options, RENDERING_OPTIONS, |options| {
    let data = input::array(texts, "texts", |text, name| read_data(env, text, name))?;
    let recipe = read_recipe(env, options, Wanted::DataUrl)?;
    // A code takes tens of microseconds: at least 16 per range keeps round trips negligible.
    let parts = split(data.len(), 16);
    Ok(move |pinning: &Pinning| {
      Ok(QrBatchJob {
        data: data
          .into_iter()
          .map(|data| data.pin(pinning))
          .collect::<Result<_, _>>()?,
        recipe: recipe.try_map_image(|image| image.pin(pinning))?,
        parts,
      })
    })
  })
}

/// The most any QR code holds: 7 089 digits, at version 40-L. Data known to be longer is
/// refused before it is converted or segmented, which for megabytes of text took seconds.
const MOST_CHARACTERS: usize = 7089;

fn too_long(argument: &str, length: usize, most: usize) -> Failure {
  let allowed = if most == MOST_CHARACTERS {
    "at most 7089 characters or bytes long (the most any QR code holds: digits at version 40-L)"
      .to_owned()
  } else {
    format!("at most {most} characters or bytes long (16 codes of 7089 digits)")
  };
  Failure {
    code: "ERR_QR_DATA_TOO_LONG",
    ..Failure::bad_value(argument, &allowed, &format!("{length}"))
  }
}

/// The bytes of one piece of data, refused unread when it is longer than any code holds: a
/// string's UTF-8 is at least as long as its UTF-16, which V8 knows without converting.
fn read_bytes<'env>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &str,
) -> Result<PendingBytes<'env>, Failure> {
  read_bytes_up_to(env, value, argument, MOST_CHARACTERS)
}

/// As [`read_bytes`], with `most` in place of one code's most.
fn read_bytes_up_to<'env>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &str,
  most: usize,
) -> Result<PendingBytes<'env>, Failure> {
  if let Some(units) = input::utf16_len(env, &value) {
    if units > most {
      return Err(too_long(argument, units, most));
    }
  }
  let bytes = input::bytes(env, value, argument)?;
  if bytes.len() > most {
    return Err(too_long(argument, bytes.len(), most));
  }
  Ok(bytes)
}

fn read_data<'env>(
  env: &'env Env,
  value: Unknown<'env>,
  argument: &str,
) -> Result<Data<PendingBytes<'env>>, Failure> {
  if !value.is_array().unwrap_or(false) {
    return Ok(Data::Bytes(read_bytes(env, value, argument)?));
  }
  // Every segment holds at least one byte.
  let mut total = input::array_len(&value).unwrap_or(0) as usize;
  if total > MOST_CHARACTERS {
    return Err(too_long(argument, total, MOST_CHARACTERS));
  }
  let pieces = input::array(value, argument, |element, name| {
    let piece = read_piece(env, element, name)?;
    total += piece.len().saturating_sub(1);
    if total > MOST_CHARACTERS {
      return Err(too_long(argument, total, MOST_CHARACTERS));
    }
    Ok(piece)
  })?;
  Ok(Data::Pieces(pieces))
}

/// A segment: a string (best modes), bytes (byte mode), or `{ data, mode? }`.
fn read_piece(env: &Env, value: Unknown, name: &str) -> Result<Piece, Failure> {
  let (data, mode, data_name) = if input::is_plain_object(&value) {
    let segment = Options::read(Some(value), name, &["data", "mode"])?;
    let data_name = format!("{name}.data");
    let data = segment
      .get("data")?
      .ok_or_else(|| Failure::wrong_type(&data_name, input::DATA_TYPES, "undefined"))?;
    let mode = segment.parsed("mode", MODE_NAMES, parse_mode)?;
    (read_bytes(env, data, &data_name)?, mode, data_name)
  } else {
    (read_bytes(env, value, name)?, None, name.to_owned())
  };
  let text = matches!(data, PendingBytes::Text(_));
  let shown = describe_bytes(&data);
  Piece::new(mode, data.into_vec(env)?, text).map_err(|error| {
    let allowed = match error {
      PieceError::Empty => "not empty",
      PieceError::NotNumeric => "only the digits 0-9 in numeric mode",
      PieceError::NotAlphanumeric => {
        "only 0-9, A-Z (upper case), space and $ % * + - . / : in alphanumeric mode"
      }
      PieceError::NotKanji => {
        "only Shift_JIS double-byte characters (kanji, kana, full-width forms) in kanji mode"
      }
    };
    Failure {
      code: "ERR_QR_INVALID_SEGMENT",
      ..Failure::bad_value(&data_name, allowed, &shown)
    }
  })
}

fn describe_bytes(bytes: &PendingBytes) -> String {
  match bytes {
    PendingBytes::Text(utf8) => format!(
      "the string {}",
      input::quote(&String::from_utf8_lossy(utf8))
    ),
    PendingBytes::Binary(view) => format!("{} bytes", view.len()),
  }
}

fn parse_mode(name: &str) -> Option<Mode> {
  match name.to_ascii_lowercase().as_str() {
    "numeric" => Some(Mode::Numeric),
    "alphanumeric" => Some(Mode::Alphanumeric),
    "byte" => Some(Mode::Byte),
    "kanji" => Some(Mode::Kanji),
    _ => None,
  }
}

fn read_recipe<'env>(
  env: &'env Env,
  options: &Options<'env, '_>,
  wanted: Wanted,
) -> Result<Recipe<PendingBytes<'env>>, Failure> {
  let micro = options.boolean("micro")?.unwrap_or(false);
  let logo = read_logo(env, options)?;
  if micro && logo.is_some() {
    return Err(Failure::bad_value(
      "options.logo",
      "absent for a Micro QR code (it has no level H)",
      "a logo",
    ));
  }
  let level = options
    .parsed("errorCorrectionLevel", EC_LEVEL_NAMES, parse_ec_level)?
    .unwrap_or(EcLevel::M);
  let request = Request {
    // A logo hides modules: only level H can spare them.
    level: if logo.is_some() { EcLevel::H } else { level },
    version: options.integer("version", 1..=40)?.map(|v| v as u8),
    micro,
    mask: options.integer("maskPattern", 0..=7)?.map(|m| m as u8),
    eci: read_eci(options)?,
    fnc1: read_fnc1(options)?,
    sequence: None,
    rmqr: read_rmqr(options)?,
  };
  let output = read_output(options, wanted)?;
  let style = read_style(options)?;
  if request.rmqr.is_some() {
    check_rmqr(&request, &style, logo.is_some())?;
  }
  Ok(Recipe {
    request,
    style,
    logo,
    output,
  })
}

/// Refuses what an rMQR code cannot have, before the job is made: options of QR's it lacks
/// (see [`encode::validate`]), a logo, and module or finder shapes, which zxing's rMQR
/// detector misreads at some scales (the finder and the corner patterns sit on the timing
/// edges).
fn check_rmqr(request: &Request, style: &Style, logo: bool) -> Result<(), Failure> {
  if logo {
    return Err(Failure::bad_value(
      "options.logo",
      "absent for an rMQR code (options.rmqr)",
      "a logo",
    ));
  }
  if style.modules != ModuleShape::Square || style.finder != FinderShape::Square {
    return Err(Failure::bad_value(
      "options.style",
      "absent or square modules and finder for an rMQR code (options.rmqr): readers do not \
       find shaped ones reliably",
      "a shape",
    ));
  }
  Ok(encode::validate(request)?)
}

/// What `options.rmqr` may be.
const RMQR_FORMS: &str = "true, false or an rMQR size 'R{height}x{width}': height 7, 9, 11, 13, \
  15 or 17 and width 43, 59, 77, 99 or 139, or 27 for heights 11 and 13 ('R7x43' to 'R17x139')";

/// `rmqr: true` (the smallest rMQR size that holds the data) or a size (`'R13x77'`).
fn read_rmqr(options: &Options) -> Result<Option<rmqr::Choice>, Failure> {
  Ok(
    match options.flag_or_parsed("rmqr", RMQR_FORMS, rmqr::Size::parse)? {
      None | Some(FlagOr::Flag(false)) => None,
      Some(FlagOr::Flag(true)) => Some(rmqr::Choice::Smallest),
      Some(FlagOr::Parsed(size)) => Some(rmqr::Choice::Fixed(size)),
    },
  )
}

fn read_eci(options: &Options) -> Result<Eci, Failure> {
  let eci = options.flag_or_parsed("eci", "'auto', true or false", |name| {
    (name == "auto").then_some(Eci::Auto)
  })?;
  Ok(match eci {
    None => Eci::Auto,
    Some(FlagOr::Flag(true)) => Eci::Always,
    Some(FlagOr::Flag(false)) => Eci::Never,
    Some(FlagOr::Parsed(eci)) => eci,
  })
}

/// `gs1: true` (FNC1 in first position) or `applicationIndicator` (FNC1 in second position);
/// not both.
fn read_fnc1(options: &Options) -> Result<Fnc1, Failure> {
  let gs1 = options.boolean("gs1")?.unwrap_or(false);
  let indicator = options.parsed(
    "applicationIndicator",
    "two digits ('00' to '99') or one ASCII letter",
    Fnc1::industry,
  )?;
  match (gs1, indicator) {
    (true, Some(_)) => Err(Failure::bad_value(
      "options.applicationIndicator",
      "left out with options.gs1 (FNC1 is in first position for GS1, second with an application indicator)",
      "both",
    )),
    (true, None) => Ok(Fnc1::Gs1),
    (false, indicator) => Ok(indicator.unwrap_or_default()),
  }
}

fn read_output(options: &Options, wanted: Wanted) -> Result<Output, Failure> {
  let settings = Settings {
    small: options.boolean("small")?.unwrap_or(false),
    quality: quality(options)?,
  };
  let named = |accepted: Accepted| {
    options.parsed("type", accepted.allowed(), |name| {
      accepted.parse(name, settings)
    })
  };
  let png = Format::Image(ImageFormat::Png);
  Ok(match wanted {
    Wanted::Symbol => Output::Symbol,
    Wanted::DataUrl => match named(Accepted::Images)?.unwrap_or(png) {
      Format::Image(format) => Output::DataUrl(format),
      Format::Text(_) => unreachable!("only images are accepted"),
    },
    Wanted::Buffer => Output::Buffer(named(Accepted::Any)?.unwrap_or(png)),
    Wanted::String => match named(Accepted::Texts)? {
      Some(Format::Text(format)) => Output::String(format),
      _ => Output::String(TextFormat::Utf8),
    },
    Wanted::File(path) => {
      let by_extension = || format::by_extension(path.extension()?.to_str()?, settings);
      let format = named(Accepted::Any)?.or_else(by_extension).unwrap_or(png);
      Output::File(path, format)
    }
  })
}

/// `rendererOpts.quality`, 0‥=1 as in node-qrcode (default 0.92), as JPEG's 1‥=100.
fn quality(options: &Options) -> Result<u8, Failure> {
  let renderer = options.nested("rendererOpts", &["quality"])?;
  let quality = renderer.number("quality", 0.0..=1.0)?.unwrap_or(0.92);
  Ok((quality * 100.0).round().clamp(1.0, 100.0) as u8)
}

fn read_style(options: &Options) -> Result<Style, Failure> {
  let colour = options.nested("color", COLOR_KEYS)?;
  let shapes = options.nested("style", &["modules", "finder"])?;
  let defaults = Style::default();
  let dark = colour
    .parsed("dark", Rgba::FORMS, Rgba::from_hex)?
    .unwrap_or(defaults.dark);
  let light = colour
    .parsed("light", Rgba::FORMS, Rgba::from_hex)?
    .unwrap_or(defaults.light);
  Ok(Style {
    margin: options
      .integer("margin", 0..=MAX_MARGIN)?
      .unwrap_or(defaults.margin),
    scale: options
      .integer("scale", 1..=MAX_SCALE)?
      .unwrap_or(defaults.scale),
    width: options.integer("width", 1..=MAX_IMAGE_SIDE)?,
    dark,
    light,
    gradient: read_gradient(&colour, light)?,
    finder_colours: read_finder_colours(&colour, light)?,
    modules: shapes
      .parsed(
        "modules",
        "'square', 'rounded', 'dots', 'extra-rounded', 'classy' or 'classy-rounded'",
        |name| match name {
          "square" => Some(ModuleShape::Square),
          "rounded" => Some(ModuleShape::Rounded),
          "dots" => Some(ModuleShape::Dots),
          "extra-rounded" => Some(ModuleShape::ExtraRounded),
          "classy" => Some(ModuleShape::Classy),
          "classy-rounded" => Some(ModuleShape::ClassyRounded),
          _ => None,
        },
      )?
      .unwrap_or_default(),
    finder: shapes
      .parsed(
        "finder",
        "'square', 'rounded', 'extra-rounded' or 'dot'",
        |name| match name {
          "square" => Some(FinderShape::Square),
          "rounded" => Some(FinderShape::Rounded),
          "extra-rounded" => Some(FinderShape::ExtraRounded),
          "dot" => Some(FinderShape::Dot),
          _ => None,
        },
      )?
      .unwrap_or_default(),
  })
}

fn read_logo<'env>(
  env: &'env Env,
  options: &Options<'env, '_>,
) -> Result<Option<LogoSource<PendingBytes<'env>>>, Failure> {
  // `logo: null` means no logo, as `color: null` means the default colours.
  let logo = options.nested("logo", &["image", "size"])?;
  if !logo.is_given() {
    return Ok(None);
  }
  let image = logo.get("image")?.ok_or_else(|| {
    Failure::wrong_type(
      "options.logo.image",
      "a PNG or JPEG in a Buffer",
      "undefined",
    )
  })?;
  let image = input::bytes(env, image, "options.logo.image")?;
  let fraction = logo
    .number("size", 0.0..=logo::MAX_FRACTION)?
    .unwrap_or(logo::DEFAULT_FRACTION);
  if fraction == 0.0 {
    return Err(Failure::out_of_range(
      "options.logo.size",
      "a fraction of the code's width above 0 and at most 0.4",
      "the number 0",
    ));
  }
  Ok(Some(LogoSource::new(image, fraction)))
}

fn path_of(env: &Env, value: Unknown) -> Result<PathBuf, Failure> {
  input::path(env, value, "path")
}

/// `toFile` reads its path first, then the same arguments as the others.
fn read_to_file(env: &Env, path: Unknown, text: Unknown, options: Option<Unknown>) -> Call<QrJob> {
  match path_of(env, path) {
    Ok(path) => read_call(env, text, options, Wanted::File(path)),
    Err(failure) => Call::read(env, options, RENDERING_OPTIONS, |_| {
      Err(failure).map(input::ready)
    }),
  }
}

// ---------------------------------------------------------------------------------------------
// Exports

export_with_sync_twin! {
  /// A QR code for `text` as a `data:image/png;base64,…` URL, made on libuv's thread pool;
  /// node-qrcode's `toDataURL`, also exported under that name.
  ///
  /// Same defaults as node-qrcode: error correction level M, a 4-module quiet zone, 4 px per
  /// module, black on white. A string is encoded as UTF-8 in the fewest bits (numeric,
  /// alphanumeric, byte and, for Japanese, kanji segments); a `Uint8Array` as bytes; an array as
  /// the segments it lists. `options.type` may be `'image/jpeg'`, `'image/webp'` or
  /// `'image/gif'`. Bad arguments reject with a `TypeError` or `RangeError`; data too long for any
  /// version rejects with a `RangeError` whose `code` is `ERR_QR_DATA_TOO_LONG`.
  ///
  /// @example
  /// res.send(`<img src="${await createQr('https://example.com/')}">`)
  fn create_qr, create_qr_sync(text) => read_call(Wanted::DataUrl);
  ts("text: QrData, options?: QrImageOptions") -> "Promise<string>", "string";
}

export_with_sync_twin! {
  /// The code as file bytes in a Buffer, made on libuv's pool; node-qrcode's `toBuffer`.
  /// `options.type`: `'png'` (default), `'jpeg'`, `'webp'`, `'gif'`, `'svg'`, `'utf8'` or
  /// `'terminal'`.
  fn to_buffer, to_buffer_sync(text) => read_call(Wanted::Buffer);
  ts("text: QrData, options?: QrBufferOptions") -> "Promise<Buffer>", "Buffer";
}

export_with_sync_twin! {
  /// The code as text, made on libuv's pool; node-qrcode's `toString`.
  ///
  /// `options.type` is `'utf8'` (the default: Unicode half blocks, two module rows per line,
  /// dark modules as ink), `'svg'` (an SVG document, `scale` px per module or `width` px), or
  /// `'terminal'` (ANSI colours, two spaces per module; `small: true` for half blocks). Unlike
  /// node-qrcode, the terminal type keeps the margin and both colours.
  fn to_string, to_string_sync(text) => read_call(Wanted::String);
  ts("text: QrData, options?: QrStringOptions") -> "Promise<string>", "string";
}

export_with_sync_twin! {
  /// Writes the code to `path` (a string, a Buffer, or a `file:` URL, which index.js turns
  /// into a path as `fs` does) from libuv's pool and resolves to `undefined`; node-qrcode's
  /// `toFile`. The format is `options.type`, else the extension (`.png`, `.jpg`/`.jpeg`,
  /// `.webp`, `.gif`, `.svg`, `.txt`), else PNG. Write errors reject shaped as `fs`'s: `code`
  /// (`ENOENT`, `ENOSPC`, …), `errno`, `syscall`, `path`. A FIFO is written once a reader opens
  /// it; until then, and while the reader does not read, an abort, `cancelAll()` or
  /// `process.exit()` stops the call within milliseconds (`toFileSync` waits for the reader).
  fn to_file, to_file_sync(path, text) => read_to_file();
  ts("path: string | Buffer | URL, text: QrData, options?: QrBufferOptions") -> "Promise<void>", "void";
}

export_with_sync_twin! {
  /// The code as data, encoded on libuv's pool; node-qrcode's `create`: its version, level, mask,
  /// `size`, `modules` (`size × size` bytes, row by row, 1 = dark) and the segments chosen.
  fn create, create_sync(text) => read_call(Wanted::Symbol);
  ts("text: QrData, options?: QrCreateOptions") -> "Promise<QrSymbol>", "QrSymbol";
}

export_with_sync_twin! {
  /// Structured append: `text` (a string or bytes) across a sequence of QR codes, as data URLs
  /// in order (`options.type` as for `createQr`). Readers that know structured append join
  /// them back into `text`. Without `options.symbols`, as few codes as hold it (one, with no
  /// sequence header, when one does); with it, exactly that many (2–16). Every code has the
  /// same version: `options.version`, or the smallest that holds each part.
  fn create_qr_sequence, create_qr_sequence_sync(text) => read_sequence(Wanted::DataUrl);
  ts("text: string | Uint8Array, options?: QrSequenceImageOptions") -> "Promise<string[]>", "string[]";
}

export_with_sync_twin! {
  /// As `createQrSequence`, each code as file bytes in a Buffer (`options.type` as for
  /// `toBuffer`).
  fn to_buffer_sequence, to_buffer_sequence_sync(text) => read_sequence(Wanted::Buffer);
  ts("text: string | Uint8Array, options?: QrSequenceBufferOptions") -> "Promise<Buffer[]>", "Buffer[]";
}

export_with_sync_twin! {
  /// As `createQrSequence`, each code as text (`options.type` as for `toString`: `'utf8'`,
  /// `'svg'` or `'terminal'`).
  fn to_string_sequence, to_string_sequence_sync(text) => read_sequence(Wanted::String);
  ts("text: string | Uint8Array, options?: QrSequenceStringOptions") -> "Promise<string[]>", "string[]";
}

export_with_sync_twin! {
  /// As `createQrSequence`, each code as data (as `create` returns it) with its place in the
  /// sequence: `sequence: { index, total, parity }`, or `null` when one code holds the text.
  fn create_sequence, create_sequence_sync(text) => read_sequence(Wanted::Symbol);
  ts("text: string | Uint8Array, options?: QrSequenceCreateOptions") -> "Promise<QrSequenceSymbol[]>", "QrSequenceSymbol[]";
}

/// `createSync`'s native half, which index.js wraps: as `createSync`, but a symbol that fits is
/// packed into the Uint8Array `scratch` from its first byte (memory index.js keeps to itself
/// and copies the modules out of), so that no Buffer is made through N-API. The first element
/// of the result is then the packed length instead of a packed Buffer. Internal: not in the
/// types, and any `scratch` is safe (one that is not a Uint8Array, or too short, is simply not
/// used).
#[napi(catch_unwind, js_name = "__createSyncInto", skip_typescript)]
pub fn create_sync_into<'env>(
  env: &'env Env,
  text: Unknown,
  options: Option<Unknown>,
  scratch: Unknown,
) -> napi::Result<Unknown<'env>> {
  read_call(env, text, options, Wanted::Symbol).run_sync_to(env, move |_, env, parts| {
    let Some(Made::Symbol(symbol)) = parts.into_iter().next() else {
      unreachable!("a create call makes a symbol");
    };
    let length = packed_length(&symbol);
    let packed = input::in_place(env, &scratch, |memory| {
      pack_symbol(&symbol, memory.get_mut(..length)?);
      Some(())
    });
    match packed.flatten() {
      Some(()) => symbol_parts_to_js(env, &symbol, (length as u32).into_unknown(env)?),
      None => symbol_to_js(env, &symbol),
    }
  })
}

/// Data URLs for many texts with the same options, in order, from one call that spreads them
/// across every thread of libuv's pool. A failing text rejects the whole call, its message
/// naming the index.
#[napi(
  catch_unwind,
  ts_args_type = "texts: QrData[], options?: QrImageOptions",
  ts_return_type = "Promise<string[]>"
)]
pub fn create_qr_batch<'env>(
  env: &'env Env,
  texts: Unknown,
  options: Option<Unknown>,
) -> napi::Result<PromiseRaw<'env, Unknown<'static>>> {
  read_create_qr_batch(env, texts, options).spawn(env)
}
