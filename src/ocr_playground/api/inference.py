"""Inference routes: the checkpoint catalog, detection previews, and evaluation of predictions."""

import json
import time
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from ocr_playground.api.deps import ServiceDep, SettingsDep
from ocr_playground.api.inputs import decode_base64, read_data_file
from ocr_playground.api.models import TaskId, Text
from ocr_playground.api.reuse import preview_key, run_answer
from ocr_playground.api.runs import RunsDep
from ocr_playground.cachekey import image_digest
from ocr_playground.inference import catalog
from ocr_playground.inference.annotations import (
    icdar_image_name,
    parse_icdar_txt,
    parse_receipt_json,
)
from ocr_playground.inference.engine import default_cache
from ocr_playground.inference.errors import InvalidAnnotations
from ocr_playground.inference.evaluation import Deadline, EvaluationResult, Word, evaluate
from ocr_playground.inference.jobs import PIPELINE_ID, detections_json, detections_path
from ocr_playground.inference.names import one_per_image
from ocr_playground.inference.postprocess import DetectionParams
from ocr_playground.inference.recognition import default_recognizers
from ocr_playground.inference.service import NOT_INVERTIBLE_OPS, InferenceParams, MapCache, detect_bytes
from ocr_playground.inference.text_metrics import TextEvaluation, evaluate_text, has_text
from ocr_playground.runs.service import RunService
from ocr_playground.settings import Settings

router = APIRouter(prefix="/api", tags=["inference"])
# A scoring request is answered within this (a real validation set takes well under a second); a
# larger set is refused by name and belongs to `evaluate` on the command line, or a run.
EVALUATION_SECONDS = 30.0
_maps = MapCache()


class CheckpointList(BaseModel):
    checkpoints: list[catalog.CheckpointEntry]
    root: str = Field(description="The checkpoints root, absolute (ocr-playground serve --checkpoints-root).")


