//! Plain-text output for people: counts with the right noun, tables with headers.

use std::io::{self, Write};

/// `1 file`, `2 files`.
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

/// Columns padded to their widest cell, two spaces apart, a header row first. The last
/// column is not padded, so lines carry no trailing spaces.
pub fn write_table(out: &mut dyn Write, headers: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header: Vec<String> = headers.iter().map(|h| (*h).to_owned()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let mut line = String::new();
        for (i, (cell, width)) in row.iter().zip(&widths).enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  "));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_use_the_singular_for_one() {
        assert_eq!(count(1u64, "file"), "1 file");
        assert_eq!(count(0u64, "file"), "0 files");
        assert_eq!(count(2u32, "notification"), "2 notifications");
    }

    #[test]
    fn a_table_aligns_its_columns_under_the_headers() {
        let mut out = Vec::new();
        let rows = vec![
            vec![
                "a-long-id".to_owned(),
                "sv-SE".to_owned(),
                "notify".to_owned(),
            ],
            vec![
                "b".to_owned(),
                "fi-FI".to_owned(),
                "hold (noStock)".to_owned(),
            ],
        ];
        write_table(&mut out, &["ID", "LOCALE", "VERDICT"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ID         LOCALE  VERDICT\n\
             a-long-id  sv-SE   notify\n\
             b          fi-FI   hold (noStock)\n"
        );
    }
}
