//! A hardened pull reader over `quick_xml::NsReader`: element-by-element navigation for the
//! schema mapping in `parse`, enforcing the document rules of this codec (see the module docs
//! of `kms::xml`): namespaces, nesting depth, no DTD, only predefined entities, XML characters,
//! a single root and nothing after it. Foreign-namespace subtrees are skipped here.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, XmlVersion};
use zeroize::{Zeroize, Zeroizing};

use super::value::{is_xml_char, is_xml_whitespace, trim_xml};
use super::{MAX_DEPTH, MAX_NAMESPACES_IN_SCOPE, XmlError};
use crate::kms::message::KMS_NAMESPACE;

/// The XML Schema instance namespace (`xsi:type`).
pub(super) const XSI_NAMESPACE: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Longest element name kept in an error.
const MAX_NAME_IN_ERROR: usize = 64;

/// The namespace class of an element: `Kms` is the namespace the cursor reads (the KMS
/// interface's, or another one given to [`Cursor::with_namespace`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ns {
    Kms,
    Other,
    None,
}

/// A start tag of a KMS-namespace element, with what the schema mapping reads from it.
pub(super) struct Element {
    /// Local name.
    pub(super) name: String,
    /// Unprefixed attributes (local name, normalized value).
    attributes: Vec<(String, String)>,
    /// The local part of an `xsi:type` value (after any prefix).
    pub(super) xsi_type: Option<String>,
}

impl Element {
    /// The value of the unprefixed attribute `name`.
    pub(super) fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// [`XmlError::UnexpectedElement`] for this element.
    pub(super) fn unexpected(self) -> XmlError {
        XmlError::UnexpectedElement(self.name)
    }
}

/// What an element child of a text-only element means.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ChildRule {
    /// KMS-namespace children are [`XmlError::UnexpectedElement`]; foreign ones are skipped.
    Refuse,
    /// Any element child is an encrypted key: [`XmlError::EncryptedKeyUnsupported`].
    EncryptedKey,
}

/// One reader event, after the document rules were applied.
enum Step<'i> {
    Open {
        ns: Ns,
        element: Element,
        empty: bool,
    },
    Close,
    Text(Cow<'i, str>),
    Char(char),
    Eof,
}

/// The text content of a text-only element.
pub(super) enum Text<'i> {
    /// One piece of the input, unchanged.
    Borrowed(&'i str),
    /// Pieces joined (references resolved, line ends normalized) in zeroizing storage.
    Owned(Zeroizing<String>),
}

impl Text<'_> {
    /// The text without leading and trailing XML white space.
    pub(super) fn trimmed(&self) -> &str {
        match self {
            Text::Borrowed(text) => trim_xml(text),
            Text::Owned(text) => trim_xml(text),
        }
    }
}

/// Parts of a text content before joining. Characters from references are cleared on drop
/// (they may be digits of a secret key); owned parts are zeroizing.
struct Pieces<'i>(Vec<Piece<'i>>);

enum Piece<'i> {
    Borrowed(&'i str),
    Owned(Zeroizing<String>),
    Char(char),
}

impl Drop for Pieces<'_> {
    fn drop(&mut self) {
        for piece in &mut self.0 {
            if let Piece::Char(c) = piece {
                c.zeroize();
            }
        }
    }
}

impl<'i> Pieces<'i> {
    fn join(self) -> Text<'i> {
        match self.0.as_slice() {
            [] => return Text::Borrowed(""),
            [Piece::Borrowed(text)] => return Text::Borrowed(text),
            _ => {}
        }
        let len = self
            .0
            .iter()
            .map(|piece| match piece {
                Piece::Borrowed(text) => text.len(),
                Piece::Owned(text) => text.len(),
                Piece::Char(c) => c.len_utf8(),
            })
            .sum();
        // Sized once: pushing never reallocates, so no stray copy is left behind.
        let mut joined = Zeroizing::new(String::with_capacity(len));
        for piece in &self.0 {
            match piece {
                Piece::Borrowed(text) => joined.push_str(text),
                Piece::Owned(text) => joined.push_str(text),
                Piece::Char(c) => joined.push(*c),
            }
        }
        Text::Owned(joined)
    }
}

