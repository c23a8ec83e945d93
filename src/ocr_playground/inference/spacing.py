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
    centres = [(first + last + 1) / 2 * step_px for first, last in line.spans]
    out = [line.text[0]]
    for i in range(1, len(line.text)):
        ch, prev = line.text[i], line.text[i - 1]
        if (
            ch != " "
            and prev != " "
            and not (_wide(ch) and _wide(prev))
            and any(centres[i - 1] < g < centres[i] for g in gaps)
        ):
            out.append(" ")
        out.append(ch)
    return "".join(out)
