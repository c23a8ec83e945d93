"""The cache key shared by the browser and the server (docs/contract.md, "Cache key").

Params are hashed exactly as sent (no defaults filled in), so both sides can compute the key
without knowing any op's schema. JSON is canonicalised by RFC 8785 (JCS). The checkpoint and the
recognizer are appended as given, each on its own line; a recognizer reads the detector's lines,
so it never comes without a checkpoint (which keeps the material unambiguous).
"""

import hashlib
from typing import Any

import rfc8785


def image_digest(image_bytes: bytes) -> str:
    return hashlib.sha256(image_bytes).hexdigest()


def cache_key_from_digest(
    pipeline_id: str,
    digest: str,
    params: Any,
    checkpoint_path: str | None = None,
    recognizer_path: str | None = None,
) -> str:
    """The key when the image's digest is already known (the image is hashed once)."""
    material = digest.encode() + b"\n" + rfc8785.dumps(params)
    if checkpoint_path is not None:
        material += b"\n" + checkpoint_path.encode()
    if recognizer_path is not None:
        if checkpoint_path is None:
            raise ValueError("A recognizer_path is only part of a key beside a checkpoint_path.")
        material += b"\n" + recognizer_path.encode()
    return f"{pipeline_id}:{hashlib.sha256(material).hexdigest()[:16]}"


def cache_key(
    pipeline_id: str,
    image_bytes: bytes,
    params: Any,
    checkpoint_path: str | None = None,
    recognizer_path: str | None = None,
) -> str:
    return cache_key_from_digest(
        pipeline_id, image_digest(image_bytes), params, checkpoint_path, recognizer_path
    )
