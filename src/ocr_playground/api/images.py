"""GET /api/images: the data root's images, for the SPA to pick from, and their bytes."""

import os
from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

from ocr_playground.api.deps import SettingsDep
from ocr_playground.api.inputs import confined
from ocr_playground.api.models import ImageEntry, ImageList
from ocr_playground.imaging.formats import IMAGE_SUFFIXES

router = APIRouter(prefix="/api/images", tags=["images"])

MAX_LISTED = 5000
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".bmp": "image/bmp",
}


def list_images(root: Path, limit: int = MAX_LISTED) -> tuple[list[ImageEntry], bool]:
    """Images under ``root``, sorted; symlinked folders are not followed, and a symlinked file
    that points out of the root is left out (it could not be used as image_path anyway)."""
    root = root.resolve()
    found: list[ImageEntry] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if path.suffix.lower() not in IMAGE_SUFFIXES or name.startswith("."):
                continue
            try:
                real = path.resolve(strict=True)
                size = real.stat().st_size
            except (OSError, RuntimeError):  # broken links, loops (RuntimeError before 3.13)
                continue
            if not real.is_relative_to(root):
                continue
            if len(found) == limit:
                return found, True
            found.append(ImageEntry(path=path.relative_to(root).as_posix(), size_bytes=size))
    return found, False


@router.get("", response_model=ImageList, summary="Images under the data root")
def images(settings: SettingsDep) -> ImageList:
    found, truncated = list_images(settings.data_root)
    return ImageList(data_root=str(settings.data_root), images=found, truncated=truncated)


@router.get(
    "/{image_path:path}",
    response_class=FileResponse,
    summary="One image's bytes (for the browser's workers)",
    responses={200: {"content": {"image/*": {}}}, 403: {}, 404: {}},
)
def image_file(image_path: str, settings: SettingsDep) -> FileResponse:
    path = confined(image_path, settings.data_root, "image_path")
    if not path.is_file() or path.suffix.lower() not in IMAGE_SUFFIXES:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"There is no image at '{image_path}' under the data root."
        )
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix.lower()])
