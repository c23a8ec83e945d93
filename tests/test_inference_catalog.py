"""The checkpoint catalog and checkpoint resolution, without a server."""

import os
from pathlib import Path

import pytest

from ocr_playground.artifacts import PathOutsideRoot
from ocr_playground.inference import catalog
from ocr_playground.inference.errors import CheckpointNotFound, CheckpointNotLoadable

from onnx_models import dark_text_detector


@pytest.fixture
def root(tmp_path: Path) -> Path:
    ckpt = tmp_path / "ckpt"
    dark_text_detector(ckpt / "a" / "good.onnx")
    dark_text_detector(ckpt / "bad_sidecar.onnx")
    (ckpt / "bad_sidecar.json").write_text("{not json")
    for name in ("last.ckpt", "model.pth", "weights.pt"):
        (ckpt / name).write_bytes(b"\x80\x04")
    dark_text_detector(tmp_path / "outside.onnx")
    os.symlink(tmp_path / "outside.onnx", ckpt / "link.onnx")
    return ckpt


def test_listing(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalog, "BUILTINS", {})
    entries = {e.checkpoint_path: e for e in catalog.list_checkpoints(root)}
    assert set(entries) == {"a/good.onnx", "bad_sidecar.onnx", "last.ckpt", "model.pth", "weights.pt"}
    assert entries["a/good.onnx"].status == "ready" and entries["a/good.onnx"].profile.name == "dbnet"
    assert entries["bad_sidecar.onnx"].status == "not_loadable"
    assert "not readable JSON" in entries["bad_sidecar.onnx"].reason
    assert all(
        entries[n].format == "training" and "ONNX" in entries[n].reason for n in ("last.ckpt", "model.pth")
    )
    assert catalog.list_checkpoints(root / "missing") == []


def test_names_that_are_not_utf8_are_skipped(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No request could name them and a JSON answer could not carry them, as in the image listing.
    monkeypatch.setattr(catalog, "BUILTINS", {})
    monkeypatch.setattr(catalog, "BUILTIN_RECOGNIZERS", {})
    raw = os.fsencode(root)
    dark_text_detector(Path(os.fsdecode(raw + b"/bad\xffrec.onnx")))
    dark_text_detector(Path(os.fsdecode(raw + b"/sub\xfe/rec.onnx")))
    dark_text_detector(root / "good_rec.onnx")
    listed = {e.checkpoint_path for e in catalog.list_checkpoints(root)}
    assert listed == {
        "a/good.onnx",
        "bad_sidecar.onnx",
        "good_rec.onnx",
        "last.ckpt",
        "model.pth",
        "weights.pt",
    }
    assert [e.recognizer_path for e in catalog.list_recognizers(root)] == ["good_rec.onnx"]


def test_builtin_is_listed_first_when_installed(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = root / "a" / "good.onnx"
    monkeypatch.setattr(catalog, "BUILTINS", {catalog.DEMO_CHECKPOINT: ("Demo", lambda: fake)})
    first = catalog.list_checkpoints(root)[0]
    assert (first.checkpoint_path, first.display_name, first.status) == (
        catalog.DEMO_CHECKPOINT,
        "Demo",
        "ready",
    )
    assert catalog.resolve_checkpoint(root, catalog.DEMO_CHECKPOINT) == fake
    monkeypatch.setattr(catalog, "BUILTINS", {catalog.DEMO_CHECKPOINT: ("Demo", lambda: None)})
    with pytest.raises(CheckpointNotFound, match="uv sync --extra demo"):
        catalog.resolve_checkpoint(root, catalog.DEMO_CHECKPOINT)


def test_resolution_refuses_what_it_must(root: Path) -> None:
    assert catalog.resolve_checkpoint(root, "a/good.onnx") == (root / "a" / "good.onnx").resolve()
    assert catalog.resolve_checkpoint(root, str(root / "a" / "good.onnx")).name == "good.onnx"
    for path, error in [
        ("link.onnx", PathOutsideRoot),
        ("../outside.onnx", PathOutsideRoot),
        ("a/../../outside.onnx", PathOutsideRoot),
        ("weights.pt", CheckpointNotLoadable),
        ("last.ckpt", CheckpointNotLoadable),
        ("bad_sidecar.json", CheckpointNotLoadable),
        ("nope.onnx", CheckpointNotFound),
        ("", CheckpointNotFound),
        ("builtin:unknown", CheckpointNotFound),
    ]:
        with pytest.raises(error):
            catalog.resolve_checkpoint(root, path)


def test_local_resolution_for_the_command_line(root: Path, tmp_path: Path) -> None:
    assert catalog.resolve_local_checkpoint(str(tmp_path / "outside.onnx")).name == "outside.onnx"
    with pytest.raises(CheckpointNotLoadable, match="torch.onnx.export"):
        catalog.resolve_local_checkpoint(str(root / "model.pth"))
