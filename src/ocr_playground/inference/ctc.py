"""CTC greedy decoding, and the character set a recognizer carries in its ONNX metadata.

A CTC recognizer returns, for each of T time steps (columns of the line image, left to right), a
probability for every class: class 0 is the *blank* (no character here), the others are
characters. Greedy decoding takes the most likely class per step, merges runs of the same class and
drops blanks: ``--HH-e-ll-ll-oo`` reads ``Hello``. The line's confidence is the mean probability of
the steps that produced a character (PaddleOCR's rule, so scores compare with its tools).

PaddleOCR exports (and rapidocr's copies of them) keep the dictionary under the metadata key
``character``, one character per line, without the blank and without the space that training adds at
the end (``use_space_char``): the model's class count says whether that space is there.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ocr_playground.inference.errors import InvalidModel

BLANK = 0
METADATA_KEY = "character"


@dataclass(frozen=True)
class DecodedLine:
    text: str
    score: float  # mean winning probability over the steps that produced a character; 0 when empty
    spans: tuple[tuple[int, int], ...]  # per character of ``text``: first and last time step (inclusive)


def greedy_decode(probs: np.ndarray, charset: Sequence[str]) -> list[DecodedLine]:
    """Decode a B×T×C array of per-step class probabilities (class 0 = blank) into B lines."""
    probs = np.asarray(probs)
    if probs.ndim != 3 or probs.shape[2] != len(charset):
        raise InvalidModel(
            f"The recognizer returned shape {list(probs.shape)}; expected batch×steps×{len(charset)} "
            "(one probability per character of its character set, plus the blank)."
        )
    best = probs.argmax(axis=2)
    best_p = np.take_along_axis(probs, best[:, :, None], axis=2)[:, :, 0]
    return [_decode_one(best[b], best_p[b], charset) for b in range(probs.shape[0])]


def _decode_one(classes: np.ndarray, probs: np.ndarray, charset: Sequence[str]) -> DecodedLine:
    # A run starts where the class changes; a run of the blank produces nothing.
    starts = np.flatnonzero(np.concatenate([[True], classes[1:] != classes[:-1]]))
    ends = np.concatenate([starts[1:] - 1, [len(classes) - 1]])
    keep = classes[starts] != BLANK
    starts, ends = starts[keep], ends[keep]
    if len(starts) == 0:
        return DecodedLine(text="", score=0.0, spans=())
    text = "".join(charset[c] for c in classes[starts])
    # The score of a character is its first step's probability, as PaddleOCR counts it.
    score = float(np.mean(probs[starts]))
    return DecodedLine(text=text, score=score, spans=tuple(zip(starts.tolist(), ends.tolist(), strict=True)))


def charset_from_lines(lines: Sequence[str], classes: int, source: str) -> list[str]:
    """The class -> character table for a model with ``classes`` outputs: the blank, the listed
    characters, and a trailing space when the model has one class more than the list."""
    chars = ["", *lines]
    if classes == len(chars) + 1:
        chars.append(" ")
    if classes != len(chars):
        raise InvalidModel(
            f"{source} lists {len(lines)} characters, but the model has {classes} output classes "
            f"(expected {len(lines) + 1} or {len(lines) + 2}: the blank, the characters, maybe a space)."
        )
    return chars


def charset_from_metadata(metadata: Mapping[str, str], classes: int, model_name: str) -> list[str]:
    """The character table of a model whose ONNX metadata holds its dictionary (``character``)."""
    raw = metadata.get(METADATA_KEY)
    if not raw:
        raise InvalidModel(
            f"The recognizer {model_name} has no '{METADATA_KEY}' entry in its ONNX metadata; give its "
            "dictionary file as 'charactersFile' in the profile beside the model."
        )
    # "\n" only: splitlines() would also split on characters such as U+2028 that a dictionary may hold.
    lines = raw.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return charset_from_lines(lines, classes, f"The metadata of {model_name}")
