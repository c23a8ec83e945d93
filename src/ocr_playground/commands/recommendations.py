"""Presets that fill a form for a common case, read from ``schemas/recommendations.yaml``."""

from functools import lru_cache
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ocr_playground.commands.catalog import RECOMMENDATIONS, packaged_schema_dir


class Recommendation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    label: str
    description: str = ""
    schema_id: str
    # The architecture this preset trains; None means it applies to any architecture.
    architecture: str | None = None
    append_model_suffix: bool = False
    values: dict[str, Any] = Field(default_factory=dict)


class _File(BaseModel):
    recommendations: list[Recommendation]


@lru_cache(maxsize=1)
def all_recommendations() -> tuple[Recommendation, ...]:
    path = packaged_schema_dir() / RECOMMENDATIONS
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(_File.model_validate(data).recommendations)


def recommendations(architecture: str | None = None, schema_id: str | None = None) -> list[Recommendation]:
    """Presets for this architecture (and those that fit any), optionally for one schema only."""
    return [
        r
        for r in all_recommendations()
        if (architecture is None or r.architecture in (None, architecture))
        and (schema_id is None or r.schema_id == schema_id)
    ]
