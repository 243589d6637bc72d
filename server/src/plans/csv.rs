//! Plans as CSV: a header `name,room`, then one line a person. Excel's
//! semicolon variant (`name;room`) is read too, as are a byte-order mark,
//! CRLF line ends and quoted fields. An empty room means the main room.
//! Written with commas, and with cells a spreadsheet would take for a formula
//! made harmless.

use app::plans::{PlannedPerson, PlannedRoom};

use super::{ImportError, MAX_FIELD_CHARS, MAX_PEOPLE};

/// `(name, room)` rows, in the file's order.
pub fn read(bytes: &[u8]) -> Result<Vec<(String, String)>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|_| ImportError::NotText)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = records(text);
    let (header_line, header) = lines.next().ok_or(ImportError::NoHeader)??;
    let separator = [',', ';']
        .into_iter()
        .find(|s| {
            let fields = split(&header, *s);
            fields.len() == 2
                && ["name", "namn"].contains(&fields[0].trim().to_lowercase().as_str())
                && ["room", "rum"].contains(&fields[1].trim().to_lowercase().as_str())
        })
        .ok_or(ImportError::NoHeader)?;
    let _ = header_line;
    let mut rows = Vec::new();
    for record in lines {
        let (line, text) = record?;
        if text.trim().is_empty() {
            continue;
        }
        let fields = split(&text, separator);
        let [name, room] = fields.as_slice() else {
            return Err(ImportError::Fields(line));
        };
        let (name, room) = (name.trim(), room.trim());
        if name.is_empty() {
            return Err(ImportError::EmptyName(line));
        }
        if name.chars().count() > MAX_FIELD_CHARS || room.chars().count() > MAX_FIELD_CHARS {
            return Err(ImportError::TooLong(line));
        }
        if rows.len() == MAX_PEOPLE {
            return Err(ImportError::TooMany);
        }
        rows.push((name.to_owned(), room.to_owned()));
    }
    Ok(rows)
}

/// The records of `text`, each with the line it starts on; a quoted field
/// may span lines.
fn records(text: &str) -> impl Iterator<Item = Result<(usize, String), ImportError>> + '_ {
    let mut rest = text;
    let mut line = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        line += 1;
        let start = line;
        let mut quoted = false;
        let mut field_start = true;
        for (i, c) in rest.char_indices() {
            let at_start = field_start;
            field_start = matches!(c, ',' | ';') && !quoted;
            match c {
                // A quote opens a quoted field only at its start; `""` inside
                // one closes and opens it again, which comes to the same.
                '"' if quoted || at_start => quoted = !quoted,
                '\n' if !quoted => {
                    let record = rest[..i].trim_end_matches('\r').to_owned();
                    rest = &rest[i + 1..];
                    return Some(Ok((start, record)));
                }
                '\n' => line += 1,
                _ => {}
            }
        }
        if quoted {
            rest = "";
            return Some(Err(ImportError::Unclosed(start)));
        }
        let record = rest.trim_end_matches('\r').to_owned();
        rest = "";
        Some(Ok((start, record)))
    })
}

/// The fields of one record: a field that starts with `"` is quoted, with
/// `""` for a quote; elsewhere a quote is just a character, as Excel reads it.
fn split(record: &str, separator: char) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut field_start = true;
    let mut chars = record.chars().peekable();
    while let Some(c) = chars.next() {
        let at_start = std::mem::replace(&mut field_start, false);
        let field = fields.last_mut();
        match (c, field) {
            ('"', Some(field)) if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            ('"', _) if quoted => quoted = false,
            ('"', _) if at_start => quoted = true,
            (c, _) if c == separator && !quoted => {
                fields.push(String::new());
                field_start = true;
            }
            (c, Some(field)) => field.push(c),
            (_, None) => {}
        }
    }
    fields
}

