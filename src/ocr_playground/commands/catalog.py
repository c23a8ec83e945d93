"""Where schemas come from and where their options are filled in.

Schemas ship as YAML in this package's ``schemas/`` folder; a folder named by the setting
``commands_schemas_dir`` adds more (a file with the same ``id`` replaces the packaged one). Options
named by ``options_source`` are read when a schema is served: checkpoint files under the checkpoints
root, dataset folders and images under the data root, or the options of a config group of the target
Hydra project. A source that yields nothing leaves the schema's static ``options`` in place.
"""

import itertools
import logging
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from ocr_playground.commands.hydra_check import OverrideError, folder_stamp, group_options, parse_override
from ocr_playground.commands.schema import CommandSchema, SchemaSummary, UIElement
from ocr_playground.datasets import walk_files
from ocr_playground.errors import NotFound
from ocr_playground.imaging.formats import IMAGE_SUFFIXES

CHECKPOINT_SUFFIXES = {".ckpt", ".pt", ".pth", ".onnx", ".safetensors"}
MAX_OPTIONS = 500  # a form list, not a file browser
RECOMMENDATIONS = "recommendations.yaml"

log = logging.getLogger(__name__)


class UnknownSchema(NotFound):
    """No command form has this id."""


def packaged_schema_dir() -> Path:
    return Path(str(resources.files("ocr_playground.commands") / "schemas"))


def load_schema_file(path: Path) -> CommandSchema:
    """Read and check one schema; a broken one raises (ValueError, yaml.YAMLError)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    schema = CommandSchema.model_validate(data)
    check_hydra_syntax(schema)
    return schema


def check_hydra_syntax(schema: CommandSchema) -> None:
    """Constant overrides and every override key must be Hydra grammar before any form is built."""
    try:
        for text in schema.constant_overrides if schema.hydra else []:
            parse_override(text)
        for e in schema.ui_elements:
            if e.hydra_override is not None:
                parse_override(f"{e.hydra_override}=x")
    except OverrideError as err:
        raise ValueError(f"schema {schema.id!r}: {err}") from None


@lru_cache(maxsize=8)
def _load_dir(folder: str, _stamp: object) -> dict[str, CommandSchema]:
    schemas = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        if path.name == RECOMMENDATIONS:
            continue
        try:
            schema = load_schema_file(path)
        except (ValueError, yaml.YAMLError) as e:
            # One bad file in a user's schema folder must not take the other forms down with it.
            log.warning("skipping command schema %s: %s", path, e)
            continue
        schemas[schema.id] = schema
    return schemas


@dataclass(frozen=True)
class Sources:
    """The roots options are read from (taken from Settings by the API layer)."""

    checkpoints_root: Path
    data_root: Path
    project_dir: Path | None = None


class Catalog:
    def __init__(self, sources: Sources, extra_dir: Path | None = None) -> None:
        self.sources = sources
        schemas = dict(_load_dir(str(packaged_schema_dir()), None))
        if extra_dir is not None and extra_dir.is_dir():
            # Edits to a user's schema folder show up without a restart: the stamp keys the cache.
            schemas.update(_load_dir(str(extra_dir), folder_stamp(extra_dir, "*.yaml")))
        self._schemas = schemas

    def summaries(self) -> list[SchemaSummary]:
        return [
            SchemaSummary(id=s.id, label=s.label, script=s.script, description=s.description)
            for s in self._schemas.values()
        ]

    def raw(self, schema_id: str) -> CommandSchema:
        try:
            return self._schemas[schema_id]
        except KeyError:
            known = ", ".join(sorted(self._schemas))
            raise UnknownSchema(f"Unknown schema_id '{schema_id}' (known: {known}).") from None

    def get(self, schema_id: str, suggestions: bool = True) -> CommandSchema:
        """The schema with every `options_source` read now. Without ``suggestions`` the sources of
        free-text fields (file pickers' suggestions, which nothing checks a value against) are not
        read: building or parsing a command, on every settled change, then walks no folders."""
        schema = self.raw(schema_id)
        elements = [
            self._fill(schema, e) if suggestions or e.type != "text_input" else e for e in schema.ui_elements
        ]
        return schema.model_copy(update={"ui_elements": elements})

    def config_dir(self, schema: CommandSchema) -> Path | None:
        if schema.hydra is None or self.sources.project_dir is None:
            return None
        path = self.sources.project_dir / schema.hydra.config_path
        return path if path.is_dir() else None

    def _fill(self, schema: CommandSchema, e: UIElement) -> UIElement:
        if e.options_source is None:
            return e
        try:
            found = self._read_source(schema, e.options_source)
        except OSError as err:  # an unreadable root leaves the static options; the form still works
            log.warning("options_source %s of %s: %s", e.options_source, schema.id, err)
            found = []
        return e.model_copy(update={"options": found}) if found else e

    def _read_source(self, schema: CommandSchema, source: str) -> list[str]:
        if source.startswith("group:"):
            config_dir = self.config_dir(schema)
            return group_options(config_dir, source.removeprefix("group:")) if config_dir else []
        if source == "checkpoints":
            return _files(self.sources.checkpoints_root, CHECKPOINT_SUFFIXES)
        if source == "images":
            return _files(self.sources.data_root, IMAGE_SUFFIXES)
        if source == "datasets":
            root = self.sources.data_root / "datasets"
            if not root.is_dir():
                return []
            return sorted(str(p) for p in root.resolve().iterdir() if p.is_dir())[:MAX_OPTIONS]
        raise AssertionError(source)  # the schema model only admits the sources above


def _files(root: Path, suffixes: Collection[str]) -> list[str]:
    # Absolute paths: the built command runs in the target project's folder, not the server's.
    # A walk that stops at MAX_OPTIONS, so a data root of a million images costs little.
    if not root.is_dir():
        return []
    return [str(path) for path in itertools.islice(walk_files(root.resolve(), suffixes), MAX_OPTIONS)]
