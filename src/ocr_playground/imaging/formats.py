"""The image formats the playground reads: by Pillow's name, and by the file names they go by (what
folder listings, the detect CLI and the command builder's pickers pick up). No heavy imports, so
the command builder can use it without loading OpenCV."""

FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "BMP")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp")
