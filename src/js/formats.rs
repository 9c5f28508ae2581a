//! `__formats`: the core's table of output formats as JavaScript, so the CLI and
//! `qrhash/compat` list the same formats the addon parses, and a test can check the TypeScript
//! unions and the README against it. Internal: not in the types.

use napi::bindgen_prelude::{JsObjectValue, Object, ToNapiValue, Unknown};
use napi::Env;
use napi_derive::napi;

use crate::qr::format::FORMATS;

/// `[{ name, aliases, extensions, mime, image, options }]`, one object per format in the order
/// messages list them; `extensions` without the dot, `options` as dotted option paths.
#[napi(catch_unwind, js_name = "__formats", skip_typescript)]
pub fn formats(env: &Env) -> napi::Result<Unknown<'_>> {
  let mut rows = env.create_array(FORMATS.len() as u32)?;
  for (index, spec) in FORMATS.iter().enumerate() {
    let mut row = Object::new(env)?;
    row.set_named_property("name", spec.name)?;
    row.set_named_property("aliases", spec.aliases.to_vec())?;
    row.set_named_property("extensions", spec.extensions.to_vec())?;
    row.set_named_property("mime", spec.mime)?;
    row.set_named_property("image", spec.is_image())?;
    row.set_named_property("options", spec.options.to_vec())?;
    rows.set(index as u32, row)?;
  }
  rows.into_unknown(env)
}
