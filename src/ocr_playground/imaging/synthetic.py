"""Synthetic receipt photos with exact ground truth, for tests, demos and benchmarks.

``make_receipt(seed, size)`` renders a receipt (white or cream paper, lines of dark text: shop name,
items with right-aligned prices, totals) and places it with a random perspective on a textured
background (wood, fabric, speckled table or plain laminate, dark to fairly bright, sometimes with a
light pen or card lying beside the page), then applies a soft drop shadow, uneven light (a gradient
and a soft shadow edge, down to ``ILLUMINATION_MIN``), sensor noise and JPEG compression. The result
is a pure function of ``(seed, size)``.

Coordinates: continuous image coordinates with pixel centres on integers (OpenCV's convention), so
an image spans ``-0.5 .. W-0.5``. ``corners`` are the paper's outer corners; ``mask`` is the set of
pixels the paper covers at least half (bilinear coverage of the warp, 8-bit); each word's quad is the
transformed tight box around its ink (scratch-canvas ink ≥ ``INK_LEVEL``, box at the pixels' outer
edges).
"""

import colorsys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from ocr_playground.artifacts import atomic_write_bytes
from ocr_playground.imaging.io import encode_jpeg

AREA_FRACTION = (0.25, 0.70)  # page area / image area
ASPECT = (0.38, 0.95)  # paper width / height (receipts are tall)
ROTATION_DEG = 18.0  # in-plane rotation, uniform in ±this
KEYSTONE = 0.14  # one edge shrunk by up to this fraction (perspective)
CORNER_JITTER = 0.03  # independent corner jitter, fraction of the page size
MARGIN = 0.02  # minimum gap to the frame, fraction of the short image side
ILLUMINATION_MIN = 0.6  # darkest point of the light field
CLUTTER = 2  # up to this many light objects (pen, card) lying on the surface beside the page
JPEG_QUALITY = (60, 92)
NOISE_SIGMA = (1.5, 4.0)  # sensor noise, grey levels
TRIANGULAR_SD = 104.5  # standard deviation of the difference of two uniform bytes, √(2·(256²−1)/12)
INK_LEVEL = 64  # scratch-canvas ink value (0..255) that counts as a word's ink
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_PLAIN,
)
# fmt: off
SHOPS = ("FRESH MART", "CORNER DELI", "CITY PHARMACY", "GREEN GROCER", "BOOK NOOK", "CAFE LUNA",
         "HARDWARE HUB", "SUNRISE BAKERY")
ITEMS = ("MILK", "BREAD", "EGGS", "APPLES", "COFFEE", "TEA", "RICE", "PASTA", "TOMATO", "CHEESE",
         "BUTTER", "YOGURT", "ORANGE JUICE", "OLIVE OIL", "CHOC BAR", "BANANAS", "SOAP", "BATTERIES",
         "NOTEBOOK", "PEN BLUE", "CROISSANT", "BAGEL", "WATER 1.5L", "CEREAL", "HONEY", "SALT")
# fmt: on


@dataclass(frozen=True)
class Word:
    text: str
    quad: np.ndarray  # 4×2 float64, TL, TR, BR, BL in image coordinates


@dataclass(frozen=True)
class SyntheticReceipt:
    image: np.ndarray  # H×W×3 uint8 RGB, exactly the decode of ``jpeg``
    jpeg: bytes
    mask: np.ndarray  # H×W bool, page pixels
    corners: np.ndarray  # 4×2 float64, TL, TR, BR, BL
    words: list[Word] = field(default_factory=list)


