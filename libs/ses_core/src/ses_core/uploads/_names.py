"""File-name rules (DESIGN §2): display-only names, so the rules guard people, not disks.

Blobs are stored under generated ids, so a name never reaches a file system;
the rules keep names readable and unambiguous on screen. Choices beyond the
spec's letter:

* Forbidden besides ``/``, ``\\`` and control characters (Unicode Cc, which
  includes NUL, tab and newlines): unpaired surrogates (Cs: not encodable
  as UTF-8), line and paragraph separators (Zl, Zp: they break a name over
  lines) and the bidirectional embedding, override and isolate controls
  (U+202A–U+202E, U+2066–U+2069), which make "invoice‮fdp.exe" display as
  "invoiceexe.pdf". Other format characters (Cf) are allowed: zero-width
  joiners are needed by emoji sequences and several scripts.
* "Not only spaces" means not made only of whitespace and invisible format
  characters (``str.isspace`` or category Cf).
* Look-alikes such as the fullwidth solidus "／" are allowed: harmless in a
  display-only name.
* All checks apply to the NFC form, which is also what should be stored
  (``normalize_filename``).
"""

from __future__ import annotations

import unicodedata

from ses_core.errors import UploadRejected

_SEPARATORS = {"/": "a slash (/)", "\\": "a backslash (\\)"}
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORBIDDEN_CATEGORIES = {
    "Cc": "a control character",
    "Cs": "an unpaired surrogate",
    "Zl": "a line separator",
    "Zp": "a paragraph separator",
}
_RESERVED = frozenset({".", ".."})
_SHOWN_CHARS = 60


def normalize_filename(name: str) -> str:
    """The NFC form of ``name``: what is counted, checked and should be stored."""
    return unicodedata.normalize("NFC", name)


def forbidden_character(name: str) -> str | None:
    """The first character of ``name`` no file name may contain, or None."""
    for char in name:
        if _describe_forbidden(char) is not None:
            return char
    return None


def _describe_forbidden(char: str) -> str | None:
    if char in _SEPARATORS:
        return _SEPARATORS[char]
    if char == "\0":
        return "a NUL character (U+0000)"
    if char in _BIDI_CONTROLS:
        return f"a text-direction control (U+{ord(char):04X})"
    category = unicodedata.category(char)
    if category in _FORBIDDEN_CATEGORIES:
        return f"{_FORBIDDEN_CATEGORIES[category]} (U+{ord(char):04X})"
    return None


def shown_name(name: str) -> str:
    """``name`` made safe to quote in a message: forbidden characters escaped, long names cut."""
    shown = "".join(
        f"\\u{ord(char):04x}" if _describe_forbidden(char) and char not in _SEPARATORS else char
        for char in name[:_SHOWN_CHARS]
    )
    return shown + "…" if len(name) > _SHOWN_CHARS else shown


def _is_blank(name: str) -> bool:
    return all(char.isspace() or unicodedata.category(char) == "Cf" for char in name)


def check_filename(name: str, max_chars: int) -> None:
    nfc = normalize_filename(name)
    if not nfc:
        raise UploadRejected(
            "The file has no name; give it a name of 1 to "
            f"{max_chars} characters and upload it again.",
            reason="name_empty",
        )
    if len(nfc) > max_chars:
        raise UploadRejected(
            f'The file name "{shown_name(nfc)}" is {len(nfc):,} characters long; the limit is '
            f"{max_chars:,}: shorten the name and upload the file again.",
            reason="name_too_long",
            length=len(nfc),
            limit=max_chars,
        )
    char = forbidden_character(nfc)
    if char is not None:
        raise UploadRejected(
            f'The file name "{shown_name(nfc)}" contains {_describe_forbidden(char)}, which file '
            "names cannot contain: rename the file without it and upload it again.",
            reason="name_forbidden_character",
            character=f"U+{ord(char):04X}",
        )
    if nfc in _RESERVED:
        raise UploadRejected(
            f'A file cannot be named "{nfc}": rename it to something with letters or digits '
            "and upload it again.",
            reason="name_reserved",
        )
    if _is_blank(nfc):
        raise UploadRejected(
            "The file name is only spaces: rename it to something with letters or digits "
            "and upload it again.",
            reason="name_blank",
        )
