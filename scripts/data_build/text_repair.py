"""Repair text scraped from the EU Funding & Tenders portal.

Three defects occur in the portal export:

* **Mojibake**: UTF-8 bytes that were decoded as Windows-1252 ("â€™" for "’", "Ã©" for "é").
  :func:`repair_mojibake` re-encodes each run of suspicious characters as cp1252 and decodes it
  as UTF-8, one UTF-8 sequence at a time, only where that round-trips; anything else is left
  untouched, so genuine accented text is never damaged.
* **HTML leftovers**: tags, entities and a stray ``">`` at the start of the conditions.
* **Lost block boundaries**: tags were stripped without whitespace, so headings and paragraphs
  run together ("Objective:The", "ConditionsThe", "activities.Proposals", "conditions1. ").
  :func:`restore_boundaries` puts a newline back where such a junction can only be a break.

:func:`clean_text` applies all three in order.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

# cp1252 leaves five bytes undefined; decoders that produced the mojibake passed them through
# as the C1 control character of the same value ("â€\x9d" is the mangled "”"), so the reverse
# mapping must accept those too.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}
_CHAR_TO_BYTE: dict[str, int] = {}
for _byte in range(0x80, 0x100):
    if _byte in _CP1252_UNDEFINED:
        _CHAR_TO_BYTE[chr(_byte)] = _byte
    else:
        _CHAR_TO_BYTE[bytes([_byte]).decode("cp1252")] = _byte

#: A run of characters that could be the cp1252 reading of UTF-8 multi-byte sequences.
_SUSPECT_RUN = re.compile("[" + re.escape("".join(sorted(_CHAR_TO_BYTE))) + "]{2,}")

#: Characters that carry no text: zero-width space/joiners, word joiner, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
#: Spaces of unusual width become a plain space.
_ODD_SPACES = re.compile("[\u00a0\u202f\u2007\u2009\u200a]")
#: Symbol-font glyphs (private use area) and Unicode noncharacters appear where Word documents
#: had list bullets.
_BULLET_LIKE = re.compile("[\ue000-\uf8ff\ufdd0-\ufdef]")

_CONTINUATION_CHARS = "".join(ch for ch, byte in _CHAR_TO_BYTE.items() if byte < 0xC0)
_TELL_TALE = re.compile("[ÂÃÄÅÎâï][" + re.escape(_CONTINUATION_CHARS) + "]")

_TAG = re.compile(r"<[^<>]{0,2000}>")
_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|ul|ol|h[1-6]|tr|table|section|article)\b[^<>]*>", re.I)

# Junctions that cannot occur inside well-formed running text.
_SENTENCE_JUNCTION = re.compile(r"(?<=[a-z0-9)\]%])([.:;!?])(?=[A-Z(\"“‘])")
_CLOSING_PAREN_JUNCTION = re.compile(r"(?<=\))(?=[A-Z][a-z])")
_NUMBERED_HEADING = re.compile(r"(?<=[a-z.:;)])(?=\d{1,2}[a-z]?\.\s+[A-Z])")
# Glued words: a lower-case run, then a capitalised word ("ConditionsThe") or a programme
# acronym ("AssessmentEU"). Only the junction is matched; the whole token is checked against
# the protected names afterwards.
_GLUED_WORDS = re.compile(
    r"[a-z]{3}(?=[A-Z][a-z]{2})|[a-z]{4}(?=(?:HE|EU|EIC|EDF|ERC|IT|LIFE|MSCA)(?![A-Za-z]))"
)
_WORD_CHAR = re.compile(r"\w")
#: A literal "null" rendered where an empty portal field sat between two blocks.
_NULL_FIELD = re.compile(r"(?<=[.:;])null(?=[A-Z])")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-cp1252 mojibake where the bytes decode as valid UTF-8."""
    if not text:
        return text
    return _SUSPECT_RUN.sub(lambda match: _decode_run(match.group(0)), text)


def _decode_run(run: str) -> str:
    raw = bytes(_CHAR_TO_BYTE[ch] for ch in run)
    out: list[str] = []
    position = 0
    while position < len(raw):
        length = _utf8_sequence_length(raw[position])
        chunk = raw[position : position + length]
        if length > 1 and len(chunk) == length:
            try:
                out.append(chunk.decode("utf-8"))
                position += length
                continue
            except UnicodeDecodeError:
                pass
        out.append(run[position])
        position += 1
    return "".join(out)


def _utf8_sequence_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 1


def normalise_characters(text: str) -> str:
    """Drop invisible characters, plain-space odd spaces, turn symbol-font bullets into •."""
    text = _ODD_SPACES.sub(" ", _INVISIBLE.sub("", text))
    return _BULLET_LIKE.sub("•", text)


def strip_html(text: str) -> str:
    """Remove tags (block tags become line breaks), decode entities, drop a leading ``">``."""
    text = re.sub(r'^\s*"?>', "", text)
    text = _BLOCK_TAG.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text)


def restore_boundaries(text: str, protected_words: Iterable[str] = ()) -> str:
    """Put line breaks back where stripped markup glued blocks together.

    ``protected_words`` are genuine camel-case names ("SoilWise", "InvestEU") that must not be
    split at their inner capital.
    """
    protected = frozenset(protected_words)
    text = _NULL_FIELD.sub("\n", text)
    text = _SENTENCE_JUNCTION.sub(lambda m: m.group(1) + "\n", text)
    text = _CLOSING_PAREN_JUNCTION.sub("\n", text)
    text = _NUMBERED_HEADING.sub("\n", text)

    return _split_glued_words(text, protected)


def _split_glued_words(text: str, protected: frozenset[str]) -> str:
    pieces: list[str] = []
    last = 0
    for match in _GLUED_WORDS.finditer(text):
        junction = match.end()
        if _enclosing_token(text, junction) in protected:
            continue
        pieces.append(text[last:junction])
        pieces.append("\n")
        last = junction
    pieces.append(text[last:])
    return "".join(pieces)


def _enclosing_token(text: str, position: int) -> str:
    start, end = position, position
    while start > 0 and _WORD_CHAR.match(text[start - 1]):
        start -= 1
    while end < len(text) and _WORD_CHAR.match(text[end]):
        end += 1
    return text[start:end]


def tidy_whitespace(text: str) -> str:
    """Collapse spaces, trim each line, and keep at most one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_text(
    text: str | None, *, blocks: bool = True, protected_words: Iterable[str] = ()
) -> str:
    """Full repair of one portal text field; ``blocks=False`` for one-line fields (titles)."""
    if not text:
        return ""
    text = normalise_characters(repair_mojibake(text))
    text = strip_html(text)
    if blocks:
        text = restore_boundaries(text, protected_words)
        return tidy_whitespace(text)
    return " ".join(text.split())


def remaining_mojibake(text: str) -> list[str]:
    """Tell-tale mojibake pairs still present after repair (for the build report).

    A UTF-8 lead byte read as cp1252 ("Ã", "Â", "â", "Å", "Ä", "Î", "ï") followed by a
    continuation byte read as cp1252 almost never occurs in real text.
    """
    return _TELL_TALE.findall(text)
