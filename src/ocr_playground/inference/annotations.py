"""Readers and a writer for word polygons, in the four layouts ground truth comes in.

* Receipt-competition JSON::

    {"images": {"r001.jpg": {"words": {"0": {"points": [[x, y], ...], "text": "TOTAL"}}}}}

* Word lists per image (what many converters write)::

    {"images": {"r001.jpg": [{"points": [[x, y], ...], "text": "TOTAL"}, ...]}}

* ICDAR 2015: one ``.txt`` per image (``gt_img_1.txt`` / ``res_img_1.txt`` both name image
  ``img_1``), one word per line: ``x1,y1,x2,y2,x3,y3,x4,y4[,transcription]``.
* SROIE: one ``.csv`` or ``.txt`` per image named like it (``001.csv`` for ``001.jpg``), the same
  line shape; the text after the eighth comma is the transcription and may itself hold commas.

``text``/``transcription`` ``"###"`` or ``"ignore": true`` marks a don't-care word; predictions may
carry ``"score"``.
"""

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ocr_playground.artifacts import NotARegularFile, read_regular_file
from ocr_playground.datasets import is_utf8
from ocr_playground.inference.errors import InvalidAnnotations
from ocr_playground.inference.evaluation import DONT_CARE, Word
from ocr_playground.inference.names import one_per_image

_TXT_PREFIX = re.compile(r"^(gt_|res_)")
# No printed line is this long: a word's text past it is a broken file, refused by name rather than
# stored with every item of a run and compared with every line read.
MAX_TEXT_CHARS = 1000


def icdar_image_name(file_name: str) -> str:
    """The image an ICDAR 2015 text file is about: ``gt_img_1.txt`` and ``res_img_1.txt`` → ``img_1``."""
    return _TXT_PREFIX.sub("", Path(file_name).stem)


def _points(raw: Any, where: str) -> np.ndarray:
    try:
        given = np.asarray(raw)
        strings = given.dtype.kind in "US"  # float64 would read the string '1_0' as 10
        pts = given.astype(np.float64)
    except OverflowError:  # an integer past any float
        raise InvalidAnnotations(f"{where}: 'points' must hold at least 3 finite [x, y] pairs.") from None
    except (TypeError, ValueError) as exc:
        raise InvalidAnnotations(f"{where}: 'points' must be a list of [x, y] pairs.") from exc
    if strings:
        raise InvalidAnnotations(f"{where}: 'points' must hold numbers, not strings.")
    if pts.ndim != 2 or pts.shape[1] != 2 or len(pts) < 3 or not np.isfinite(pts).all():
        raise InvalidAnnotations(f"{where}: 'points' must hold at least 3 finite [x, y] pairs.")
    return pts


def _unicode(value: str, what: str) -> str:
    """``value``, refused when it holds a lone surrogate (JSON can spell one; no file can hold it)."""
    if not is_utf8(value):
        raise InvalidAnnotations(f"{what} is not valid Unicode (it holds a lone surrogate).")
    return value


def _text(value: Any, where: str) -> str | None:
    if not isinstance(value, str):
        return None
    if len(value) > MAX_TEXT_CHARS:
        raise InvalidAnnotations(
            f"{where}: the text is {len(value)} characters long; at most {MAX_TEXT_CHARS}."
        )
    return _unicode(value, f"{where}: the text")


