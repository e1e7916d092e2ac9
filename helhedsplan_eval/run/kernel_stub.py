"""The kernel command of a run with a kernel template (``python -m helhedsplan_eval.run.kernel_stub -f <file>``).

jupyter_client starts this small process as if it were the kernel. It asks the template (``kernel_template``, whose
socket ``HPE_KERNEL_TEMPLATE`` names) for a forked kernel with this process's streams, environment, folder and
arguments, then stands in for it: the signals it gets go to the kernel, and it ends when the kernel ends. When it is
killed, the kernel ends too (the pipe it holds closes). Without a template, or when the template refuses, it becomes
an ordinary kernel (``exec`` of ``python -m ipykernel_launcher``). Standard library only: it starts in milliseconds.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys
import time

ENV = "HPE_KERNEL_TEMPLATE"  # kernel_template.ENV (not imported: the stub stays small)
_HEADER = struct.Struct("!I")
TEMPLATE_TIMEOUT = 60.0  # seconds: the template imports for a few seconds before it answers the first request
_FORWARDED = ("SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2")


def _ask(address: str, argv: list[str]) -> tuple[int | None, int | None]:
    """The template's forked kernel for us: (its pid, the pipe end that keeps it alive), or (None, None)."""
    read_end, write_end = os.pipe()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(TEMPLATE_TIMEOUT)  # a template that never answers costs this long, then a plain kernel
            conn.connect(address)
            payload = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
            socket.send_fds(conn, [_HEADER.pack(len(payload))], [0, 1, 2, read_end])
            conn.sendall(payload)
            reply = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                reply += chunk
        pid = json.loads(reply.decode() or "{}").get("pid")
    except (OSError, ValueError):
        pid = None
    finally:
        os.close(read_end)
    if not isinstance(pid, int):
        os.close(write_end)
        return None, None
    return pid, write_end


def _stand_in(pid: int) -> None:
    """Forward signals to the kernel and return when it has ended."""
    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except OSError:
            pass

    for name in _FORWARDED:
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), forward)
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    while True:
        if fd is not None:
            try:
                if select.select([fd], [], [], 1.0)[0]:
                    return
            except InterruptedError:
                pass
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:
            pass
        time.sleep(0.1)


def main(argv: list[str]) -> None:
    address = os.environ.get(ENV)
    pid, keep = _ask(address, argv) if address else (None, None)
    if pid is None:
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *argv])
    _stand_in(pid)
    os._exit(0)  # ``keep`` closes with the process


if __name__ == "__main__":
    main(sys.argv[1:])
