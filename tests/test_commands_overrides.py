"""Values survive the whole trip: form -> Hydra override -> POSIX line -> shell words -> Hydra.

The reference readers are the real ones: ``shlex.split`` for the shell, hydra-core's OverridesParser
for the grammar and OmegaConf for interpolation escapes.
"""

import json
import math
import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from ocr_playground.commands import hydra_check
from ocr_playground.commands.build import FieldError, build
from ocr_playground.commands.overrides import escape_interpolation, format_override, format_value
from ocr_playground.commands.quoting import posix_join, posix_quote, powershell_quote
from ocr_playground.commands.schema import CommandSchema

# Text that stresses both the shell and Hydra's grammar, mixed with arbitrary unicode.
TRICKY = [
    "'",
    '"',
    "$",
    "`",
    " ",
    ",",
    "=",
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    ":",
    "\\",
    "~",
    "+",
    "${",
    "#",
    "!",
    "*",
    "?",
    "%",
    "@",
    "\t",
    "\n",
    "é",
    "日本",
    "\u2019",
    "true",
    "1e3",
    "null",
    "nan",
]
texts = st.one_of(
    st.sampled_from(
        [
            "true",
            "False",
            "1e3",
            "null",
            "NULL",
            "inf",
            "-inf",
            "nan",
            "1_000",
            "0x10",
            "",
            "???x",
            "'",
            '"',
            "\\",
            "a\\",
            "\\'",
            "${x}",
            "\\${x}",
            "$${x}",
            "a=b",
            "[1,2]",
            "choice(a,b)",
            "a,b",
            " lead",
            "trail ",
            "exp-01",
            "é",
        ]
    ),
    st.lists(st.one_of(st.sampled_from(TRICKY), st.text(min_size=1, max_size=3)), max_size=8).map("".join),
    st.text(max_size=30),
).filter(lambda s: "\x00" not in s and s != "???")


def _schema(element: dict) -> CommandSchema:
    return CommandSchema.model_validate(
        {
            "id": "prop",
            "label": "prop",
            "script": "train.py",
            "hydra": {"config_name": "train"},
            "ui_elements": [element],
        }
    )


TEXT_SCHEMA = _schema(
    {
        "key": "name",
        "type": "text_input",
        "label": "Name",
        "default": "x-default",
        "hydra_override": "exp.name",
    }
)


def _through_shell_and_hydra(command: str) -> object:
    words = shlex.split(command)
    assert words[:2] == ["python", "train.py"] and len(words) == 3
    return hydra_check.config_value(hydra_check.parse_override(words[2]).value())


@settings(max_examples=300, deadline=None)
@given(texts)
def test_text_comes_back_exactly(value: str) -> None:
    if value == "x-default":
        return
    result = build(TEXT_SCHEMA, {"name": value})
    got = _through_shell_and_hydra(result.command)
    assert type(got) is str and got == value


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False)))
def test_numbers_come_back_with_their_type(value: float) -> None:
    dtype = "int" if isinstance(value, int) else "float"
    schema = _schema(
        {
            "key": "n",
            "type": "number",
            "label": "N",
            "default": None,
            "dtype": dtype,
            "hydra_override": "trainer.n",
        }
    )
    got = _through_shell_and_hydra(build(schema, {"n": value}).command)
    assert type(got) is type(value) and (got == value or (math.isnan(got) and math.isnan(value)))


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, min_size=0, max_size=5, unique=True))
def test_lists_of_text_come_back_exactly(items: list[str]) -> None:
    schema = _schema(
        {
            "key": "tags",
            "type": "multiselect",
            "label": "Tags",
            "default": None,
            "hydra_override": "tags",
            "hydra_mode": "add",
            "options": items or ["unused"],
        }
    )
    command = build(schema, {"tags": items}).command
    words = shlex.split(command)
    assert words[2].startswith("+tags=")
    assert _through_shell_and_hydra(command) == items


