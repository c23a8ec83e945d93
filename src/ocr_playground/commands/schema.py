"""The YAML schema of a command form, as pydantic models.

A schema names the program to run and lists the form's ``ui_elements``. Each element says how its
value reaches the command line: a Hydra override (``hydra_override``: a dotted key or a config group
such as ``model/architectures``) or a plain CLI argument (``cli``: a flag, a positional, or a path
inside one JSON-valued flag, as ``ocr-playground run --params`` takes). Elements with neither only
drive the form (a "resume" switch that reveals the checkpoint field, an info note).
"""

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ElementType = Literal["text_input", "number", "slider", "checkbox", "selectbox", "multiselect", "info"]

# How a Hydra override is written: `key=v`, `+key=v` (add a key the config lacks),
# `++key=v` (add or override), `~key` (delete; only a checkbox can ask for it: checked = deleted).
HydraMode = Literal["set", "add", "force_add", "delete"]

Scalar = str | int | float | bool

# A Hydra key (dotted path) or config group (`model/architectures`), optionally with `@package`.
_HYDRA_KEY = re.compile(r"^[A-Za-z_$][\w$-]*([./][A-Za-z_$0-9][\w$-]*)*(@[\w$.-]*)?$")
_FIELD_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OPTIONS_SOURCE = re.compile(r"^(checkpoints|datasets|images|group:[A-Za-z_][\w/-]*)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Validation(_Strict):
    required: bool = False
    # The field becomes required when every `key: value` holds (a list value means "one of").
    required_if: dict[str, Any] | None = None
    min: float | None = None
    max: float | None = None
    min_length: int | None = Field(None, ge=0)
    pattern: str | None = None

    @model_validator(mode="after")
    def _pattern_compiles(self) -> "Validation":
        if self.pattern is not None:
            re.compile(self.pattern)
        return self


class CliArg(_Strict):
    """A non-Hydra argument. ``flag=None`` means positional (in element order, before any flag)."""

    flag: str | None = None
    # Other spellings of the flag a pasted command may use (`--output` for `-o`); built with `flag`.
    aliases: list[str] = Field(default_factory=list)
    # Gather this value into one JSON object passed to `flag` (e.g. `blur.kernelSize` in `--params`).
    json_path: str | None = None

    @model_validator(mode="after")
    def _json_needs_flag(self) -> "CliArg":
        if self.json_path is not None and self.flag is None:
            raise ValueError("cli.json_path needs a cli.flag to carry the JSON object")
        return self


class UIElement(_Strict):
    key: str
    type: ElementType
    label: str
    help: str = ""
    default: Any = None
    # Numbers: "int" or "float" (inferred from `default` when absent); `step` is for the UI only.
    dtype: Literal["int", "float"] | None = None
    step: float | None = None
    hydra_override: str | None = None
    hydra_mode: HydraMode = "set"
    cli: CliArg | None = None
    # For selectbox/multiselect the value must be one of these; for text_input they are suggestions.
    options: list[Scalar] | None = None
    options_source: str | None = None
    visible_if: dict[str, Any] | None = None
    validation: Validation = Field(default_factory=Validation)
    # Emit even when equal to the default (a flag the program requires, such as `-o OUT.png`).
    always_emit: bool = False
    # Text is passed literally: `${...}` is escaped so OmegaConf does not resolve it, unless this is set.
    allow_interpolation: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> "UIElement":
        if not _FIELD_KEY.match(self.key):
            raise ValueError(f"element key {self.key!r} must be an identifier")
        if self.hydra_override is not None and self.cli is not None:
            raise ValueError(f"element {self.key!r} sets both hydra_override and cli")
        if self.hydra_override is not None and not _HYDRA_KEY.match(self.hydra_override):
            raise ValueError(f"element {self.key!r}: {self.hydra_override!r} is not a Hydra key or group")
        if self.hydra_mode == "delete" and (self.type != "checkbox" or self.default not in (None, False)):
            # Checked = `~key`; unchecked says nothing, so "deleted" cannot be the default.
            raise ValueError(f"element {self.key!r}: hydra_mode 'delete' needs a checkbox off by default")
        if self.type in ("selectbox", "multiselect") and self.options is None and self.options_source is None:
            raise ValueError(f"element {self.key!r}: a {self.type} needs options or options_source")
        if self.options_source is not None and not _OPTIONS_SOURCE.match(self.options_source):
            raise ValueError(f"element {self.key!r}: unknown options_source {self.options_source!r}")
        if self.type == "slider" and (self.validation.min is None or self.validation.max is None):
            raise ValueError(f"element {self.key!r}: a slider needs validation.min and validation.max")
        if self.type in ("number", "slider") and self.dtype is None:
            self.dtype = (
                "int" if isinstance(self.default, int) and not isinstance(self.default, bool) else "float"
            )
        return self

    @property
    def emits(self) -> bool:
        return self.type != "info" and (self.hydra_override is not None or self.cli is not None)


class HydraTarget(_Strict):
    """Where the Hydra config lives inside the target project, and which primary config to compose."""

    config_path: str = "configs"
    config_name: str


class ModelSuffix(_Strict):
    """``append_model_suffix`` appends these fields' values to `target` (`exp-dbnet-resnet18`)."""

    target: str
    parts: list[str]
    separator: str = "-"


class CommandSchema(_Strict):
    id: str
    label: str
    description: str = ""
    # What the user recognises (`train.py`, `ocr-playground run`) and the argv that starts the command.
    script: str
    argv: list[str] = Field(default_factory=list)
    hydra: HydraTarget | None = None
    # Hydra schemas: overrides always emitted. CLI schemas: argv items always emitted.
    constant_overrides: list[str] = Field(default_factory=list)
    model_suffix: ModelSuffix | None = None
    ui_elements: list[UIElement]

    @model_validator(mode="after")
    def _references_resolve(self) -> "CommandSchema":
        if not self.argv:
            self.argv = ["python", self.script]
        keys = [e.key for e in self.ui_elements]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"schema {self.id!r}: duplicate element keys {sorted(dupes)}")
        known = set(keys)
        for e in self.ui_elements:
            for cond in (e.visible_if, e.validation.required_if):
                missing = set(cond or {}) - known
                if missing:
                    raise ValueError(f"schema {self.id!r}, element {e.key!r}: unknown keys {sorted(missing)}")
            if self.hydra is None and e.hydra_override is not None:
                raise ValueError(f"schema {self.id!r} has no hydra target but {e.key!r} is an override")
            if self.hydra is not None and e.cli is not None:
                raise ValueError(f"schema {self.id!r} is a Hydra schema but {e.key!r} is a CLI argument")
        if self.model_suffix is not None:
            missing = {self.model_suffix.target, *self.model_suffix.parts} - known
            if missing:
                raise ValueError(f"schema {self.id!r}: model_suffix names unknown keys {sorted(missing)}")
        return self

    def element(self, key: str) -> UIElement | None:
        return next((e for e in self.ui_elements if e.key == key), None)


class SchemaSummary(BaseModel):
    id: str
    label: str
    script: str
    description: str
