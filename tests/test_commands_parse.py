"""Paste a command, get the form back: parse(build(values)) builds the very same command."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocr_playground.commands.build import build
from ocr_playground.commands.catalog import Catalog, Sources
from ocr_playground.commands.parse import ParseError, parse_command
from test_commands_overrides import texts

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "dbnet_project"
CATALOG = Catalog(Sources(Path("/nonexistent/ckpt"), Path("/nonexistent/data"), PROJECT))
TRAIN = CATALOG.get("train")
RUN = CATALOG.get("run")

# The tricky text of the override tests (quotes, `${`, keywords, unicode), never empty here.
text = st.one_of(texts, st.text(max_size=20)).filter(lambda s: s and "\x00" not in s and s != "???")


def _options(schema, key):
    return st.sampled_from(schema.element(key).options)


train_values = st.fixed_dictionaries(
    {},
    optional={
        "exp_name": text,
        "architecture": _options(TRAIN, "architecture"),
        "encoder": _options(TRAIN, "encoder"),
        "decoder": _options(TRAIN, "decoder"),
        "optimizer": _options(TRAIN, "optimizer"),
        "learning_rate": st.floats(1e-7, 1.0),
        "max_epochs": st.integers(1, 500),
        "batch_size": _options(TRAIN, "batch_size"),
        "dataset": _options(TRAIN, "dataset"),
        "wandb": st.booleans(),
        "tags": st.lists(_options(TRAIN, "tags"), unique=True),
        "disable_early_stopping": st.booleans(),
        "resume": st.booleans(),
        "resume_checkpoint": text,
    },
)


@settings(max_examples=60, deadline=None)
@given(train_values, st.booleans(), st.booleans())
def test_train_round_trip(values: dict, suffix: bool, only_changed: bool) -> None:
    if values.get("resume") and "resume_checkpoint" not in values:
        values["resume_checkpoint"] = "/ckpt/last.ckpt"
    built = build(TRAIN, values, append_model_suffix=suffix, only_changed=only_changed)
    parsed = parse_command(TRAIN, built.command)
    again = build(
        TRAIN, parsed.values, append_model_suffix=parsed.append_model_suffix, only_changed=only_changed
    )
    assert again.command == built.command
    for key in built.emitted:
        if key != "exp_name":
            assert parsed.values[key] == built.values[key], key


run_values = st.fixed_dictionaries(
    {"image": text},
    optional={
        "pipeline": _options(RUN, "pipeline"),
        "output": text.map(lambda s: s + ".png"),
        "grayscale": st.booleans(),
        "blur": st.booleans(),
        "blur_kernel": st.integers(1, 15).map(lambda k: 2 * k + 1),
        "autocontrast": st.booleans(),
        "autocontrast_cutoff": st.floats(0, 49),
        "binarize": st.booleans(),
        "binarize_method": _options(RUN, "binarize_method"),
        "strength": st.floats(0, 1),
        "timings": st.booleans(),
    },
)


@settings(max_examples=60, deadline=None)
@given(run_values)
def test_run_round_trip(values: dict) -> None:
    built = build(RUN, values)
    parsed = parse_command(RUN, built.command)
    assert build(RUN, parsed.values).command == built.command


def test_parse_accepts_real_world_spellings() -> None:
    line = "/usr/bin/python3 ./train.py 'exp_name=x y' model/architectures=craft optimizer.lr=1 +tags=[debug]"
    parsed = parse_command(TRAIN, line)
    assert parsed.values["exp_name"] == "x y"
    assert parsed.values["architecture"] == "craft"
    assert parsed.values["learning_rate"] == 1.0 and isinstance(parsed.values["learning_rate"], float)
    assert parsed.values["tags"] == ["debug"]
    assert parse_command(TRAIN, "python train.py ckpt_path=/a.ckpt").values["resume"] is True
    run = parse_command(
        RUN,
        'ocr-playground run a.jpg --output=x.png --params=\'{"blur":{"kernelSize":3}}\''.replace(
            "--output", "-o"
        ).replace("-o=", "-o"),
    )
    assert run.values["blur"] is True and run.values["blur_kernel"] == 3


@pytest.mark.parametrize(
    ("schema", "line", "words"),
    [
        (TRAIN, "python train.py trainer.precision=16", "'trainer.precision'"),
        (TRAIN, "python train.py exp_name=123", "'exp_name'"),
        (TRAIN, "python train.py model/architectures=yolo", "'architecture'"),
        (TRAIN, "python train.py 'exp_name=unclosed", "not a valid POSIX"),
        (TRAIN, "python other.py", "does not run"),
        (TRAIN, "python train.py 'exp_name=[a'", "cannot parse"),
        (TRAIN, "python train.py 'exp_name=${now:%Y}'", "interpolation"),
        (TRAIN, "python train.py 'exp_name=\"${oops\"'", "interpolation"),
        (TRAIN, "python train.py 'exp_name=\"a${oc.env:HOME}\"'", "interpolation"),
        (TRAIN, "python train.py 'exp_name=a,b'", "'exp_name'"),
        (RUN, "ocr-playground run a.jpg --params @p.json", "reads a file"),
        (RUN, "ocr-playground run a.jpg --params '{\"sharpen\":true}'", "'sharpen'"),
        (RUN, "ocr-playground run a.jpg --bogus", "'--bogus'"),
    ],
)
def test_parse_refuses_what_the_form_cannot_hold(schema, line: str, words: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_command(schema, line)
    assert words in str(info.value)
