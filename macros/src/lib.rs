//! `export_with_sync_twin!`: declares an async export and its `…Sync` twin at once, with the
//! async one's doc comment reaching `binding.d.ts` as JSDoc.
//!
//! The declaring itself is `export_with_sync_twin_rules!`, a `macro_rules!` in `src/js/mod.rs`.
//! A doc comment handed to a macro arrives as a raw string (`#[doc = r" …"]`), which
//! napi-derive writes into the typings as it is, `r"` included; it reads only plain escaped
//! strings (`#[doc = " …"]`). This macro rewrites each doc attribute into that form and passes
//! everything else on unchanged.

use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// `export_with_sync_twin! { … }` is `export_with_sync_twin_rules! { … }` with doc comments
/// as plain strings; see that macro for the grammar.
#[proc_macro]
pub fn export_with_sync_twin(input: TokenStream) -> TokenStream {
  [
    TokenTree::Ident(Ident::new("export_with_sync_twin_rules", Span::call_site())),
    TokenTree::Punct(Punct::new('!', Spacing::Alone)),
    TokenTree::Group(Group::new(Delimiter::Brace, plain_docs(input))),
  ]
  .into_iter()
  .collect()
}

/// `tokens` with the string of every `#[doc = …]` attribute written as a plain literal.
fn plain_docs(tokens: TokenStream) -> TokenStream {
  tokens
    .into_iter()
    .map(|token| match token {
      TokenTree::Group(group) if group.delimiter() == Delimiter::Bracket => {
        let mut rewritten = Group::new(Delimiter::Bracket, plain_doc(group.stream()));
        rewritten.set_span(group.span());
        TokenTree::Group(rewritten)
      }
      other => other,
    })
    .collect()
}

/// The inside of one attribute: `doc = "…"` with a plain literal if it is a doc attribute.
fn plain_doc(attribute: TokenStream) -> TokenStream {
  let mut tokens: Vec<TokenTree> = attribute.into_iter().collect();
  if let [TokenTree::Ident(name), TokenTree::Punct(equals), TokenTree::Literal(text)] =
    tokens.as_mut_slice()
  {
    if name.to_string() == "doc" && equals.as_char() == '=' {
      if let Some(content) = raw_string_content(&text.to_string()) {
        let span = text.span();
        *text = Literal::string(content);
        text.set_span(span);
      }
    }
  }
  tokens.into_iter().collect()
}

/// What a raw string literal (`r"…"`, `r#"…"#`, …) holds; `None` for any other literal.
fn raw_string_content(literal: &str) -> Option<&str> {
  let hashes = literal.strip_prefix('r')?;
  let fence = hashes.len() - hashes.trim_start_matches('#').len();
  let inner = &hashes[fence..];
  inner
    .strip_prefix('"')?
    .strip_suffix(&hashes[..fence])?
    .strip_suffix('"')
}

#[cfg(test)]
mod tests {
  use super::raw_string_content;

  #[test]
  fn raw_strings_give_their_content_and_others_none() {
    assert_eq!(raw_string_content(r#"r" plain""#), Some(" plain"));
    assert_eq!(
      raw_string_content(r##"r#" with "quotes""#"##),
      Some(r#" with "quotes""#)
    );
    assert_eq!(raw_string_content(r#"" escaped""#), None);
    assert_eq!(raw_string_content("r#\"unclosed\""), None);
    assert_eq!(raw_string_content("42"), None);
  }
}