/// The rows as rooms, in order of first mention; the main room's people
/// (an empty room) are left out of the rooms and returned apart.
pub fn rooms(rows: &[(String, String)]) -> (Vec<PlannedRoom>, Vec<PlannedPerson>) {
    let mut rooms: Vec<PlannedRoom> = Vec::new();
    let mut main = Vec::new();
    for (name, room) in rows {
        let person = PlannedPerson {
            name: name.clone(),
            identity: None,
        };
        if room.is_empty() {
            main.push(person);
            continue;
        }
        match rooms.iter_mut().find(|r| &r.name == room) {
            Some(r) => r.people.push(person),
            None => rooms.push(PlannedRoom {
                name: room.clone(),
                people: vec![person],
            }),
        }
    }
    (rooms, main)
}

/// The plan as CSV, with a header, one line a person.
pub fn write(rooms: &[PlannedRoom]) -> String {
    let mut out = String::from("name,room\r\n");
    for room in rooms {
        for person in &room.people {
            out.push_str(&cell(&person.name));
            out.push(',');
            out.push_str(&cell(&room.name));
            out.push_str("\r\n");
        }
    }
    out
}

/// One cell: quoted when it must be; a leading `=`, `+`, `-`, `@` or tab,
/// which spreadsheets take for a formula, is preceded by an apostrophe.
pub(crate) fn cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_commas_and_excels_semicolons_with_quotes_and_a_byte_order_mark() {
        let file = "\u{feff}Name;Room\r\n\"Lind; Anna\";Grupp 1\r\nÅsa \"Åsa\" Öberg;Grupp 2\r\n\r\nErik;\r\n";
        assert_eq!(
            read(file.as_bytes()).unwrap(),
            [
                ("Lind; Anna".to_owned(), "Grupp 1".to_owned()),
                ("Åsa \"Åsa\" Öberg".to_owned(), "Grupp 2".to_owned()),
                ("Erik".to_owned(), String::new()),
            ]
        );
        let commas = "namn,rum\n\"Kim \"\"K\"\" Lind\",\"Rum\nett\"\nOla,Rum 2";
        assert_eq!(
            read(commas.as_bytes()).unwrap(),
            [
                ("Kim \"K\" Lind".to_owned(), "Rum\nett".to_owned()),
                ("Ola".to_owned(), "Rum 2".to_owned()),
            ]
        );
    }

    #[test]
    fn bad_files_say_what_and_where() {
        assert_eq!(read(b"\xff\xfe"), Err(ImportError::NotText));
        assert_eq!(read(b""), Err(ImportError::NoHeader));
        assert_eq!(read(b"who,where\nA,B"), Err(ImportError::NoHeader));
        assert_eq!(read(b"name,room\nA,B\nC"), Err(ImportError::Fields(3)));
        assert_eq!(read(b"name,room\nA,B,C"), Err(ImportError::Fields(2)));
        assert_eq!(read(b"name,room\n ,B"), Err(ImportError::EmptyName(2)));
        assert_eq!(read(b"name,room\n\"A,B"), Err(ImportError::Unclosed(2)));
        let long = format!("name,room\n{},B", "x".repeat(MAX_FIELD_CHARS + 1));
        assert_eq!(read(long.as_bytes()), Err(ImportError::TooLong(2)));
        let many = format!("name,room\n{}", "A,B\n".repeat(MAX_PEOPLE + 1));
        assert_eq!(read(many.as_bytes()), Err(ImportError::TooMany));
    }

    #[test]
    fn writes_what_it_reads_and_no_formulas() {
        let rows = vec![
            ("=HYPERLINK(\"http://x\")".to_owned(), "Grupp, 1".to_owned()),
            ("Anna".to_owned(), "Grupp, 1".to_owned()),
            ("Åsa".to_owned(), "-2".to_owned()),
        ];
        let (rooms, main) = rooms(&rows);
        assert!(main.is_empty());
        assert_eq!(rooms.len(), 2);
        let text = write(&rooms);
        assert!(
            text.starts_with("name,room\r\n\"'=HYPERLINK(\"\"http://x\"\")\",\"Grupp, 1\"\r\n"),
            "{text}"
        );
        let again = read(text.as_bytes()).unwrap();
        assert_eq!(again[1], ("Anna".to_owned(), "Grupp, 1".to_owned()));
        assert_eq!(again[2], ("Åsa".to_owned(), "'-2".to_owned()));
    }
}
