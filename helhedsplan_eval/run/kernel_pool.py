"""Warm kernels for the annual run: one kernel per worker, reused for every notebook of the run.

Starting a kernel and importing pandas, matplotlib, seaborn, statsmodels and this package costs
several CPU-seconds; a run of 6 notebooks × 4 years paid it 24 times. Here each worker process
(or the runner itself with ``--jobs 1``) keeps one :class:`WarmKernel`: started once with the
heavy imports done, and *reset* before every notebook, so that each notebook runs in a fresh
namespace on a warm kernel. Papermill stays the executor: :class:`WarmEngine` is papermill's
nbclient engine handed the existing kernel manager (``km=``), so papermill's parameter
injection, error cells and output notebook are exactly those of a plain ``papermill`` call.

What the reset guarantees before each notebook (tests/test_kernel_pool.py shows each):

- the user namespace is emptied (``InteractiveShell.reset``): a name one notebook defined is not
  visible to the next; ``In``/``Out`` are cleared and the execution count starts at 1 again;
- matplotlib: every open figure is closed and ``rcParams`` are restored to the state right
  after the warm-up (so ``sns.set_theme``/``plt.rcParams[...] = …`` of one notebook does not
  reach the next);
- ``warnings`` filters and pandas options are restored;
- the working folder and the run's environment variables (e.g. the bundle cache) are set.

Modules stay imported (that is the point); module-level caches of this package are keyed by
their inputs (files' hashes, package version), so a warm kernel cannot hand a notebook results
for other data. A notebook that fails, hangs (cell timeout) or kills its kernel makes the caller
call :meth:`WarmKernel.replace`: the kernel is killed (its whole process group) and the next
notebook gets a newly started one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time

KERNEL_NAME = "python3"
ENGINE_NAME = "helhedsplan-warm"

#: Environment variables fixed when a kernel starts (they cannot change in a running kernel:
#: the hash seed, the import path, matplotlib's backend). Any other variable of a task's
#: environment is set by the reset before each notebook.
START_ENV_KEYS = ("PYTHONPATH", "PYTHONHASHSEED", "MPLBACKEND")

#: What a kernel imports once when it starts (what the notebooks use).
WARM_UP_CODE = """\
__import__("helhedsplan_eval.run.kernel_pool", fromlist=["_"])._kernel_warm_up()
"""


# --------------------------------------------------------------------------------------------
# Code that runs inside the kernel
# --------------------------------------------------------------------------------------------

_SNAPSHOT: dict = {}

#: The socket of the pool's kernel template (run.kernel_template) in a worker whose kernels are forked from it
#: (set by processes._worker_init); None: kernels start as new interpreters.
TEMPLATE_ADDRESS: str | None = None


def _kernel_warm_up() -> None:
    """(In the kernel.) Import the heavy libraries and the package, activate the inline backend,
    and remember the state the reset restores."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt  # noqa: F401  (activates the inline backend)
    import numpy  # noqa: F401
    import pandas as pd
    import pandas.io.formats.style  # noqa: F401  (the notebooks' Styler tables)
    import seaborn  # noqa: F401
    import statsmodels.stats.proportion  # noqa: F401  (what the package uses of statsmodels: analysis.stats,
    import statsmodels.stats.rates  # noqa: F401  survey.inference; statsmodels.api would add 0,6 s for nothing)

    from helhedsplan_eval.data import contract  # noqa: F401
    from helhedsplan_eval.analysis import evaluate
    from helhedsplan_eval.analysis import fit
    from helhedsplan_eval.report import board as report
    from helhedsplan_eval.analysis import survey
    from IPython.display import HTML, Markdown, display  # noqa: F401

    # first-use costs of charts (font cache, Agg, PNG encoder) paid here, not by the first notebook
    import io

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1], label="æøå")
    ax.set_title("Opvarmning")
    ax.legend()
    fig.tight_layout()
    fig.savefig(io.BytesIO(), format="png", bbox_inches="tight")
    plt.close(fig)

    # Everything imported so far lives as long as the kernel: freeze it out of the garbage collector's full passes.
    # IPython's reset before each notebook runs one (it was 80 ms of the 0,1 s a reset took), and so does Python
    # during a notebook's cells; the objects a notebook makes are collected as before.
    import gc

    gc.collect()
    gc.freeze()

    _SNAPSHOT["rc"] = dict(matplotlib.rcParams)
    _SNAPSHOT["warnings"] = list(warnings.filters)
    _SNAPSHOT["pandas"] = {k: pd.get_option(k) for k in _pandas_option_keys()}
    _SNAPSHOT["env"] = set()


