import numpy as np
import pytest

from ocr_playground.imaging.errors import InvalidParams, UnknownPipeline
from ocr_playground.imaging.ops.blur import BlurParams, blur
from ocr_playground.imaging.ops.grayscale import GrayscaleParams, grayscale
from ocr_playground.imaging.pipeline import describe_pipelines, run_pipeline, server_hint, validate

from images import photo


def test_ops_run_in_the_fixed_order_whatever_the_json_order() -> None:
    image = photo(seed=1)
    params = {"blur": {"kernelSize": 7}, "grayscale": True}
    result = run_pipeline("preprocessing", image, params)
    expected = blur(grayscale(image, GrayscaleParams()), BlurParams(kernel_size=7))
    assert np.array_equal(result.image, expected)
    assert list(result.timings) == ["grayscale", "blur"]
    assert all(ms >= 0 for ms in result.timings.values())


def test_false_and_absent_mean_off() -> None:
    image = photo(seed=2)
    assert np.array_equal(run_pipeline("preprocessing", image, {"blur": False}).image, image)
    assert run_pipeline("preprocessing", image, {}).timings == {}


def test_progress_is_reported_after_each_op() -> None:
    seen: list[tuple[str, float]] = []
    run_pipeline(
        "preprocessing",
        photo(seed=3),
        {"grayscale": True, "blur": True},
        on_progress=lambda op, f: seen.append((op, f)),
    )
    assert seen == [("grayscale", 0.5), ("blur", 1.0)]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"sharpen": True}, ["sharpen"]),
        ({"blur": {"kernelSize": 4}}, ["blur", "kernelSize", "odd"]),
        ({"blur": {"kernelSize": 33}}, ["blur", "kernelSize"]),
        ({"blur": {"sigma": "wide"}}, ["blur", "sigma"]),
        ({"resize": {"maxSide": 4}}, ["resize", "maxSide"]),
        ({"autocontrast": {"cutoff": 60}}, ["autocontrast", "cutoff"]),
        ({"binarize": {"method": "sauvola"}}, ["binarize", "method"]),
        ({"binarize": {"blockSize": 10}}, ["binarize", "blockSize"]),
        ({"grayscale": {"strength": 1}}, ["grayscale", "strength"]),
        ({"blur": 5}, ["blur"]),
        ({"grayscale": "yes"}, ["grayscale"]),
    ],
)
def test_bad_params_name_op_and_field(params: dict, words: list[str]) -> None:
    with pytest.raises(InvalidParams) as info:
        validate("preprocessing", params)
    message = str(info.value)
    assert all(word in message for word in words), message
    assert "\n" not in message


def test_params_must_be_an_object_and_pipeline_must_exist() -> None:
    with pytest.raises(InvalidParams):
        validate("preprocessing", [1, 2])
    with pytest.raises(UnknownPipeline, match="nope"):
        validate("nope", {})


def test_server_hint() -> None:
    assert server_hint({"background_removal": "server"})
    assert server_hint({"rembg": "server"})
    assert not server_hint({"rembg": "client"})
    assert not server_hint(None)


def test_description_lists_every_op_schema_with_camel_case_names() -> None:
    described = describe_pipelines()
    ops = described["ops"]
    preprocessing = next(p for p in described["pipelines"] if p["id"] == "preprocessing")
    assert set(preprocessing["ops"]) <= set(ops)
    assert "maxSide" in ops["resize"]["params_schema"]["properties"]
    assert "kernelSize" in ops["blur"]["params_schema"]["properties"]
    assert "C" in ops["binarize"]["params_schema"]["properties"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"blur": {"kernel_size": 7}}, "kernel_size"),  # the Python name, not the JSON one
        ({"binarize": {"c": 5}}, "c"),
        ({"blur": {"kernelSize": "5"}}, "kernelSize"),  # a number as text
        ({"blur": {"kernelSize": True}}, "kernelSize"),  # a boolean is not a number
        ({"resize": {"maxSide": 1024.5}}, "maxSide"),
        ({"blur": {"sigma": False}}, "sigma"),
    ],
)
def test_params_are_read_as_the_browser_reads_them(params: dict, field: str) -> None:
    # The browser validates the same JSON Schema strictly, by JSON names: Python used to coerce
    # these (and run them) where the browser's kernels would not.
    with pytest.raises(InvalidParams, match=f"field '{field}'"):
        validate("preprocessing", params)


def test_a_whole_float_is_an_integer_as_in_json() -> None:
    # 5.0 and 5 are one JSON number (the browser cannot tell them apart; RFC 8785 hashes both as 5).
    (step,) = validate("preprocessing", {"blur": {"kernelSize": 5.0}})
    assert step.params.kernel_size == 5 and isinstance(step.params.kernel_size, int)


def test_the_contracts_client_fallback_sends_both_names_and_server_wins() -> None:
    # The seed's example params carry "rembg": "client"; its client obligation adds
    # background_removal = "server" for the fallback. That is one op, on, routed to the server.
    params = {"autocontrast": True, "rembg": "client", "background_removal": "server"}
    steps = validate("preprocessing", params)
    assert [s.op.name for s in steps] == ["background_removal", "autocontrast"]
    assert server_hint(params)
    assert not server_hint({"rembg": "client", "background_removal": "client"})
    # A hint beside a params object: the op runs with those params.
    (step,) = validate("preprocessing", {"rembg": {"strength": 0.5}, "background_removal": "server"})
    assert step.params.strength == 0.5
    assert validate("preprocessing", {"rembg": True, "background_removal": True})


@pytest.mark.parametrize(
    "params",
    [
        {"rembg": {"strength": 0.5}, "background_removal": {"strength": 0.9}},
        {"rembg": True, "background_removal": {"strength": 0.9}},
        {"rembg": False, "background_removal": "server"},
    ],
)
def test_two_different_settings_for_one_op_are_refused(params: dict) -> None:
    with pytest.raises(InvalidParams, match="background_removal.*give it once"):
        validate("preprocessing", params)
