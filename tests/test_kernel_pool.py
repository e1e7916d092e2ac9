"""Warm kernels (helhedsplan_eval.run.kernel_pool): each notebook runs in a fresh namespace on a warm
kernel; a failing or hanging notebook costs its kernel, never the pool; the pool leaves no kernel
behind. Real kernels, tiny notebooks, no timing asserts."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from helhedsplan_eval.run import kernel_pool
from helhedsplan_eval.run import runner
from helhedsplan_eval.run.kernel_pool import WarmKernel


def _nb(path: Path, *sources: str, parameters: str | None = None) -> Path:
    nb = nbformat.v4.new_notebook()
    cells = []
    if parameters is not None:
        cells.append(nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}))
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _stdout(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", [])
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.fixture(scope="module")
def warm():
    k = WarmKernel(runner._kernel_env())
    k.ensure()
    yield k
    pid = k.pid
    k.shutdown()
    assert kernel_pool.wait_gone(pid)


def _run(warm, tmp_path, path, env=None, timeout=120, parameters=None):
    return kernel_pool.execute(warm, str(path), str(tmp_path / f"out-{path.name}"), parameters or {},
                               str(tmp_path), env or {}, timeout)


def test_a_name_defined_by_one_notebook_is_not_visible_to_the_next(warm, tmp_path):
    first = _nb(tmp_path / "first.ipynb", "secret_name = 42\nimport json as secret_module\nprint('defined')")
    second = _nb(tmp_path / "second.ipynb",
                 "print('secret_name' in globals(), 'secret_module' in globals(), len(Out), len(In))")
    pid = warm.pid
    assert _stdout(_run(warm, tmp_path, first)) == "defined\n"
    out = _run(warm, tmp_path, second)
    assert warm.pid == pid  # the same warm kernel ran both
    assert _stdout(out) == "False False 0 2\n"  # In: the empty entry 0 and this cell


def test_each_notebook_counts_its_cells_from_one(warm, tmp_path):
    path = _nb(tmp_path / "count.ipynb", "a = 1", "b = 2", "c = 3")
    for _ in range(2):
        out = _run(warm, tmp_path, path)
        assert [c.execution_count for c in out.cells] == [1, 2, 3]


def test_matplotlib_state_does_not_leak(warm, tmp_path):
    dirty = _nb(tmp_path / "dirty.ipynb",
                "import matplotlib.pyplot as plt, seaborn as sns\n"
                "sns.set_theme(style='darkgrid', context='poster')\n"
                "plt.rcParams['lines.linewidth'] = 9.5\n"
                "plt.rcParams['axes.facecolor'] = '#123456'\n"
                "figs = [plt.figure() for _ in range(3)]\n"
                "print(len(plt.get_fignums()), plt.rcParams['lines.linewidth'])")
    probe = _nb(tmp_path / "probe.ipynb",
                "import matplotlib as mpl, matplotlib.pyplot as plt\n"
                "print(plt.get_fignums(), mpl.rcParams['lines.linewidth'], mpl.rcParams['axes.facecolor'],\n"
                "      mpl.rcParams['font.size'], mpl.get_backend())")
    before = _stdout(_run(warm, tmp_path, probe))
    assert _stdout(_run(warm, tmp_path, dirty)) == "3 9.5\n"
    after = _stdout(_run(warm, tmp_path, probe))
    assert after == before
    assert after.startswith("[] 1.5 white ")  # matplotlib's defaults; the figures are closed
    assert "inline" in after


def test_working_folder_environment_warnings_and_pandas_options_are_set_per_notebook(warm, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    path = _nb(tmp_path / "where.ipynb",
               "import os, warnings, pandas as pd\n"
               "print(os.path.basename(os.getcwd()), os.environ.get('HPE_TEST_VAR'), pd.get_option('display.max_rows'))\n"
               "warnings.simplefilter('error')\n"
               "pd.set_option('display.max_rows', 3)")
    out1 = kernel_pool.execute(warm, str(path), str(tmp_path / "o1.ipynb"), {}, str(a), {"HPE_TEST_VAR": "en"}, 60)
    out2 = kernel_pool.execute(warm, str(path), str(tmp_path / "o2.ipynb"), {}, str(b), {}, 60)
    assert _stdout(out1) == "a en 60\n"
    assert _stdout(out2) == "b None 60\n"  # variable of the earlier run removed, option restored
    probe = _nb(tmp_path / "warn.ipynb", "import warnings\nwarnings.warn('bare advarsel')\nprint('videre')")
    assert _stdout(_run(warm, tmp_path, probe)) == "videre\n"  # 'error' filter did not leak


def test_parameters_are_injected_as_with_plain_papermill(warm, tmp_path):
    path = _nb(tmp_path / "p.ipynb", "print(evaluation_year * 2)", parameters="evaluation_year = 2020")
    out = _run(warm, tmp_path, path, parameters={"evaluation_year": 2018})
    assert _stdout(out) == "4036\n"
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in out.cells)


# ------------------------------------------------------------------ failures through the runner


def _task(tmp_path, path, timeout=runner.EXECUTION_TIMEOUT):
    return runner._Task(
        notebook=str(path), title=path.stem, out_ipynb=str(tmp_path / f"x-{path.name}"),
        out_html=str(tmp_path / f"{path.stem}.html"), parameters={}, cwd=str(tmp_path),
        board={"year": 2020, "title": path.stem, "version": "t", "run_timestamp": "t", "pages": []},
        kernel_env=runner._kernel_env(), execution_timeout=timeout,
    )


@pytest.fixture
def own_process_kernel():
    kernel_pool.shutdown_process_kernel()
    yield
    kernel_pool.shutdown_process_kernel()


def test_a_failing_notebook_costs_its_kernel_not_the_pool(tmp_path, own_process_kernel):
    ok = _nb(tmp_path / "ok.ipynb", "import os\nprint(os.getpid())")
    bad = _nb(tmp_path / "bad.ipynb", "left_behind = 1\nraise ValueError('forkert input')")
    probe = _nb(tmp_path / "probe.ipynb", "import os\nprint('left_behind' in globals(), os.getpid())")
    res = runner._run_tasks([_task(tmp_path, ok)], 1, False, 2020, pool=runner.NotebookPool(1))
    assert res[0].ok
    first_pid = int(nbformat.read(tmp_path / "x-ok.ipynb", 4).cells[0].outputs[0]["text"])
    pool = runner.NotebookPool(1)
    res = runner._run_tasks([_task(tmp_path, bad), _task(tmp_path, probe)], 1, False, 2020, pool=pool)
    assert [r.ok for r in res] == [False]  # fail fast
    assert "ValueError: forkert input" in res[0].message
    assert kernel_pool.wait_gone(first_pid)  # the kernel that ran the failing notebook was killed
    res = runner._run_tasks([_task(tmp_path, probe)], 1, False, 2020, pool=pool)
    assert res[0].ok
    flag, pid = _stdout(nbformat.read(tmp_path / "x-probe.ipynb", 4)).split()
    assert flag == "False" and int(pid) != first_pid  # a new kernel, clean
    pool.close()
    assert kernel_pool.wait_gone(int(pid))


def test_a_hanging_notebook_is_killed_and_the_pool_goes_on(tmp_path, own_process_kernel):
    hang = _nb(tmp_path / "hang.ipynb", "import os\nprint(os.getpid(), flush=True)",
               "import time\nwhile True:\n    time.sleep(0.2)")
    probe = _nb(tmp_path / "probe.ipynb", "import os\nprint(os.getpid())")
    pool = runner.NotebookPool(1)
    res = runner._run_tasks([_task(tmp_path, hang, timeout=3)], 1, False, 2020, pool=pool)
    assert not res[0].ok
    assert "Timeout" in res[0].message or "timed out" in res[0].message
    warm = kernel_pool._PROCESS_KERNEL
    assert warm is not None and warm.km is None  # killed, not reused
    res = runner._run_tasks([_task(tmp_path, probe)], 1, False, 2020, pool=pool)
    assert res[0].ok
    assert warm.starts == 2
    pid = int(_stdout(nbformat.read(tmp_path / "x-probe.ipynb", 4)))
    pool.close()
    assert kernel_pool.wait_gone(pid)


def test_a_notebook_that_kills_its_kernel_leaves_the_pool_usable(tmp_path, own_process_kernel):
    dead = _nb(tmp_path / "dead.ipynb", "import os\nos._exit(1)")
    probe = _nb(tmp_path / "probe.ipynb", "print('lever')")
    pool = runner.NotebookPool(1)
    res = runner._run_tasks([_task(tmp_path, dead)], 1, False, 2020, pool=pool)
    assert not res[0].ok
    res = runner._run_tasks([_task(tmp_path, probe)], 1, False, 2020, pool=pool)
    assert res[0].ok
    pool.close()


def _kernels_below(pid=None) -> list[int]:
    out = []
    for p in runner.descendants(pid):
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().decode("utf-8", "replace")
        except OSError:
            continue
        if "ipykernel" in cmd:
            out.append(p)
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_workers_reuse_one_kernel_each_and_close_leaves_no_kernel(tmp_path):
    probe = [_nb(tmp_path / f"p{i}.ipynb", "import os\nprint(os.getpid())") for i in range(5)]
    before = set(_kernels_below())  # e.g. the module's warm kernel: not the pool's
    pool = runner.NotebookPool(2)
    res = runner._run_tasks([_task(tmp_path, p) for p in probe], 2, False, 2020, pool=pool)
    assert all(r.ok for r in res)
    pids = {int(_stdout(nbformat.read(tmp_path / f"x-{p.name}", 4))) for p in probe}
    assert 1 <= len(pids) <= 2  # five notebooks, at most one kernel per worker
    assert set(_kernels_below()) >= pids  # still warm between calls (e.g. the next year)
    pool.close()
    assert all(kernel_pool.wait_gone(p) for p in pids)
    assert set(_kernels_below()) - before == set()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
def test_kill_takes_workers_and_kernels_along(tmp_path):
    probe = _nb(tmp_path / "p.ipynb", "import os\nprint(os.getpid())")
    existing = set(runner.descendants())  # not the pool's
    pool = runner.NotebookPool(2)
    runner._run_tasks([_task(tmp_path, probe)], 2, False, 2020, pool=pool)
    kpid = int(_stdout(nbformat.read(tmp_path / "x-p.ipynb", 4)))
    # multiprocessing's resource tracker is left alone: it lives as long as this process (killed, it printed
    # "KeyError: '/mp-…'" tracebacks at the end of an interrupted run, issue 21)
    from helhedsplan_eval.run.processes import _multiprocessing_helpers

    below = set(runner.descendants()) - existing - _multiprocessing_helpers()
    assert below
    pool.kill()
    assert all(Path(f"/proc/{p}").exists() for p in _multiprocessing_helpers())  # spared
    assert kernel_pool.wait_gone(kpid)
    assert all(kernel_pool.wait_gone(p) for p in below)


def test_progress_line_names_notebook_year_seconds_and_outcome():
    ok = runner._Result("oversigt.ipynb", True, 3.44)
    bad = runner._Result("fit_collateral.ipynb", False, 12.05)
    assert runner.progress_line(ok, 2020) == "2020: oversigt.ipynb – ok, 3,4 s"
    assert runner.progress_line(bad, 2018, "år 2 af 4") == "2018 (år 2 af 4): fit_collateral.ipynb – fejlede, 12,1 s"


def test_kernel_env_keys_fixed_at_start_restart_the_kernel(tmp_path, own_process_kernel):
    env = runner._kernel_env()
    k = kernel_pool.process_kernel(env)
    path = _nb(tmp_path / "seed.ipynb", "import os\nprint(os.environ['PYTHONHASHSEED'], os.getpid())")
    out1 = kernel_pool.execute(k, str(path), str(tmp_path / "s1.ipynb"), {}, str(tmp_path), env, 60)
    out2 = kernel_pool.execute(k, str(path), str(tmp_path / "s2.ipynb"), {}, str(tmp_path),
                               dict(env, PYTHONHASHSEED="7"), 60)
    seed1, pid1 = _stdout(out1).split()
    seed2, pid2 = _stdout(out2).split()
    assert (seed1, seed2) == ("0", "7") and pid1 != pid2
    assert os.environ.get("PYTHONHASHSEED") != "7"  # the runner's own environment is untouched


def test_the_warm_imports_are_frozen_out_of_full_collections_and_a_notebooks_garbage_is_still_collected(warm, tmp_path):
    # the warm-up freezes what it imported (gc.freeze: IPython's reset before each notebook no longer walks it);
    # a reference cycle a notebook leaves behind is still collected
    nb = _nb(tmp_path / "cycle.ipynb",
             "import gc, weakref\nassert gc.get_freeze_count() > 10000, gc.get_freeze_count()\n"
             "class Node: pass\n"
             "a, b = Node(), Node()\na.other, b.other = b, a\nref = weakref.ref(a)\ndel a, b\n"
             "gc.collect()\nprint('collected' if ref() is None else 'kept')")
    assert "collected" in _stdout(_run(warm, tmp_path, nb))


def test_kill_returns_only_after_the_executors_manager_thread_has_ended(tmp_path, monkeypatch):
    # the manager thread marks the queued futures broken after the workers are killed; the runner then cancels the
    # next year's queued futures. On Python 3.11 the two met ("Exception in thread … InvalidStateError: CANCELLED"
    # on the terminal) because kill() did not wait: shutdown(wait=False) drops the thread before it could be joined.
    import threading
    import time
    from concurrent.futures import process

    real = process._ExecutorManagerThread.terminate_broken

    def slow(self, cause):  # make the window wide: the thread is still at work when kill() would return
        time.sleep(1.0)
        return real(self, cause)

    monkeypatch.setattr(process._ExecutorManagerThread, "terminate_broken", slow)
    probe = _nb(tmp_path / "slow.ipynb", "import time\ntime.sleep(120)")
    pool = runner.NotebookPool(2)
    futures = [pool.submit(_task(tmp_path, probe))[0] for _ in range(3)]  # two running, one queued
    manager = pool._executor._executor_manager_thread
    assert isinstance(manager, threading.Thread)
    pool.kill()
    assert not manager.is_alive()
    for fut in futures:  # what run_years does next with a queued year's futures
        fut.cancel()
