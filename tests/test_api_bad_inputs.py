"""The bad-input suite: every request here is wrong in one way and must get a 4xx whose body is
``{"detail": "<sentence>"}`` (a string), and the server must stay healthy after all of them."""

import contextlib
import json
import os
import socket
import struct
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from ocr_playground.settings import Settings

from live_server import live_server
from receipts import b64, jpeg, png, receipt

GOOD = jpeg(receipt(320, 240, seed=9))
P = "/api/pipelines/preview"
F = "/api/pipelines/fallback"


def png_header(width: int, height: int) -> bytes:
    """A PNG signature, its IHDR chunk and the first IDAT chunk's header: what a decoder reads
    before any pixel. No pixel data follows."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    head = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return head + struct.pack(">I", 65536) + b"IDAT"


def body(**fields: Any) -> dict[str, Any]:
    return {
        "pipeline_id": "preprocessing",
        "image_base64": b64(GOOD),
        "params": {"grayscale": True},
        **fields,
    }


def without_image(**fields: Any) -> dict[str, Any]:
    base = body(**fields)
    del base["image_base64"]
    return base


# (name, method, path, json body or raw bytes, expected status)
CASES: list[tuple[str, str, str, Any, int]] = [
    ("malformed json", "POST", P, b'{"pipeline_id": ', 422),
    ("json array body", "POST", P, b"[1, 2, 3]", 422),
    ("empty body", "POST", F, b"", 422),
    ("missing pipeline_id", "POST", P, {"image_base64": b64(GOOD)}, 422),
    ("pipeline_id wrong type", "POST", P, body(pipeline_id=42), 422),
    ("params is a list", "POST", P, body(params=["grayscale"]), 422),
    ("params is a string", "POST", F, body(params="grayscale"), 422),
    ("unknown pipeline", "POST", P, body(pipeline_id="sharpen-everything"), 404),
    ("unknown pipeline on fallback", "POST", F, body(pipeline_id="nope"), 404),
    ("unknown op", "POST", P, body(params={"sharpen": True}), 422),
    ("unknown op on fallback", "POST", F, body(params={"grayscale": True, "deskew": {}}), 422),
    ("blur kernel over range", "POST", P, body(params={"blur": {"kernelSize": 33}}), 422),
    ("blur kernel even", "POST", F, body(params={"blur": {"kernelSize": 4}}), 422),
    ("blur sigma negative", "POST", P, body(params={"blur": {"sigma": -1}}), 422),
    ("resize maxSide negative", "POST", P, body(params={"resize": {"maxSide": -1}}), 422),
    ("resize maxSide huge int", "POST", F, body(params={"resize": {"maxSide": 10**30}}), 422),
    ("resize maxSide string", "POST", P, body(params={"resize": {"maxSide": "big"}}), 422),
    ("binarize unknown method", "POST", P, body(params={"binarize": {"method": "magic"}}), 422),
    ("autocontrast cutoff over range", "POST", P, body(params={"autocontrast": {"cutoff": 500}}), 422),
    ("unknown op param", "POST", P, body(params={"blur": {"radius": 3}}), 422),
    ("op value wrong type", "POST", P, body(params={"grayscale": 5}), 422),
    ("routing hint on the wrong op", "POST", P, body(params={"blur": "server"}), 422),
    ("NaN param", "POST", P, b'{"pipeline_id": "preprocessing", "params": {"blur": {"sigma": NaN}}}', 422),
    ("invalid base64", "POST", P, body(image_base64="@@@ not base64 @@@"), 422),
    ("base64 with bad padding", "POST", F, body(image_base64="abc"), 422),
    ("base64 of text", "POST", P, body(image_base64=b64(b"Hello, this is a plain text file.\n" * 20)), 422),
    ("empty base64", "POST", P, body(image_base64=""), 422),
    ("base64 wrong type", "POST", P, body(image_base64=12345), 422),
    ("truncated jpeg", "POST", P, body(image_base64=b64(GOOD[: len(GOOD) // 2])), 422),
    ("truncated jpeg on fallback", "POST", F, body(image_base64=b64(GOOD[:-200])), 422),
    ("truncated png", "POST", F, body(image_base64=b64(png(receipt(200, 150))[:-40])), 422),
    ("jpeg header only", "POST", P, body(image_base64=b64(GOOD[:20])), 422),
    ("60 megapixel png header", "POST", P, body(image_base64=b64(png_header(10_000, 6_000))), 413),
    (
        "60 megapixel png header on fallback",
        "POST",
        F,
        body(image_base64=b64(png_header(6_000, 10_000))),
        413,
    ),
    ("gif (unsupported format)", "POST", P, body(image_base64=b64(b"GIF89a" + b"\x00" * 64)), 422),
    ("no image at all", "POST", P, without_image(), 422),
    ("path with ../", "POST", P, without_image(image_path="../secret.jpg"), 403),
    ("path with ../ inside", "POST", F, without_image(image_path="val/../../secret.jpg"), 403),
    ("absolute path", "POST", P, without_image(image_path="/etc/passwd"), 403),
    ("symlink out of the data root", "POST", F, without_image(image_path="val/escape.jpg"), 403),
    ("symlinked folder out of the root", "POST", P, without_image(image_path="linked/secret.jpg"), 403),
    ("missing file", "POST", P, without_image(image_path="val/missing.jpg"), 404),
    ("a folder", "POST", F, without_image(image_path="val"), 422),
    ("a text file", "POST", P, without_image(image_path="notes.txt"), 422),
    ("NUL byte in path", "POST", P, without_image(image_path="val/a\x00.jpg"), 422),
    ("name too long", "POST", P, without_image(image_path="x" * 3000 + ".jpg"), 422),
    ("path over max length", "POST", P, without_image(image_path="a/" * 3000), 422),
    ("checkpoint outside its root", "POST", P, body(checkpoint_path="../../etc/passwd"), 403),
    ("task_id too long", "POST", P, body(task_id="t" * 500), 422),
    ("unknown top-level field", "POST", P, body(colour="blue"), 422),
    ("wait wrong type", "POST", F, body(wait=[1]), 422),
    ("unknown job", "GET", "/api/pipelines/jobs/preprocessing-0123456789ab", None, 404),
    ("unknown job result", "GET", "/api/pipelines/jobs/nope/result", None, 404),
    ("cancel unknown job", "DELETE", "/api/pipelines/jobs/preprocessing-ffffffffffff", None, 404),
    ("image path escape on GET", "GET", "/api/images/..%2F..%2Fetc%2Fpasswd", None, 403),
    ("image missing on GET", "GET", "/api/images/val/none.jpg", None, 404),
    ("metrics unknown event type", "POST", "/api/metrics", {"events": [{"type": "mystery"}]}, 422),
    ("metrics empty batch", "POST", "/api/metrics", {"events": []}, 422),
    (
        "metrics negative duration",
        "POST",
        "/api/metrics",
        {"events": [{"type": "duration", "op": "blur", "ms": -5}]},
        422,
    ),
    ("metrics summary negative hours", "GET", "/api/metrics/summary?hours=-1", None, 422),
    ("metrics summary hours not a number", "GET", "/api/metrics/summary?hours=abc", None, 422),
    ("wrong method", "PUT", "/api/pipelines", None, 405),
    ("unknown route", "GET", "/api/pipelines/nothing/here", None, 404),
]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("bad")
    data, outside = root / "data", root / "outside"
    (data / "val").mkdir(parents=True)
    outside.mkdir()
    (data / "val" / "ok.jpg").write_bytes(GOOD)
    (data / "notes.txt").write_text("not an image")
    (outside / "secret.jpg").write_bytes(GOOD)
    os.symlink(outside / "secret.jpg", data / "val" / "escape.jpg")
    os.symlink(outside, data / "linked")
    with live_server(
        Settings(
            data_root=data, outputs_root=root / "outputs", workers=1, checkpoints_root=root / "checkpoints"
        )
    ) as url:
        yield url


def test_the_suite_is_big_enough() -> None:
    assert len(CASES) + 2 >= 40  # + the two oversized-body tests below


@pytest.mark.parametrize(("name", "method", "path", "payload", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_gets_a_4xx_with_a_sentence(
    base: str, name: str, method: str, path: str, payload: Any, expected: int
) -> None:
    kwargs: dict[str, Any] = {}
    if isinstance(payload, bytes):
        kwargs = {"content": payload, "headers": {"content-type": "application/json"}}
    elif payload is not None:
        kwargs = {"json": payload}
    r = httpx.request(method, base + path, timeout=30, **kwargs)
    assert r.status_code == expected, (name, r.status_code, r.text[:300])
    detail = r.json()["detail"]
    assert isinstance(detail, str) and len(detail) > 10, detail


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        (b'{"params": {"resize": {"maxSide": 1' + b"0" * 5000 + b"}}}", "4,300 digits"),
        (b"[" * 50_000, "too deeply"),
    ],
)
def test_json_the_parser_refuses_is_named(base: str, payload: bytes, words: str) -> None:
    r = httpx.post(base + P, content=payload, headers={"content-type": "application/json"}, timeout=30)
    assert r.status_code in (400, 422) and words in r.json()["detail"], r.text[:300]


def raw_exchange(base: str, head: bytes, chunks: list[bytes]) -> bytes:
    """Send a request by hand and read what comes back while the upload is still going (a real
    client streaming a huge body gets its 413 the same way)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=30) as sock:

        def upload() -> None:
            try:
                sock.sendall(head)
                for chunk in chunks:
                    sock.sendall(chunk)
            except OSError:
                pass  # the server answered and closed: the rest is not wanted

        sender = threading.Thread(target=upload, daemon=True)
        sender.start()
        answer = b""
        while not (b"\r\n\r\n" in answer and answer.rstrip().endswith(b"}")):
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        with contextlib.suppress(OSError):  # the server may have closed first
            sock.shutdown(socket.SHUT_RDWR)
        sender.join(timeout=30)
        return answer


def _status_and_detail(answer: bytes) -> tuple[int, Any]:
    head, _, payload = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)["detail"]


def test_oversized_body_by_content_length_is_refused_before_reading_it(base: str) -> None:
    url = urlsplit(base)
    head = (
        f"POST {F} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {30 * 1024 * 1024}\r\n\r\n"
    ).encode()
    answer = raw_exchange(base, head, [b" " * 65536] * 4)
    code, detail = _status_and_detail(answer)
    assert code == 413 and isinstance(detail, str)


def test_oversized_streamed_body_is_refused_once_past_the_limit(base: str) -> None:
    url = urlsplit(base)
    head = (
        f"POST {F} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    piece = b" " * (1024 * 1024)
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    answer = raw_exchange(base, head, [chunk] * 40)
    code, detail = _status_and_detail(answer)
    assert code == 413 and "limit" in detail


def test_server_is_healthy_after_the_suite(base: str) -> None:
    assert httpx.get(f"{base}/api/health").json()["status"] == "ok"
    r = httpx.post(base + F, json={**body(), "wait": True}, timeout=60)
    assert r.status_code == 200 and r.json()["status"] == "completed"
