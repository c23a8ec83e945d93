"""Small image factories for tests: deterministic photos with texture, text strokes and gradients."""

import cv2
import numpy as np


def photo(width: int = 320, height: int = 240, seed: int = 0) -> np.ndarray:
    """An RGB image with smooth gradients, noise and dark strokes — enough structure to catch bugs."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    base = np.stack(
        [
            60 + 120 * xx / width,
            40 + 150 * yy / height,
            90 + 60 * np.sin(xx / 17.0) * np.cos(yy / 23.0),
        ],
        axis=2,
    )
    base += rng.normal(0, 12, size=base.shape)
    image = np.clip(base, 0, 255).astype(np.uint8)
    for i in range(6):
        y = int(height * (i + 1) / 8)
        cv2.putText(image, f"TOTAL 12.{i}0", (10, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (20, 20, 20), 2)
    return image