def _pandas_option_keys() -> list[str]:
    import pandas as pd

    keys = []
    for k in pd._config.config._registered_options:  # every registered option, deprecated ones left out
        if k not in pd._config.config._deprecated_options:
            keys.append(k)
    return keys


def _kernel_reset(cwd: str, env: dict) -> None:
    """(In the kernel.) A fresh namespace on the warm kernel (see the module docstring)."""
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd
    from IPython import get_ipython

    ip = get_ipython()
    ip.reset(new_session=True)  # user namespace, In/Out, a new history session: execution count 1
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_SNAPSHOT.get("rc", {}))
        for key, value in _SNAPSHOT.get("pandas", {}).items():
            try:
                if pd.get_option(key) != value:
                    pd.set_option(key, value)
            except Exception:
                pass
    warnings.filters[:] = _SNAPSHOT.get("warnings", warnings.filters)
    warnings._filters_mutated()
    for key in _SNAPSHOT.get("env", set()) - set(env):
        os.environ.pop(key, None)
    os.environ.update({str(k): str(v) for k, v in env.items()})
    _SNAPSHOT["env"] = set(env)
    os.chdir(cwd)


# --------------------------------------------------------------------------------------------
# The warm kernel (driven from a worker process or the runner)
# --------------------------------------------------------------------------------------------


def _plain_ipykernel(spec) -> bool:
    """Whether the kernel spec starts ipykernel on this interpreter (as the project's own ``python3`` spec does), so
    that a fork of the template is the same kernel. A spec the evaluator set up for another interpreter or with
    other arguments is started as it says."""
    import sys

    argv = list(getattr(spec, "argv", None) or [])
    if argv[1:] != ["-m", "ipykernel_launcher", "-f", "{connection_file}"]:
        return False
    names = {"python", f"python{sys.version_info[0]}", "python{}.{}".format(*sys.version_info[:2])}
    return argv[0] in names or os.path.realpath(argv[0]) == os.path.realpath(sys.executable)


class KernelStartError(RuntimeError):
    """The kernel could not be started or warmed up."""


