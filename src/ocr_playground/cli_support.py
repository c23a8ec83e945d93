"""What every subcommand of ``ocr-playground`` shares: the one-line usage error, JSON options that
may name a file, and outputs written whole or not at all."""

import json
from pathlib import Path
from typing import Any

from ocr_playground.artifacts import atomic_write_bytes


class UsageError(Exception):
    """Bad input from the command line: printed as one line, exit status 2."""


def read_json_option(text: str, option: str = "--params") -> Any:
    """An option's value as JSON: inline, or ``@file.json`` to read it from a file."""
    source = option
    if text.startswith("@"):
        source = text[1:]
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {option} file '{source}': {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise UsageError(f"{source} is not valid JSON: {exc.msg} at {where}") from None


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` atomically; a folder or an unwritable place is a usage error."""
    if path.is_dir():
        raise UsageError(f"output '{path}' is a folder; give a file name such as {path / 'out.png'}")
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise UsageError(f"cannot write output '{path}': {exc.strerror}") from None