class PreviewRequest(BaseModel):
    image_path: Text | None = Field(None, max_length=4096, description="An image under the data root.")
    image_base64: str | None = Field(None, description="The image bytes, base64 (a data: URL is accepted).")
    checkpoint_path: Text = Field(
        max_length=4096, description="From GET /api/inference/checkpoints, e.g. builtin:ppocrv4-det."
    )
    recognizer_path: Text | None = Field(
        None,
        max_length=4096,
        description="A text recognizer from GET /api/inference/recognizers (e.g. builtin:ppocrv4-rec): "
        "each detection then carries its text and textScore.",
    )
    params: InferenceParams = Field(default_factory=InferenceParams)
    task_id: TaskId = None
    _sent_params: Any = PrivateAttr(default=None)  # None: not known, so no run item is looked up

    @model_validator(mode="after")
    def _one_image(self) -> "PreviewRequest":
        if (self.image_path is None) == (self.image_base64 is None):
            raise ValueError("give exactly one of image_path or image_base64")
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _keep_sent_params(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> "PreviewRequest":
        # The cache key hashes params as sent, not as parsed (no defaults filled in): a run or a
        # job with the same settings then has the same key.
        request = handler(data)
        if isinstance(data, dict):
            request._sent_params = data.get("params", {})  # left out: hashed as {}, as a job does
        return request

    @property
    def sent_params(self) -> Any:
        return self._sent_params


class DetectionOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    points: list[list[float]] = Field(description="Polygon in original image pixels, clockwise.")
    score: float = Field(description="Mean text probability inside the region.")
    text: str | None = Field(None, description="The text read, with a recognizer ('' when unreadable).")
    text_score: float | None = Field(None, alias="textScore", description="The recognizer's confidence.")


class ImageSize(BaseModel):
    width: int
    height: int


class PreviewResponse(BaseModel):
    checkpoint_path: str
    recognizer_path: str | None = None
    detections: list[DetectionOut]
    image: ImageSize
    model_input: ImageSize | None = Field(
        None, description="The probability map's size: the image as the model saw it (the profile's caps)."
    )
    timings: dict[str, float | bool]
    task_id: str | None = None
    reused_from: str | None = Field(
        None,
        description="Set when the answer is a finished run's item under the same cache key "
        "('run-…/name'): the model did not run, and timings hold no model time.",
        examples=["run-0123456789ab/receipts/r001.jpg"],
    )


class AnnotationSet(BaseModel):
    """Receipt-competition JSON (``images`` → name → ``words``), or ICDAR 2015 files by name."""

    images: dict[str, Any] | None = None
    icdar2015: dict[str, str] | None = Field(
        None, description="File name → file text, e.g. {'gt_img_1.txt': '10,10,90,10,90,30,10,30,TOTAL'}."
    )

    def words(self, what: str) -> dict[str, list[Word]]:
        if (self.images is None) == (self.icdar2015 is None):
            raise InvalidAnnotations(f"The {what} must give exactly one of 'images' or 'icdar2015'.")
        if self.images is not None:
            return parse_receipt_json({"images": self.images}, f"The {what}")
        one_per_image([(icdar_image_name(name), name) for name in self.icdar2015], f"The {what}")
        return {
            icdar_image_name(name): parse_icdar_txt(text, f"The {what} file '{name}'")
            for name, text in self.icdar2015.items()
        }


class EvaluationRequest(BaseModel):
    ground_truth: AnnotationSet
    predictions: AnnotationSet
    case_sensitive: bool = Field(True, description="Compare text case-sensitively (text metrics).")


class EvaluationResponse(EvaluationResult):
    text: TextEvaluation | None = Field(
        None, description="Text metrics, when both the ground truth and the predictions carry text."
    )


class RecognizerList(BaseModel):
    recognizers: list[catalog.RecognizerEntry]


def _image_bytes(req: PreviewRequest, settings: Settings) -> bytes:
    # The pipelines API's own readers: the same base64 rules, data-root confinement and size limit.
    if req.image_base64 is not None:
        return decode_base64(req.image_base64)
    return read_data_file(req.image_path or "", settings)[0]


@router.get("/inference/schema")
def detection_schema() -> dict[str, Any]:
    """The ``params.detection`` thresholds as JSON Schema (names, defaults, ranges, what each does):
    what the Inference Studio builds its sliders from; and the preprocessing ops detection refuses
    (their geometry cannot be undone on the detections), so the Studio does not offer them."""
    return {
        "detection": DetectionParams.model_json_schema(by_alias=True),
        "refused_ops": list(NOT_INVERTIBLE_OPS),
    }


@router.get("/inference/checkpoints", response_model=CheckpointList)
def list_checkpoints(settings: SettingsDep) -> CheckpointList:
    root = settings.checkpoints_root
    return CheckpointList(checkpoints=catalog.list_checkpoints(root), root=str(root.resolve()))


@router.get("/inference/recognizers", response_model=RecognizerList)
def list_recognizers(settings: SettingsDep) -> RecognizerList:
    """Text recognizers to send as ``recognizer_path``: the built-in one (demo extra), then the
    ``*rec*.onnx`` files under the checkpoints root."""
    return RecognizerList(recognizers=catalog.list_recognizers(settings.checkpoints_root))


def inference_preview(
    settings: Settings,
    data: bytes,
    checkpoint_path: str,
    params: InferenceParams,
    task_id: str | None = None,
    recognizer_path: str | None = None,
    digest: str | None = None,
) -> PreviewResponse:
    """Detection (and recognition, given a recognizer) on image bytes, as a response. Also what
    ``/api/pipelines/preview`` calls for the ``inference`` pipeline (routed ``server-inference``).
    Raises InferenceError on bad input."""
    started = time.perf_counter()
    model_path = catalog.resolve_checkpoint(settings.checkpoints_root, checkpoint_path)
    recognizer = None
    if recognizer_path is not None:
        rec_path = catalog.resolve_recognizer(settings.checkpoints_root, recognizer_path)
        recognizer = default_recognizers().get(rec_path)
    result = detect_bytes(data, default_cache().get(model_path), params, _maps, recognizer, digest)
    result.timings["total_ms"] = (time.perf_counter() - started) * 1e3
    return PreviewResponse(
        checkpoint_path=checkpoint_path,
        recognizer_path=recognizer_path,
        detections=[DetectionOut(**d) for d in detections_json(result)],
        image=ImageSize(width=result.width, height=result.height),
        model_input=ImageSize(width=result.map_size[1], height=result.map_size[0]),
        timings={k: round(v, 2) if isinstance(v, float) else v for k, v in result.timings.items()},
        task_id=task_id,
    )


def preview_from_run(
    req: PreviewRequest, digest: str, runs: RunService, settings: Settings
) -> PreviewResponse | None:
    """The answer a finished run item already holds for this image and these settings (detections
    in the form a computed preview gives), or None when no run has it."""
    started = time.perf_counter()
    key = preview_key(digest, req.sent_params, req.checkpoint_path, req.recognizer_path)
    item = None if key is None else run_answer(runs, settings, key, req.checkpoint_path, req.recognizer_path)
    if item is None:
        return None
    return PreviewResponse(
        checkpoint_path=req.checkpoint_path,
        recognizer_path=req.recognizer_path,
        detections=item["boxes"],
        image=ImageSize(width=item["width"], height=item["height"]),
        timings={
            "lookup_ms": round(item["lookup_ms"], 2),
            "total_ms": round((time.perf_counter() - started) * 1e3, 2),
        },
        task_id=req.task_id,
        reused_from=f"{item['run_id']}/{item['name']}",
    )


@router.post("/inference/preview", response_model=PreviewResponse)
def preview(req: PreviewRequest, settings: SettingsDep, runs: RunsDep) -> PreviewResponse:
    """Detection on one image: answered from a finished run's item when one holds this image under
    the same settings and models (``reused_from`` says which), else computed."""
    data = _image_bytes(req, settings)
    digest = image_digest(data)  # once, for the run lookup and the probability map's key
    reused = preview_from_run(req, digest, runs, settings)
    if reused is not None:
        return reused
    return inference_preview(
        settings, data, req.checkpoint_path, req.params, req.task_id, req.recognizer_path, digest
    )


@router.get("/inference/jobs/{job_id}/detections", response_model=PreviewResponse)
def job_detections(job_id: str, service: ServiceDep) -> PreviewResponse:
    """The detections of a finished ``inference`` pipeline job (its result PNG draws them)."""
    job = service.get(job_id)
    if job.pipeline_id != PIPELINE_ID:
        raise HTTPException(404, detail=f"Job '{job_id}' is not an inference job.")
    if job.result_path is None:
        raise HTTPException(409, detail=f"Job '{job_id}' is {job.status.value}; it has no detections yet.")
    try:
        body = json.loads(detections_path(job.result_path).read_text())
    except FileNotFoundError:
        raise HTTPException(410, detail=f"The detections of job '{job_id}' are gone.") from None
    return PreviewResponse(
        checkpoint_path=body["checkpoint_path"],
        recognizer_path=body.get("recognizer_path"),  # a job file from before recognition has none
        detections=body["detections"],
        image=body["image"],
        timings={},
        task_id=job.task_id,
    )


@router.post("/evaluation", response_model=EvaluationResponse)
def evaluation(req: EvaluationRequest) -> EvaluationResponse:
    gt, pred = req.ground_truth.words("ground truth"), req.predictions.words("predictions")
    deadline = Deadline(time.monotonic() + EVALUATION_SECONDS)
    result = evaluate(gt, pred, deadline)
    text = None
    if has_text(gt) and has_text(pred):
        text = evaluate_text(gt, pred, req.case_sensitive, deadline)
    return EvaluationResponse(**result.model_dump(), text=text)
