"""The image formats the playground reads: by Pillow's name, and by the file names they go by (what
folder listings, the detect CLI and the command builder's pickers pick up). No heavy imports, so
the command builder can use it without loading OpenCV."""

FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")


def media_type(head: bytes) -> str:
    """The media type of image bytes from their first 12 bytes (stored uploads have no suffix)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head.startswith(b"BM"):
        return "image/bmp"
    return "application/octet-stream"
