"""Line images for recognition: each detected quadrilateral cut out and warped upright.

A detection is four corners clockwise on screen. The recognizer reads left to right, so the corner
list is first turned so that its first edge runs along the text: the edge nearer horizontal, unless
the box is clearly tall (its other side at least ``TALL_RATIO`` times longer), in which case the line
runs along that long side (a line set vertically, or a strongly rotated one). Of the two ways along
that edge, the one pointing right is taken (pointing down when it is vertical, as PaddleOCR turns
tall crops). The quadrilateral is then warped onto a rectangle of its own side lengths.
Text that is upside down after this is the angle classifier's job.
"""

import cv2
import numpy as np

TALL_RATIO = 1.5  # PaddleOCR's threshold for turning a tall crop


def _side(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(b - a))


def reading_order(quad: np.ndarray) -> np.ndarray:
    """The 4×2 corners of a clockwise quadrilateral, rolled so that corner 0 → 1 is the direction
    of reading and corner 3 lies below corner 0 (top-left, top-right, bottom-right, bottom-left)."""
    q = np.asarray(quad, dtype=np.float64)
    along = (_side(q[0], q[1]) + _side(q[3], q[2])) / 2  # edges 0→1 and 3→2
    across = (_side(q[1], q[2]) + _side(q[0], q[3])) / 2  # edges 1→2 and 0→3
    first = 1 if across >= TALL_RATIO * along else 0  # start at 0 or 2 (edge 0→1), or 1 or 3 (1→2)
    d = q[(first + 1) % 4] - q[first]
    length = float(np.hypot(*d)) or 1.0
    # The opposite start (first + 2) reads the same edge the other way; keep the one pointing right,
    # or down when the edge is vertical to within a degree or so.
    flip = d[0] < -0.02 * length or (abs(d[0]) <= 0.02 * length and d[1] < 0)
    return np.roll(q, -(first + 2 * flip), axis=0)


def crop_line(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """The text line inside ``quad`` (image coordinates), upright, at the quadrilateral's own scale."""
    q = reading_order(quad)
    width = max(1, int(max(_side(q[0], q[1]), _side(q[3], q[2]))))
    height = max(1, int(max(_side(q[0], q[3]), _side(q[1], q[2]))))
    target = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
    transform = cv2.getPerspectiveTransform(q.astype(np.float32), target)
    # Cubic keeps thin strokes of small print sharper than bilinear; the border repeats the paper.
    return cv2.warpPerspective(
        image, transform, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
