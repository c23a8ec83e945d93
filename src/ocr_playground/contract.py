"""The contract between the two engines, as data: the pipelines, their ops in order, each op's
aliases, routing hints and params (JSON Schema: names, types, defaults, ranges, odd sizes), and the
client limits. The browser does not restate any of it: ``make contract`` writes this JSON to
``web/src/contract/pipelines.json``, which the workers, the routing and the controls read, and
``tests/test_contract.py`` fails when that copy (or the built one) no longer matches.
"""

import json
from typing import Any

from ocr_playground.imaging.pipeline import describe_pipelines
from ocr_playground.jobs.routing import CLIENT_MAX_BYTES, CLIENT_MAX_SIDE


def contract() -> dict[str, Any]:
    """What ``GET /api/pipelines`` serves and ``ocr-playground pipelines`` prints."""
    return {
        **describe_pipelines(),
        "client_limits": {"max_bytes": CLIENT_MAX_BYTES, "max_side": CLIENT_MAX_SIDE},
    }


def contract_json() -> str:
    """The contract as the committed file holds it (sorted keys are not used: op order matters)."""
    return json.dumps(contract(), indent=2, ensure_ascii=False) + "\n"
