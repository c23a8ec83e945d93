"""Counts model calls in every process of a server started with this folder on PYTHONPATH (the
resume test's witness that finished items are not computed again). Each call appends the image's
size and the process id to the file named by OCRP_TEST_MODEL_CALLS; the engine's 256×256 warm-up
is written too and told apart by its size."""

import os

if os.environ.get("OCRP_TEST_MODEL_CALLS"):
    from ocr_playground.inference import engine

    _original = engine.Detector.probability_map

    def _counted(self, image):  # type: ignore[no-untyped-def]
        with open(os.environ["OCRP_TEST_MODEL_CALLS"], "a") as calls:
            calls.write(f"{image.shape[1]}x{image.shape[0]} {os.getpid()}\n")
        return _original(self, image)

    engine.Detector.probability_map = _counted
