"""The `run` schema speaks the product's own CLI: its argv is read by the real argparse parser."""

import json
from pathlib import Path

import pytest

from ocr_playground import cli
from ocr_playground.commands.build import build
from ocr_playground.commands.catalog import Catalog, Sources

CATALOG = Catalog(Sources(Path("/nonexistent"), Path("/nonexistent")))


@pytest.mark.parametrize(
    "values",
    [
        {"image": "scan.jpg"},
        {"image": "my scan (1).jpg", "output": "out dir/x.png", "grayscale": True, "timings": True},
        {"image": "-dash.jpg", "output": "-o.png", "blur": True, "blur_kernel": 9},
        {"image": "a.jpg", "pipeline": "rembg", "strength": 0.25},
    ],
)
def test_argparse_reads_what_the_form_holds(values: dict) -> None:
    result = build(CATALOG.get("run"), values)
    assert result.argv[:2] == ["ocr-playground", "run"]
    args = cli.build_parser().parse_args(result.argv[1:])
    assert str(args.image) == values["image"]
    assert str(args.output) == values.get("output", "out.png")
    assert args.pipeline == values.get("pipeline", "preprocessing")
    assert args.timings is values.get("timings", False)
    params = json.loads(args.params) if args.params else {}
    if values.get("blur"):
        assert params["blur"] == {"kernelSize": values["blur_kernel"]}
    if "strength" in values:
        assert params == {"strength": values["strength"]}
