"""Refusals of the runs package: each message is one sentence naming the problem. The API answers
``status_code``, the command line exits with status 2."""


class RunError(ValueError):
    status_code = 422


class RunNotFound(RunError):
    status_code = 404

    def __init__(self, run_id: str) -> None:
        super().__init__(f"No run has the id '{run_id}'.")


class ItemNotFound(RunError):
    status_code = 404


class RunAlreadyDone(RunError):
    status_code = 409


class DatasetOutsideRoot(RunError):
    status_code = 403


class RunStalled(RunError):
    """An engine made no progress for too long (a run fails with this sentence)."""