def make_receipt(seed: int, size: tuple[int, int] = (1600, 1200)) -> SyntheticReceipt:
    """Render the synthetic receipt photo of ``seed`` at ``size`` = (width, height)."""
    width, height = size
    rng = np.random.default_rng(seed)
    quad = _page_quad(rng, width, height)
    pw = round(float((np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2))
    ph = round(float((np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2))
    paper, boxes = _render_paper(rng, pw, ph)
    src = np.array([[-0.5, -0.5], [pw - 0.5, -0.5], [pw - 0.5, ph - 0.5], [-0.5, ph - 0.5]])
    homography = cv2.getPerspectiveTransform(src.astype(np.float32), quad.astype(np.float32))

    # One warp of the paper with an opaque alpha channel onto a transparent frame: the alpha is the
    # page's coverage of each pixel and the colour comes out premultiplied (paper · coverage).
    rgba = cv2.merge([*cv2.split(paper), np.full((ph, pw), 255, np.uint8)])
    warped = cv2.warpPerspective(rgba, homography, (width, height), flags=cv2.INTER_LINEAR)
    coverage = warped[:, :, 3].astype(np.float32) * np.float32(1 / 255)
    # Everything smooth is computed at a reduced size and upscaled: the sensor noise and the JPEG
    # round trip restore full-resolution detail, and it keeps a 1600×1200 photo well under 0.3 s.
    background = _background(rng, width, height)
    _clutter(rng, background, coverage)
    shade = _drop_shadow(rng, coverage, min(width, height)) * (1.0 - coverage)
    light = _illumination(rng, width, height)
    # photo = (paper·coverage + surface·shade)·light + noise. The one-channel weights are folded
    # first and quantised to 1/255; the three-channel work stays in uint8 OpenCV calls (the float
    # version was memory-bound at about 3× the cost). The noise is triangular (difference of two
    # uniform bytes), as good as Gaussian once JPEG has been through it, and far cheaper to draw.
    paper_w = cv2.merge([cv2.convertScaleAbs(light, alpha=255.0)] * 3)
    surface_w = cv2.merge([cv2.convertScaleAbs(shade * light, alpha=255.0)] * 3)
    photo = cv2.add(
        cv2.multiply(warped[:, :, :3], paper_w, scale=1 / 255),
        cv2.multiply(background, surface_w, scale=1 / 255),
    )
    bytes_a = rng.integers(0, 256, (height, width), dtype=np.uint8)
    bytes_b = rng.integers(0, 256, (height, width), dtype=np.uint8)
    sigma = rng.uniform(*NOISE_SIGMA) / TRIANGULAR_SD
    noise = cv2.subtract(bytes_a, bytes_b, dtype=cv2.CV_16S)
    noise = cv2.merge([cv2.multiply(noise, 1.0, scale=sigma, dtype=cv2.CV_16S)] * 3)
    rgb = cv2.add(photo, noise, dtype=cv2.CV_8U)  # saturating

    quality = int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1))
    jpeg = encode_jpeg(rgb, quality)
    image = cv2.cvtColor(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)

    words = [Word(text, _transform(homography, box)) for text, box in boxes]
    mask = warped[:, :, 3] >= 128  # coverage ≥ 0.5 (OpenCV's 8-bit bilinear weights)
    return SyntheticReceipt(image=image, jpeg=jpeg, mask=mask, corners=quad, words=words)


def write_samples(folder: str | Path, count: int = 4, size: tuple[int, int] = (1600, 1200)) -> list[Path]:
    """Write ``count`` sample receipts (seeds 0..count-1) as ``receipt-NN.jpg``; return their paths."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        paths.append(atomic_write_bytes(out / f"receipt-{seed:02d}.jpg", make_receipt(seed, size).jpeg))
    return paths


# --- page geometry -------------------------------------------------------------------------------


def _page_quad(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A perspective-distorted paper quad (TL, TR, BR, BL) fully inside the frame."""
    margin = MARGIN * min(width, height)
    for _ in range(500):
        area = rng.uniform(*AREA_FRACTION) * width * height
        aspect = rng.uniform(*ASPECT)
        ph = np.sqrt(area / aspect)
        pw = aspect * ph
        quad = np.array([[-pw, -ph], [pw, -ph], [pw, ph], [-pw, ph]]) / 2
        edge = int(rng.integers(4))  # the edge farther from the camera looks shorter
        a, b = edge, (edge + 1) % 4
        mid = (quad[a] + quad[b]) / 2
        shrink = rng.uniform(0, KEYSTONE)
        quad[a] += (mid - quad[a]) * shrink
        quad[b] += (mid - quad[b]) * shrink
        quad += rng.uniform(-CORNER_JITTER, CORNER_JITTER, (4, 2)) * [pw, ph]
        theta = np.deg2rad(rng.uniform(-ROTATION_DEG, ROTATION_DEG))
        rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        quad = quad @ rot.T
        quad *= np.sqrt(area / _polygon_area(quad))
        span = quad.max(axis=0) - quad.min(axis=0)
        free = np.array([width, height]) - 1.0 - 2 * margin - span
        if (free < 0).any():
            continue
        return quad - quad.min(axis=0) - 0.5 + margin + rng.uniform(0, 1, 2) * free
    raise RuntimeError(f"could not place a page in a {width}×{height} image")


