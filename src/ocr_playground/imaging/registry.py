"""The op registry: data, not a chain of ifs. Each op module exports ``OP``; this maps names to them."""

from ocr_playground.imaging.ops import (
    autocontrast,
    background_removal,
    binarize,
    blur,
    crop_document,
    grayscale,
    resize,
)
from ocr_playground.imaging.ops.base import Op

OPS: dict[str, Op] = {
    module.OP.name: module.OP
    for module in (
        resize,
        crop_document,
        background_removal,
        grayscale,
        autocontrast,
        blur,
        binarize,
    )
}

ALIASES: dict[str, str] = {alias: op.name for op in OPS.values() for alias in op.aliases}


def canonical_name(name: str) -> str | None:
    """The op's own name for ``name`` (itself or an alias), or None when no op answers to it."""
    if name in OPS:
        return name
    return ALIASES.get(name)
