"""Which image a name is about. Ground truth, predictions and datasets name the same image in
their own ways (``a.jpg``, ``a``, ``sub/a.jpg``); these rules are the one place that says when two
names are one image."""

from collections.abc import Container, Mapping
from pathlib import PurePosixPath
from typing import TypeVar

from ocr_playground.imaging.formats import IMAGE_SUFFIXES
from ocr_playground.inference.errors import InvalidAnnotations

V = TypeVar("V")

# The formats this tool reads, and GIF: annotation files made for other tools name GIFs too.
NAME_SUFFIXES = (*IMAGE_SUFFIXES, ".gif")


def image_key(name: str) -> str:
    """Names are matched without an image extension, so ``a.jpg`` in one file meets ``a`` in another."""
    lower = name.lower()
    for ext in NAME_SUFFIXES:
        if lower.endswith(ext):
            return name[: -len(ext)]
    return name


def file_key(name: str) -> str:
    """The ``image_key`` of a name's last part: 'sub/a.jpg' is 'a', the image a flat ground truth
    names for a nested dataset's file."""
    return image_key(PurePosixPath(name).name)


def one_per_image(names: list[tuple[str, str]], source: str) -> None:
    """Refuse two entries for one image (``a.jpg`` and ``a.png``, ``gt_a.txt`` and ``a.txt``): names
    are matched without extension, so one would silently stand for the other. ``names`` pairs each
    entry's image name with what the source calls it."""
    seen: dict[str, str] = {}
    for name, shown in names:
        key = image_key(name)
        if key in seen:
            raise InvalidAnnotations(
                f"{source} names image '{key}' twice ('{seen[key]}' and '{shown}'); names are "
                "matched without their extension, so keep one."
            )
        seen[key] = shown


def found_key(by_key: Container[str], name: str) -> str | None:
    """The key under which ``by_key`` (keyed by ``image_key``) holds the image a dataset calls
    ``name``: as it is, else by its last part (a flat file for a nested dataset); None if neither."""
    return next((key for key in (image_key(name), file_key(name)) if key in by_key), None)


def predictions_by_key(gt: Mapping[str, object], pred: Mapping[str, V]) -> dict[str, V]:
    """The predictions under the ground truth's image keys. A name is found as it is (without its
    extension), else by its last part, the rule a run uses to give a nested dataset's images a
    flat ground truth: a run's own 'sub/a' is scored against that ground truth's 'a'. A name found
    neither way, or two names found as one image, is refused."""
    keys = {image_key(k) for k in gt}
    out: dict[str, V] = {}
    named: dict[str, str] = {}
    stray = []
    for name, words in pred.items():
        key = found_key(keys, name)
        if key is None:
            stray.append(image_key(name))
        elif key in out:
            raise InvalidAnnotations(
                f"The predictions name '{named[key]}' and '{name}', which are both the ground "
                f"truth's image '{key}'."
            )
        else:
            out[key], named[key] = words, name
    if stray:
        stray.sort()
        raise InvalidAnnotations(
            f"The predictions name image '{stray[0]}', which is not in the ground "
            f"truth ({len(stray)} such image{'s' if len(stray) > 1 else ''})."
        )
    return out
