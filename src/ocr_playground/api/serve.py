"""``ocr-playground serve``: run the API with uvicorn. Binds 127.0.0.1 unless told otherwise."""

import argparse
from pathlib import Path

from ocr_playground.settings import Settings

DEMO_SAMPLES = 4


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Settings()  # so OCRP_* environment variables show through as the defaults
    parser.add_argument(
        "--host",
        default=defaults.host,
        help=f"interface to bind (default: {defaults.host}; 0.0.0.0 exposes it to the network)",
    )
    parser.add_argument("--port", type=int, default=defaults.port, help=f"port (default: {defaults.port})")
    parser.add_argument(
        "--data-root",
        type=Path,
        default=defaults.data_root,
        help=f"images that image_path may name (default: {defaults.data_root})",
    )
    parser.add_argument(
        "--outputs-root",
        type=Path,
        default=defaults.outputs_root,
        help=f"where results, uploads and the job database go (default: {defaults.outputs_root})",
    )
    parser.add_argument(
        "--checkpoints-root",
        type=Path,
        default=defaults.checkpoints_root,
        help=f"checkpoints that checkpoint_path may name (default: {defaults.checkpoints_root})",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=defaults.workers,
        help=f"worker processes for server jobs (default: {defaults.workers})",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"put {DEMO_SAMPLES} generated sample receipts in the data root when it has no images",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )


def ensure_demo_samples(data_root: Path) -> None:
    from ocr_playground.api.images import list_images
    from ocr_playground.imaging.synthetic import write_samples

    if not list_images(data_root, limit=1)[0]:
        data_root.mkdir(parents=True, exist_ok=True)
        write_samples(data_root, DEMO_SAMPLES)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from ocr_playground.api.app import create_app

    settings = Settings(
        host=args.host,
        port=args.port,
        data_root=args.data_root,
        outputs_root=args.outputs_root,
        checkpoints_root=args.checkpoints_root,
        workers=args.workers,
    )
    if args.demo:
        ensure_demo_samples(settings.data_root)
    print(
        f"ocr-playground: serving http://{settings.host}:{settings.port}/  (API docs at /docs; "
        f"data root {settings.data_root.resolve()})",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level)
