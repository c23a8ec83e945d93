"""GET /api/images: the data root's images, for the SPA to pick from, and their bytes."""

from pathlib import Path

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse

from ocr_playground.api.deps import SettingsDep
from ocr_playground.api.inputs import confined
from ocr_playground.api.models import ImageEntry, ImageList
from ocr_playground.datasets import walk_images
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
    """Images under ``root`` as the dataset walker sees them, sorted; at most ``limit``."""
    found: list[ImageEntry] = []
    for path in walk_images(root):
        try:
            size = path.stat().st_size
        except OSError:
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
