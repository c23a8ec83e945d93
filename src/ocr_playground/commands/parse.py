"""A pasted command line -> the form values that build it again.

Strict on purpose: an argument the form cannot hold (an unknown override or flag, a value of the
wrong type) is an error naming it, because silently dropping it would make the rebuilt command run
something other than what was pasted.
"""

import json
import shlex
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from omegaconf.errors import OmegaConfBaseException

from ocr_playground.commands import hydra_check
from ocr_playground.commands.build import FieldError, resolve_values
from ocr_playground.commands.overrides import escape_interpolation
from ocr_playground.commands.schema import CommandSchema, UIElement
from ocr_playground.errors import Refusal


class ParseError(Refusal, ValueError):
    """The command cannot be read into this form; the message names the argument at fault."""


@dataclass
class ParsedCommand:
    values: dict[str, Any]
    append_model_suffix: bool


def _program_name(word: str) -> str:
    name = PurePath(word.replace("\\", "/")).name.lower().removesuffix(".exe")
    return "python" if name.startswith("python") else name


def _strip_program(schema: CommandSchema, words: list[str]) -> list[str]:
    want = [_program_name(w) for w in schema.argv]
    names = [_program_name(w) for w in words]
    for i in range(len(words) - len(want) + 1):
        if names[i : i + len(want)] == want:
            return words[i + len(want) :]
    raise ParseError(f"The command does not run '{' '.join(schema.argv)}' (schema '{schema.id}').")


def parse_command(schema: CommandSchema, command: str) -> ParsedCommand:
    try:
        words = shlex.split(command)
    except ValueError as e:
        raise ParseError(f"The command is not a valid POSIX command line: {e}.") from None
    args = _strip_program(schema, words)
    found = _hydra_values(schema, args) if schema.hydra is not None else _cli_values(schema, args)
    found = _reveal(schema, found)
    suffix_on = False
    if schema.model_suffix is not None:
        found, suffix_on = _strip_suffix(schema, found)
    try:
        values = resolve_values(schema, found)
    except FieldError as e:
        raise ParseError(str(e)) from None
    return ParsedCommand(values=values, append_model_suffix=suffix_on)


def _hydra_values(schema: CommandSchema, args: list[str]) -> dict[str, Any]:
    by_key = {e.hydra_override: e for e in schema.ui_elements if e.hydra_override is not None}
    found: dict[str, Any] = {}
    for word in args:
        if word in schema.constant_overrides:
            continue
        try:
            override = hydra_check.parse_override(word)
        except hydra_check.OverrideError as e:
            raise ParseError(f"{e}.") from None
        key = override.key_or_group + (f"@{override.package}" if override.package else "")
        e = by_key.get(key)
        if e is None:
            raise ParseError(
                f"The override '{word}' sets '{key}', which no field of the '{schema.id}' form holds."
            )
        if e.hydra_mode == "delete" or override.is_delete():
            if not (e.hydra_mode == "delete" and override.is_delete()):
                raise ParseError(f"The override '{word}' does not match field '{e.key}' ({e.label}).")
            found[e.key] = True
            continue
        value = override.value()
        found[e.key] = value if e.allow_interpolation else _literal(e, word, value)
    return found


def _literal(e: UIElement, word: str, value: Any) -> Any:
    """The text a literal field holds: OmegaConf's escapes undone, a live interpolation refused."""
    try:
        text = hydra_check.config_value(value)
    except OmegaConfBaseException:
        text = None
    raw = value if isinstance(value, list) else [value]
    got = text if isinstance(text, list) else [text]
    # Only `\${` escapes come back unchanged when escaped again; a real `${...}` would run at launch.
    for r, g in zip(raw, got, strict=False):
        if isinstance(r, str) and "${" in r and (not isinstance(g, str) or escape_interpolation(g) != r):
            raise ParseError(
                f"The override '{word}' uses an interpolation, "
                f"but field '{e.key}' ({e.label}) holds plain text."
            )
    return text


