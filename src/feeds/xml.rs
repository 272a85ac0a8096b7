//! Google Merchant XML: RSS 2.0 `<item>`s or Atom `<entry>`s whose fields are elements,
//! most in the `g:` namespace. Nested elements (`<g:shipping><g:country>`) become
//! `shipping_country`; Atom's `<link href=".."/>` gives its `href`. An element an item
//! repeats (`additional_image_link`, `g:shipping`) gives each of its values, in order.

use std::io::BufRead;
use std::path::Path;

use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;

use super::lines::{position_of, LineCounter};
use super::raw::RawItem;
use super::FeedError;

/// Google's product namespace; its elements win over same-named plain ones (Atom's own
/// `<id>` is an entry id, `<g:id>` is the product's).
pub const GOOGLE_NS: &str = "http://base.google.com/ns/1.0";

/// An element open inside an item.
struct Open {
    /// The field: the local name, prefixed by the enclosing elements' names.
    field: u16,
    rank: u8,
    line: u64,
    has_children: bool,
}

#[derive(Default)]
struct State {
    /// Elements open in the whole document.
    depth: usize,
    /// The depth the current item opened at, while inside one.
    item_depth: Option<usize>,
    /// Elements open inside the current item.
    open: Vec<Open>,
    /// Text of the innermost open element.
    text: String,
    /// Where nested field names are assembled, reused to avoid an allocation per element.
    name: String,
    seen_root: bool,
}

/// Reads every item of an XML feed, calling `on_item` for each.
pub(super) fn read<R: BufRead>(
    input: R,
    path: &Path,
    item: &mut RawItem,
    mut on_item: impl FnMut(&RawItem) -> Result<(), FeedError>,
) -> Result<(), FeedError> {
    let mut reader = NsReader::from_reader(LineCounter::new(input));
    let mut buf = Vec::new();
    let mut state = State::default();
    loop {
        let line = reader.get_ref().line();
        let syntax = |message: String| FeedError::Syntax {
            path: path.to_owned(),
            line,
            column: None,
            message,
        };
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            Err(e) => return Err(malformed(path, reader.error_position(), line, e)),
        };
        let rank = match &event {
            Event::Start(start) | Event::Empty(start) => {
                let (ns, _) = reader.resolver().resolve_element(start.name());
                u8::from(matches!(ns, ResolveResult::Bound(Namespace(n)) if n == GOOGLE_NS))
            }
            _ => 0,
        };
        let inside = state.item_depth.is_some();
        match event {
            Event::Start(start) => {
                state.seen_root = true;
                if inside {
                    open_field(&mut state, &start, rank, line, item).map_err(syntax)?;
                } else if is_item(&start) {
                    item.begin(line);
                    state.item_depth = Some(state.depth);
                }
                state.depth += 1;
            }
            Event::Empty(start) => {
                state.seen_root = true;
                if inside {
                    empty_field(&mut state, &start, rank, line, item).map_err(syntax)?;
                } else if is_item(&start) {
                    item.begin(line);
                    on_item(item)?;
                }
            }
            Event::End(_) => {
                state.depth = state.depth.saturating_sub(1);
                if state.item_depth == Some(state.depth) {
                    state.item_depth = None;
                    on_item(item)?;
                } else if let Some(field) = state.open.pop() {
                    if !field.has_children {
                        item.set(field.field, field.rank, &state.text, field.line);
                    }
                }
                state.text.clear();
            }
            Event::Text(text) if !state.open.is_empty() => {
                state.text.push_str(&text.xml10_content())
            }
            Event::CData(data) if !state.open.is_empty() => {
                state.text.push_str(&data.xml10_content())
            }
            Event::GeneralRef(reference) if !state.open.is_empty() => {
                resolve(&reference, &mut state.text).map_err(syntax)?;
            }
            Event::Eof => return end_of_file(&state, item).map_err(syntax),
            _ => {}
        }
        buf.clear();
    }
}