class WarmKernel:
    """One kernel, started with ``start_env`` and the heavy imports done; see the module docstring."""

    def __init__(self, start_env: dict, start_timeout: float = 120):
        self.start_env = {k: start_env[k] for k in START_ENV_KEYS if k in start_env}
        self.start_timeout = start_timeout
        self.km = None
        self.kc = None  # one client for the kernel's life: control messages and nbclient's cells
        self._sock_dir = None
        self.starts = 0  # how many kernels this object started (1 + replacements)

    # ---------------------------------------------------------------- life cycle
    def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync
        from traitlets.config import Config

        c = Config()
        if os.name == "posix":  # Unix sockets: no TCP port races between parallel kernels
            self._sock_dir = tempfile.mkdtemp(prefix="hpe-")
            c.KernelManager.transport = "ipc"
            c.KernelManager.ip = os.path.join(self._sock_dir, "k")
        km = AsyncKernelManager(kernel_name=KERNEL_NAME, config=c)
        env = dict(os.environ)
        env.update(self.start_env)
        if TEMPLATE_ADDRESS and _plain_ipykernel(km.kernel_spec):  # a fork of the pool's warm template
            import sys  # (kernel_template), through the stub

            km.kernel_spec.argv = [sys.executable, "-m", "helhedsplan_eval.run.kernel_stub", "-f",
                                   "{connection_file}"]
            env["HPE_KERNEL_TEMPLATE"] = TEMPLATE_ADDRESS
        try:
            run_sync(km.start_kernel)(env=env)
        except Exception as exc:
            self._remove_sockets()
            raise KernelStartError(f"kernen kunne ikke startes: {type(exc).__name__}: {exc}") from None
        self.km = km
        self.starts += 1
        try:
            kc = km.client()
            kc.start_channels()
            kc.allow_stdin = False
            self.kc = kc
            run_sync(kc.wait_for_ready)(timeout=self.start_timeout)
            self._execute(WARM_UP_CODE, timeout=self.start_timeout)
        except Exception as exc:
            self.shutdown()
            raise KernelStartError(f"kernen kunne ikke forberedes: {exc}") from None

    def ensure(self) -> "WarmKernel":
        if self.km is None or not self.alive():
            if self.km is not None:
                self.shutdown()
            self.start()
        return self

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        try:
            return self.km is not None and bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    @property
    def pid(self) -> int | None:
        try:
            return self.km.provisioner.process.pid  # type: ignore[union-attr]
        except AttributeError:
            return None

    def shutdown(self) -> None:
        """Kill the kernel and its process group at once (no graceful shutdown request: a warm
        kernel holds nothing worth saving) and remove its socket folder."""
        import signal

        km, self.km = self.km, None
        kc, self.kc = self.kc, None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:
                pass
        if km is not None:
            pid = None
            try:
                pid = km.provisioner.process.pid
            except AttributeError:
                pass
            if pid and os.name == "posix":
                try:
                    os.killpg(pid, signal.SIGKILL)  # jupyter_client starts kernels in their own session
                except OSError:
                    pass
            try:
                from jupyter_core.utils import run_sync

                run_sync(km.shutdown_kernel)(now=True)
            except Exception:
                pass
            try:
                from jupyter_core.utils import run_sync

                run_sync(km.cleanup_resources)()
            except Exception:
                pass
        self._remove_sockets()

    def replace(self) -> None:
        """Kill this kernel (a notebook failed, hung or killed it); the next :meth:`ensure` starts
        a new one."""
        self.shutdown()

    def _remove_sockets(self) -> None:
        if self._sock_dir:
            shutil.rmtree(self._sock_dir, ignore_errors=True)
            self._sock_dir = None

    # ---------------------------------------------------------------- control messages
    def _execute(self, code: str, timeout: float = 60) -> None:
        """Run ``code`` without history (execution count untouched) and wait for its reply on the
        shell channel (the kernel handles requests in order: when the reply is there, it is done);
        raise on error or timeout."""
        from jupyter_core.utils import run_sync

        async def go():
            msg_id = self.kc.execute(code, silent=False, store_history=False, allow_stdin=False)
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reply from the kernel within {timeout} s")
                reply = await self.kc.get_shell_msg(timeout=left)
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply

        reply = run_sync(go)()
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")

    def prepare(self, cwd: str, env: dict, timeout: float = 60) -> None:
        """Reset the kernel for the next notebook (fresh namespace, working folder, environment);
        a kernel that does not answer is replaced first."""
        start = {k: str(env[k]) for k in START_ENV_KEYS if k in env}
        if any(self.start_env.get(k) != v for k, v in start.items()):
            self.start_env = {**self.start_env, **start}
            self.shutdown()  # the next ensure() starts a kernel with the new values
        self.ensure()
        code = (f"__import__('helhedsplan_eval.run.kernel_pool', fromlist=['_'])._kernel_reset("
                f"{str(cwd)!r}, {dict(env)!r})")
        try:
            self._execute(code, timeout=timeout)
        except Exception:
            self.replace()
            self.ensure()
            self._execute(code, timeout=timeout)


