"""What every op is made of: a validated params model and a pure function on pixels.

Images are numpy arrays, ``uint8``, ``H×W×3`` (RGB) or ``H×W×4`` (RGBA). An op accepts both and
keeps the alpha channel as it found it, except ``background_removal``, which writes its mask there.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class OpParams(BaseModel):
    """Base of every op's params: camelCase JSON names, unknown fields refused, immutable."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


def _require_odd(value: int) -> int:
    if value % 2 == 0:
        raise ValueError("must be odd")
    return value


# Kernel and block sizes need a centre pixel. The JSON Schema says so with a standard keyword
# ({"not": {"multipleOf": 2}}), which the browser reads both to validate and to step its sliders by 2.
ODD = {"not": {"multipleOf": 2}}
OddInt = Annotated[int, AfterValidator(_require_odd), Field(json_schema_extra=ODD)]


@dataclass(frozen=True)
class Op:
    name: str
    params: type[OpParams]
    apply: Callable[[np.ndarray, OpParams], np.ndarray]
    summary: str
    aliases: tuple[str, ...] = ()
    # For ops that find something worth telling (the page's corners): the same work, and a JSON report.
    apply_with_report: Callable[[np.ndarray, OpParams], tuple[np.ndarray, dict]] | None = None

    def run(self, image: np.ndarray, params: OpParams) -> tuple[np.ndarray, dict | None]:
        """The output and the op's report (None for ops without one)."""
        if self.apply_with_report is not None:
            return self.apply_with_report(image, params)
        return self.apply(image, params), None

    def json_schema(self) -> dict:
        return self.params.model_json_schema(by_alias=True)
