"""Decoding and encoding images, with the pixel limit checked from the header before any decoding.

``decode_image`` is the one decode path of every route, job and command: every image enters the
pipeline as RGB ``uint8`` (H×W×3) with its EXIF orientation applied, so a phone photo is upright
in the preview, on the server and in a batch run alike, and a file is accepted or refused the same
way everywhere (``completeness`` holds the verdict, ``samples`` the conversion to 8 bits).

The usual upload, an RGB or grey JPEG, is decoded by libjpeg-turbo through ``simplejpeg``: the
same pixels as Pillow (both run libjpeg's defaults; the tests hold them to it, orientation
included) in about half the time, and strictly, so a truncated file is refused, not filled grey.
"""

import io
import warnings
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ocr_playground.artifacts import NotARegularFile, read_regular_file
from ocr_playground.imaging.completeness import JPEG_SOI, check_complete, decode_jpeg
from ocr_playground.imaging.errors import ImageTooLarge, InvalidImage
from ocr_playground.imaging.formats import FORMATS
from ocr_playground.imaging.samples import to_rgb8

MAX_PIXELS = 50_000_000
PNG_FAST_COMPRESSION = 1

# Pillow's own bomb guard would fire on a different number and with a different error; ours runs
# first and says what the limit is.
Image.MAX_IMAGE_PIXELS = None


def _open(data: bytes) -> Image.Image:
    if not data:
        raise InvalidImage("The image is empty (0 bytes).")
    try:
        with warnings.catch_warnings():  # a damaged TIFF's tags warn by the dozen; errors still raise
            warnings.simplefilter("ignore")
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except UnidentifiedImageError:
        raise InvalidImage(
            "The data is not an image in a supported format (JPEG, PNG, WebP, TIFF or BMP)."
        ) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise InvalidImage(f"The image header cannot be read: {exc}.") from None
    return image


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise InvalidImage(f"The image header gives an empty size ({width}×{height}).")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"The image is {width}×{height} = {width * height / 1e6:.1f} megapixels, over the "
            f"limit of {max_pixels / 1e6:.0f} megapixels."
        )


def probe_size(data: bytes, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """Width and height from the header alone; refuses an image over ``max_pixels``."""
    image = _open(data)
    _check_pixels(*image.size, max_pixels)
    return image.size


# EXIF orientation -> the numpy view that shows the image upright (Pillow's exif_transpose table).
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1],
    5: lambda a: a.transpose(1, 0, 2),
    6: lambda a: np.rot90(a, 3),
    7: lambda a: a[::-1, ::-1].transpose(1, 0, 2),
    8: lambda a: np.rot90(a, 1),
}


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(0x0112, 1))
    except (OSError, ValueError, SyntaxError, TypeError):  # damaged EXIF: shown as stored
        return 1


def decode_image(data: bytes, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """Decode to upright RGB ``uint8``. Transparent images are flattened onto white paper; samples
    wider than 8 bits are scaled (or refused when their range is unknown)."""
    image = _open(data)
    _check_pixels(*image.size, max_pixels)
    if image.format == "JPEG" and image.mode in ("RGB", "L") and data.startswith(JPEG_SOI):
        pixels = decode_jpeg(data)
        if pixels is not None:
            turn = _ORIENT.get(_orientation(image))
            return pixels if turn is None else np.ascontiguousarray(turn(pixels))
    else:  # a CMYK JPEG's verdict comes from libjpeg too; Pillow converts its pixels
        check_complete(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            image.load()
            image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as exc:
        raise InvalidImage(f"The image data is corrupt or truncated: {exc}.") from None
    return to_rgb8(image)


# Far above any image under the pixel limit (a 50 MP 8-bit RGB TIFF is 150 MB), far below memory.
MAX_FILE_BYTES = 512 * 1024 * 1024


def read_image(path: str | Path, max_pixels: int = MAX_PIXELS) -> np.ndarray:
    """``decode_image`` of a file; a FIFO, a device or a folder is refused without blocking."""
    try:
        data = read_regular_file(path, MAX_FILE_BYTES)
    except NotARegularFile as exc:
        raise InvalidImage(str(exc)) from None
    return decode_image(data, max_pixels)


def _to_bgr(image: np.ndarray) -> np.ndarray:
    code = cv2.COLOR_RGBA2BGRA if image.shape[2] == 4 else cv2.COLOR_RGB2BGR
    return cv2.cvtColor(image, code)


def encode_png(image: np.ndarray, compress_level: int = PNG_FAST_COMPRESSION) -> bytes:
    """PNG bytes (RGB or RGBA kept); a fast compression level, since previews are short-lived."""
    ok, buf = cv2.imencode(".png", _to_bgr(image), [cv2.IMWRITE_PNG_COMPRESSION, compress_level])
    if not ok:
        raise InvalidImage("The image could not be encoded as PNG.")
    return buf.tobytes()


def encode_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    """JPEG bytes; an alpha channel is dropped (JPEG has none)."""
    ok, buf = cv2.imencode(".jpg", _to_bgr(image[:, :, :3]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise InvalidImage("The image could not be encoded as JPEG.")
    return buf.tobytes()


# For one-channel document images: the "up" filter plus run-length zlib is about 1.7× faster than
# libpng's adaptive filtering at level 1 and makes a smaller file (pages are mostly flat rows).
GRAY_PNG_PARAMS = [
    cv2.IMWRITE_PNG_COMPRESSION, PNG_FAST_COMPRESSION,
    cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_UP,
    cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
]  # fmt: skip


def encode_result(image: np.ndarray) -> bytes:
    """PNG bytes of a result. An RGB image whose channels are equal (after grayscale or binarize,
    the usual OCR chain) is written as a one-channel PNG: every decoder gives back the same RGB
    pixels, and encoding a third of the data takes a fraction of the time and makes a smaller file."""
    if image.ndim == 3 and image.shape[2] == 3:
        red = image[:, :, 0]
        if np.array_equal(red, image[:, :, 1]) and np.array_equal(red, image[:, :, 2]):
            ok, buffer = cv2.imencode(".png", np.ascontiguousarray(red), GRAY_PNG_PARAMS)
            if ok:
                return buffer.tobytes()
    return encode_png(image)
