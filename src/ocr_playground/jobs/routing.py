"""Where a preview runs (docs/contract.md, "Routing on the server"): in the browser's workers
unless the params ask for the server, the pipeline needs a checkpoint, or the image is over the
client limits."""

from typing import Any, Literal

from ocr_playground.imaging.pipeline import server_hint

MB = 1024 * 1024
CLIENT_MAX_BYTES = 2 * MB
CLIENT_MAX_SIDE = 2048
CHECKPOINT_PIPELINES = frozenset({"inference"})

Backend = Literal["client-workers", "server-rembg", "server-pipeline", "server-inference", "server-cache"]


def server_backend(pipeline_id: str, params: Any) -> Backend:
    """The server backend that runs this pipeline."""
    if pipeline_id in CHECKPOINT_PIPELINES:
        return "server-inference"
    if pipeline_id == "rembg" or server_hint(params):
        return "server-rembg"
    return "server-pipeline"


def route_preview(
    pipeline_id: str, params: Any, size_bytes: int, width: int, height: int
) -> tuple[Backend, str]:
    """The backend for a preview and a sentence saying why."""
    if pipeline_id in CHECKPOINT_PIPELINES:
        reason = f"Pipeline '{pipeline_id}' needs a checkpoint, so it runs on the server."
        return server_backend(pipeline_id, params), reason
    if server_hint(params):
        return server_backend(pipeline_id, params), "The params ask for background removal on the server."
    if size_bytes > CLIENT_MAX_BYTES:
        return server_backend(pipeline_id, params), (
            f"The image is {size_bytes / MB:.1f} MB, over the {CLIENT_MAX_BYTES // MB} MB client limit, "
            "so it runs on the server."
        )
    if max(width, height) > CLIENT_MAX_SIDE:
        return server_backend(pipeline_id, params), (
            f"The image is {width}×{height}, its long side over the {CLIENT_MAX_SIDE} px client limit, "
            "so it runs on the server."
        )
    return "client-workers", "The image is within the client limits, so the browser's workers run it."
