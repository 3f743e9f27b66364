"""Plain-text clean-up of EU Funding & Tenders topic texts, and sentence splitting.

The portal export strips HTML badly: tags vanish but the words on either side are glued together
("layoutdescribed in section 5"), UTF-8 was decoded as cp1252 ("â€™" for "'"), and headings run
straight into the paragraph that follows them. The eligibility parser reads sentences, so this
module repairs the encoding, removes markup and cuts the text into sentence-sized pieces.
"""

from __future__ import annotations

import html
import re

# --------------------------------------------------------------------------- mojibake


def _cp1252_char_for_byte(byte: int) -> str:
    """The character that a cp1252 decoder (lenient on the five undefined bytes) gives a byte."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)  # 0x81, 0x8D, 0x8F, 0x90, 0x9D survive as C1 control characters


_CHAR_TO_BYTE = {_cp1252_char_for_byte(b): b for b in range(0x80, 0x100)}


def _char_class(low: int, high: int) -> str:
    return "[" + "".join(re.escape(_cp1252_char_for_byte(b)) for b in range(low, high + 1)) + "]"


_CONT = _char_class(0x80, 0xBF)
# Only well-formed UTF-8 byte shapes are repaired, so genuine Latin-1 text such as "é" or
# "Ãrhus" typed on purpose is left alone unless it happens to form a valid sequence.
_MOJIBAKE = re.compile(
    f"{_char_class(0xC2, 0xDF)}{_CONT}"
    f"|{_char_class(0xE0, 0xEF)}{_CONT}{{2}}"
    f"|{_char_class(0xF0, 0xF4)}{_CONT}{{3}}"
)


def _decode_mojibake(match: re.Match[str]) -> str:
    raw = bytes(_CHAR_TO_BYTE[ch] for ch in match.group(0))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return match.group(0)


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was decoded as cp1252 (``â€™`` -> ``’``), leaving clean text as is."""
    return _MOJIBAKE.sub(_decode_mojibake, text)


# --------------------------------------------------------------------------- clean text

_TAG = re.compile(r"<[^<>]{0,500}>")
_BLOCK_TAG = re.compile(r"</?(?:p|div|li|ul|ol|br|h\d|tr|td|table|section)\b[^<>]*>", re.I)
# Bullets from Wingdings (private use area), zero-width characters and byte order marks.
_INVISIBLE = re.compile("[\ue000-\uf8ff\u200b-\u200d\u2060\ufeff\u00ad]")
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2022": "\n",
        "\u25aa": "\n",
    }
)


def clean_text(text: str) -> str:
    """Plain, single-spaced text from a portal field: HTML removed, encoding repaired.

    Block-level tags and bullets become sentence breaks so that list items do not merge into
    one another. Curly quotes and dashes are flattened to ASCII to keep the patterns simple.
    """
    if not text:
        return ""
    text = text.lstrip('">')  # the export cuts the opening tag in half
    text = _BLOCK_TAG.sub("\n", text)
    text = _TAG.sub(" ", text)
    text = html.unescape(repair_mojibake(text))
    text = _INVISIBLE.sub("", text).translate(_TYPOGRAPHY)
    blocks = [" ".join(block.split()) for block in text.split("\n")]
    blocks = [block for block in blocks if block]
    return " ".join([*(_end_sentence(block) for block in blocks[:-1]), *blocks[-1:]])


def _end_sentence(block: str) -> str:
    """A block followed by another block ends a sentence, unless it is already punctuated."""
    return block if block[-1] in ".;:!?" else block + "."


# --------------------------------------------------------------------------- sentences

# A sentence ends at ". " or "; " before a capital, a digit or a quote, at a full stop glued to
# the next sentence ("Annexes.A number"), before a glued section number ("System.2. Eligible"),
# or where the stripped markup glued a lower-case word onto the capitalised start of the next
# one ("countriesEligible costs"). Colons do not end sentences: "at least three legal entities:
# Each established in a different Member State" is one clause.
_BOUNDARY = re.compile(
    r"(?<=[.;!?])\s+(?=[\"'(A-Z0-9-])"
    r"|(?<=[a-z][a-z])[.;](?=[A-Z])"
    r"|(?<=[0-9)\]])[.;](?=[A-Z][a-z])"
    r"|(?<=[a-z)])[.;](?=\d[a-c]?\.\s?[A-Z])"
    r"|(?<=[a-z)])(?=[A-Z][a-z]{2,}\s)"
    r"|(?<=[a-z)])(?=\d[a-c]?\.\s[A-Z])"
)
_FOOTNOTE = re.compile(r"\s*(?:\[\[.*?\]\]|\[\d{1,2}\])", re.S)


def split_sentences(text: str) -> list[str]:
    """Cut cleaned text into sentences (best effort; portal texts are not well punctuated).

    Footnotes (``[[...]]`` and ``[1]`` markers) are dropped first: they hold definitions whose
    full stops would otherwise cut the clause they annotate in two.
    """
    pieces: list[str] = []
    for chunk in _BOUNDARY.split(_FOOTNOTE.sub("", text)):
        part = chunk.strip(" .;")
        if part:
            pieces.append(part)
    return pieces


def trim_sentence(sentence: str, limit: int = 300) -> str:
    """Shorten a sentence for display, cutting at a word boundary and marking the cut."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " ..."
