"""Photos of the scenes where finding the page is hard, with their truth, for tests.

``make_scene(kind, seed, size)`` draws one scene, a pure function of its arguments:

- ``light_on_light``: white paper on a light, slightly textured table (a few grey levels apart);
- ``clutter``: the page with other things around it: a second, smaller card, a dark cable across
  the table, a coaster;
- ``glare``: a glossy table with a bright reflection beside the page, brighter than the paper;
- ``hand_held``: a card with rounded corners held by a hand that covers part of one side;
- ``table``, ``wall``, ``full_frame_scan``: no page edge to find (a wooden table, a painted wall
  with soft light, a scan whose page fills the whole frame).

Pages carry lines of dark "text". Corners are TL, TR, BR, BL in pixel-centre coordinates, None when
there is no page.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from ocr_playground.imaging.io import encode_jpeg
from ocr_playground.imaging.synthetic import _background

KINDS = ("light_on_light", "clutter", "glare", "hand_held", "table", "wall", "full_frame_scan")


@dataclass(frozen=True)
class Scene:
    image: np.ndarray  # H×W×3 uint8 RGB (a JPEG round trip)
    corners: np.ndarray | None  # 4×2 float64, TL, TR, BR, BL


def _quad(rng: np.random.Generator, width: int, height: int, fill: float) -> np.ndarray:
    """An upright-ish page quad covering about ``fill`` of the frame, rotated and skewed a little."""
    cx, cy = width * rng.uniform(0.45, 0.55), height * rng.uniform(0.45, 0.55)
    ph = np.sqrt(fill * width * height / 0.72)
    pw = 0.72 * ph
    pw, ph = min(pw, 0.8 * width), min(ph, 0.85 * height)
    base = np.array([[-pw / 2, -ph / 2], [pw / 2, -ph / 2], [pw / 2, ph / 2], [-pw / 2, ph / 2]])
    t = np.deg2rad(rng.uniform(-12, 12))
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    jitter = rng.uniform(-0.03, 0.03, (4, 2)) * [pw, ph]
    return (base + jitter) @ rot.T + [cx, cy]


def _fill(image: np.ndarray, quad: np.ndarray, colour, antialias: bool = True) -> None:
    pts = np.round(quad * 16).astype(np.int32)
    cv2.fillPoly(
        image, [pts], tuple(int(c) for c in colour), cv2.LINE_AA if antialias else cv2.LINE_8, shift=4
    )


def _text(rng: np.random.Generator, image: np.ndarray, quad: np.ndarray, ink=(40, 40, 45)) -> None:
    """Lines of dark strokes inside the quad (bilinear in its corners)."""
    tl, tr, br, bl = quad
    rows = int(rng.integers(8, 16))
    for i in range(rows):
        v = 0.12 + 0.76 * i / max(1, rows - 1)
        u0, u1 = 0.1, rng.uniform(0.4, 0.9)
        a = (1 - v) * ((1 - u0) * tl + u0 * tr) + v * ((1 - u0) * bl + u0 * br)
        b = (1 - v) * ((1 - u1) * tl + u1 * tr) + v * ((1 - u1) * bl + u1 * br)
        thick = max(1, int(min(image.shape[:2]) / 160))
        cv2.line(
            image, tuple(np.round(a).astype(int)), tuple(np.round(b).astype(int)), ink, thick, cv2.LINE_AA
        )


def _finish(rng: np.random.Generator, image: np.ndarray) -> np.ndarray:
    noisy = image.astype(np.float32) + rng.normal(0, 2.0, image.shape).astype(np.float32)
    rgb = np.clip(noisy, 0, 255).astype(np.uint8)
    jpeg = encode_jpeg(rgb, 88)
    return cv2.cvtColor(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def _soft_light(rng: np.random.Generator, width: int, height: int, depth: float) -> np.ndarray:
    xs = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    ys = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    angle = rng.uniform(0, 2 * np.pi)
    return (1.0 - depth * (0.5 + 0.5 * (np.cos(angle) * xs + np.sin(angle) * ys)))[:, :, None]


def make_scene(kind: str, seed: int = 0, size: tuple[int, int] = (800, 600)) -> Scene:
    """Draw the scene ``kind`` (one of ``KINDS``) at ``size`` = (width, height)."""
    if kind not in KINDS:
        raise ValueError(f"unknown scene '{kind}'; known: {', '.join(KINDS)}")
    width, height = size
    rng = np.random.default_rng(seed)
    quad = _quad(rng, width, height, rng.uniform(0.2, 0.4))
    if kind in ("table", "wall", "full_frame_scan"):
        return Scene(_finish(rng, _no_page(kind, rng, width, height)), None)
    if kind == "light_on_light":
        table = np.full((height, width, 3), (226, 222, 214), np.float32)
        table += (
            4.0
            * rng.standard_normal((height // 8 + 1, width // 8 + 1, 1))
            .repeat(8, 0)
            .repeat(8, 1)[:height, :width]
        )
        image = np.clip(table * _soft_light(rng, width, height, 0.1), 0, 255).astype(np.uint8)
        _fill(image, quad, (246, 246, 243))
    else:
        image = _background(rng, width, height)
        if kind == "glare":
            image = np.clip(image.astype(np.float32) * 0.8, 0, 255).astype(np.uint8)
        _fill(image, quad, (238, 236, 230))
    _text(rng, image, quad)
    if kind == "clutter":
        card = _quad(rng, width, height, 0.04) + np.array([0.36 * width * rng.choice([-1, 1]), 0.0])
        _fill(image, card, (235, 235, 238))
        cv2.circle(image, (int(0.12 * width), int(0.85 * height)), int(0.09 * height), (190, 170, 150), -1)
        a = (0, int(rng.uniform(0.1, 0.9) * height))
        b = (width, int(rng.uniform(0.1, 0.9) * height))
        cv2.line(image, a, b, (25, 25, 25), max(2, height // 120), cv2.LINE_AA)
        # The cable passes under the page: the page is drawn over it again.
        page = np.zeros((height, width), np.uint8)
        _fill(page, quad, (1,), antialias=False)
        redraw = image.copy()
        _fill(redraw, quad, (238, 236, 230))
        _text(np.random.default_rng(seed), redraw, quad)
        image[page > 0] = redraw[page > 0]
    elif kind == "glare":
        # A reflection brighter than the paper beside the page, fading into it.
        glare = np.zeros((height, width), np.float32)
        side = quad[1] + (quad[1] - quad[0]) * 0.25
        cv2.ellipse(glare, tuple(np.round(side).astype(int)), (width // 5, height // 4), 30, 0, 360, 1.0, -1)
        glare = cv2.GaussianBlur(glare, (0, 0), width / 40)[:, :, None]
        image = np.clip(image * (1 - glare) + 255 * glare, 0, 255).astype(np.uint8)
    elif kind == "hand_held":
        image = _hand(rng, image, quad)
    return Scene(_finish(rng, image), quad)


def _hand(rng: np.random.Generator, image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """A skin-coloured hand and thumb over the middle of the page's left side."""
    out = image.copy()
    skin = (int(rng.uniform(190, 225)), int(rng.uniform(140, 170)), int(rng.uniform(115, 140)))
    mid = (quad[0] + quad[3]) / 2
    inward = (quad[1] - quad[0]) / np.linalg.norm(quad[1] - quad[0])
    palm = mid - inward * 0.12 * image.shape[1]
    cv2.ellipse(
        out,
        tuple(np.round(palm).astype(int)),
        (image.shape[1] // 9, image.shape[0] // 6),
        0,
        0,
        360,
        skin,
        -1,
    )
    thumb = mid + inward * 0.04 * image.shape[1]
    cv2.ellipse(
        out,
        tuple(np.round(thumb).astype(int)),
        (image.shape[1] // 22, image.shape[0] // 30),
        0,
        0,
        360,
        skin,
        -1,
    )
    return out


def _no_page(kind: str, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    if kind == "table":
        return _background(np.random.default_rng(int(rng.integers(1 << 30)) * 4), width, height)
    if kind == "wall":
        wall = np.full((height, width, 3), (205, 200, 188), np.float32) * _soft_light(
            rng, width, height, 0.25
        )
        return np.clip(wall, 0, 255).astype(np.uint8)
    scan = np.full((height, width, 3), 243, np.uint8)
    _text(rng, scan, np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], float))
    return scan
