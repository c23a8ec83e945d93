"""Tiny ONNX models built by the tests themselves with the ``onnx`` package (no download)."""

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _save(graph: onnx.GraphProto, path: Path) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8  # readable by every onnxruntime this project accepts
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path


def dark_text_detector(path: Path, gain: float = -4.0, size: tuple[int, int] | None = None) -> Path:
    """1×3×H×W -> 1×1×H×W: sigmoid(gain · mean over channels). With a negative gain, dark pixels
    (ink on paper, once normalised) come out near 1: a DBNet-shaped "detector" for dark blobs."""
    h, w = size if size else ("h", "w")
    weight = numpy_helper.from_array(np.full((1, 3, 1, 1), gain / 3, np.float32), "weight")
    graph = helper.make_graph(
        [
            helper.make_node("Conv", ["x", "weight"], ["logits"]),
            helper.make_node("Sigmoid", ["logits"], ["prob"]),
        ],
        "dark_text",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, h, w])],
        [helper.make_tensor_value_info("prob", TensorProto.FLOAT, [1, 1, h, w])],
        initializer=[weight],
    )
    return _save(graph, path)


def vector_model(path: Path) -> Path:
    """A model whose input is a 1×10 vector: loadable ONNX, but not an image detector."""
    graph = helper.make_graph(
        [helper.make_node("Sigmoid", ["v"], ["out"])],
        "vector",
        [helper.make_tensor_value_info("v", TensorProto.FLOAT, [1, 10])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [1, 10])],
    )
    return _save(graph, path)
