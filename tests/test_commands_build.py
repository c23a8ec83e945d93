"""Form semantics: defaults, visibility, rules, only-changed emission, suffix, CLI flags and JSON."""

import contextlib
import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omegaconf import OmegaConf

from ocr_playground.commands import hydra_check
from ocr_playground.commands.build import FieldError, build
from ocr_playground.commands.catalog import Catalog, Sources, load_schema_file, packaged_schema_dir
from ocr_playground.commands.parse import ParseError, parse_command
from ocr_playground.commands.recommendations import recommendations
from ocr_playground.commands.schema import CommandSchema

PROJECT = Path(__file__).resolve().parents[1] / "examples" / "dbnet_project"
CATALOG = Catalog(Sources(Path("/nonexistent"), Path("/nonexistent"), PROJECT))


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("roots")
    return Catalog(Sources(root / "checkpoints", root / "data", PROJECT))


def field_error(schema: CommandSchema, values: dict, **kw: object) -> FieldError:
    with pytest.raises(FieldError) as info:
        build(schema, values, **kw)
    return info.value


def test_every_packaged_schema_loads_and_builds_its_defaults(catalog: Catalog) -> None:
    for path in packaged_schema_dir().glob("*.yaml"):
        if path.name != "recommendations.yaml":
            load_schema_file(path)
    ids = {s.id for s in catalog.summaries()}
    assert {"train", "test", "predict", "run"} <= ids
    for schema_id in ids:  # every default is a value its field accepts (a missing required one aside)
        build(catalog.get(schema_id), {}, allow_invalid=True, project_dir=PROJECT)


def test_a_broken_user_schema_is_skipped_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("id: bad\nlabel: x\nscript: x.py\nui_elements: [{key: 1}]\n")
    (tmp_path / "worse.yaml").write_text(
        "id: worse\nlabel: x\nscript: x.py\nhydra: {config_name: x}\nconstant_overrides: ['a=[']\n"
        "ui_elements: []\n"
    )
    (tmp_path / "mine.yaml").write_text("id: mine\nlabel: Mine\nscript: mine.py\nui_elements: []\n")
    catalog = Catalog(Sources(tmp_path, tmp_path), extra_dir=tmp_path)
    ids = {s.id for s in catalog.summaries()}
    assert "mine" in ids and "train" in ids and not {"bad", "worse"} & ids


def test_a_user_schema_deleted_from_the_folder_is_gone_without_a_restart(tmp_path: Path) -> None:
    for name in ("older", "newer"):
        (tmp_path / f"{name}.yaml").write_text(f"id: {name}\nlabel: x\nscript: x.py\nui_elements: []\n")
    old = tmp_path / "older.yaml"
    os.utime(old, (1000.0, 1000.0))  # the newest mtime stays the same when it goes
    assert {"older", "newer"} <= {
        s.id for s in Catalog(Sources(tmp_path, tmp_path), extra_dir=tmp_path).summaries()
    }
    old.unlink()
    assert "older" not in {s.id for s in Catalog(Sources(tmp_path, tmp_path), extra_dir=tmp_path).summaries()}


def test_schema_defaults_match_the_project_config(catalog: Catalog) -> None:
    # An unchanged field emits nothing, so its default must be what the project composes to.
    for schema_id in ("train", "test", "predict"):
        schema = catalog.get(schema_id)
        with hydra_check._compose_lock:
            from hydra import compose, initialize_config_dir

            with initialize_config_dir(config_dir=str(PROJECT / "configs"), version_base="1.3"):
                cfg = compose(config_name=schema.hydra.config_name, return_hydra_config=True)
        choices = cfg.hydra.runtime.choices
        for e in schema.ui_elements:
            if e.hydra_override is None or e.hydra_mode != "set":
                continue
            if e.hydra_override in choices:
                assert choices[e.hydra_override] == e.default, (schema_id, e.key)
            else:
                node = OmegaConf.select(cfg, e.hydra_override, throw_on_missing=False)
                assert node == e.default, (schema_id, e.key)


def test_group_options_come_from_the_project(catalog: Catalog) -> None:
    arch = catalog.get("train").element("architecture")
    assert arch.options == ["craft", "dbnet", "dbnetpp"]


