"""Worker processes die with their parent: a server killed with SIGKILL must not leave orphans
writing into the outputs tree while its successor recovers the work."""

import contextlib
import ctypes
import os
import signal


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent goes (a no-op where prctl is missing)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)
