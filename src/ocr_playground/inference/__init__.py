"""Text detection with ONNX checkpoints (DBNet family), the checkpoint catalog and evaluation.

engine (sessions, cache), profiles (preprocessing per model), postprocess (DB boxes), catalog
(checkpoints under the root), evaluation (ICDAR 2015 IoU and DetEval), service (what the API and
the CLI call).
"""
