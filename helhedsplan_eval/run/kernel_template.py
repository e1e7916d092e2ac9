"""Kernels forked from one warm template process.

Every kernel of a run used to be a new interpreter that imported pandas, matplotlib, seaborn, scipy.stats,
statsmodels, ipykernel and this package: about 1,6 CPU-seconds each, at the start of every run, while the runner
read the data on the same two cores, and the first notebook waited for it. With several workers the pool now starts
one **template** process (:func:`start_template`) that does those imports once, the chart machinery's first-use
costs included, and then only forks: each kernel is a fork of the template, warm from its first instruction.

How a kernel is asked for. jupyter_client starts kernels as always (connection file, own session, its process
watched, signalled and killed as usual), but with ``kernel_stub`` as the kernel's command
(``kernel_pool.WarmKernel.start``). The stub connects to the template's socket and hands over its standard streams,
its environment, working folder and arguments, and the read end of a pipe whose write end it keeps. The template
forks; the child becomes the kernel (a new session, the stub's streams, ``ipykernel``'s own start with the
connection file) and ends the moment the stub ends: when jupyter_client kills the stub, the pipe closes and the kernel
leaves (:func:`_become_kernel`). The stub forwards the signals it gets (an interrupt is SIGINT) and ends when the
kernel ends.

What a forked kernel shares with a started one: the interpreter's start-up values (``PYTHONHASHSEED``,
``PYTHONPATH``, ``MPLBACKEND``; the template refuses a request whose values differ and the stub then starts an
ordinary kernel), modules, and nothing else: no figure was made with pyplot (the backend is chosen in the kernel, by
its first chart), no event loop ran, and ``random``/numpy are seeded anew. A template that is gone, or refuses,
costs nothing but the saving: the stub starts ``ipykernel_launcher`` itself.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile

#: The environment variable that gives a kernel stub the template's socket.
ENV = "HPE_KERNEL_TEMPLATE"
#: The interpreter's start-up values a forked kernel inherits; a request with other values is refused.
START_KEYS = ("PYTHONHASHSEED", "PYTHONPATH", "MPLBACKEND")
_HEADER = struct.Struct("!I")  # the length of the request that follows the header (with the descriptors)


class Template:
    """The runner's handle on its template process: the socket's path (``address``) and :meth:`stop`."""

    def __init__(self, process: subprocess.Popen, folder: str):
        self.process = process
        self.folder = folder
        self.address = os.path.join(folder, "s")

    def stop(self) -> None:
        try:
            self.process.kill()
            self.process.wait(timeout=5)
        except Exception:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def start_template(start_env: dict) -> Template | None:
    """(In the runner.) Start the template with the kernels' start-up environment and return its handle, or None
    where forking is not available. The socket is bound here, so a stub can connect at once; the template accepts
    once its imports are done."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return None
    folder = tempfile.mkdtemp(prefix="hpe-tpl-")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(os.path.join(folder, "s"))
        listener.listen(16)
        env = dict(os.environ)
        env.update({k: str(v) for k, v in start_env.items()})
        env.pop(ENV, None)
        process = subprocess.Popen(
            [sys.executable, "-m", "helhedsplan_eval.run.kernel_template", str(listener.fileno())],
            env=env, pass_fds=[listener.fileno()], stdin=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        listener.close()
        shutil.rmtree(folder, ignore_errors=True)
        return None
    listener.close()  # the template holds it now
    return Template(process, folder)


# --------------------------------------------------------------------------------------------
# The template process
# --------------------------------------------------------------------------------------------


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _warm() -> None:
    """What every kernel imports (kernel_pool._kernel_warm_up), and the first-use costs of a chart paid without
    pyplot (the kernel's first chart chooses the inline backend)."""
    import io

    import ipykernel.kernelapp  # noqa: F401
    import IPython  # noqa: F401
    import matplotlib  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pandas.io.formats.style  # noqa: F401
    import seaborn  # noqa: F401
    import statsmodels.stats.proportion  # noqa: F401
    import statsmodels.stats.rates  # noqa: F401
    from matplotlib.figure import Figure

    from helhedsplan_eval.analysis import evaluate, fit, survey  # noqa: F401
    from helhedsplan_eval.data import contract  # noqa: F401
    from helhedsplan_eval.report import board  # noqa: F401

    fig = Figure(figsize=(2, 1))
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="æøå")
    ax.set_title("Opvarmning")
    ax.legend()
    fig.tight_layout()
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")


def serve(fd: int) -> None:
    """(The template's main.) Import, then fork one kernel per request on the listening socket ``fd``."""
    import gc

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # forked kernels are reaped by the system: no zombies
    listener = socket.socket(fileno=fd)
    try:
        _warm()
    except Exception:
        return  # the stubs find no template and start ordinary kernels
    gc.collect()
    gc.freeze()  # shared with every fork, never copied by a collection
    while True:
        conn, _ = listener.accept()
        fds: list[int] = []
        try:
            request, fds = _receive(conn)
            pid = _fork(listener, conn, request, fds) if _acceptable(request) else None
            conn.sendall(json.dumps({"pid": pid}).encode())
        except Exception:
            pass
        finally:
            for f in fds:
                try:
                    os.close(f)
                except OSError:
                    pass
            conn.close()


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    header, fds, _flags, _addr = socket.recv_fds(conn, _HEADER.size, 8)
    if len(header) != _HEADER.size:
        raise ValueError("short header")
    (size,) = _HEADER.unpack(header)
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ValueError("short request")
        data += chunk
    return json.loads(data.decode()), list(fds)


def _acceptable(request: dict) -> bool:
    env = request.get("env", {})
    return all(env.get(k) == os.environ.get(k) for k in START_KEYS)


def _fork(listener: socket.socket, conn: socket.socket, request: dict, fds: list[int]) -> int:
    pid = os.fork()
    if pid == 0:  # the kernel
        code = 1
        try:
            listener.close()
            conn.close()
            _become_kernel(request, fds)
            code = 0
        finally:
            os._exit(code)
    return pid


def _become_kernel(request: dict, fds: list[int]) -> None:
    """(In the forked child.) The stub's streams, environment and folder, a session of its own, an end with the stub,
    then ipykernel's start as ``python -m ipykernel_launcher -f <connection file>`` would make it."""
    import random
    import threading

    os.setsid()
    _die_with_parent()
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.stdout.flush()
    sys.stderr.flush()
    stdin, stdout, stderr, watch = fds
    for src, dst in ((stdin, 0), (stdout, 1), (stderr, 2)):
        os.dup2(src, dst)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    random.seed()
    try:
        import numpy

        numpy.random.seed()
    except Exception:
        pass

    def end_with_stub() -> None:  # the stub holds the pipe's write end: EOF means it is gone
        try:
            while os.read(watch, 1):
                pass
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=end_with_stub, name="stub-watch", daemon=True).start()
    from ipykernel import kernelapp

    # ipykernel reads JPY_PARENT_PID when it is imported (here: in the template, without it); as a started kernel
    # would, this one knows it has a parent (and prints no "Ctrl-C will not work" banner)
    parent = os.environ.get("JPY_PARENT_PID", "")
    extra = [f"--IPKernelApp.parent_handle={int(parent)}"] if parent.isdigit() else []
    sys.argv = ["ipykernel_launcher", *request["argv"], *extra]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
