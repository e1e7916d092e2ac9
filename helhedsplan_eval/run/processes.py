"""Child processes: no worker or kernel outlives the run.

:func:`descendants` lists every process below this one (from /proc on Linux), :func:`kill_descendants` stops them
and the kernels' process groups; :func:`_signals_interrupt` turns SIGTERM/SIGHUP into :class:`RunInterrupted` in
the main thread so that the run's clean-up always runs; :func:`signals_deferred` holds every interruption back
across a step that must not stop half way (the swap of a new report); :func:`_worker_init` makes a worker die with
its parent and take its kernel along; :func:`run_marked` and :func:`crash_state` tell which notebook crashed a
worker.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Iterable

from helhedsplan_eval.data.bundle_cache import pid_alive as _pid_alive
from helhedsplan_eval.run.errors import RunInterrupted


def _children_map() -> dict[int, list[int]]:
    """``{ppid: [pid, …]}`` of every process, read from /proc (Linux); empty elsewhere."""
    out: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return out
    for name in entries:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        out.setdefault(int(fields[1]), []).append(int(name))
    return out


def descendants(pid: int | None = None) -> list[int]:
    """Every process below ``pid`` (default: this one): workers, kernels and what they started."""
    pid = os.getpid() if pid is None else pid
    children = _children_map()
    found, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        if p in found:
            continue
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def _multiprocessing_helpers() -> set[int]:
    """multiprocessing's own helper processes of this process (the resource tracker): never ours to stop. The
    tracker ignores SIGINT and SIGTERM and ends by itself when this process does; killed, it is relaunched by the
    next semaphore clean-up and prints a warning and a ``KeyError: '/mp-…'`` traceback for every semaphore the
    workers' queues still held."""
    pids = set()
    try:
        from multiprocessing import resource_tracker

        pid = getattr(resource_tracker._resource_tracker, "_pid", None)
        if pid:
            pids.add(int(pid))
    except (ImportError, AttributeError, TypeError, ValueError):
        pass
    return pids


def kill_descendants(pid: int | None = None, grace: float = 3.0, keep: Iterable[int] = ()) -> list[int]:
    """SIGTERM every descendant except those in ``keep`` (processes that existed before the run,
    when run_year is called inside a larger program) and multiprocessing's resource tracker, and the process
    group of each kernel, which jupyter_client starts in its own session; then SIGKILL what is left after
    ``grace`` seconds."""
    import signal

    keep = set(keep) | _multiprocessing_helpers()
    procs = [p for p in descendants(pid) if p not in keep]
    if not procs or os.name != "posix":
        return procs
    groups = set()
    for p in procs:
        try:
            if os.getpgid(p) == p:  # a session/group leader of its own: a kernel
                groups.add(p)
        except OSError:
            pass
    for p in procs:
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_pid_alive(p) for p in procs):
        time.sleep(0.05)
    for g in groups:
        try:
            os.killpg(g, signal.SIGKILL)
        except OSError:
            pass
    for p in procs:
        if _pid_alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    return procs


@contextmanager
def _handlers(names: tuple[str, ...], handler):
    """In the main thread: ``handler`` for the signals ``names`` inside the block, the earlier handlers restored
    after it (SIG_DFL where Python had none). Elsewhere, or where a signal does not exist, nothing is changed."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {}
    for name in names:
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            saved[sig] = signal.signal(sig, handler)
        except (OSError, ValueError):
            pass
    try:
        yield
    finally:
        for sig, old in saved.items():
            try:
                signal.signal(sig, old if old is not None else signal.SIG_DFL)
            except (OSError, ValueError, TypeError):
                pass


@contextmanager
def _signals_interrupt():
    """In the main thread: SIGTERM and SIGHUP raise :class:`RunInterrupted` (like Ctrl-C raises
    KeyboardInterrupt), so that the run's clean-up (children, temporary folder) always runs."""

    def handler(signum, frame):
        raise RunInterrupted(signum)

    with _handlers(("SIGTERM", "SIGHUP"), handler):
        yield


@contextmanager
def signals_deferred():
    """In the main thread: SIGINT, SIGTERM and SIGHUP received inside the block wait until it has ended, and are
    then sent again, so that they interrupt as they would have (KeyboardInterrupt, :class:`RunInterrupted`). For
    steps that must not stop half way, such as swapping a new report in for the old one. Python runs signal
    handlers in the main thread only, so a handler that just records the signal covers every thread."""
    received: list[int] = []

    def record(signum, frame):
        received.append(signum)

    try:
        with _handlers(("SIGINT", "SIGTERM", "SIGHUP"), record):
            yield
    finally:
        if received:  # the interruption the block held back, now, handled as it would have been
            os.kill(os.getpid(), received[0])


#: (In a worker.) The marker file of the notebook this worker runs (:func:`run_marked`), None between notebooks.
_CURRENT_MARKER: str | None = None


def run_marked(fn, task):
    """(In a worker.) ``fn(task)`` while ``task.marker`` says "running": a worker that dies under a notebook leaves
    its marker saying so, while a worker stopped by the runner or the pool (SIGTERM) writes "terminated" first.
    :func:`crash_state` then tells the notebook that crashed its worker from those that only lost theirs."""
    global _CURRENT_MARKER
    marker = getattr(task, "marker", None)
    if marker:
        try:
            with open(marker, "w", encoding="utf-8") as fh:
                fh.write(f"running {os.getpid()}\n")
        except OSError:
            marker = None
    _CURRENT_MARKER = marker
    try:
        return fn(task)
    finally:
        _CURRENT_MARKER = None
        if marker:
            try:
                os.unlink(marker)
            except OSError:
                pass


def _mark_terminated() -> None:
    marker = _CURRENT_MARKER
    if marker:
        try:
            with open(marker, "w", encoding="utf-8") as fh:
                fh.write("terminated\n")
        except OSError:
            pass


def crash_state(marker: str | None) -> str | None:
    """After the pool broke: "running" if the task's worker died while running it (the notebook crashed it),
    "terminated" if its worker was stopped because another one died, None if it had not started (or finished)."""
    if not marker:
        return None
    try:
        with open(marker, encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return None
    return "terminated" if text.startswith("terminated") else "running"


def _worker_init(template: str | None = None) -> None:
    """In each worker process: die with the parent (Linux PR_SET_PDEATHSIG), and on SIGTERM take
    the kernel(s) this worker started along. ``template``: the socket of the pool's kernel template, whose forks
    are this worker's kernels (run.kernel_template)."""
    import signal

    from helhedsplan_eval.run import kernel_pool

    kernel_pool.TEMPLATE_ADDRESS = template

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass

    def on_term(signum, frame):
        _mark_terminated()  # not the notebook's doing (crash_state)
        kill_descendants(grace=1.0)
        os._exit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, on_term)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it then terminates us
        if hasattr(signal, "SIGHUP"):  # a forked worker inherits the runner's handler (RunInterrupted)
            signal.signal(signal.SIGHUP, on_term)
    except (OSError, ValueError):
        pass
    import atexit

    atexit.register(leave_now)  # the first handler registered here, so the last run


def leave_now(code: int = 0) -> None:
    """End this process without tearing the interpreter down. A spawned worker (not Linux, where workers are forked
    and leave through ``os._exit`` anyway) that has laid out pages holds many objects (WeasyPrint's boxes, fonts,
    pandas); freeing them one by one at exit cost about 0,7 CPU-second per worker at the end of every run, while the
    runner waited for it. Everything that matters has run by then: multiprocessing's
    finalizers (the kernel is killed, ``kernel_pool._register_shutdown``) and the other ``atexit`` handlers."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
    os._exit(code)
