"""What every subcommand of ``ocr-playground`` shares: the one-line usage error, JSON options that
may name a file, and outputs written whole or not at all."""

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ocr_playground.artifacts import NotARegularFile, atomic_write_bytes, read_regular_file
from ocr_playground.errors import UsageError

MAX_OPTION_FILE_BYTES = 64 * 1024 * 1024


MAX_COUNT = 10**9  # past any page a store holds, and within SQLite's integers


def positive(text: str) -> int:
    """An argparse type for counts (``--limit``, ``--list``): a whole number from 1 to MAX_COUNT,
    so that -1 is refused rather than quietly read as something else."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    if value > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{value} is more than {MAX_COUNT:,}")
    return value


def read_json_option(text: str, option: str = "--params") -> Any:
    """An option's value as JSON: inline, or ``@file.json`` to read it from a file."""
    source = option
    if text.startswith("@"):
        source = text[1:]
        try:
            text = read_regular_file(source, MAX_OPTION_FILE_BYTES).decode("utf-8")
        except NotARegularFile as exc:
            raise UsageError(f"cannot read {option} file: {exc}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{option} file '{source}' is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise UsageError(f"{source} is not valid JSON: {exc.msg} at {where}") from None
    except RecursionError:
        raise UsageError(f"{source} is nested too deeply to read") from None
    except ValueError:  # an integer past Python's conversion limit
        raise UsageError(f"{source} holds an integer too long to read (over 4,300 digits)") from None


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` atomically to a new path or over a regular file; anything else (a folder, a
    device, a FIFO, a symlink, an unwritable place) is a usage error and is left untouched."""
    try:
        atomic_write_bytes(path, data)
    except NotARegularFile as exc:
        raise UsageError(f"cannot write output: {exc}") from None
    except OSError as exc:
        raise UsageError(f"cannot write output '{path}': {exc.strerror or exc}") from None


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Hold back what C libraries print on stderr (libtiff prints a line per damaged strip) while
    a file is decoded; the decoder's verdict is still raised and printed as one line."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