def _polygon_area(quad: np.ndarray) -> float:
    x, y = quad[:, 0], quad[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def _transform(homography: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    x0, y0, x1, y1 = box
    pts = np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], np.float64)
    return cv2.perspectiveTransform(pts, homography)[0]


# --- the paper and its text ----------------------------------------------------------------------


def _render_paper(rng: np.random.Generator, pw: int, ph: int) -> tuple[np.ndarray, list]:
    """Paper (ph×pw×3 uint8) with receipt text; returns it and [(word, (x0, y0, x1, y1))]."""
    white = np.array([248.0, 247.0, 244.0])
    cream = np.array([250.0, 244.0, 230.0])
    tone = white + (cream - white) * rng.uniform(0, 1)
    grain = _smooth_noise(rng, ph, pw, max(8, pw // 6)) * 2.0
    paper = (tone[None, None, :] + grain[:, :, None]).astype(np.float32)
    ink = (np.array([30.0, 30.0, 38.0]) + rng.uniform(-15, 25)).astype(np.float32)
    lay = _Layout(rng, paper, ink)
    lay.receipt_text()
    return np.clip(paper + 0.5, 0, 255).astype(np.uint8), lay.boxes


class _Layout:
    """Writes receipt lines top to bottom, recording each word's tight ink box."""

    def __init__(self, rng: np.random.Generator, paper: np.ndarray, ink: np.ndarray) -> None:
        self.rng, self.paper, self.ink = rng, paper, ink
        self.height, self.width = paper.shape[:2]
        self.font = FONTS[int(rng.integers(len(FONTS)))]
        # about 34 characters across the paper; strokes thicken with the type size
        unit = cv2.getTextSize("0" * 34, self.font, 1.0, 1)[0][0]
        self.scale = 0.86 * self.width / unit
        self.thick = 1 if self.scale < 0.9 else 2
        self.left = round(0.07 * self.width)
        self.right = self.width - self.left
        self.y = round(0.05 * self.height)
        self.boxes: list[tuple[str, tuple[float, float, float, float]]] = []

    def receipt_text(self) -> None:
        rng = self.rng
        self.line([str(rng.choice(SHOPS))], align="center", scale=1.4)
        self.line([f"{rng.integers(1, 999)} MAIN ST", f"TEL 555-{rng.integers(1000, 9999)}"], align="split")
        self.line(
            [
                f"2024-{rng.integers(1, 13):02d}-{rng.integers(1, 29):02d}",
                f"{rng.integers(7, 22):02d}:{rng.integers(0, 60):02d}",
            ],
            align="split",
        )
        self.rule()
        total = 0.0
        for _ in range(int(rng.integers(5, 15))):
            price = float(rng.integers(49, 2999)) / 100
            total += price
            if not self.line([str(rng.choice(ITEMS)), f"{price:.2f}"], align="split"):
                break
        self.rule()
        self.line(["SUBTOTAL", f"{total:.2f}"], align="split")
        self.line(["TAX", f"{total * 0.08:.2f}"], align="split")
        self.line(["TOTAL", f"{total * 1.08:.2f}"], align="split", scale=1.2)
        self.line([f"CARD **** {rng.integers(1000, 9999)}"], align="left")
        self.line(["THANK YOU"], align="center")

    def rule(self) -> None:
        y = self.y + round(0.6 * self._line_height(1.0))
        if y < self.height * 0.95:
            cv2.line(self.paper, (self.left, y), (self.right, y), self.ink.tolist(), self.thick)
        self.y += self._line_height(1.0)

    def _line_height(self, scale: float) -> int:
        return round(cv2.getTextSize("0", self.font, self.scale * scale, self.thick)[0][1] * 1.9)

    def line(self, parts: list[str], align: str, scale: float = 1.0) -> bool:
        """Write one line: ``parts[0]`` left (or centred) and ``parts[-1]`` right for "split"."""
        s = self.scale * scale
        th = cv2.getTextSize("0", self.font, s, self.thick)[0][1]
        base = self.y + th + round(0.4 * th)
        if base + round(0.6 * th) > 0.95 * self.height:
            return False
        segments = [" ".join(parts)] if align != "split" else [parts[0], " ".join(parts[1:])]
        for i, text in enumerate(segments):
            w = self._text_width(text, s)
            if align == "center":
                x = (self.width - w) // 2
            elif align == "split" and i == 1:
                x = self.right - w
            else:
                x = self.left
            self._words(text, x, base, s)
        self.y += self._line_height(scale)
        return True

    def _text_width(self, text: str, scale: float) -> int:
        return cv2.getTextSize(text, self.font, scale, self.thick)[0][0]

    def _words(self, text: str, x: int, base: int, scale: float) -> None:
        space = self._text_width("0 0", scale) - self._text_width("00", scale)
        for word in text.split(" "):
            self._draw(word, x, base, scale)
            x += self._text_width(word, scale) + space

    def _draw(self, word: str, x: int, base: int, scale: float) -> None:
        (tw, th), below = cv2.getTextSize(word, self.font, scale, self.thick)
        pad = 2 * self.thick + 2
        x0, y0 = max(0, x - pad), max(0, base - th - pad)
        x1, y1 = min(self.width, x + tw + pad), min(self.height, base + below + pad)
        scratch = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.putText(scratch, word, (x - x0, base - y0), self.font, scale, 255, self.thick, cv2.LINE_AA)
        ys, xs = np.nonzero(scratch >= INK_LEVEL)
        if len(xs) == 0:
            return
        a = scratch.astype(np.float32)[:, :, None] / 255.0
        region = self.paper[y0:y1, x0:x1]
        region[:] = region * (1.0 - a) + self.ink * a
        box = (x0 + xs.min() - 0.5, y0 + ys.min() - 0.5, x0 + xs.max() + 0.5, y0 + ys.max() + 0.5)
        self.boxes.append((word, tuple(float(v) for v in box)))


# --- background, shadow, light -------------------------------------------------------------------


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cell: int) -> np.ndarray:
    """Zero-mean, roughly unit-variance value noise with features about ``cell`` pixels wide."""
    grid = rng.standard_normal((h // cell + 2, w // cell + 2)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def _colour(rng: np.random.Generator) -> np.ndarray:
    """A background colour: dark, mid, bright-and-saturated or bright-ish neutral (never paper-like)."""
    kind = int(rng.integers(4))
    hue = rng.uniform(0, 1)
    if kind == 0:
        sat, val = rng.uniform(0.1, 0.8), rng.uniform(0.12, 0.40)
    elif kind == 1:
        sat, val = rng.uniform(0.15, 0.7), rng.uniform(0.40, 0.62)
    elif kind == 2:
        sat, val = rng.uniform(0.28, 0.6), rng.uniform(0.66, 0.88)
    else:
        sat, val = rng.uniform(0.0, 0.12), rng.uniform(0.55, 0.74)
    return np.array(colorsys.hsv_to_rgb(hue, sat, val), np.float32) * 255


def _background(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """H×W×3 uint8 textured surface (made at half size, then upscaled)."""
    w, h = (width + 1) // 2, (height + 1) // 2
    base = _colour(rng)
    kind = int(rng.integers(4))
    if kind == 0:  # wood: rings bent by low-frequency noise, streaks along the grain, plank seams
        period = rng.uniform(15, 45) * w / 800
        ys = np.arange(h, dtype=np.float32)[:, None]
        bend = _smooth_noise(rng, h, w, max(16, w // 5)) * period * 0.8
        rings = 0.5 + 0.5 * np.sin(2 * np.pi * (ys + bend) / period)
        streaks = cv2.resize(rng.standard_normal((max(2, h // 3), 12)).astype(np.float32), (w, h))
        t = 0.55 * rings**2 + 0.15 * streaks
        seams = (np.arange(h) % max(40, int(rng.uniform(0.2, 0.5) * h))) < max(2, h // 300)
        t[seams] -= 0.8
        if rng.uniform() < 0.5:
            t = cv2.resize(t.T.copy(), (w, h))  # vertical grain
        tex = (0.8 + 0.35 * t)[:, :, None]
    elif kind == 1:  # fabric: a fine weave plus folds
        p = rng.uniform(2.5, 4.5)
        xs, ys = np.arange(w, dtype=np.float32)[None, :], np.arange(h, dtype=np.float32)[:, None]
        weave = np.sin(2 * np.pi * xs / p) * np.sin(2 * np.pi * ys / p)
        folds = _smooth_noise(rng, h, w, max(16, w // 6))
        tex = (1.0 + 0.08 * weave + 0.08 * folds)[:, :, None]
    elif kind == 2:  # speckled table top
        speck = (rng.random((h, w), dtype=np.float32) < 0.03).astype(np.float32)
        speck = cv2.GaussianBlur(speck, (0, 0), 1.2) * rng.choice([-1.5, 1.5])
        tex = (1.0 + 0.06 * _smooth_noise(rng, h, w, max(16, w // 10)) + speck)[:, :, None]
    else:  # laminate: smooth blotches only
        tex = (1.0 + 0.07 * _smooth_noise(rng, h, w, max(16, w // 4)))[:, :, None]
    surface = cv2.convertScaleAbs(np.maximum(base[None, None, :] * tex.astype(np.float32), 0.0))
    return cv2.resize(surface, (width, height))


def _clutter(rng: np.random.Generator, background: np.ndarray, coverage: np.ndarray) -> None:
    """Draw up to CLUTTER light objects (a pen, a card) on the surface, clear of the page."""
    h, w = coverage.shape
    short = min(w, h)
    near_page = cv2.dilate(
        (coverage > 0).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=max(1, short // 40)
    )
    for _ in range(int(rng.integers(0, CLUTTER + 1))):
        centre = (int(rng.integers(w)), int(rng.integers(h)))
        axes = (int(rng.uniform(0.03, 0.12) * short), int(rng.uniform(0.008, 0.05) * short))
        obj = np.zeros((h, w), np.uint8)
        cv2.ellipse(obj, centre, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
        if (obj & near_page).any():
            continue
        tone = np.array(colorsys.hsv_to_rgb(rng.uniform(0, 1), rng.uniform(0, 0.5), rng.uniform(0.75, 0.95)))
        background[obj > 0] = np.round(tone * 255).astype(np.uint8)


def _drop_shadow(rng: np.random.Generator, coverage: np.ndarray, short_side: int) -> np.ndarray:
    """Multiplicative darkening of the surface next to the page (light from one side)."""
    h, w = coverage.shape
    small = cv2.resize(coverage, ((w + 3) // 4, (h + 3) // 4), interpolation=cv2.INTER_AREA)
    shift = rng.uniform(-0.003, 0.003, 2) * short_side  # in quarter-size pixels
    m = np.float32([[1, 0, shift[0]], [0, 1, shift[1]]])
    moved = cv2.warpAffine(small, m, small.shape[::-1])
    sigma = rng.uniform(0.001, 0.003) * short_side
    shadow = cv2.resize(cv2.GaussianBlur(moved, (0, 0), sigma), (w, h))
    return 1.0 - rng.uniform(0.15, 0.4) * shadow


def _illumination(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A light field in [ILLUMINATION_MIN, 1]: a linear gradient and a soft shadow edge."""
    width, height = w, h
    w, h = (w + 7) // 8, (h + 7) // 8  # smooth: made at 1/8 size
    xs = np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :]
    ys = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * xs + np.sin(angle) * ys + 0.71  # 0 .. ~1.4
    budget = 1.0 - ILLUMINATION_MIN
    grad = rng.uniform(0, budget * 0.6)
    light = 1.0 - grad * ramp / 1.42
    if rng.uniform() < 0.6:  # a soft-edged shadow (hand, phone) over one side
        angle = rng.uniform(0, 2 * np.pi)
        d = np.cos(angle) * xs + np.sin(angle) * ys - rng.uniform(0.0, 0.4)
        soft = rng.uniform(0.03, 0.12)
        light -= (budget - grad) * rng.uniform(0.5, 1.0) / (1.0 + np.exp(-d / soft))
    return cv2.resize(light.astype(np.float32), (width, height))
