"""``ocr-playground serve``: run the API with uvicorn. Binds 127.0.0.1 unless told otherwise."""

import argparse
from pathlib import Path

from ocr_playground.settings import Settings

DEMO_SAMPLES = 4


# (settings field, type, help): each becomes --field-name, its default the current setting.
SETTING_OPTIONS: tuple[tuple[str, type, str], ...] = (
    ("host", str, "interface to bind (0.0.0.0 exposes it to the network)"),
    ("port", int, "port"),
    ("data_root", Path, "images that image_path may name"),
    ("outputs_root", Path, "where results, uploads and the job database go"),
    ("checkpoints_root", Path, "checkpoints that checkpoint_path may name"),
    ("workers", int, "worker processes for server jobs"),
)


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = Settings()  # so OCRP_* environment variables show through as the defaults
    for field, kind, help_text in SETTING_OPTIONS:
        default = getattr(defaults, field)
        parser.add_argument(
            f"--{field.replace('_', '-')}",
            type=kind,
            default=default,
            help=f"{help_text} (default: {default})",
        )
    parser.add_argument(
        "--demo",
        action="store_true",
        help=f"put {DEMO_SAMPLES} generated sample receipts in the data root when it has no images, and a "
        "demo dataset with ground truth (demo-receipts/) for the Evaluation Lab",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )


def ensure_demo_samples(data_root: Path) -> None:
    from ocr_playground.api.images import list_images
    from ocr_playground.imaging.synthetic import write_samples
    from ocr_playground.runs.demo import write_demo_dataset

    empty = not list_images(data_root, limit=1)[0]
    write_demo_dataset(data_root)  # receipts with ground truth, for the Evaluation Lab's first look
    if empty:
        data_root.mkdir(parents=True, exist_ok=True)
        write_samples(data_root, DEMO_SAMPLES)


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from ocr_playground.api.app import create_app

    settings = Settings(**{field: getattr(args, field) for field, _, _ in SETTING_OPTIONS})
    if args.demo:
        ensure_demo_samples(settings.data_root)
    print(
        f"ocr-playground: serving http://{settings.host}:{settings.port}/  (API docs at /docs; "
        f"data root {settings.data_root.resolve()})",
        flush=True,
    )
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level)
