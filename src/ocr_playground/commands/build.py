"""Form values -> the command: defaults, visibility, validation, then argv and its renderings.

The order matters and is the contract: (1) every value is checked for type and, for choices,
membership (a wrong one is the request's fault: `FieldError`); (2) fields hidden by `visible_if`
drop out, they never emit and are never validated; (3) the schema's rules run on what is left;
(4) only visible values that differ from their default are emitted (unless `only_changed=False`);
(5) every override is re-read by Hydra's parser and, if the project is known, composed.
"""

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ocr_playground.commands import hydra_check
from ocr_playground.commands.overrides import OMEGACONF_MISSING, format_override
from ocr_playground.commands.quoting import posix_join, powershell_join
from ocr_playground.commands.schema import CommandSchema, UIElement
from ocr_playground.errors import Refusal


class FieldError(Refusal, ValueError):
    """A value the form cannot hold, or a rule it breaks; `field` is the element key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class BuildResult:
    argv: list[str]
    overrides: list[str]
    constant_overrides: list[str]
    command: str
    powershell: str
    values: dict[str, Any]
    validation_error: str | None = None
    invalid_field: str | None = None
    emitted: list[str] = field(default_factory=list)


def _name(e: UIElement) -> str:
    return f"'{e.key}' ({e.label})"


def coerce(e: UIElement, value: Any) -> Any:
    """The value in the element's type, or FieldError. None means "no value" for every type."""
    if e.type == "info" or value is None:
        return None
    if e.type == "checkbox":
        if not isinstance(value, bool):
            raise FieldError(e.key, f"Field {_name(e)} must be true or false, got {value!r}.")
        return value
    if e.type in ("number", "slider"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise FieldError(e.key, f"Field {_name(e)} must be a number, got {value!r}.")
        if isinstance(value, float) and not math.isfinite(value):
            raise FieldError(e.key, f"Field {_name(e)} must be a finite number, got {value!r}.")
        if e.dtype == "int":
            if isinstance(value, float) and not value.is_integer():
                raise FieldError(e.key, f"Field {_name(e)} must be a whole number, got {value!r}.")
            return int(value)
        try:
            return float(value)
        except OverflowError:
            raise FieldError(e.key, f"Field {_name(e)} is too large for a float.") from None
    if e.type == "multiselect":
        if not isinstance(value, list):
            raise FieldError(e.key, f"Field {_name(e)} must be a list, got {value!r}.")
        items = [_coerce_text_or_option(e, v) for v in value]
        _check_options(e, items)
        return items
    text = _coerce_text_or_option(e, value)
    if e.type == "selectbox":
        _check_options(e, [text])
    return text


def _coerce_text_or_option(e: UIElement, value: Any) -> Any:
    # Options may be numbers (a batch-size choice); free text must be a string.
    if e.options and any(not isinstance(o, str) for o in e.options) and not isinstance(value, str):
        return value
    if not isinstance(value, str):
        raise FieldError(e.key, f"Field {_name(e)} must be text, got {value!r}.")
    if "\x00" in value:
        raise FieldError(e.key, f"Field {_name(e)} contains a NUL character, which no argv can carry.")
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate from JSON "\ud800": no command line holds it
            raise FieldError(e.key, f"Field {_name(e)} is not valid Unicode text.") from None
    if e.hydra_override is not None and value == OMEGACONF_MISSING:
        raise FieldError(e.key, f"Field {_name(e)} cannot be '???': OmegaConf reads it as a missing value.")
    return value


def _check_options(e: UIElement, values: list[Any]) -> None:
    if e.type == "text_input":
        return  # options are suggestions for free text
    allowed = e.options or []
    for v in values:
        if not any(v == o and type(v) is type(o) for o in allowed):
            shown = ", ".join(map(str, allowed[:12])) or "none available"
            raise FieldError(e.key, f"Field {_name(e)} has no option {v!r} (options: {shown}).")


def _holds(cond: dict[str, Any] | None, values: dict[str, Any]) -> bool:
    if not cond:
        return True
    return all(
        values.get(k) in want if isinstance(want, list) else values.get(k) == want for k, want in cond.items()
    )


def resolve_values(schema: CommandSchema, raw: dict[str, Any]) -> dict[str, Any]:
    """Defaults filled in, every value typed and checked against its options."""
    unknown = sorted(set(raw) - {e.key for e in schema.ui_elements})
    if unknown:
        raise FieldError(unknown[0], f"Field '{unknown[0]}' is not part of the '{schema.id}' form.")
    return {e.key: coerce(e, raw.get(e.key, e.default)) for e in schema.ui_elements if e.type != "info"}


def visible_keys(schema: CommandSchema, values: dict[str, Any]) -> set[str]:
    # A field is visible when its condition holds and the fields it looks at are visible themselves
    # (a resize size hidden with its switch when the pipeline hides the switch): hide until stable.
    shown = {e.key for e in schema.ui_elements}
    changed = True
    while changed:
        changed = False
        for e in schema.ui_elements:
            ok = _holds(e.visible_if, values) and all(k in shown for k in (e.visible_if or {}))
            if e.key in shown and not ok:
                shown.discard(e.key)
                changed = True
    return shown


def _empty(v: Any) -> bool:
    return v is None or v == "" or v == []


def check_rules(schema: CommandSchema, values: dict[str, Any], shown: set[str]) -> None:
    for e in schema.ui_elements:
        if e.key not in shown or e.type == "info":
            continue
        v, rule = values.get(e.key), e.validation
        required = rule.required or (rule.required_if is not None and _holds(rule.required_if, values))
        if _empty(v):
            if required:
                raise FieldError(e.key, f"Field {_name(e)} is required.")
            continue
        if isinstance(v, int | float) and not isinstance(v, bool):
            if rule.min is not None and v < rule.min:
                raise FieldError(e.key, f"Field {_name(e)} must be at least {rule.min:g}, got {v!r}.")
            if rule.max is not None and v > rule.max:
                raise FieldError(e.key, f"Field {_name(e)} must be at most {rule.max:g}, got {v!r}.")
        if rule.min_length is not None and isinstance(v, str | list) and len(v) < rule.min_length:
            raise FieldError(
                e.key,
                f"Field {_name(e)} must have at least {rule.min_length} "
                f"{'characters' if isinstance(v, str) else 'items'}.",
            )
        if rule.pattern is not None and isinstance(v, str) and not re.fullmatch(rule.pattern, v):
            raise FieldError(e.key, f"Field {_name(e)} must match the pattern {rule.pattern!r}.")


def apply_model_suffix(schema: CommandSchema, values: dict[str, Any]) -> dict[str, Any]:
    """`exp` -> `exp-dbnet-resnet18`; idempotent, so a parsed command does not grow twice."""
    spec = schema.model_suffix
    base = values.get(spec.target) if spec else None
    if spec is None or not isinstance(base, str) or not base:
        return values
    suffix = "".join(spec.separator + str(values.get(p)) for p in spec.parts if values.get(p) is not None)
    if suffix and not base.endswith(suffix):
        values = {**values, spec.target: base + suffix}
    return values


def _json_set(obj: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for p in parents:
        node = obj.get(p)
        if node is False:  # the op is switched off: its parameters do not apply
            return
        if not isinstance(node, dict):
            node = obj[p] = {}
        obj = node
    if isinstance(obj.get(leaf), dict) and value is True:
        return  # `blur: true` next to `blur.kernelSize`: the object already means "on"
    obj[leaf] = value


def _cli_text(v: Any) -> str:
    return repr(v) if isinstance(v, float) else str(v)


def _flag_args(flag: str, value: str) -> list[str]:
    # argparse takes a separate word starting with "-" for an option, not for the flag's value:
    # such a value is attached (`--output=-x.png`, `-o-x.png`) so it cannot be misread.
    if not value.startswith("-"):
        return [flag, value]
    return [f"{flag}={value}"] if flag.startswith("--") else [flag + value]


def _cli_args(elems: list[UIElement], values: dict[str, Any]) -> list[str]:
    positional: list[str] = []
    flags: list[str] = []
    json_args: dict[str, dict[str, Any]] = {}
    for e in elems:
        assert e.cli is not None
        v = values[e.key]
        if e.cli.json_path is not None:
            if e.cli.flag not in json_args:
                json_args[e.cli.flag] = {}
                flags += [e.cli.flag, ""]  # placeholder, filled once the object is complete
            _json_set(json_args[e.cli.flag], e.cli.json_path, v)
        elif e.cli.flag is None:
            positional += [_cli_text(x) for x in (v if isinstance(v, list) else [v])]
        elif e.type == "checkbox":
            flags += [e.cli.flag] if v else []
        else:
            for x in v if isinstance(v, list) else [v]:
                flags += _flag_args(e.cli.flag, _cli_text(x))
    for i, a in enumerate(flags):
        if a in json_args and i + 1 < len(flags) and flags[i + 1] == "":
            flags[i + 1] = json.dumps(json_args[a], separators=(",", ":"), ensure_ascii=False)
    if any(p.startswith("-") for p in positional):
        return [*flags, "--", *positional]  # after `--` nothing is read as an option
    return positional + flags


def _hydra_overrides(elems: list[UIElement], values: dict[str, Any]) -> list[tuple[UIElement, str]]:
    out = []
    for e in elems:
        assert e.hydra_override is not None
        v = values[e.key]
        if e.hydra_mode == "delete":
            if v:  # an unchecked "delete" switch has nothing to say, even when every value is emitted
                out.append((e, format_override(e.hydra_override, None, "delete")))
            continue
        text = format_override(e.hydra_override, v, e.hydra_mode, literal=not e.allow_interpolation)
        try:
            hydra_check.verify_value(text, v, literal=not e.allow_interpolation)
        except hydra_check.OverrideError as err:
            raise FieldError(e.key, f"Field {_name(e)}: {err}.") from err
        out.append((e, text))
    return out


def _emits(
    e: UIElement, values: dict[str, Any], defaults: dict[str, Any], shown: set[str], only_changed: bool
) -> bool:
    if not e.emits or e.key not in shown:
        return False
    v = values[e.key]
    if e.cli is not None:
        if v is None:
            return False  # a flag without a value is simply left out
        if e.cli.flag is None:
            return True  # positionals are always part of the command
    return not only_changed or e.always_emit or v != defaults[e.key] or type(v) is not type(defaults[e.key])


def build(
    schema: CommandSchema,
    raw_values: dict[str, Any],
    *,
    append_model_suffix: bool = False,
    only_changed: bool = True,
    allow_invalid: bool = False,
    project_dir: Path | None = None,
) -> BuildResult:
    """Build the command. Raises FieldError for a bad value; a broken rule raises too unless
    `allow_invalid`, in which case the command is built anyway and the result says what is wrong."""
    values = resolve_values(schema, raw_values)
    shown = visible_keys(schema, values)
    error: FieldError | None = None
    try:
        check_rules(schema, values, shown)
    except FieldError as e:
        if not allow_invalid:
            raise
        error = e
    if append_model_suffix:
        values = apply_model_suffix(schema, values)

    defaults = {e.key: coerce(e, e.default) for e in schema.ui_elements if e.type != "info"}
    emitting = [e for e in schema.ui_elements if _emits(e, values, defaults, shown, only_changed)]
    if schema.hydra is not None:
        pairs = _hydra_overrides(emitting, values)
        emitting = [e for e, _ in pairs]
        overrides = [text for _, text in pairs]
        if project_dir is not None and error is None:
            config_dir = project_dir / schema.hydra.config_path
            if config_dir.is_dir():
                _compose(schema, config_dir, pairs)
        argv = [*schema.argv, *schema.constant_overrides, *overrides]
    else:
        overrides = _cli_args(emitting, values)
        argv = [*schema.argv, *overrides, *schema.constant_overrides]
    return BuildResult(
        argv=argv,
        overrides=overrides,
        constant_overrides=list(schema.constant_overrides),
        command=posix_join(argv),
        powershell=powershell_join(argv),
        values=values,
        validation_error=str(error) if error else None,
        invalid_field=error.field if error else None,
        emitted=[e.key for e in emitting],
    )


def _compose(schema: CommandSchema, config_dir: Path, pairs: list[tuple[UIElement, str]]) -> None:
    assert schema.hydra is not None
    all_overrides = [*schema.constant_overrides, *(text for _, text in pairs)]
    try:
        hydra_check.compose_check(config_dir, schema.hydra.config_name, all_overrides)
    except hydra_check.OverrideError as err:
        culprit = next((e for e, text in pairs if text == err.override), None)
        where = f"Field {_name(culprit)}" if culprit else f"The '{schema.id}' schema"
        raise FieldError(
            culprit.key if culprit else "schema_id",
            f"{where}: composing '{schema.hydra.config_name}' failed: {err}.",
        ) from err
