"""``ocr-playground serve``: run the API with uvicorn. Binds 127.0.0.1 unless told otherwise."""

import argparse
import contextlib
import ctypes
import socket
from pathlib import Path

from ocr_playground.api.auth import is_loopback, new_token
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


def few_malloc_arenas(count: int = 2) -> None:
    """glibc gives threads their own malloc arenas (up to 8 per core), and an arena keeps freed
    memory while any chunk in it is live: with the request thread pool the server kept about
    180 MB more after bench/soak.py than before it; with two arenas about 100 MB (mostly the
    bounded map cache). A no-op without glibc."""
    m_arena_max = -8
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").mallopt(m_arena_max, count)


def start_lines(settings: Settings) -> list[str]:
    """What `serve` prints: where it listens and, with a token, the URLs that carry it."""
    base = f"http://{settings.host}:{settings.port}/"
    lines = [f"ocr-playground: serving {base}  (API docs at /docs; data root {settings.data_root.resolve()})"]
    if settings.token is not None:
        hosts = [settings.host] if settings.host not in ("0.0.0.0", "::") else [socket.gethostname()]
        urls = [f"http://{host}:{settings.port}/?token={settings.token}" for host in [*hosts, "127.0.0.1"]]
        lines += [
            "  every route needs the access token; open one of these URLs:",
            *(f"    {u}" for u in urls),
        ]
    return lines


def serve(args: argparse.Namespace) -> None:
    import uvicorn

    from ocr_playground.api.app import create_app
    from ocr_playground.api.protocol import guarded_http
    from ocr_playground.errors import UsageError
    from ocr_playground.sqlite_store import StoreUnavailable

    few_malloc_arenas()  # before uvicorn and the thread pool start
    settings = Settings(**{field: getattr(args, field) for field, _, _ in SETTING_OPTIONS})
    if settings.token is None and not is_loopback(settings.host):
        # Beyond loopback, whoever reaches the port could read every image and write files: a
        # token is required, made here unless OCRP_TOKEN gives one (Jupyter's rule).
        settings = settings.model_copy(update={"token": new_token()})
    if args.demo:
        ensure_demo_samples(settings.data_root)
    try:
        app = create_app(settings)
    except StoreUnavailable as exc:  # refuse to start rather than look healthy and fail every write
        raise UsageError(str(exc)) from None
    for line in start_lines(settings):
        print(line, flush=True)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=args.log_level,
        http=guarded_http(settings.header_timeout_s),
    )