def test_only_changed_values_are_emitted(catalog: Catalog) -> None:
    schema = catalog.get("train")
    assert build(schema, {"max_epochs": 50, "learning_rate": 0.001}).overrides == []
    assert build(schema, {"max_epochs": 60}).overrides == ["trainer.max_epochs=60"]
    every = build(schema, {}, only_changed=False, project_dir=PROJECT).overrides
    assert "trainer.max_epochs=50" in every and "model/architectures=dbnet" in every
    assert not any(o.startswith("ckpt_path") for o in every)  # hidden: resume is off


def test_hidden_fields_never_emit_and_are_not_validated(catalog: Catalog) -> None:
    schema = catalog.get("train")
    r = build(schema, {"resume": False, "resume_checkpoint": "/x.ckpt"})
    assert r.overrides == []
    assert field_error(schema, {"resume": True}).field == "resume_checkpoint"
    assert build(schema, {"resume": True, "resume_checkpoint": "/x.ckpt"}).overrides == ["ckpt_path=/x.ckpt"]


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"learning_rate": "0.1"}, "learning_rate", "must be a number"),
        ({"max_epochs": 2.5}, "max_epochs", "whole number"),
        ({"wandb": "yes"}, "wandb", "true or false"),
        ({"exp_name": 3}, "exp_name", "must be text"),
        ({"tags": "debug"}, "tags", "must be a list"),
        ({"architecture": "yolo"}, "architecture", "no option 'yolo'"),
        ({"tags": ["debug", "nope"]}, "tags", "no option 'nope'"),
        ({"batch_size": "8"}, "batch_size", "no option '8'"),
        ({"max_epochs": 0}, "max_epochs", "at least 1"),
        ({"learning_rate": 2.0}, "learning_rate", "at most 1"),
        ({"exp_name": ""}, "exp_name", "required"),
        ({"nope": 1}, "nope", "not part of"),
    ],
)
def test_bad_values_name_their_field(catalog: Catalog, values: dict, field: str, words: str) -> None:
    err = field_error(catalog.get("train"), values)
    assert err.field == field and field in str(err) and words in str(err)


def test_pattern_and_min_length(catalog: Catalog) -> None:
    err = field_error(catalog.get("run"), {"image": "a.jpg", "output": "out.jpg"})
    assert err.field == "output" and "pattern" in str(err)


def test_allow_invalid_reports_instead_of_refusing(catalog: Catalog) -> None:
    r = build(catalog.get("train"), {"max_epochs": 0}, allow_invalid=True)
    assert r.invalid_field == "max_epochs" and "at least 1" in (r.validation_error or "")
    assert r.overrides == ["trainer.max_epochs=0"]
    # A value of the wrong type is never "allowed": there is no command to show for it.
    assert field_error(catalog.get("train"), {"max_epochs": "x"}, allow_invalid=True).field == "max_epochs"


def test_model_suffix_is_appended_once(catalog: Catalog) -> None:
    schema = catalog.get("train")
    r = build(schema, {"architecture": "craft"}, append_model_suffix=True)
    assert "exp_name=ocr_training-craft-resnet18" in r.overrides
    again = build(
        schema, {"exp_name": "ocr_training-craft-resnet18", "architecture": "craft"}, append_model_suffix=True
    )
    assert again.overrides == r.overrides


def test_add_and_delete_modes(catalog: Catalog) -> None:
    r = build(catalog.get("train"), {"tags": ["debug"], "disable_early_stopping": True})
    assert r.overrides == ["+tags=[debug]", "~callbacks.early_stopping"]
    assert r.constant_overrides == ["trainer.deterministic=true"]
    assert r.argv[:3] == ["python", "train.py", "trainer.deterministic=true"]


