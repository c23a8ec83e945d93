"""Run the browser workers' TypeScript kernels from Python, through their Node build.

``web/dist-node/run-kernel.mjs`` is the kernels bundled for Node (``npm run build:node``); it reads
raw RGBA, runs one op or a pipeline, and writes raw RGBA back. The parity suite and the E2E tests
use it to compare the TypeScript engine with the Python one pixel for pixel.
"""

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from strict import cannot_run  # noqa: F401  (re-exported for the parity suite)

WEB = Path(__file__).resolve().parents[1] / "web"
BUNDLE = WEB / "dist-node" / "run-kernel.mjs"


def _newest_source_mtime() -> float:
    sources = [
        *(WEB / "src" / "workers").rglob("*.ts"),
        *(WEB / "src" / "contract").iterdir(),
        *(WEB / "assembly").glob("*.ts"),
        WEB / "scripts" / "run-kernel.ts",
    ]
    return max(p.stat().st_mtime for p in sources)


def ensure_bundle() -> str | None:
    """Build the Node bundle when missing or stale; return a reason to skip, or None when ready."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (WEB / "node_modules").is_dir():
        return "web/node_modules is missing (run `npm ci` in web/)"
    if not BUNDLE.exists() or BUNDLE.stat().st_mtime < _newest_source_mtime():
        subprocess.run(["npm", "run", "--silent", "build:node"], cwd=WEB, check=True, capture_output=True)
    return None


def to_rgba(image: np.ndarray) -> np.ndarray:
    if image.shape[2] == 4:
        return np.ascontiguousarray(image)
    return np.dstack([image, np.full(image.shape[:2], 255, np.uint8)])


def run_ts(image: np.ndarray, request: dict[str, Any]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Run ``{"op", "params"}`` or ``{"pipeline_id", "params"}`` on an RGB(A) image; RGBA back."""
    rgba = to_rgba(image)
    height, width = rgba.shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp, "in.rgba"), Path(tmp, "out.rgba")
        src.write_bytes(rgba.tobytes())
        done = subprocess.run(
            ["node", str(BUNDLE), str(src), str(width), str(height), str(dst), json.dumps(request)],
            check=True,
            capture_output=True,
            text=True,
        )
        meta = json.loads(done.stdout)
        out = np.frombuffer(dst.read_bytes(), np.uint8).reshape(meta["height"], meta["width"], 4)
    return out, meta["timings"]


def run_probe(image: np.ndarray, probe: str) -> dict[str, Any]:
    """A geometry probe of the TS kernels (``page_quad``: crop_document's corners), as JSON."""
    rgba = to_rgba(image)
    height, width = rgba.shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, "in.rgba")
        src.write_bytes(rgba.tobytes())
        done = subprocess.run(
            [
                "node",
                str(BUNDLE),
                str(src),
                str(width),
                str(height),
                str(Path(tmp, "out")),
                json.dumps({"probe": probe}),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
    return json.loads(done.stdout)
