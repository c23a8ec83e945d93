"""The one decode path: samples wider than 8 bits, the JPEG verdict shared by the pre-job check and
the decoder, and the fast JPEG road giving Pillow's pixels. Every file here is made by the test."""

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from ocr_playground.imaging.completeness import check_complete
from ocr_playground.imaging.errors import InvalidImage
from ocr_playground.imaging.io import decode_image

from receipts import jpeg, receipt


def sixteen_bit(gray8: np.ndarray) -> np.ndarray:
    """The 8-bit picture stretched to 16 bits (v * 257), as a 16-bit scanner would give it."""
    return gray8.astype(np.uint16) * 257


def encoded(array: np.ndarray, suffix: str) -> bytes:
    ok, buffer = cv2.imencode(suffix, array)
    assert ok
    return buffer.tobytes()


def gray_ramp() -> np.ndarray:
    return np.tile(np.arange(256, dtype=np.uint8), (20, 1))


@pytest.mark.parametrize("suffix", [".png", ".tif"])
def test_16_bit_gray_is_scaled_not_clipped(suffix: str) -> None:
    ramp = gray_ramp()
    decoded = decode_image(encoded(sixteen_bit(ramp), suffix))
    assert np.array_equal(decoded, np.dstack([ramp] * 3))


def test_16_bit_colour_png_keeps_the_high_byte_like_16_bit_gray() -> None:
    ramp = gray_ramp()
    colour = decode_image(encoded(np.dstack([sixteen_bit(ramp)] * 3), ".png"))
    gray = decode_image(encoded(sixteen_bit(ramp), ".png"))
    assert np.array_equal(colour, gray)


def test_float_tiff_in_0_to_1_is_scaled_to_0_to_255() -> None:
    ramp = gray_ramp()
    decoded = decode_image(encoded(ramp.astype(np.float32) / 255, ".tif"))
    assert np.array_equal(decoded[:, :, 0], ramp)


def test_float_tiff_of_unknown_range_is_refused_by_name() -> None:
    with pytest.raises(InvalidImage, match="float samples outside 0–1"):
        decode_image(encoded(gray_ramp().astype(np.float32) * 4, ".tif"))
    nan = np.full((8, 8), np.nan, np.float32)
    with pytest.raises(InvalidImage, match="NaN"):
        decode_image(encoded(nan, ".tif"))


def test_32_bit_integer_tiff_is_refused_by_name() -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.arange(64, dtype=np.int32).reshape(8, 8) * 100_000).save(buffer, "TIFF")
    with pytest.raises(InvalidImage, match="32-bit integer"):
        decode_image(buffer.getvalue())


def _extraneous_bytes(data: bytes) -> bytes:
    """Two padding bytes before the quantisation table: libjpeg warns and decodes every pixel."""
    at = data.find(b"\xff\xdb")
    return data[:at] + b"\x00\x00" + data[at:]


GOOD = jpeg(receipt(320, 240, seed=3))
JPEG_VARIANTS = {
    "whole": (GOOD, True),
    "trailing bytes after the end marker": (GOOD + b"trailing", True),
    "padding between segments": (_extraneous_bytes(GOOD), True),
    "cut in half": (GOOD[: len(GOOD) // 2], False),
    "cut in half, end marker appended": (GOOD[: len(GOOD) // 2] + b"\xff\xd9", False),
    "entropy data overwritten": (GOOD[:-400] + b"\x00" * 398 + b"\xff\xd9", False),
    "no end marker": (GOOD[:-2], False),
}


@pytest.mark.parametrize("name", JPEG_VARIANTS)
def test_the_pre_job_check_and_the_decoder_give_one_verdict(name: str) -> None:
    data, whole = JPEG_VARIANTS[name]
    verdicts = []
    for judge in (check_complete, decode_image):
        try:
            judge(data)
            verdicts.append(True)
        except InvalidImage:
            verdicts.append(False)
    assert verdicts == [whole, whole]


def test_padding_between_segments_gives_the_pixels_pillow_gives() -> None:
    data = _extraneous_bytes(GOOD)
    assert np.array_equal(decode_image(data), np.asarray(Image.open(io.BytesIO(GOOD)).convert("RGB")))


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_jpeg_road_gives_pillows_pixels_upright(orientation: int) -> None:
    image = Image.fromarray(receipt(300, 200, seed=orientation))
    exif = Image.Exif()
    exif[0x0112] = orientation
    for source in (image, image.convert("L")):
        buffer = io.BytesIO()
        source.save(buffer, "JPEG", quality=88, exif=exif)
        data = buffer.getvalue()
        reference = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
        assert np.array_equal(decode_image(data), np.asarray(reference))


def test_a_cmyk_jpeg_is_judged_by_libjpeg_and_converted_by_pillow() -> None:
    buffer = io.BytesIO()
    Image.fromarray(receipt(200, 160)).convert("CMYK").save(buffer, "JPEG", quality=92)
    data = buffer.getvalue()
    assert np.array_equal(decode_image(data), np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    with pytest.raises(InvalidImage, match="truncated"):
        decode_image(data[: len(data) // 2] + b"\xff\xd9")


def test_a_png_whose_chunks_stop_short_is_refused_before_decoding() -> None:
    data = encoded(receipt(200, 160), ".png")
    cut = data[: len(data) // 2] + data[-12:]  # IEND appended after a cut
    with pytest.raises(InvalidImage, match="PNG is truncated"):
        check_complete(cut)
    with pytest.raises(InvalidImage):
        decode_image(cut)
    check_complete(data + b"trailing")


def test_a_liar_header_is_refused_before_anything_is_allocated() -> None:
    data = bytearray(GOOD)
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 9] = (7000).to_bytes(2, "big") * 2
    for judge in (check_complete, decode_image):
        with pytest.raises(InvalidImage, match="cannot hold the 7000×7000 pixels"):
            judge(bytes(data))


def test_a_progressive_jpeg_passes_the_size_floor() -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.full((600, 800, 3), 200, np.uint8)).save(buffer, "JPEG", progressive=True)
    assert decode_image(buffer.getvalue()).shape == (600, 800, 3)