def test_compose_reports_an_unknown_key_by_field(tmp_path: Path) -> None:
    # A schema written for another project: Hydra's compose names the key, the error names the field.
    (tmp_path / "configs").mkdir()
    (tmp_path / "configs" / "train.yaml").write_text("lr: 0.1\n")
    schema = CommandSchema.model_validate(
        {
            "id": "other",
            "label": "other",
            "script": "train.py",
            "hydra": {"config_name": "train"},
            "ui_elements": [
                {"key": "lr", "type": "number", "label": "LR", "default": 0.1, "hydra_override": "lr"},
                {
                    "key": "epochs",
                    "type": "number",
                    "label": "Epochs",
                    "default": 1,
                    "hydra_override": "trainer.epochs",
                },
                {
                    "key": "arch",
                    "type": "selectbox",
                    "label": "Arch",
                    "default": "a",
                    "options": ["a", "b"],
                    "hydra_override": "model/arch",
                },
            ],
        }
    )
    assert build(schema, {"lr": 0.2}, project_dir=tmp_path).overrides == ["lr=0.2"]
    err = field_error(schema, {"epochs": 3}, project_dir=tmp_path)
    assert err.field == "epochs" and "trainer.epochs" in str(err)
    err = field_error(schema, {"arch": "b"}, project_dir=tmp_path)
    assert err.field == "arch" and "model/arch" in str(err)


def test_run_schema_builds_cli_flags_and_one_params_json(catalog: Catalog) -> None:
    schema = catalog.get("run")
    r = build(
        schema,
        {
            "image": "scan 1.jpg",
            "output": "o.png",
            "grayscale": True,
            "blur": True,
            "blur_kernel": 7,
            "binarize": True,
            "timings": True,
        },
    )
    assert r.argv[:5] == ["ocr-playground", "run", "scan 1.jpg", "-o", "o.png"]
    params = json.loads(r.argv[r.argv.index("--params") + 1])
    assert params == {"grayscale": True, "blur": {"kernelSize": 7}, "binarize": True}
    assert r.argv[-1] == "--timings"
    # Untouched op settings and switched-off ops leave no trace; a hidden op's params neither.
    bare = build(schema, {"image": "a.jpg", "blur_kernel": 9})
    assert bare.argv == ["ocr-playground", "run", "a.jpg", "-o", "out.png"]
    rembg = build(schema, {"image": "a.jpg", "pipeline": "rembg", "grayscale": True, "strength": 0.5})
    assert rembg.argv[3:] == ["--pipeline", "rembg", "-o", "out.png", "--params", '{"strength":0.5}']


def test_cli_values_that_look_like_options_stay_values(catalog: Catalog) -> None:
    r = build(catalog.get("run"), {"image": "-scan.jpg", "output": "-o.png"})
    assert r.argv == ["ocr-playground", "run", "-o-o.png", "--", "-scan.jpg"]


def test_every_recommendation_builds(catalog: Catalog) -> None:
    recs = recommendations()
    assert recs
    # A preset fills what it is about; a run preset leaves the image to the user.
    needed = {"run": {"image": "receipt.jpg"}}
    for rec in recs:
        build(
            catalog.get(rec.schema_id),
            {**needed.get(rec.schema_id, {}), **rec.values},
            append_model_suffix=rec.append_model_suffix,
            project_dir=PROJECT,
        )


def test_recommendations_filter_by_architecture() -> None:
    dbnet = recommendations(architecture="dbnet")
    assert dbnet and all(r.architecture in (None, "dbnet") for r in dbnet)
    assert any(r.architecture == "dbnetpp" for r in recommendations())
    assert not any(r.architecture == "dbnetpp" for r in dbnet)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["train", "run", "test"]), st.data())
def test_any_json_is_a_command_or_a_field_error(schema_id: str, data: st.DataObject) -> None:
    # The API's promise in miniature: whatever the SPA sends, a result or a FieldError, never a crash.
    schema = CATALOG.get(schema_id)
    keys = st.sampled_from([e.key for e in schema.ui_elements] + ["unknown"])
    values = data.draw(st.dictionaries(keys, json_values, max_size=4))
    try:
        build(
            schema,
            values,
            append_model_suffix=data.draw(st.booleans()),
            allow_invalid=data.draw(st.booleans()),
        )
    except FieldError as e:
        assert e.field in values or e.field in {el.key for el in schema.ui_elements}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["train", "run"]), st.text(max_size=60))
def test_any_pasted_text_parses_or_is_a_parse_error(schema_id: str, tail: str) -> None:
    schema = CATALOG.get(schema_id)
    with contextlib.suppress(ParseError):
        parse_command(schema, " ".join(schema.argv) + " " + tail)
