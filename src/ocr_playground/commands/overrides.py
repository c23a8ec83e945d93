"""Writing values in Hydra's override grammar, so that Hydra reads back exactly the typed value.

Two layers read a string value: Hydra's override parser (quotes, escapes, what looks like a number)
and then OmegaConf (``${...}`` interpolation). A text field is meant literally, so ``${`` is escaped
for OmegaConf first, then the result is written as a Hydra primitive: bare when that is unambiguous,
otherwise quoted. Bare is kept deliberately narrow (identifier-like text that is not a keyword);
anything else is quoted, which is always correct. hydra_check.py verifies every value by parsing it.
"""

import math
import re
from typing import Any

# Text Hydra reads back as the same string when written bare: starts like an identifier or an
# absolute path, then only characters that lex as ID / INT / FLOAT / '.' / '/' / '-' tokens, which a
# primitive concatenates as text. (A leading '.' or '-' could start a number: `.5`, `-5`.)
_BARE = re.compile(r"[A-Za-z_/][A-Za-z0-9_\-./]*")
# ...unless the whole text is one keyword token, which Hydra would turn into a bool, None or float.
_KEYWORD = re.compile(r"true|false|null|nan|inf", re.IGNORECASE)

# OmegaConf reads `\${` as a literal `${`, and 2k+1 backslashes before `${` as k literal backslashes.
_INTERPOLATION = re.compile(r"(\\*)\$\{")

# OmegaConf's marker for a missing mandatory value: no escape exists for it as a literal string.
OMEGACONF_MISSING = "???"


def escape_interpolation(text: str) -> str:
    """Make OmegaConf keep `text` literally (``${x}`` stays ``${x}`` instead of being resolved)."""
    return _INTERPOLATION.sub(lambda m: "\\" * (2 * len(m.group(1)) + 1) + "${", text)


def quote_string(text: str) -> str:
    """A Hydra quoted string: backslashes before a quote (or the end) doubled, the quote escaped."""
    quote = '"' if "'" in text and '"' not in text else "'"

    def _escape(m: re.Match[str]) -> str:
        slashes = len(m.group(1))
        if m.group(2):  # a quote inside the text: escape it and the backslashes before it
            return "\\" * (2 * slashes + 1) + quote
        return "\\" * (2 * slashes)  # backslashes at the very end would escape the closing quote

    return quote + re.sub(rf"(\\*)({quote}|\Z)", _escape, text) + quote


def format_string(text: str, *, literal: bool = True) -> str:
    if literal and "${" in text:
        text = escape_interpolation(text)
    if _BARE.fullmatch(text) and not _KEYWORD.fullmatch(text):
        return text
    return quote_string(text)


def format_value(value: Any, *, literal: bool = True) -> str:
    """The right-hand side of ``key=...`` for a typed value (None, bool, int, float, str, list)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)  # shortest text that round-trips; Hydra's FLOAT accepts `1e-05` and `5.0`
    if isinstance(value, str):
        return format_string(value, literal=literal)
    if isinstance(value, list | tuple):
        return "[" + ",".join(format_value(v, literal=literal) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as a Hydra override value")


_PREFIX = {"set": "", "add": "+", "force_add": "++", "delete": "~"}


def format_override(key: str, value: Any, mode: str = "set", *, literal: bool = True) -> str:
    """``key=value``, ``+key=value``, ``++key=value`` or ``~key`` (delete takes no value)."""
    if mode == "delete":
        return f"~{key}"
    return f"{_PREFIX[mode]}{key}={format_value(value, literal=literal)}"
