//! `options.color`'s inks beyond `dark`: a gradient for the dark modules and the finder
//! patterns' colours, each refused when it would not read as dark against `light` (see
//! [`paint::MIN_CONTRAST`] and [`paint::MIN_FINDER_CONTRAST`]).

use napi::bindgen_prelude::Unknown;

use crate::error::Failure;
use crate::input::{self, Options};
use crate::qr::options::FinderColours;
use crate::qr::paint::{
  self, Gradient, GradientKind, Stop, Stops, StopsError, MAX_STOPS, MIN_STOPS,
};
use crate::qr::Rgba;

/// The keys `options.color` knows.
pub const COLOR_KEYS: &[&str] = &["dark", "light", "gradient", "finder", "finderCenter"];

/// `options.color.gradient`: `{ type: 'linear' | 'radial', rotation?, stops: [{ offset, color }] }`.
pub fn read_gradient(colour: &Options, light: Rgba) -> Result<Option<Gradient>, Failure> {
  let gradient = colour.nested("gradient", &["type", "rotation", "stops"])?;
  if !gradient.is_given() {
    return Ok(None);
  }
  let name = "options.color.gradient";
  let linear = gradient
    .parsed("type", "'linear' or 'radial'", |name| match name {
      "linear" => Some(true),
      "radial" => Some(false),
      _ => None,
    })?
    .ok_or_else(|| {
      Failure::wrong_type(format!("{name}.type"), "'linear' or 'radial'", "undefined")
    })?;
  let rotation = gradient.number("rotation", -360.0..=360.0)?;
  let kind = match (linear, rotation) {
    (true, rotation) => GradientKind::Linear {
      rotation: rotation.unwrap_or(0.0),
    },
    (false, None) => GradientKind::Radial,
    (false, Some(_)) => {
      return Err(Failure::bad_value(
        format!("{name}.rotation"),
        "left out with type 'radial'",
        "a rotation",
      ))
    }
  };
  let stops_name = format!("{name}.stops");
  let list = gradient
    .get("stops")?
    .ok_or_else(|| Failure::wrong_type(&stops_name, "an array of stops", "undefined"))?;
  let allowed = format!("an array of {MIN_STOPS} to {MAX_STOPS} stops");
  let count = |count: usize| format!("an array of {count}");
  // Refused by its length before any element is read.
  if let Some(length) = input::array_len(&list).filter(|&n| n as usize > MAX_STOPS) {
    return Err(Failure::out_of_range(
      &stops_name,
      &allowed,
      &count(length as usize),
    ));
  }
  let list = input::array(list, &stops_name, |stop, name| read_stop(stop, name, light))?;
  let stops = Stops::new(&list).map_err(|error| match error {
    StopsError::Count(n) => Failure::out_of_range(&stops_name, &allowed, &count(n)),
    StopsError::Offset(index) => Failure::out_of_range(
      format!("{stops_name}[{index}].offset"),
      &format!(
        "a number from {} to 1 (offsets never decrease)",
        input::js_number(list[index - 1].offset)
      ),
      &format!("the number {}", input::js_number(list[index].offset)),
    ),
  })?;
  Ok(Some(Gradient { kind, stops }))
}

/// `{ offset, color }`, both required.
fn read_stop(value: Unknown, name: &str, light: Rgba) -> Result<Stop, Failure> {
  let stop = Options::read(Some(value), name, &["offset", "color"])?;
  let missing =
    |key: &str, expected: &str| Failure::wrong_type(format!("{name}.{key}"), expected, "undefined");
  let offset = stop
    .number("offset", 0.0..=1.0)?
    .ok_or_else(|| missing("offset", "a number from 0 to 1"))?;
  let colour = stop
    .parsed("color", Rgba::FORMS, Rgba::from_hex)?
    .ok_or_else(|| missing("color", Rgba::FORMS))?;
  readable(colour, light, paint::MIN_CONTRAST, &format!("{name}.color"))?;
  Ok(Stop { offset, colour })
}

/// `options.color.finder` (ring and centre) and `options.color.finderCenter`.
pub fn read_finder_colours(colour: &Options, light: Rgba) -> Result<FinderColours, Failure> {
  let read = |key: &str| -> Result<Option<Rgba>, Failure> {
    let read = colour.parsed(key, Rgba::FORMS, Rgba::from_hex)?;
    if let Some(read) = read {
      readable(
        read,
        light,
        paint::MIN_FINDER_CONTRAST,
        &format!("options.color.{key}"),
      )?;
    }
    Ok(read)
  };
  Ok(FinderColours {
    ring: read("finder")?,
    centre: read("finderCenter")?,
  })
}

/// Refuses `ink` (named `name`) when it is not `least` times darker than `light`.
fn readable(ink: Rgba, light: Rgba, least: f64, name: &str) -> Result<(), Failure> {
  let ratio = paint::contrast(ink, light);
  if ratio >= least {
    return Ok(());
  }
  // Rounded down, so that a refused ratio never reads as the minimum.
  let shown = (ratio * 100.0).floor() / 100.0;
  Err(Failure::bad_value(
    name,
    &format!(
      "a colour at least {least}:1 darker than the light colour {light} by WCAG's contrast ratio, for scanners to read it"
    ),
    &format!("{ink} ({shown:.2}:1)"),
  ))
}
