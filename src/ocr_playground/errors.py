"""What a refusal is: bad input (or a server that cannot take it now) told in one sentence.

Every domain error that a caller may cause derives from ``Refusal`` and declares what it is: the
HTTP status the API answers (``status_code``) and, when trying again later may help, how many
seconds to wait (``retry_after``). ``api/errors.py`` maps them all with one handler; the command
line prints the sentence on one line and exits with status 2. Anything else escaping is a bug.

This module imports nothing from the project, so every layer (``imaging`` included) may use it.
"""


class Refusal(Exception):
    """Base of every error that is the caller's input (or the server's state), never a bug."""

    status_code: int = 422
    retry_after: int | None = None


class UsageError(Refusal, ValueError):
    """Bad input to a command or a request that is not about one domain (a malformed option, an
    output that cannot be written, a folder with no images)."""


class NotFound(Refusal, LookupError):
    status_code = 404


class TooLarge(Refusal, ValueError):
    status_code = 413