@given(texts)
@settings(max_examples=200, deadline=None)
def test_interpolation_escape_is_read_back_by_omegaconf(value: str) -> None:
    assert OmegaConf.create({"v": escape_interpolation(value)}).v == value


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("dbnet", "dbnet"),
        ("model/x.y-1", "model/x.y-1"),
        ("true", "'true'"),
        ("1e3", "'1e3'"),
        ("null", "'null'"),
        ("NaN", "'NaN'"),
        ("a b", "'a b'"),
        ("it's", '"it\'s"'),
        ("", "''"),
        (True, "true"),
        (None, "null"),
        (5, "5"),
        (5.0, "5.0"),
        (1e-05, "1e-05"),
        (["a", 1], "[a,1]"),
    ],
)
def test_bare_only_when_unambiguous(value: object, written: str) -> None:
    assert format_value(value) == written


def test_modes() -> None:
    assert format_override("tags", ["a"], "add") == "+tags=[a]"
    assert format_override("k", 1, "force_add") == "++k=1"
    assert format_override("callbacks.early_stopping", None, "delete") == "~callbacks.early_stopping"


def test_interpolation_can_be_allowed_per_field() -> None:
    schema = _schema(
        {
            "key": "name",
            "type": "text_input",
            "label": "Name",
            "default": None,
            "hydra_override": "exp_name",
            "allow_interpolation": True,
        }
    )
    assert build(schema, {"name": "${now:%Y}"}).overrides == ["exp_name='${now:%Y}'"]
    assert build(TEXT_SCHEMA, {"name": "${now:%Y}"}).overrides == ["exp.name='\\${now:%Y}'"]


def test_values_no_argv_or_omegaconf_can_carry_are_refused() -> None:
    for bad in ("a\x00b", "???"):
        with pytest.raises(FieldError) as info:
            build(TEXT_SCHEMA, {"name": bad})
        assert info.value.field == "name"


@settings(max_examples=200, deadline=None)
@given(st.lists(texts, max_size=4))
def test_posix_join_round_trips_through_shlex(argv: list[str]) -> None:
    assert shlex.split(posix_join(argv)) == argv


def test_posix_prefers_readable_quotes() -> None:
    assert posix_join(["exp_name='a b'"]) == "\"exp_name='a b'\""
    assert posix_join(["~cb.x"]) == "'~cb.x'"  # a bare ~ would be tilde-expanded
    assert posix_join(["a'$b"]) == shlex.quote("a'$b")


def _powershell_unquote(word: str) -> str:
    # PowerShell single-quoted literal: any of the four single-quote characters, doubled, is one.
    if not word.startswith("'"):
        return word
    body, out, i = word[1:-1], [], 0
    while i < len(body):
        out.append(body[i])
        i += 2 if body[i] in "'\u2018\u2019\u201a\u201b" else 1
    return "".join(out)


@settings(max_examples=200, deadline=None)
@given(texts)
def test_powershell_literals_round_trip(value: str) -> None:
    word = powershell_quote(value)
    assert _powershell_unquote(word) == value
    if word.startswith("'"):
        inner = word[1:-1]
        # Every quote character inside is doubled, so none can end the literal early.
        assert all(len(run) % 2 == 0 for run in _quote_runs(inner))


def _quote_runs(text: str) -> list[str]:
    runs, cur = [], ""
    for c in text:
        if c in "'\u2018\u2019\u201a\u201b":
            cur += c
        elif cur:
            runs.append(cur)
            cur = ""
    return [*runs, cur] if cur else runs


def test_quoting_matches_the_golden_vectors_the_browser_is_held_to() -> None:
    golden = json.loads((Path(__file__).parent / "data" / "quoting-vectors.json").read_text())
    for v in golden["vectors"]:
        assert (posix_quote(v["arg"]), powershell_quote(v["arg"])) == (v["posix"], v["powershell"]), v
        assert shlex.split(posix_quote(v["arg"])) == [v["arg"]]
