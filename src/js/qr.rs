//! `createQr`, `toBuffer`, `toString` and their `…Sync` twins: one job, four outputs.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use napi::bindgen_prelude::{Buffer, PromiseRaw, ToNapiValue, Unknown};
use napi::Env;
use napi_derive::napi;
use qrcode::EcLevel;

use super::progress::Progress;
use super::{Call, Job};
use crate::cancel::CancelToken;
use crate::error::Failure;
use crate::input::{self, Bytes};
use crate::qr::options::{EC_LEVEL_NAMES, MAX_MARGIN, MAX_SCALE};
use crate::qr::{encode, parse_ec_level, render, Charset, Rgba, Style};

/// What a call hands back.
#[derive(Clone, Copy)]
enum Format {
  PngDataUrl,
  Png,
  Svg,
  Utf8,
}

pub struct QrJob {
  data: Bytes,
  level: EcLevel,
  style: Style,
  format: Format,
}

pub enum Rendered {
  Text(String),
  Bytes(Vec<u8>),
}

impl Job for QrJob {
  type Part = Rendered;

  fn run(
    &self,
    _part: usize,
    cancel: &CancelToken,
    _progress: &Progress,
  ) -> Result<Rendered, Failure> {
    let charset = match self.data {
      Bytes::Text(_) => Charset::Utf8,
      Bytes::Binary(_) => Charset::Binary,
    };
    let matrix = encode(&self.data, self.level, charset)?;
    cancel.check()?;
    Ok(match self.format {
      Format::PngDataUrl => {
        let png = render::png(&matrix, &self.style)?;
        let mut url = String::with_capacity(PNG_DATA_URL_PREFIX.len() + png.len().div_ceil(3) * 4);
        url.push_str(PNG_DATA_URL_PREFIX);
        STANDARD.encode_string(&png, &mut url);
        Rendered::Text(url)
      }
      Format::Png => Rendered::Bytes(render::png(&matrix, &self.style)?),
      Format::Svg => Rendered::Text(render::svg(&matrix, &self.style)?),
      Format::Utf8 => Rendered::Text(render::utf8(&matrix, &self.style)),
    })
  }

  fn to_js<'env>(&self, env: &'env Env, mut parts: Vec<Rendered>) -> napi::Result<Unknown<'env>> {
    match parts.remove(0) {
      Rendered::Text(text) => text.into_unknown(env),
      Rendered::Bytes(bytes) => Buffer::from(bytes).into_unknown(env),
    }
  }
}

const PNG_DATA_URL_PREFIX: &str = "data:image/png;base64,";
const IMAGE_OPTIONS: &[&str] = &["errorCorrectionLevel", "margin", "scale", "color", "signal"];
const STRING_OPTIONS: &[&str] = &[
  "errorCorrectionLevel",
  "margin",
  "scale",
  "color",
  "signal",
  "type",
];

/// Reads `text` and `options` for any QR function. `format` is fixed by the function, except
/// for `toString` (`None`), which reads `options.type`.
fn read_call(
  env: &Env,
  text: Unknown,
  options: Option<Unknown>,
  format: Option<Format>,
) -> Call<QrJob> {
  let known = if format.is_some() {
    IMAGE_OPTIONS
  } else {
    STRING_OPTIONS
  };
  Call::read(env, options, known, |options| {
    let data = input::bytes(env, text, "text")?;
    let format = match format {
      Some(format) => format,
      None => options
        .parsed("type", "'utf8' or 'svg'", |name| match name {
          "utf8" => Some(Format::Utf8),
          "svg" => Some(Format::Svg),
          _ => None,
        })?
        .unwrap_or(Format::Utf8),
    };
    let level = options
      .parsed("errorCorrectionLevel", EC_LEVEL_NAMES, parse_ec_level)?
      .unwrap_or(EcLevel::M);
    let colour = options.nested("color", &["dark", "light"])?;
    let defaults = Style::default();
    let style = Style {
      margin: options
        .integer("margin", 0..=MAX_MARGIN)?
        .unwrap_or(defaults.margin),
      scale: options
        .integer("scale", 1..=MAX_SCALE)?
        .unwrap_or(defaults.scale),
      dark: colour
        .parsed("dark", Rgba::FORMS, Rgba::from_hex)?
        .unwrap_or(defaults.dark),
      light: colour
        .parsed("light", Rgba::FORMS, Rgba::from_hex)?
        .unwrap_or(defaults.light),
    };
    Ok(QrJob {
      data,
      level,
      style,
      format,
    })
  })
}

/// A QR code for `text` as a `data:image/png;base64,…` URL, made on libuv's thread pool.
///
/// Same defaults as node-qrcode's `toDataURL`: error correction level M, a 4-module quiet
/// zone, 4 px per module, black on white. A string is encoded as UTF-8 in the fewest bits
/// (numeric, alphanumeric and byte segments); a `Uint8Array` is encoded as bytes. Bad
/// arguments reject with a `TypeError` or `RangeError`; text too long for a version-40 code
/// rejects with a `RangeError` whose `code` is `ERR_QR_DATA_TOO_LONG`.
///
/// @example
/// res.send(`<img src="${await createQr('https://example.com/')}">`)
#[napi(
  ts_args_type = "text: string | BinaryLike, options?: QrImageOptions",
  ts_return_type = "Promise<string>"
)]
pub fn create_qr<'env>(
  env: &'env Env,
  text: Unknown,
  options: Option<Unknown>,
) -> napi::Result<PromiseRaw<'env, Unknown<'static>>> {
  read_call(env, text, options, Some(Format::PngDataUrl)).spawn(env)
}

sync_twin! {
  fn create_qr_sync(text) => read_call(Some(Format::PngDataUrl));
  ts("text: string | BinaryLike, options?: QrImageOptions") -> "string";
}

/// The PNG bytes of the QR code for `text` (what {@link createQr} base64-encodes), made on
/// libuv's thread pool; node-qrcode's `toBuffer`.
#[napi(
  ts_args_type = "text: string | BinaryLike, options?: QrImageOptions",
  ts_return_type = "Promise<Buffer>"
)]
pub fn to_buffer<'env>(
  env: &'env Env,
  text: Unknown,
  options: Option<Unknown>,
) -> napi::Result<PromiseRaw<'env, Unknown<'static>>> {
  read_call(env, text, options, Some(Format::Png)).spawn(env)
}

sync_twin! {
  fn to_buffer_sync(text) => read_call(Some(Format::Png));
  ts("text: string | BinaryLike, options?: QrImageOptions") -> "Buffer";
}

/// The QR code for `text` as text, made on libuv's thread pool; node-qrcode's `toString`.
///
/// `options.type` is `'utf8'` (the default: Unicode half blocks, two module rows per line,
/// dark modules as ink) or `'svg'` (an SVG document `scale` px per module).
#[napi(
  js_name = "toString",
  ts_args_type = "text: string | BinaryLike, options?: QrStringOptions",
  ts_return_type = "Promise<string>"
)]
pub fn to_string_async<'env>(
  env: &'env Env,
  text: Unknown,
  options: Option<Unknown>,
) -> napi::Result<PromiseRaw<'env, Unknown<'static>>> {
  read_call(env, text, options, None).spawn(env)
}

sync_twin! {
  js_name = "toStringSync";
  fn to_string_sync(text) => read_call(None);
  ts("text: string | BinaryLike, options?: QrStringOptions") -> "string";
}
