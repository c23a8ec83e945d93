"""Refusals of the runs package: each message is one sentence naming the problem. The API answers
``status_code`` (see ``ocr_playground.errors``), the command line exits with status 2. A dataset
outside the data root is ``artifacts.PathOutsideRoot``, as for every other root."""

from ocr_playground.errors import Refusal


class RunError(Refusal, ValueError):
    status_code = 422


class RunNotFound(RunError):
    status_code = 404

    def __init__(self, run_id: str) -> None:
        super().__init__(f"No run has the id '{run_id}'.")


class ItemNotFound(RunError):
    status_code = 404


class ImageGone(RunError):
    """The file a run read for an item was deleted or replaced (by a folder, say) since."""

    status_code = 410


class RunAlreadyDone(RunError):
    status_code = 409


class RunStalled(RunError):
    """An engine made no progress for too long (a run fails with this sentence)."""
