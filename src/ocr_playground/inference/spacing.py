"""Word spacing from the ink: put a space where the line image has a word-sized blank gap.

Recognizers trained mostly on Chinese (PP-OCR among them) often drop the spaces of Latin text or
merge words ("TAXINVOICE"). The line image still shows the words apart: a blank gap between ink
columns wider than ``word_gap`` × the ink's height (:func:`words.word_columns`, the same rule that
splits line boxes into words) separates two words. CTC tells where each character was read (its
time steps, i.e. columns of the input), so a gap lying between the centres of two consecutive
characters gets a space there, unless the model already read one. Between two CJK characters no
space is inserted: that script does not separate words with spaces.
"""

import unicodedata
from itertools import pairwise

import numpy as np

from ocr_playground.inference.ctc import DecodedLine
from ocr_playground.inference.words import ink_mask, word_columns


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def gap_centres(gray: np.ndarray, word_gap: float) -> list[float]:
    """The x (pixel columns of ``gray``, an upright line image) of the middle of every gap between
    two words."""
    words = word_columns(ink_mask(gray), word_gap)
    return [(a[1] + 1 + b[0]) / 2 for a, b in pairwise(words)]


def spaced_text(line: DecodedLine, gaps: list[float], step_px: float) -> str:
    """``line.text`` with a space wherever a gap (x in pixels) falls between two characters read
    ``step_px`` pixels per time step apart, and the model did not put one."""
    if not gaps or len(line.text) < 2:
        return line.text
    text = line.text
    centres = [(first + last + 1) / 2 * step_px for first, last in line.spans]
    out = [text[0]]
    for i in range(1, len(text)):
        if _may_split(text, i) and any(centres[i - 1] < g < centres[i] for g in gaps):
            out.append(" ")
        out.append(text[i])
    return "".join(out)


def _may_split(text: str, i: int) -> bool:
    """Whether a space may go between ``text[i - 1]`` and ``text[i]``: not next to a space, not
    between two CJK characters, and not inside a number: a decimal point or thousands separator
    between digits ("12.50", "1,200") leaves wide blanks on both sides in monospaced print."""
    prev, ch = text[i - 1], text[i]
    if ch == " " or prev == " " or (_wide(ch) and _wide(prev)):
        return False
    before = text[i - 2] if i >= 2 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    in_number = (ch in ".," and prev.isdigit() and after.isdigit()) or (
        prev in ".," and ch.isdigit() and before.isdigit()
    )
    return not in_number