def _number(value: Any, name: str, where: str) -> float | None:
    """A score: a finite number (JSON also spells NaN, Infinity and integers too large for a float)."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if math.isfinite(number):
            return number
    raise InvalidAnnotations(f"{where}: '{name}' must be a finite number.")


def _word(word: Any, where: str) -> Word:
    if not isinstance(word, Mapping) or "points" not in word:
        raise InvalidAnnotations(f"{where} must be an object with 'points'.")
    text = _text(word.get("text", word.get("transcription")), where)
    return Word(
        points=_points(word["points"], where),
        text=text,
        dont_care=bool(word.get("ignore", False)) or text == DONT_CARE,
        score=_number(word.get("score"), "score", where),
        text_score=_number(word.get("textScore"), "textScore", where),
    )


def parse_receipt_json(data: Any, source: str = "the JSON") -> dict[str, list[Word]]:
    """``{"images": {name: {"words": {id: word}}}}`` or ``{"images": {name: [word, ...]}}``."""
    if not isinstance(data, Mapping) or not isinstance(data.get("images"), Mapping):
        raise InvalidAnnotations(f"{source} must be an object with an 'images' object.")
    names = [_unicode(str(name), f"{source}: an image name") for name in data["images"]]
    one_per_image([(n, n) for n in names], source)
    out: dict[str, list[Word]] = {}
    for name, image in data["images"].items():
        if isinstance(image, list):
            words = {str(i): word for i, word in enumerate(image)}
        else:
            words = image.get("words") if isinstance(image, Mapping) else None
        if not isinstance(words, Mapping):
            raise InvalidAnnotations(
                f"{source}: image '{name}' must have a 'words' object or be a list of words."
            )
        out[str(name)] = [
            _word(word, f"{source}: image '{name}' word '{wid}'") for wid, word in words.items()
        ]
    return out


# A coordinate as files spell one: ASCII digits with an optional sign, fraction and exponent.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def parse_decimal(text: str) -> float:
    """A coordinate written as text (spaces around it allowed); ValueError for anything else.
    Python's float() alone would also take '1_0', other scripts' digits, 'nan' and 'inf'."""
    if not _DECIMAL.fullmatch(text.strip()):
        raise ValueError(f"not a decimal number: {text[:40]!r}")
    return float(text)


def parse_icdar_txt(text: str, source: str) -> list[Word]:
    words = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        fields = line.split(",")
        if len(fields) < 8:
            raise InvalidAnnotations(
                f"{source} line {n} has {len(fields)} fields; expected x1,y1,...,x4,y4[,transcription]."
            )
        try:
            coords = [parse_decimal(f) for f in fields[:8]]
        except ValueError:
            raise InvalidAnnotations(f"{source} line {n}: the first 8 fields must be numbers.") from None
        # The transcription may itself hold commas.
        transcription = _text(",".join(fields[8:]), f"{source} line {n}") if len(fields) > 8 else None
        words.append(
            Word(
                points=_points(np.reshape(coords, (4, 2)), f"{source} line {n}"),
                text=transcription,
                dont_care=transcription == DONT_CARE,
            )
        )
    return words


TEXT_SUFFIXES = (".txt", ".csv")


def read_annotations(path: Path) -> dict[str, list[Word]]:
    """A JSON file (either JSON layout), one ICDAR 2015 / SROIE ``.txt``/``.csv`` file, or a
    folder of them."""
    if path.is_dir():
        files = sorted(f for f in path.iterdir() if f.suffix.lower() in TEXT_SUFFIXES and f.is_file())
        if not files:
            raise InvalidAnnotations(
                f"The folder {path} holds no ground-truth files (ICDAR 2015 .txt or SROIE .csv/.txt)."
            )
        one_per_image([(icdar_image_name(f.name), f.name) for f in files], f"The folder {path}")
        return {icdar_image_name(f.name): parse_icdar_txt(_read(f), f.name) for f in files}
    if not path.exists():
        raise InvalidAnnotations(f"The annotation file {path} does not exist.")
    if path.suffix.lower() in TEXT_SUFFIXES:
        return {icdar_image_name(path.name): parse_icdar_txt(_read(path), path.name)}
    return parse_receipt_json(load_json(_read(path), path.name), path.name)


def load_json(text: str, source: str) -> Any:
    """JSON text, refused with a sentence when it is not JSON, nests too deeply for the parser, or
    holds an integer too long to convert (Python's limit is 4,300 digits)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidAnnotations(f"{source} is not valid JSON: {exc.msg} at line {exc.lineno}.") from None
    except RecursionError:
        raise InvalidAnnotations(f"{source} is nested too deeply to read.") from None
    except ValueError:  # the only other refusal: an integer past Python's conversion limit
        raise InvalidAnnotations(f"{source} holds an integer too long to read (over 4,300 digits).") from None


MAX_ANNOTATION_BYTES = 256 * 1024 * 1024


def _read(path: Path) -> str:
    try:  # a FIFO or a device is refused without blocking; ICDAR files often start with a BOM
        return read_regular_file(path, MAX_ANNOTATION_BYTES).decode("utf-8-sig")
    except NotARegularFile as exc:
        raise InvalidAnnotations(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise InvalidAnnotations(f"Cannot read {path}: it is not UTF-8 text ({exc.reason}).") from None


def receipt_json(predictions: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict:
    """Predictions (image name -> detections as :func:`postprocess.detection_json` writes them:
    points, score, and text/textScore when read) as receipt-competition JSON."""
    return {
        "images": {
            name: {"words": {str(i): dict(word) for i, word in enumerate(words)}}
            for name, words in predictions.items()
        }
    }
