"""Both engines judge params alike: random params through Python's ``imaging.pipeline.validate``
and the browser's ``planSteps`` (its Node build) get the same verdict, and a refusal names the
same op and the same field.

The params are JSON both engines read the same way: integers within 2**53 (what a JavaScript number
holds exactly) and keys that are not integers (JavaScript lists those first in an object, whatever
order the JSON had, and the first problem found depends on the order).
"""

import json
import string
import subprocess
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocr_playground.contract import contract
from ocr_playground.imaging.errors import InvalidParams
from ocr_playground.imaging.pipeline import validate

from ts_kernels import BUNDLE, cannot_run, ensure_bundle

CONTRACT = contract()
SAFE = 2**53
names = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=8)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-SAFE, SAFE)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["client", "server", "otsu", "adaptive", "", "5"])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=6,
)


def near(schema: dict[str, Any]) -> st.SearchStrategy:
    """Values around what a param takes: inside, at and past its bounds, odd and even, or anything."""
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), st.sampled_from(schema["enum"]), scalars)
    low = schema.get("minimum", schema.get("exclusiveMinimum", -10))
    high = schema.get("maximum", schema.get("exclusiveMaximum", 10))
    whole = st.integers(int(low) - 3, int(high) + 3)
    if schema.get("type") == "integer":
        return st.one_of(whole, whole, whole.map(float), scalars)
    return st.one_of(st.floats(low - 1, high + 1, allow_nan=False), whole, scalars)


def op_params(op: str) -> st.SearchStrategy:
    properties = CONTRACT["ops"][op]["params_schema"].get("properties", {})
    declared = st.fixed_dictionaries({}, optional={name: near(s) for name, s in properties.items()})
    extra = st.dictionaries(names, scalars, max_size=1)
    return st.one_of(declared, declared, declared, st.tuples(declared, extra).map(lambda t: {**t[0], **t[1]}))


def setting(op: str) -> st.SearchStrategy:
    hints = CONTRACT["ops"][op]["routing_hints"]
    return st.one_of(
        op_params(op),
        op_params(op),
        op_params(op),
        st.just(True),
        st.sampled_from([False, None, *hints]),
        json_values,
    )


def op_of(key: str) -> str | None:
    """The op a params key names (itself or an alias), or None."""
    return next((op for op, info in CONTRACT["ops"].items() if key == op or key in info["aliases"]), None)


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    # The by-op pipelines hold most of the ways to go wrong: drawn three times as often.
    pipeline = draw(
        st.sampled_from(
            [p for p in CONTRACT["pipelines"] for _ in range(3 if p["params_style"] == "by_op" else 1)]
        )
    )
    if pipeline["params_style"] == "flat":
        params = draw(st.one_of(op_params(pipeline["ops"][0]), op_params(pipeline["ops"][0]), json_values))
        return {"pipeline_id": pipeline["id"], "params": params}
    known = [name for op in pipeline["ops"] for name in (op, *CONTRACT["ops"][op]["aliases"])]
    chosen = draw(st.lists(st.sampled_from(known), max_size=5, unique=True))
    chosen += draw(st.one_of(st.just([]), st.just([]), st.just([]), st.lists(names, max_size=1)))
    if not chosen:
        return {"pipeline_id": pipeline["id"], "params": draw(st.one_of(st.just({}), json_values))}
    params = {}
    for key in draw(st.permutations(chosen)):
        op = op_of(key)
        params[key] = draw(setting(op) if op else json_values)
    return {"pipeline_id": pipeline["id"], "params": params}


def python_verdict(request: dict[str, Any]) -> dict[str, Any]:
    try:
        validate(request["pipeline_id"], request["params"])
    except InvalidParams as exc:
        return {"ok": False, "op": exc.op, "field": exc.field}
    return {"ok": True}


@pytest.fixture(scope="module")
def browser():
    reason = ensure_bundle()
    if reason is not None:
        cannot_run(reason)
    process = subprocess.Popen(
        ["node", str(BUNDLE), "--validate"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )

    def verdict(request: dict[str, Any]) -> dict[str, Any]:
        # JSON as the browser would receive it from Python (floats keep their written form).
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        return {k: answer.get(k) for k in ("ok", "op", "field")} if not answer["ok"] else {"ok": True}

    yield verdict
    process.stdin.close()
    process.wait(timeout=10)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(request=requests())
def test_both_engines_accept_and_refuse_the_same_params_naming_the_same_field(browser, request) -> None:
    # JSON round trip first: the server sees what a client sent, not Python objects.
    request = json.loads(json.dumps(request))
    assert browser(request) == python_verdict(request), request


@pytest.mark.parametrize(
    "params",
    [
        {"blur": {"kernelSize": 1}},  # the browser's kernels take 1; the contract says 3 to 31
        {"resize": {"maxSide": 1}},
        {"binarize": {"method": "otsu", "blockSize": 4}},
        {"sharpen": True},
        {"blur": {"kernel_size": 7}},
    ],
)
def test_the_drifts_that_were_bugs_are_refused_by_both(browser, params: dict) -> None:
    request = {"pipeline_id": "preprocessing", "params": params}
    assert browser(request)["ok"] is False
    assert browser(request) == python_verdict(request)
