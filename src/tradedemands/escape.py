"""Text from the data file is data: make it safe to show in a terminal and in Markdown.

``visible`` turns control characters (ESC, NUL, C1 controls, bidi overrides)
into visible stand-ins so that nothing from the file can drive the terminal.
``md`` is the one escaping function every Markdown renderer uses. ``clip`` and
``quoted`` keep every error message short, whatever the file holds.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_CONTROL_WITH_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _picture(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control pictures": ␛ for ESC, ␀ for NUL
    if code == 0x7F:
        return "\u2421"
    return f"<U+{code:04X}>"


def visible(text: str, *, keep_breaks: bool = True) -> str:
    """``text`` with control characters shown as visible stand-ins (newlines and tabs kept)."""
    pattern = _CONTROL if keep_breaks else _CONTROL_WITH_BREAKS
    return pattern.sub(_picture, text)


#: No error message quotes more than this many characters of anything the tool read.
CLIP = 200


def clip(text: object, limit: int = CLIP) -> str:
    """``text`` cut to ``limit`` characters, saying how many more there were.

    Every error path that quotes what it read (a value, a key, a list of names, a YAML
    parser's complaint) goes through this, so that a 1 MB one-line file or
    ``demands diff /etc/passwd`` gives a short message, not the file.
    """
    value = str(text)
    if len(value) <= limit:
        return value
    return f"{value[:limit]}… ({len(value) - limit:,} more characters)"


def quoted(value: object, limit: int = CLIP) -> str:
    """``repr(value)`` of text, cut like ``clip``: ``'abc'`` or ``'abc…' (1,234 more characters)``.

    Anything but text is shown as its ``repr``, cut the same way.
    """
    if not isinstance(value, str):
        return clip(repr(value), limit)
    text = value
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text) - limit:,} more characters)"


def one_line(text: str) -> str:
    """``text`` on one line: breaks become spaces, controls become visible."""
    return visible(
        " ".join(text.replace("\t", " ").splitlines()) if "\n" in text or "\r" in text else text.replace("\t", " ")
    )


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!&$])")
_MD_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])")


def md(text: object) -> str:
    """Inline Markdown for ``text``: one line, every character that could format, link, break a
    table or open HTML escaped, so it renders exactly as written."""
    value = one_line(str(text))
    value = _MD_SPECIAL.sub(r"\\\1", value)
    value = _MD_LINE_START.sub(
        lambda m: (
            m.group(1) + "\\" + m.group(2)
            if not m.group(2)[0].isdigit()
            else m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1]
        ),
        value,
    )
    return value
