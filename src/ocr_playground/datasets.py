"""The one walk over an image folder: what a run's dataset, the image picker, ``detect`` and the
command builder's file options see.

Sorted and recursive; hidden files and folders are skipped, symlinked folders are not followed (so a
link back up the tree cannot loop), and a symlinked file that resolves outside the root is left out
(it could not be named as an image path anyway). So is a file or folder whose name is not valid
UTF-8: a request cannot name it, JSON cannot carry it and SQLite cannot store it, so every consumer
(listings, runs, ``detect``) sees the same images, without it.
"""

import os
from collections.abc import Collection, Iterator
from pathlib import Path

from ocr_playground.imaging.formats import IMAGE_SUFFIXES


def walk_images(root: Path) -> Iterator[Path]:
    """Image files under ``root`` in sorted order (by folder, then name), as paths under ``root``."""
    return walk_files(root, IMAGE_SUFFIXES)


def is_utf8(name: str) -> bool:
    """Whether a name from the OS is valid UTF-8 (Python keeps other bytes as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def walk_files(root: Path, suffixes: Collection[str]) -> Iterator[Path]:
    """Files with one of ``suffixes`` (lower case, with the dot) under ``root``, as ``walk_images``."""
    root = Path(root)
    real_root = root.resolve()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and is_utf8(d))
        for name in sorted(files):
            if name.startswith(".") or Path(name).suffix.lower() not in suffixes or not is_utf8(name):
                continue
            path = Path(folder) / name
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError):  # a dangling link, or a link loop
                continue
            # a link's target is read and stored too, so its name must be UTF-8 as well
            if (
                real.is_file()
                and real.is_relative_to(real_root)
                and is_utf8(real.relative_to(real_root).as_posix())
            ):
                yield path