/// The reader.
pub(super) struct Cursor<'i> {
    reader: NsReader<&'i [u8]>,
    /// Open elements.
    depth: usize,
    /// The element last returned was `<empty/>`: it has no content and no end event.
    pending_empty: bool,
    /// No event was read yet (an XML declaration is allowed only then).
    at_start: bool,
    /// Namespace declarations of each open element, and their sum (the declarations in
    /// scope), bounded by [`MAX_NAMESPACES_IN_SCOPE`].
    declarations: Vec<usize>,
    in_scope: usize,
    /// The namespace of the elements the schema mapping reads (the others are foreign).
    namespace: &'static str,
}

impl<'i> Cursor<'i> {
    /// A reader over a whole KMS document, already checked to be UTF-8 and of allowed size.
    pub(super) fn new(input: &'i str) -> Self {
        Self::with_namespace(input, KMS_NAMESPACE)
    }

    /// A reader over a whole document whose own elements are in `namespace` (elements of every
    /// other namespace are foreign and skipped), with the same document rules.
    pub(super) fn with_namespace(input: &'i str, namespace: &'static str) -> Self {
        let mut reader = NsReader::from_str(input);
        let config = reader.config_mut();
        config.check_end_names = true;
        config.allow_unmatched_ends = false;
        config.allow_dangling_amp = false;
        config.expand_empty_elements = false;
        config.trim_text(false);
        Self {
            reader,
            depth: 0,
            pending_empty: false,
            at_start: true,
            declarations: Vec::new(),
            in_scope: 0,
            namespace,
        }
    }

    fn malformed(&self, reason: &'static str) -> XmlError {
        XmlError::Malformed {
            offset: self.reader.buffer_position(),
            reason,
        }
    }

    fn map_error(&self, error: quick_xml::Error) -> XmlError {
        use quick_xml::errors::{Error, IllFormedError};
        use quick_xml::escape::EscapeError;
        let offset = self.reader.error_position();
        let reason = match error {
            Error::Escape(EscapeError::UnrecognizedEntity(..)) => return XmlError::EntityRefused,
            Error::Encoding(_) => return XmlError::NotUtf8,
            Error::Syntax(_) => "syntax error",
            Error::IllFormed(IllFormedError::MismatchedEndTag { .. })
            | Error::IllFormed(IllFormedError::UnmatchedEndTag(_)) => "mismatched end tag",
            Error::IllFormed(IllFormedError::MissingEndTag(_)) => "unclosed element",
            Error::IllFormed(IllFormedError::UnclosedReference) => "unterminated reference",
            Error::IllFormed(_) => "ill-formed document",
            Error::InvalidAttr(_) => "invalid attribute",
            Error::Escape(_) => "invalid reference",
            Error::Namespace(_) => "invalid namespace declaration",
            Error::Io(_) => "read error",
        };
        XmlError::Malformed { offset, reason }
    }

