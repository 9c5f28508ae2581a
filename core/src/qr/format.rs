//! The one table of output formats: every name `options.type` takes, every file extension
//! `toFile` recognises, every MIME type, and which options each format reads.
//!
//! The `type` parser, the choice by extension, data URLs' MIME types and every "must be one
//! of …" message come from [`FORMATS`]; the JavaScript shell reads the same table (the
//! internal `__formats` export) and a test checks the TypeScript unions, the CLI and the
//! README against it. Adding a format is one row here and one encoder arm in `render`.

use std::sync::OnceLock;

use super::render::ImageFormat;

/// A text rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
  Svg,
  Utf8,
  Terminal { small: bool },
}

/// Any output format, with the settings it was chosen with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
  Image(ImageFormat),
  Text(TextFormat),
}

/// The options a format may read, fixed once per call whatever the format turns out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
  /// JPEG quality, 1‥=100 (`rendererOpts.quality`).
  pub quality: u8,
  /// Half-block terminal output (`small`).
  pub small: bool,
}

/// One row of the table.
#[derive(Debug)]
pub struct FormatSpec {
  /// The name documented first; `type` takes it.
  pub name: &'static str,
  /// Other names `type` takes, MIME types included.
  pub aliases: &'static [&'static str],
  /// File extensions (lower case, no dot) that choose this format in `toFile`.
  pub extensions: &'static [&'static str],
  /// The MIME type, as a data URL states it.
  pub mime: &'static str,
  /// The options besides the common ones that this format reads.
  pub options: &'static [&'static str],
  make: fn(Settings) -> Format,
}

impl FormatSpec {
  /// The format, with the settings that apply to it.
  pub fn format(&self, settings: Settings) -> Format {
    (self.make)(settings)
  }

  /// An image format (bytes in any case), rather than text.
  pub fn is_image(&self) -> bool {
    matches!(self.format(Settings::default()), Format::Image(_))
  }

  /// `name` and the aliases.
  pub fn names(&self) -> impl Iterator<Item = &'static str> {
    std::iter::once(self.name).chain(self.aliases.iter().copied())
  }
}

impl Default for Settings {
  /// node-qrcode's: JPEG quality 0.92, full-size terminal output.
  fn default() -> Self {
    Self {
      quality: 92,
      small: false,
    }
  }
}

/// Every output format, in the order messages list them.
pub const FORMATS: &[FormatSpec] = &[
  FormatSpec {
    name: "png",
    aliases: &["image/png"],
    extensions: &["png"],
    mime: "image/png",
    options: &[],
    make: |_| Format::Image(ImageFormat::Png),
  },
  FormatSpec {
    name: "jpeg",
    aliases: &["jpg", "image/jpeg"],
    extensions: &["jpg", "jpeg"],
    mime: "image/jpeg",
    options: &["rendererOpts.quality"],
    make: |settings| {
      Format::Image(ImageFormat::Jpeg {
        quality: settings.quality,
      })
    },
  },
  FormatSpec {
    name: "webp",
    aliases: &["image/webp"],
    extensions: &["webp"],
    mime: "image/webp",
    options: &[],
    make: |_| Format::Image(ImageFormat::Webp),
  },
  FormatSpec {
    name: "gif",
    aliases: &["image/gif"],
    extensions: &["gif"],
    mime: "image/gif",
    options: &[],
    make: |_| Format::Image(ImageFormat::Gif),
  },
  FormatSpec {
    name: "svg",
    aliases: &["image/svg+xml"],
    extensions: &["svg"],
    mime: "image/svg+xml",
    options: &[],
    make: |_| Format::Text(TextFormat::Svg),
  },
  FormatSpec {
    name: "utf8",
    aliases: &["txt"],
    extensions: &["txt"],
    mime: "text/plain",
    options: &[],
    make: |_| Format::Text(TextFormat::Utf8),
  },
  FormatSpec {
    name: "terminal",
    aliases: &[],
    extensions: &[],
    mime: "text/plain",
    options: &["small"],
    make: |settings| {
      Format::Text(TextFormat::Terminal {
        small: settings.small,
      })
    },
  },
];

/// Which formats a function hands back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
  /// Data URLs: images, named first by MIME type.
  Images,
  /// `toString`: text.
  Texts,
  /// `toBuffer` and `toFile`: anything.
  Any,
}

impl Accepted {
  fn admits(self, spec: &FormatSpec) -> bool {
    match self {
      Self::Images => spec.is_image(),
      Self::Texts => !spec.is_image(),
      Self::Any => true,
    }
  }

  /// The format `name` (as `options.type` gives it, case-sensitive) names, if accepted here.
  pub fn parse(self, name: &str, settings: Settings) -> Option<Format> {
    FORMATS
      .iter()
      .find(|spec| self.admits(spec) && spec.names().any(|known| known == name))
      .map(|spec| spec.format(settings))
  }

