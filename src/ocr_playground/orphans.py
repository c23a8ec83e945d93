"""Worker processes die with the server: a server killed with SIGKILL must not leave orphans holding
memory and ONNX sessions, or writing into the outputs tree while its successor recovers the work."""

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import threading
from multiprocessing.process import BaseProcess


def die_with_parent() -> None:
    """End this worker process when the process that started it goes.

    Two watches, because a worker from a forkserver has two parents. Linux's parent-death signal
    covers the process's real parent. But that parent is the forkserver, and the forkserver outlives a
    killed server: multiprocessing hands every child a copy of the pipe the forkserver waits on to see
    the server go, so while a worker lives the forkserver never sees it, and neither would die. The
    second watch is multiprocessing's own sentinel of the process that asked for this one (the server),
    which closes when the server dies, however it dies.
    """
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)
    parent = mp.parent_process()
    if parent is not None:
        watch = threading.Thread(target=_exit_when_gone, args=(parent,), name="ocrp-parent", daemon=True)
        watch.start()


def _exit_when_gone(parent: BaseProcess) -> None:
    parent.join()  # returns when the parent's end of the sentinel pipe closes: the parent is gone
    os._exit(1)
