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


def bar_reader(path: Path, characters: str | None = "a\nb", classes: int = 4, step: int = 8) -> Path:
    """A CTC "recognizer" N×3×H×W -> N×(W/step)×classes that reads every dark stretch of a line as
    'a' (class 1) and light as the blank (class 0); class 2 ('b') and the space never win. Its
    dictionary goes in the ONNX metadata under ``character`` (PaddleOCR's key) unless None."""
    darkness = np.zeros((classes, 1, 1, 1), np.float32)
    darkness[0], darkness[1] = 6.0, -6.0  # inputs are normalised to [-1, 1]: ink is -1, paper +1
    bias = np.zeros(classes, np.float32)
    bias[2:] = -8.0
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["x"], ["cols"], axes=[1, 2], keepdims=1),
            helper.make_node("AveragePool", ["cols"], ["steps"], kernel_shape=[1, step], strides=[1, step]),
            helper.make_node("Conv", ["steps", "darkness", "bias"], ["logits"]),
            helper.make_node("Squeeze", ["logits", "axis2"], ["nct"]),
            helper.make_node("Transpose", ["nct"], ["ntc"], perm=[0, 2, 1]),
            helper.make_node("Softmax", ["ntc"], ["probs"], axis=2),
        ],
        "bar_reader",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, "h", "w"])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["n", "t", classes])],
        initializer=[
            numpy_helper.from_array(darkness, "darkness"),
            numpy_helper.from_array(bias, "bias"),
            numpy_helper.from_array(np.array([2], np.int64), "axis2"),
        ],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    if characters is not None:
        helper.set_model_props(model, {"character": characters})
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))
    return path
