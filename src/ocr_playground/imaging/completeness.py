"""A cheap check that an image file is whole, for requests that are answered before decoding.

The header probe catches a wrong format or a size over the limit, but a JPEG or PNG cut short in
transit has a perfect header; it would only fail later in a worker. These checks read markers, not
pixels, so they cost microseconds even for a 25 MB upload.
"""

from ocr_playground.imaging.errors import InvalidImage

_JPEG_SOI = b"\xff\xd8"
_JPEG_EOI = b"\xff\xd9"
_JPEG_SOS = 0xDA
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _jpeg_first_scan(data: bytes) -> int | None:
    """Offset of the first start-of-scan segment, walking segment lengths from the start (so an
    EXIF thumbnail's own markers, inside APP1, are skipped); None when the header is cut short."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == _JPEG_SOS:
            return pos
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return None


def check_complete(data: bytes) -> None:
    """Raise InvalidImage when a JPEG has no end-of-image marker after its first scan or a PNG has
    no IEND chunk. Other formats pass (the worker's decoder is their judge)."""
    if data.startswith(_JPEG_SOI):
        scan = _jpeg_first_scan(data)
        # Entropy-coded data escapes every 0xFF, so an EOI after the first scan is the real one.
        if scan is None or data.find(_JPEG_EOI, scan) < 0:
            raise InvalidImage("The JPEG is truncated: it ends before its end-of-image marker.")
    elif data.startswith(_PNG_SIGNATURE) and data.rfind(b"IEND", max(8, len(data) - 64)) < 0:
        raise InvalidImage("The PNG is truncated: it has no IEND chunk at its end.")
