import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from ocr_playground.imaging.errors import ImageTooLarge, InvalidImage
from ocr_playground.imaging.io import decode_image, encode_jpeg, encode_png, probe_size, read_image

from images import photo


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header(width: int, height: int) -> bytes:
    """A PNG that announces ``width``×``height`` but carries a few bytes of pixel data: a bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def encode(image: np.ndarray, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format=fmt, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "WEBP"])
def test_lossless_formats_round_trip(fmt: str) -> None:
    image = photo(64, 48, seed=1)
    kw = {"lossless": True} if fmt == "WEBP" else {}
    assert np.array_equal(decode_image(encode(image, fmt, **kw)), image)


def test_jpeg_decodes_close_to_the_original() -> None:
    image = cv2.GaussianBlur(photo(64, 48, seed=2), (5, 5), 0)  # JPEG keeps smooth images well
    decoded = decode_image(encode_jpeg(image, quality=95))
    assert decoded.shape == image.shape and np.abs(decoded.astype(int) - image).mean() < 4


def test_exif_orientation_is_applied() -> None:
    image = photo(60, 40, seed=3)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = encode(image, "JPEG", exif=exif.tobytes(), quality=95)
    decoded = decode_image(data)
    assert decoded.shape == (60, 40, 3)
    assert np.abs(decoded.astype(int) - np.rot90(image, k=-1)).mean() < 8


def test_transparent_png_is_flattened_on_white() -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    assert np.all(decode_image(encode(rgba, "PNG")) == 255)


def test_pixel_limit_is_checked_from_the_header_alone() -> None:
    header = png_header(10_000, 6_000)  # 60 MP, and no pixel data at all
    with pytest.raises(ImageTooLarge, match="60.0 megapixels"):
        probe_size(header)
    with pytest.raises(ImageTooLarge):
        decode_image(header)
    assert probe_size(png_header(100, 50)) == (100, 50)


@pytest.mark.parametrize("data", [b"", b"hello, this is text", b"\x89PNG\r\n\x1a\n garbage"])
def test_not_an_image(data: bytes) -> None:
    with pytest.raises(InvalidImage):
        decode_image(data)


def test_truncated_jpeg_is_refused() -> None:
    data = encode_jpeg(photo(200, 150, seed=4))
    with pytest.raises(InvalidImage, match="truncated|corrupt"):
        decode_image(data[: len(data) // 2])


def test_png_encoding_keeps_alpha(tmp_path) -> None:
    rgba = np.dstack([photo(32, 16, seed=5), np.arange(512, dtype=np.uint8).reshape(16, 32)])
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(encode_png(rgba)))), rgba)
    path = tmp_path / "x.png"
    path.write_bytes(encode_png(rgba[:, :, :3]))
    assert np.array_equal(read_image(path), rgba[:, :, :3])


def test_missing_file_is_invalid_image(tmp_path) -> None:
    with pytest.raises(InvalidImage, match="no file"):
        read_image(tmp_path / "missing.jpg")
