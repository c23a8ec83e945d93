"""Checking built overrides with Hydra itself, before anything runs.

Two checks: every override goes through hydra-core's own ``OverridesParser`` (and a value must come
back as exactly the typed value, after OmegaConf's un-escaping), and, when the target project's config
directory is known, the config is composed with Hydra's compose API so an unknown key or a missing
config-group option is reported with the override that caused it.
"""

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from omegaconf import OmegaConf
from omegaconf.errors import OmegaConfBaseException


class OverrideError(ValueError):
    """An override Hydra refuses; `override` is the offending text (None when it cannot be told)."""

    def __init__(self, message: str, override: str | None = None) -> None:
        super().__init__(message)
        self.override = override


_parser = OverridesParser.create()
# Hydra's compose API works on process-global state (GlobalHydra): one composition at a time.
_compose_lock = threading.Lock()


def parse_override(text: str) -> Override:
    try:
        return _parser.parse_override(text)
    except HydraException as e:
        raise OverrideError(f"Hydra cannot parse the override {text!r}: {_first_line(e)}", text) from e


def config_value(parsed: Any) -> Any:
    """What the script sees: the parser's value as OmegaConf holds it (interpolation escapes undone)."""
    if isinstance(parsed, str) and "${" in parsed:
        return OmegaConf.create({"v": parsed}).v
    if isinstance(parsed, list):
        return [config_value(v) for v in parsed]
    return parsed


def verify_value(text: str, expected: Any, *, literal: bool = True) -> None:
    """Parse `text` (one override) and insist the value it carries is `expected`, type included."""
    parsed = parse_override(text).value()
    try:
        got = config_value(parsed) if literal else parsed
    except OmegaConfBaseException as e:
        raise OverrideError(f"OmegaConf cannot read the value of {text!r}: {_first_line(e)}", text) from e
    if not _same(got, expected):
        raise OverrideError(f"the override {text!r} would give {got!r} instead of {expected!r}", text)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def group_options(config_dir: Path, group: str) -> list[str]:
    """The options of a config group: the `.yaml` files in its folder, without the extension."""
    folder = config_dir / group
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.yaml") if p.is_file())


def compose_check(config_dir: Path, config_name: str, overrides: list[str]) -> None:
    """Compose the target config with these overrides; raise OverrideError naming the culprit."""
    message = _compose_error(
        str(config_dir.resolve()), config_name, tuple(overrides), folder_stamp(config_dir)
    )
    if message is None:
        return
    raise OverrideError(message, _culprit(message, overrides, config_dir, config_name))


def folder_stamp(folder: Path, pattern: str = "**/*.yaml") -> tuple[int, float, float]:
    """Part of a cache key over a folder's YAML files: their count, their newest mtime and the
    folder's own (a file added, edited, deleted or renamed changes one of them)."""
    times = [p.stat().st_mtime for p in folder.glob(pattern)]
    return len(times), max(times, default=0.0), folder.stat().st_mtime


@lru_cache(maxsize=256)
def _compose_error(
    config_dir: str, config_name: str, overrides: tuple[str, ...], _stamp: tuple[int, float, float]
) -> str | None:
    # The SPA rebuilds on every settled change; the same override list is composed once.
    with _compose_lock:
        try:
            with initialize_config_dir(config_dir=config_dir, version_base="1.3"):
                compose(config_name=config_name, overrides=list(overrides))
        except (HydraException, OmegaConfBaseException) as e:
            return _first_line(e, lines=12)
        except Exception as e:  # a broken project file (YAML syntax...) is the project's, not ours
            return f"{type(e).__name__}: {_first_line(e, lines=12)}"
    return None


def _culprit(message: str, overrides: list[str], config_dir: Path, config_name: str) -> str | None:
    # Hydra's messages quote the key or group at fault ("Could not override 'trainer.foo'",
    # "Could not find 'model/architectures/x'"); failing that, find the first prefix that fails.
    for text in overrides:
        key = text.lstrip("+~").split("=", 1)[0]
        if f"'{key}'" in message or f"'{key}/" in message or f"{key}=" in message:
            return text
    stamp = folder_stamp(config_dir)
    for i in range(1, len(overrides) + 1):
        if _compose_error(str(config_dir.resolve()), config_name, tuple(overrides[:i]), stamp) is not None:
            return overrides[i - 1]
    return None


def _first_line(e: BaseException, lines: int = 1) -> str:
    kept = [line.strip() for line in str(e).splitlines() if line.strip()][:lines]
    return " ".join(kept).rstrip(".") or type(e).__name__
