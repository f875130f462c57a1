//! Cells for files people open in a spreadsheet (CSV, HXL-tagged CSV, XLSX), so that no
//! text a person typed is run as a formula (CSV or formula injection, OWASP).
//!
//! Excel, LibreOffice Calc and Google Sheets read a cell that begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return as a formula: a surname `=HYPERLINK("http://…",…)`
//! would become a link that sends the row to a stranger when a coordinator clicks it.
//! The rule, for every writer:
//!
//! - Text that came from a person (names, cities, site names, item codes, ids read from a
//!   list) goes through [`csv_field`] in CSV, or is written as a string cell in XLSX,
//!   quote-prefixed where [`begins_like_formula`] says so.
//! - Such text is prefixed with a single quote (`'=HYPERLINK(…)`), the mark spreadsheets
//!   read as "this is text", and quoted in CSV, as OWASP recommends.
//! - Excel in Russian, Kazakh and Kyrgyz locales splits a comma-separated file on
//!   semicolons, and then ignores the CSV quotes of a cell that does not begin the
//!   semicolon-separated piece; other readers split on tabs, and a line break ends a row
//!   for such a reader. So a formula start right after a `;`, a tab or a line break
//!   inside a cell gets the same single quote (`Север;'=1+1`).
//! - Numbers the program computed (counts, probabilities, distances) are not user text:
//!   they are written as numbers, negative or not.

use std::borrow::Cow;

/// Whether a spreadsheet could read `text` as a formula: it begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return, also after leading spaces (some imports trim them).
pub fn begins_like_formula(text: &str) -> bool {
    text.starts_with(['\t', '\r'])
        || text
            .trim_start()
            .starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Where a spreadsheet reading a comma-separated file may begin a new cell or row
/// inside one of our cells (see the module's notes).
const BREAKS: [char; 4] = [';', '\t', '\n', '\r'];

/// Whether a piece after a break begins like a formula; quotes are skipped too, since a
/// reader may take them as the piece's own CSV quotes.
fn formula_follows(rest: &str) -> bool {
    rest.trim_start_matches(|c: char| c.is_whitespace() || c == '"')
        .starts_with(['=', '+', '-', '@'])
}

fn needs_quote_after(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.char_indices()
        .filter(|(i, c)| BREAKS.contains(c) && formula_follows(&text[i + c.len_utf8()..]))
        .map(|(i, c)| i + c.len_utf8())
}

/// The text of a spreadsheet cell: `text` itself, or with a single quote before it when it
/// begins like a formula and after each `;`, tab or line break followed by one. Applying
/// it twice changes nothing more (`'` is not a formula start).
pub fn cell_text(text: &str) -> Cow<'_, str> {
    let at_start = begins_like_formula(text);
    let mut inner = needs_quote_after(text).peekable();
    if !at_start && inner.peek().is_none() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 4);
    if at_start {
        out.push('\'');
    }
    let mut copied = 0;
    for at in inner {
        out.push_str(&text[copied..at]);
        out.push('\'');
        copied = at;
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Characters a spreadsheet may split a cell on or that CSV must quote.
const SPLITS: [char; 6] = [',', ';', '\t', '"', '\r', '\n'];

/// One text field of a comma-separated line, encoded: [`cell_text`], in double quotes
/// (inner ones doubled) when it was neutralised or holds a separator, a quote or a line
/// break. The one function every CSV writer calls for user text.
pub fn csv_field(text: &str) -> Cow<'_, str> {
    let cell = cell_text(text);
    if matches!(cell, Cow::Owned(_)) || cell.contains(SPLITS) {
        Cow::Owned(format!("\"{}\"", cell.replace('"', "\"\"")))
    } else {
        cell
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_quoted() {
        for (typed, written) in [
            (
                r#"=HYPERLINK("http://x","y")"#,
                r#""'=HYPERLINK(""http://x"",""y"")""#,
            ),
            ("+1+1", r#""'+1+1""#),
            ("-2", r#""'-2""#),
            ("@SUM(A1)", r#""'@SUM(A1)""#),
            // A reader that splits on tabs or line breaks sees two pieces: both neutralised.
            ("\t=1", "\"'\t'=1\""),
            ("\r=1", "\"'\r'=1\""),
            ("  =1+1", r#""'  =1+1""#),
            // OWASP's example; the piece after the semicolon is neutralised too.
            ("=1+2\";=1+2", r#""'=1+2"";'=1+2""#),
        ] {
            assert_eq!(csv_field(typed), written, "{typed:?}");
        }
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for text in [
            "Смирнов",
            "Oral",
            "KZ/Oral",
            "a-b",
            "O'Brien",
            "'quoted",
            "1990-01-01",
            "0193c1d2-aaaa",
            "",
        ] {
            assert_eq!(csv_field(text), text);
            assert!(matches!(cell_text(text), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn separators_inside_a_cell_keep_it_whole() {
        assert_eq!(csv_field("Север;Юг"), r#""Север;Юг""#);
        assert_eq!(csv_field("a,b"), r#""a,b""#);
        assert_eq!(csv_field("say \"hi\""), r#""say ""hi""""#);
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn formulas_after_a_semicolon_tab_or_line_break_are_neutralised() {
        for (typed, written) in [
            ("Север;=1+1", "Север;'=1+1"),
            ("a; @SUM(A1)", "a;' @SUM(A1)"),
            ("a;\"=1+1", "a;'\"=1+1"),
            ("a\t-2", "a\t'-2"),
            ("line\n+1", "line\n'+1"),
            ("=1;=2", "'=1;'=2"),
            ("a;b-c", "a;b-c"),
        ] {
            assert_eq!(cell_text(typed), written, "{typed:?}");
        }
    }

    #[test]
    fn neutralising_twice_adds_nothing() {
        for text in ["=1+1", "a;=1", "-2\n+3"] {
            let once = cell_text(text).into_owned();
            assert_eq!(cell_text(&once), once);
            assert!(!begins_like_formula(&once));
        }
    }
}