def _cli_values(schema: CommandSchema, args: list[str]) -> dict[str, Any]:
    elems = [e for e in schema.ui_elements if e.cli is not None]
    flags = {e.cli.flag for e in elems if e.cli and e.cli.flag}
    aliases = {a: e.cli.flag for e in elems if e.cli and e.cli.flag for a in e.cli.aliases}
    positional = [e for e in elems if e.cli and e.cli.flag is None]
    found: dict[str, Any] = {}
    words = list(args)
    only_positional = False
    while words:
        word = words.pop(0)
        if word == "--" and not only_positional:
            only_positional = True
            continue
        if only_positional or not word.startswith("-") or word == "-":
            if not positional:
                raise ParseError(f"The argument '{word}' has no field in the '{schema.id}' form.")
            found[positional.pop(0).key] = word
            continue
        flag, value = _split_flag(word, flags)
        flag = aliases.get(flag, flag)
        targets = [e for e in elems if e.cli and e.cli.flag == flag]
        if not targets:
            raise ParseError(f"The option '{flag}' has no field in the '{schema.id}' form.")
        if targets[0].type == "checkbox" and targets[0].cli and targets[0].cli.json_path is None:
            found[targets[0].key] = True
            continue
        if value is None:
            if not words:
                raise ParseError(f"The option '{flag}' needs a value.")
            value = words.pop(0)
        if targets[0].cli and targets[0].cli.json_path is not None:
            found.update(_json_values(flag, value, targets))
        else:
            found[targets[0].key] = _typed(targets[0], value)
    return found


def _split_flag(word: str, flags: set[str]) -> tuple[str, str | None]:
    if word.startswith("--") and "=" in word:
        flag, value = word.split("=", 1)
        return flag, value
    if not word.startswith("--") and len(word) > 2 and word[:2] in flags:
        return word[:2], word[2:]  # `-oout.png`, argparse's attached short-option value
    return word, None


def _typed(e: UIElement, text: str) -> Any:
    """A CLI word in the element's type (the form holds numbers, not their text)."""
    if e.type in ("number", "slider") or (e.options and all(isinstance(o, int) for o in e.options)):
        try:
            return int(text) if e.dtype == "int" or e.type not in ("number", "slider") else float(text)
        except ValueError:
            raise ParseError(f"Field '{e.key}' ({e.label}) must be a number, got {text!r}.") from None
    return text


def _json_values(flag: str, text: str, targets: list[UIElement]) -> dict[str, Any]:
    if text.startswith("@"):
        raise ParseError(
            f"The option '{flag}' reads a file ({text}); paste the JSON itself to fill the form."
        )
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise ParseError(f"The option '{flag}' is not valid JSON: {e.msg}.") from None
    by_path = {e.cli.json_path: e for e in targets if e.cli and e.cli.json_path}
    found: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, dict):
            raise ParseError(f"The option '{flag}' must hold a JSON object at '{prefix or 'top level'}'.")
        for key, value in node.items():
            path = f"{prefix}{key}"
            e = by_path.get(path)
            if isinstance(value, dict):
                if e is not None:
                    found[e.key] = True  # an object for an op means "on, with these params"
                walk(value, path + ".")
            elif e is None:
                raise ParseError(f"The option '{flag}' sets '{path}', which no field of the form holds.")
            else:
                found[e.key] = value

    walk(obj, "")
    return found


def _reveal(schema: CommandSchema, found: dict[str, Any]) -> dict[str, Any]:
    # A parsed field hidden behind a form-only switch (`resume_checkpoint` behind `resume`) turns
    # that switch on, so the form shows what the command holds.
    out = dict(found)
    for e in schema.ui_elements:
        if e.key in found and e.visible_if:
            for k, want in e.visible_if.items():
                other = schema.element(k)
                if other is not None and not other.emits and k not in out and not isinstance(want, list):
                    out[k] = want
    return out


def _strip_suffix(schema: CommandSchema, found: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    spec = schema.model_suffix
    assert spec is not None
    name = found.get(spec.target)
    if not isinstance(name, str):
        return found, False
    parts = []
    for key in spec.parts:
        e = schema.element(key)
        parts.append(found.get(key, e.default if e else None))
    suffix = "".join(spec.separator + str(p) for p in parts if p is not None)
    if suffix and name.endswith(suffix) and len(name) > len(suffix):
        return {**found, spec.target: name[: -len(suffix)]}, True
    return found, False
