"""From whatever samples a decoded image holds to the pipeline's RGB ``uint8``.

Pillow's ``convert("RGB")`` clips samples wider than 8 bits instead of scaling them: a 16-bit scan
comes out nearly white and a float one nearly black. Here 16-bit samples keep their high byte
(``v >> 8``: what Pillow itself does for 16-bit colour PNGs, and within 1 of ``v / 257``), float
samples are mapped from their stated range (the TIFF SMinSampleValue/SMaxSampleValue tags, else
0–1), and anything whose range cannot be known is refused with a sentence naming the format.
"""

import numpy as np
from PIL import Image

from ocr_playground.imaging.errors import InvalidImage

_SIXTEEN_BIT = ("I;16", "I;16L", "I;16B", "I;16N")
_TIFF_BITS_PER_SAMPLE = 258
_TIFF_SAMPLE_MIN, _TIFF_SAMPLE_MAX = 340, 341  # SMinSampleValue, SMaxSampleValue
_WITH_ALPHA = ("RGBA", "LA", "PA", "RGBa", "La")


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(gray[:, :, None], 3, axis=2)


def _describe(image: Image.Image) -> str:
    return f"{image.format or 'image'} with Pillow mode {image.mode}"


def _tag(image: Image.Image, tag: int) -> float | None:
    tags = getattr(image, "tag_v2", None)
    value = tags.get(tag) if tags is not None else None
    if isinstance(value, tuple):
        value = value[0] if value else None
    return float(value) if isinstance(value, int | float) else None


def _sixteen_bit(samples: np.ndarray) -> np.ndarray:
    return (samples.astype(np.uint16) >> 8).astype(np.uint8)


def _integer_32(image: Image.Image) -> np.ndarray:
    """Mode I: a 16-bit PNG in older Pillow, or a TIFF whose BitsPerSample says 16 (else refused)."""
    samples = np.asarray(image)
    sixteen = image.format == "PNG" or _tag(image, _TIFF_BITS_PER_SAMPLE) == 16
    if sixteen and samples.min(initial=0) >= 0 and samples.max(initial=0) <= 0xFFFF:
        return _sixteen_bit(samples)
    raise InvalidImage(
        f"The image ({_describe(image)}) has 32-bit integer samples, whose range is unknown; "
        "save it with 8- or 16-bit samples."
    )


def _floating(image: Image.Image) -> np.ndarray:
    samples = np.asarray(image, dtype=np.float32)
    if not np.isfinite(samples).all():
        raise InvalidImage(f"The image ({_describe(image)}) has NaN or infinite float samples.")
    low, high = _tag(image, _TIFF_SAMPLE_MIN), _tag(image, _TIFF_SAMPLE_MAX)
    if low is None or high is None or high <= low:
        low, high = 0.0, 1.0
        if samples.min(initial=0) < 0 or samples.max(initial=0) > 1:
            raise InvalidImage(
                f"The image ({_describe(image)}) has float samples outside 0–1 "
                f"({samples.min():.4g} to {samples.max():.4g}) and no SMinSampleValue/SMaxSampleValue "
                "tags to say their range; save it with 8- or 16-bit samples."
            )
    scaled = (np.clip(samples, low, high) - low) * (255.0 / (high - low))
    return np.rint(scaled).astype(np.uint8)


def to_rgb8(image: Image.Image) -> np.ndarray:
    """The loaded image as H×W×3 RGB ``uint8``; transparency is flattened onto white paper."""
    mode = image.mode
    if mode in _SIXTEEN_BIT:
        return _gray_to_rgb(_sixteen_bit(np.asarray(image)))
    if mode == "I":
        return _gray_to_rgb(_integer_32(image))
    if mode == "F":
        return _gray_to_rgb(_floating(image))
    if mode not in Image.MODES:
        raise InvalidImage(f"The image ({_describe(image)}) uses a sample format that is not supported.")
    if mode in _WITH_ALPHA or (mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    return np.asarray(image.convert("RGB"))