    /// The next event that matters, with the document rules applied.
    fn step(&mut self) -> Result<Step<'i>, XmlError> {
        loop {
            let at_start = core::mem::replace(&mut self.at_start, false);
            let (resolved, event) = match self.reader.read_resolved_event() {
                Ok((resolved, event)) => (ns_of(&resolved, self.namespace), event),
                Err(error) => return Err(self.map_error(error)),
            };
            match event {
                Event::Decl(decl) => {
                    if !at_start {
                        return Err(self.malformed("XML declaration not at the start"));
                    }
                    let version = decl.version().map_err(|e| self.map_error(e))?;
                    if !matches!(version.as_ref(), b"1.0" | b"1.1") {
                        return Err(self.malformed("unknown XML version"));
                    }
                    if let Some(encoding) = decl.encoding() {
                        let encoding = encoding.map_err(|_| self.malformed("invalid attribute"))?;
                        if !encoding.eq_ignore_ascii_case(b"UTF-8")
                            && !encoding.eq_ignore_ascii_case(b"UTF8")
                        {
                            return Err(XmlError::UnsupportedEncoding);
                        }
                    }
                }
                Event::PI(pi) => {
                    if pi.target().eq_ignore_ascii_case(b"xml") {
                        return Err(self.malformed("misplaced XML declaration"));
                    }
                }
                Event::Comment(_) => {}
                Event::DocType(_) => return Err(XmlError::DtdRefused),
                Event::Start(start) => return self.open(resolved, &start, false),
                Event::Empty(start) => return self.open(resolved, &start, true),
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    self.in_scope -= self.declarations.pop().unwrap_or(0);
                    return Ok(Step::Close);
                }
                Event::Text(text) => {
                    let text = text.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                    return Ok(Step::Text(text));
                }
                Event::CData(data) => {
                    let text = data.xml10_content().map_err(|_| XmlError::NotUtf8)?;
                    return Ok(Step::Text(text));
                }
                Event::GeneralRef(reference) => {
                    let c = if reference.is_char_ref() {
                        match reference.resolve_char_ref() {
                            Ok(Some(c)) if is_xml_char(c) => c,
                            _ => return Err(self.malformed("invalid character reference")),
                        }
                    } else {
                        match reference.as_ref() {
                            b"lt" => '<',
                            b"gt" => '>',
                            b"amp" => '&',
                            b"apos" => '\'',
                            b"quot" => '"',
                            _ => return Err(XmlError::EntityRefused),
                        }
                    };
                    return Ok(Step::Char(c));
                }
                Event::Eof => return Ok(Step::Eof),
            }
        }
    }

    /// A start tag (`empty` for `<empty/>`), counted against [`MAX_DEPTH`].
    fn open(
        &mut self,
        ns: Option<Ns>,
        start: &BytesStart<'_>,
        empty: bool,
    ) -> Result<Step<'i>, XmlError> {
        if self.depth >= MAX_DEPTH {
            return Err(XmlError::TooDeep);
        }
        let declared = start
            .attributes()
            .flatten()
            .filter(|a| a.key.as_namespace_binding().is_some())
            .count();
        if self.in_scope + declared > MAX_NAMESPACES_IN_SCOPE {
            return Err(self.malformed("too many namespace declarations in scope"));
        }
        let ns = ns.ok_or_else(|| self.malformed("undeclared namespace prefix"))?;
        let element = self.element(start)?;
        if !empty {
            self.depth += 1;
            self.in_scope += declared;
            self.declarations.push(declared);
        }
        Ok(Step::Open { ns, element, empty })
    }

    /// Reads the attributes of a start tag (refusing custom entities in any of them).
    fn element(&self, start: &BytesStart<'_>) -> Result<Element, XmlError> {
        let name = name_for_error(start.local_name().as_ref());
        let mut attributes = Vec::new();
        let mut xsi_type = None;
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|_| self.malformed("invalid attribute"))?;
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|e| self.map_error(e))?;
            if !value.chars().all(is_xml_char) {
                return Err(self.malformed("invalid character reference"));
            }
            if attribute.key.as_namespace_binding().is_some() {
                continue;
            }
            let (ns, local) = self.reader.resolver().resolve_attribute(attribute.key);
            let local = String::from_utf8_lossy(local.as_ref());
            match ns {
                ResolveResult::Unbound => attributes.push((local.into_owned(), value.into_owned())),
                ResolveResult::Bound(ns) => {
                    if ns.as_ref() == XSI_NAMESPACE.as_bytes() && local == "type" {
                        let value = trim_xml(&value);
                        let local_part = value.rsplit(':').next().unwrap_or(value);
                        xsi_type = Some(local_part.to_owned());
                    }
                }
                ResolveResult::Unknown(_) => {
                    return Err(self.malformed("undeclared namespace prefix"));
                }
            }
        }
        Ok(Element {
            name,
            attributes,
            xsi_type,
        })
    }

    /// The root element: must be in the cursor's namespace (the caller checks its name).
    pub(super) fn root(&mut self) -> Result<Element, XmlError> {
        loop {
            match self.step()? {
                Step::Text(text) if text.chars().all(is_xml_whitespace) => {}
                Step::Text(_) | Step::Char(_) => {
                    return Err(self.malformed("text outside the root element"));
                }
                Step::Open { ns, element, empty } => {
                    return match ns {
                        Ns::Kms => {
                            self.pending_empty = empty;
                            Ok(element)
                        }
                        Ns::Other => Err(XmlError::UnexpectedRoot(element.name)),
                        Ns::None => Err(XmlError::NoNamespace(element.name)),
                    };
                }
                Step::Close => return Err(self.malformed("mismatched end tag")),
                Step::Eof => return Err(self.malformed("no root element")),
            }
        }
    }

    /// The next KMS-namespace child of the current element (`parent`), or `None` at its end.
    /// Foreign-namespace children are skipped with their subtrees. The caller must consume a
    /// returned child with [`Self::next_child`] until `None`, [`Self::text`] or
    /// [`Self::skip`] before asking for the next sibling.
    pub(super) fn next_child(&mut self, parent: &'static str) -> Result<Option<Element>, XmlError> {
        if core::mem::take(&mut self.pending_empty) {
            return Ok(None);
        }
        loop {
            match self.step()? {
                Step::Text(text) => {
                    if !text.chars().all(is_xml_whitespace) {
                        return Err(XmlError::UnexpectedText(parent));
                    }
                }
                Step::Char(c) => {
                    if !is_xml_whitespace(c) {
                        return Err(XmlError::UnexpectedText(parent));
                    }
                }
                Step::Open { ns, element, empty } => match ns {
                    Ns::Kms => {
                        self.pending_empty = empty;
                        return Ok(Some(element));
                    }
                    Ns::Other => {
                        if !empty {
                            self.skip_open()?;
                        }
                    }
                    Ns::None => return Err(XmlError::NoNamespace(element.name)),
                },
                Step::Close => return Ok(None),
                Step::Eof => return Err(self.malformed("unexpected end of document")),
            }
        }
    }

    /// Skips the content and end of the current element, whatever it holds (the document
    /// rules still apply).
    pub(super) fn skip(&mut self) -> Result<(), XmlError> {
        if core::mem::take(&mut self.pending_empty) {
            return Ok(());
        }
        self.skip_open()
    }

    fn skip_open(&mut self) -> Result<(), XmlError> {
        let mut open = 1usize;
        loop {
            match self.step()? {
                Step::Open { empty: false, .. } => open += 1,
                Step::Open { .. } | Step::Text(_) | Step::Char(_) => {}
                Step::Close => {
                    open -= 1;
                    if open == 0 {
                        return Ok(());
                    }
                }
                Step::Eof => return Err(self.malformed("unexpected end of document")),
            }
        }
    }

    /// The text content of the current element (`element`), consuming its end.
    pub(super) fn text(&mut self, rule: ChildRule) -> Result<Text<'i>, XmlError> {
        // Most texts are one piece; a few more avoid regrowing (and copying) the vector.
        let mut pieces = Pieces(Vec::with_capacity(4));
        if core::mem::take(&mut self.pending_empty) {
            return Ok(pieces.join());
        }
        loop {
            match self.step()? {
                Step::Text(Cow::Borrowed(text)) => pieces.0.push(Piece::Borrowed(text)),
                Step::Text(Cow::Owned(text)) => pieces.0.push(Piece::Owned(Zeroizing::new(text))),
                Step::Char(c) => pieces.0.push(Piece::Char(c)),
                Step::Open {
                    ns,
                    element: child,
                    empty,
                } => match (rule, ns) {
                    (ChildRule::EncryptedKey, _) => return Err(XmlError::EncryptedKeyUnsupported),
                    (ChildRule::Refuse, Ns::Kms) => return Err(child.unexpected()),
                    (ChildRule::Refuse, Ns::None) => return Err(XmlError::NoNamespace(child.name)),
                    (ChildRule::Refuse, Ns::Other) => {
                        if !empty {
                            self.skip_open()?;
                        }
                    }
                },
                Step::Close => return Ok(pieces.join()),
                Step::Eof => return Err(self.malformed("unexpected end of document")),
            }
        }
    }

    /// Checks that nothing but white space, comments and processing instructions follows the
    /// root element.
    pub(super) fn finish(&mut self) -> Result<(), XmlError> {
        loop {
            match self.step()? {
                Step::Text(text) if text.chars().all(is_xml_whitespace) => {}
                Step::Text(_) | Step::Char(_) | Step::Open { .. } => {
                    return Err(XmlError::TrailingContent);
                }
                Step::Close => return Err(self.malformed("mismatched end tag")),
                Step::Eof => return Ok(()),
            }
        }
    }
}

/// The namespace class of a resolved element name, `own` being the cursor's namespace; `None`
/// for an undeclared prefix.
fn ns_of(resolved: &ResolveResult<'_>, own: &str) -> Option<Ns> {
    match resolved {
        ResolveResult::Bound(ns) if ns.as_ref() == own.as_bytes() => Some(Ns::Kms),
        ResolveResult::Bound(_) => Some(Ns::Other),
        ResolveResult::Unbound => Some(Ns::None),
        ResolveResult::Unknown(_) => None,
    }
}

/// An element name for an error message, at most [`MAX_NAME_IN_ERROR`] characters.
fn name_for_error(name: &[u8]) -> String {
    String::from_utf8_lossy(name)
        .chars()
        .take(MAX_NAME_IN_ERROR)
        .collect()
}
