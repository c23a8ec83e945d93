"""The page mask both ops agree on: the found quadrilateral, its edges refined by the region cue.

At working resolution (pixel centres on integers), with the quad's sides in clockwise order and
``d_k(p) = (p − a_k)·ν_k`` the signed distance of pixel p to side k (ν_k its inward unit normal):

1. ``d = min_k d_k(p)``: inside the quad where d ≥ 0.
2. Farther than ``EDGE_BAND`` inside: page; farther outside: background; within the band the
   region mask decides, so a receipt whose sides bow or curl keeps its real outline.

Full-resolution soft mask (``soft_mask``), as background_removal has always drawn it:

3. Feather: 3×3 box mean (``FEATHER_SIZE``) of the 0/1 working mask, border replicated → float 0..1.
4. Bilinear upsample with half-pixel centres: full-res pixel X samples working coordinate
   ``(X + 0.5) / f − 0.5`` clamped to ``[0, w − 1]`` (so the unanalysed last rows/columns repeat the
   last working row/column); the same for Y.
5. Alpha = round(255 · soft), uint8.
"""

import cv2
import numpy as np

from ocr_playground.imaging.page.region import WorkingMask

EDGE_BAND = 3.0  # working pixels each side of the quad's outline where the region mask decides
FEATHER_SIZE = 3  # box feather at working resolution (≈ 3·f full-resolution pixels)


def quad_distance(quad: np.ndarray, height: int, width: int) -> np.ndarray:
    """Step 1: min over the sides of the signed distance (inside ≥ 0), h×w float64."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    out = np.full((height, width), np.inf)
    for k in range(4):
        a, b = quad[k], quad[(k + 1) % 4]
        dx, dy = float(b[0] - a[0]), float(b[1] - a[1])
        length = float(np.hypot(dx, dy))
        if length == 0.0:
            continue
        nx, ny = -dy / length, dx / length
        out = np.minimum(out, (xs - a[0]) * nx + (ys - a[1]) * ny)
    return out


def quad_mask(quad: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Steps 1–2: the working page mask (bool) of a clockwise quad in working coordinates."""
    d = quad_distance(quad, *region.shape)
    return (d > EDGE_BAND) | ((d >= -EDGE_BAND) & region)


def soft_mask(working: WorkingMask) -> np.ndarray:
    """Steps 3–5: the feathered mask at full resolution, uint8 0..255."""
    width, height = working.image_size
    f = working.factor
    h, w = working.mask.shape
    soft = cv2.blur(
        working.mask.astype(np.float32), (FEATHER_SIZE, FEATHER_SIZE), borderType=cv2.BORDER_REPLICATE
    )
    if (w, h) != (width // f, height // f) or w == 0 or h == 0:
        raise ValueError("working mask does not match the image size")
    # cv2.resize INTER_LINEAR samples (X + 0.5)/f − 0.5 with edge clamping: step 4 exactly.
    up = cv2.resize(soft, (w * f, h * f), interpolation=cv2.INTER_LINEAR) if f > 1 else soft
    up = cv2.copyMakeBorder(up, 0, height - h * f, 0, width - w * f, cv2.BORDER_REPLICATE)
    return cv2.convertScaleAbs(up, alpha=255.0)