# --------------------------------------------------------------------------------------------
# Papermill engine: nbclient on the existing kernel
# --------------------------------------------------------------------------------------------


def _register_engine() -> None:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmEngine(NBClientEngine):
        """Papermill's nbclient engine on an existing (warm) kernel manager ``km``."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, km=None,
                                     kc=None, **kwargs):
            from papermill.engines import logger

            if km is None:
                raise ValueError("the warm engine needs km= (a started kernel manager)")
            client = PapermillNotebookClient(
                nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output, stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            if kc is not None:
                client.kc = kc  # the warm kernel's own client: no new channels, no ready-wait per notebook
                return client.execute(cleanup_kc=False)
            try:
                return client.execute(cleanup_kc=False)
            finally:
                own = getattr(client, "kc", None)
                if own is not None:
                    try:
                        own.stop_channels()
                    except Exception:
                        pass

    if ENGINE_NAME not in papermill_engines._engines:
        papermill_engines.register(ENGINE_NAME, WarmEngine)


def execute(warm: WarmKernel, notebook: str, output: str, parameters: dict, cwd: str, env: dict,
            execution_timeout: float | None, start_timeout: float = 120):
    """Execute ``notebook`` with papermill on ``warm`` (reset first); returns the executed notebook.
    Exceptions are papermill's; the caller replaces the kernel after a failure."""
    import papermill as pm

    _register_engine()
    warm.prepare(cwd, env)
    return pm.execute_notebook(
        notebook, output, parameters=parameters, kernel_name=KERNEL_NAME, engine_name=ENGINE_NAME,
        km=warm.km, kc=warm.kc, cwd=cwd, progress_bar=False, log_output=False, request_save_on_cell_execute=False,
        start_timeout=start_timeout, execution_timeout=execution_timeout,
    )


# --------------------------------------------------------------------------------------------
# The kernel of this process (a worker, or the runner with --jobs 1)
# --------------------------------------------------------------------------------------------

_PROCESS_KERNEL: WarmKernel | None = None


def process_kernel(start_env: dict, start_timeout: float = 120) -> WarmKernel:
    """This process's warm kernel (created on first use; started by :meth:`WarmKernel.prepare`)."""
    global _PROCESS_KERNEL
    if _PROCESS_KERNEL is None:
        _PROCESS_KERNEL = WarmKernel(start_env, start_timeout)
        _register_shutdown()
    return _PROCESS_KERNEL


def shutdown_process_kernel() -> None:
    global _PROCESS_KERNEL
    if _PROCESS_KERNEL is not None:
        _PROCESS_KERNEL.shutdown()
        _PROCESS_KERNEL = None


def warm_up_process_kernel(start_env: dict, start_timeout: float = 120) -> int | None:
    """Start (and warm) this process's kernel now; returns its pid."""
    return process_kernel(start_env, start_timeout).ensure().pid


_SHUTDOWN_REGISTERED = False


def _register_shutdown() -> None:
    """Shut the kernel down when this process ends: ``atexit`` in the runner, multiprocessing's
    finalizers in a worker (workers leave through ``os._exit``, which skips ``atexit``)."""
    global _SHUTDOWN_REGISTERED
    if _SHUTDOWN_REGISTERED:
        return
    import atexit
    import multiprocessing.util as mpu

    atexit.register(shutdown_process_kernel)
    mpu.Finalize(None, shutdown_process_kernel, exitpriority=100)
    _SHUTDOWN_REGISTERED = True


def wait_gone(pid: int | None, timeout: float = 10.0) -> bool:
    """True once ``pid`` no longer runs (for tests and the runner's clean-up)."""
    if pid is None:
        return True
    from helhedsplan_eval.data.bundle_cache import pid_alive as _pid_alive

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.05)
    return not _pid_alive(pid)
