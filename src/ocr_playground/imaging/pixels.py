"""Small helpers for the H×W×3 / H×W×4 ``uint8`` image convention shared by all ops."""

import numpy as np


def split_alpha(image: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the RGB part and the alpha plane (``None`` for an RGB image)."""
    if image.shape[2] == 4:
        return image[:, :, :3], image[:, :, 3]
    return image, None


def with_alpha(rgb: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """Put an alpha plane back on an RGB result (or return it as is when there is none)."""
    if alpha is None:
        return np.ascontiguousarray(rgb)
    return np.dstack([rgb, alpha])
