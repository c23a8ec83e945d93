"""Whether an encoded image is whole: the one verdict that every route and the CLI share.

A JPEG or PNG cut short in transit has a perfect header, and decoders are lenient: libjpeg fills the
missing part of a JPEG with grey and says so only in a warning (Pillow and OpenCV drop it), even
when the cut is hidden by an end marker appended after it. So the JPEG verdict comes from libjpeg
itself, run strictly (``simplejpeg``, which turns its warnings into errors): the same library and
the same warnings whether it decodes the full picture (``decode_jpeg``) or only checks the file at
1/8 scale before a job exists (``check_complete``), which costs the entropy decoding alone.

PNG files are checked by walking their chunks to IEND (microseconds); Pillow checks each chunk's
CRC and the compressed stream when it decodes. Other formats have their decoder as sole judge.
"""

import numpy as np
import simplejpeg

from ocr_playground.imaging.errors import InvalidImage

JPEG_SOI = b"\xff\xd8"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_SMALLEST_SCALE = 8  # libjpeg decodes at 1/8 with the DC coefficients only: the cheapest full read

# libjpeg warnings after which every pixel is still what the file says (padding between segments,
# a newer JFIF version, a damaged colour profile). Any other warning means data was missing or
# corrupt and the decoder made pixels up.
_HARMLESS_WARNINGS = (
    "extraneous bytes before marker",
    "unknown jfif revision",
    "bad icc marker",
    "unknown adobe color transform",
    "invalid sos parameters for sequential jpeg",
)


def _header(data: bytes) -> tuple[str, int, int]:
    """What to ask libjpeg for (RGB, or CMYK for CMYK/YCCK files, which it cannot turn into RGB)
    and the size the header announces."""
    try:
        height, width, colorspace, _ = simplejpeg.decode_jpeg_header(data, strict=False)
    except ValueError as exc:
        raise InvalidImage(f"The JPEG header cannot be read ({exc}).") from None
    return ("CMYK" if colorspace in ("CMYK", "YCCK") else "RGB"), width, height


def _frame_marker(data: bytes) -> int | None:
    """The SOFn marker byte of a JPEG (which coding it uses), walking segments from the start."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:  # padding between segments: libjpeg skips it too
            pos += 1
            continue
        marker = data[pos + 1]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            return marker
        if marker in (0xFF, 0x00, 0x01) or 0xD0 <= marker <= 0xD8:  # no length follows
            pos += 1 if marker == 0xFF else 2
            continue
        if marker == 0xDA:  # a scan before any frame: not a JPEG libjpeg would read
            return None
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def _too_small_for_its_size(data: bytes, width: int, height: int) -> bool:
    """A Huffman-coded JPEG spends at least one bit on every 8×8 luma block (the DC code of its
    first scan), so a file under ``blocks / 8`` bytes cannot hold the picture its header claims:
    a liar header, refused before anything is allocated. (Arithmetic coding has no such floor.)"""
    huffman = _frame_marker(data) in (0xC0, 0xC1, 0xC2)
    blocks = -(-width // 8) * -(-height // 8)
    return huffman and len(data) * 8 < blocks


def check_plausible(data: bytes) -> None:
    """The header-only part of the JPEG verdict (the size floor above), for callers that want to
    refuse a liar before they wait for anything."""
    if data.startswith(JPEG_SOI):
        _, width, height = _header(data)
        if _too_small_for_its_size(data, width, height):
            raise _liar(data, width, height)


def _liar(data: bytes, width: int, height: int) -> InvalidImage:
    return InvalidImage(
        f"The JPEG is truncated: {len(data)} bytes cannot hold the {width}×{height} pixels its "
        "header announces."
    )


def decode_jpeg(data: bytes, scaled: bool = False) -> np.ndarray | None:
    """A JPEG's pixels as libjpeg decodes them (RGB, or CMYK for CMYK files), refusing a file it
    had to patch. ``scaled`` decodes at 1/8 size: the same verdict for a fraction of the work.
    None when libjpeg only warned harmlessly (simplejpeg then stops anyway; Pillow, running the
    same libjpeg with the same defaults, gives the pixels)."""
    options = {"min_factor": _SMALLEST_SCALE, "min_height": 1, "min_width": 1} if scaled else {}
    colorspace, width, height = _header(data)
    if _too_small_for_its_size(data, width, height):
        raise _liar(data, width, height)
    try:
        return simplejpeg.decode_jpeg(data, colorspace=colorspace, strict=True, **options)
    except ValueError as exc:
        message = str(exc).strip().rstrip(".")
    if any(harmless in message.lower() for harmless in _HARMLESS_WARNINGS):
        return None
    if "premature end" in message.lower():
        raise InvalidImage(f"The JPEG is truncated: its data ends early ({message}).")
    raise InvalidImage(f"The JPEG is corrupt or uses a feature this decoder lacks ({message}).")


def _png_reaches_iend(data: bytes) -> bool:
    pos = len(_PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IEND":
            return True
        pos += 12 + length  # length, type, data, CRC
    return False


def check_complete(data: bytes) -> None:
    """Raise InvalidImage when a JPEG is truncated or corrupt (libjpeg's verdict, see the module
    docstring) or a PNG's chunks end before IEND. Other formats pass; their decoder judges."""
    if data.startswith(JPEG_SOI):
        decode_jpeg(data, scaled=True)
    elif data.startswith(_PNG_SIGNATURE) and not _png_reaches_iend(data):
        raise InvalidImage("The PNG is truncated: its chunks end before the IEND chunk.")