/// A parse error, placed at the line and column where the parser found it.
fn malformed(path: &Path, offset: u64, line: u64, error: quick_xml::Error) -> FeedError {
    let (line, column) = match position_of(path, offset) {
        Some((line, column)) => (line, Some(column)),
        None => (line, None),
    };
    FeedError::Syntax {
        path: path.to_owned(),
        line,
        column,
        message: format!("malformed XML: {error}"),
    }
}

fn is_item(start: &BytesStart<'_>) -> bool {
    matches!(start.local_name().as_ref(), "item" | "entry")
}

/// The field id of an element opened inside an item, marking its parent as a container.
fn field_id(state: &mut State, start: &BytesStart<'_>, item: &mut RawItem) -> Result<u16, String> {
    let local = start.local_name();
    match state.open.last_mut() {
        Some(parent) => {
            parent.has_children = true;
            state.name.clear();
            state.name.push_str(item.name(parent.field));
            state.name.push('_');
            state.name.push_str(local.as_ref());
            item.field(&state.name)
        }
        None => item.field(local.as_ref()),
    }
}

fn open_field(
    state: &mut State,
    start: &BytesStart<'_>,
    rank: u8,
    line: u64,
    item: &mut RawItem,
) -> Result<(), String> {
    let field = field_id(state, start, item)?;
    if let Some(href) = link_href(start)? {
        item.set(field, rank, &href, line);
    }
    state.open.push(Open {
        field,
        rank,
        line,
        has_children: false,
    });
    state.text.clear();
    Ok(())
}

fn empty_field(
    state: &mut State,
    start: &BytesStart<'_>,
    rank: u8,
    line: u64,
    item: &mut RawItem,
) -> Result<(), String> {
    let field = field_id(state, start, item)?;
    if let Some(href) = link_href(start)? {
        item.set(field, rank, &href, line);
    }
    Ok(())
}

/// Atom's `<link rel="alternate" href="..."/>` (or without `rel`) carries the product URL
/// in an attribute.
fn link_href(start: &BytesStart<'_>) -> Result<Option<String>, String> {
    if start.local_name().as_ref() != "link" {
        return Ok(None);
    }
    let attribute = |name: &str| -> Result<Option<String>, String> {
        let Some(attr) = start
            .try_get_attribute(name)
            .map_err(|e| format!("malformed XML: {e}"))?
        else {
            return Ok(None);
        };
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| format!("malformed XML: {e}"))?;
        Ok(Some(value.into_owned()))
    };
    match attribute("rel")?.as_deref() {
        None | Some("alternate") => attribute("href"),
        Some(_) => Ok(None),
    }
}

/// Appends what `&name;` or `&#NNN;` stands for.
fn resolve(reference: &BytesRef<'_>, text: &mut String) -> Result<(), String> {
    let name = reference.xml10_content();
    match reference.resolve_char_ref() {
        Ok(Some(c)) => text.push(c),
        Ok(None) => match resolve_predefined_entity(&name) {
            Some(value) => text.push_str(value),
            None => {
                return Err(format!(
                    "unknown entity &{name}; (only XML's own entities and &#NNN; are allowed)"
                ))
            }
        },
        Err(e) => return Err(format!("bad character reference &{name};: {e}")),
    }
    Ok(())
}

/// A file that stops inside an element was cut short, e.g. read while being written:
/// loading its first half as the whole feed would drop products.
fn end_of_file(state: &State, item: &RawItem) -> Result<(), String> {
    if state.item_depth.is_some() {
        return Err(format!(
            "the file ends inside item {} (opened on line {}); is it cut short?",
            item.number, item.line
        ));
    }
    if state.depth > 0 {
        return Err("the file ends before its root element closes; is it cut short?".to_owned());
    }
    if !state.seen_root {
        return Err("no XML elements: is this an XML feed?".to_owned());
    }
    Ok(())
}