  /// What `options.type` may be here, for messages: "'png' (or 'image/png'), …  or
  /// 'terminal'". Built on first use, once per process.
  pub fn allowed(self) -> &'static str {
    static MESSAGES: [OnceLock<String>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    MESSAGES[self as usize].get_or_init(|| self.describe())
  }

  fn describe(self) -> String {
    let each: Vec<String> = FORMATS
      .iter()
      .filter(|spec| self.admits(spec))
      .map(|spec| {
        // Data URLs are named by their MIME type first.
        let mut names: Vec<&str> = spec.names().collect();
        if self == Self::Images {
          names.sort_by_key(|&name| name != spec.mime);
        }
        let quoted: Vec<String> = names.iter().map(|name| format!("'{name}'")).collect();
        match quoted.split_first() {
          Some((first, [])) => first.clone(),
          Some((first, others)) => format!("{first} (or {})", others.join(", ")),
          None => unreachable!("every format has a name"),
        }
      })
      .collect();
    match each.split_last() {
      Some((last, [])) => last.clone(),
      Some((last, others)) => format!("{} or {last}", others.join(", ")),
      None => unreachable!("every list has a format"),
    }
  }
}

/// The format a file extension (any case, no dot) chooses.
pub fn by_extension(extension: &str, settings: Settings) -> Option<Format> {
  FORMATS
    .iter()
    .find(|spec| {
      spec
        .extensions
        .iter()
        .any(|known| known.eq_ignore_ascii_case(extension))
    })
    .map(|spec| spec.format(settings))
}

/// The MIME type of an image format, as its data URL begins.
pub fn mime(format: ImageFormat) -> &'static str {
  FORMATS
    .iter()
    .find(|spec| match spec.format(Settings::default()) {
      Format::Image(image) => std::mem::discriminant(&image) == std::mem::discriminant(&format),
      Format::Text(_) => false,
    })
    .map(|spec| spec.mime)
    .expect("every image format has a row")
}

#[cfg(test)]
mod tests {
  use super::*;

  const ALL: [Accepted; 3] = [Accepted::Images, Accepted::Texts, Accepted::Any];

  #[test]
  fn every_name_parses_to_its_format_where_accepted() {
    let settings = Settings {
      quality: 40,
      small: true,
    };
    for spec in FORMATS {
      for name in spec.names() {
        for accepted in ALL {
          let parsed = accepted.parse(name, settings);
          if accepted.admits(spec) {
            assert_eq!(
              parsed,
              Some(spec.format(settings)),
              "{name} in {accepted:?}"
            );
          } else {
            assert_eq!(parsed, None, "{name} refused in {accepted:?}");
          }
        }
      }
      for extension in spec.extensions {
        assert_eq!(
          by_extension(&extension.to_ascii_uppercase(), settings),
          Some(spec.format(settings))
        );
      }
    }
    assert_eq!(
      Accepted::Any.parse("jpg", settings),
      Some(Format::Image(ImageFormat::Jpeg { quality: 40 }))
    );
    assert_eq!(
      Accepted::Texts.parse("terminal", settings),
      Some(Format::Text(TextFormat::Terminal { small: true }))
    );
    assert_eq!(
      Accepted::Any.parse("PNG", settings),
      None,
      "names are exact"
    );
    assert_eq!(by_extension("bmp", settings), None);
  }

  #[test]
  fn names_and_extensions_are_unique() {
    let mut names: Vec<&str> = FORMATS.iter().flat_map(FormatSpec::names).collect();
    let mut extensions: Vec<&str> = FORMATS
      .iter()
      .flat_map(|spec| spec.extensions.iter().copied())
      .collect();
    let (name_count, extension_count) = (names.len(), extensions.len());
    names.sort_unstable();
    names.dedup();
    extensions.sort_unstable();
    extensions.dedup();
    assert_eq!(names.len(), name_count);
    assert_eq!(extensions.len(), extension_count);
  }

  #[test]
  fn messages_list_every_accepted_name() {
    for accepted in ALL {
      let message = accepted.allowed();
      for spec in FORMATS {
        for name in spec.names() {
          assert_eq!(
            message.contains(&format!("'{name}'")),
            accepted.admits(spec),
            "{name} in {message}"
          );
        }
      }
    }
    assert_eq!(
      Accepted::Texts.allowed(),
      "'svg' (or 'image/svg+xml'), 'utf8' (or 'txt') or 'terminal'"
    );
    assert!(Accepted::Images
      .allowed()
      .starts_with("'image/png' (or 'png'), 'image/jpeg' (or 'jpeg', 'jpg')"));
  }

  #[test]
  fn each_image_format_has_its_mime_type() {
    assert_eq!(mime(ImageFormat::Png), "image/png");
    assert_eq!(mime(ImageFormat::Jpeg { quality: 7 }), "image/jpeg");
    assert_eq!(mime(ImageFormat::Webp), "image/webp");
    assert_eq!(mime(ImageFormat::Gif), "image/gif");
  }
}
