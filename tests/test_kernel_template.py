"""Kernels forked from the pool's warm template (helhedsplan_eval.run.kernel_template, run.kernel_stub): a forked
kernel behaves as a started one (fresh process, the kernels' fixed start-up values, charts inline, interrupt, gone
when killed); without a template, or with other start-up values, the stub starts an ordinary kernel. Real kernels,
tiny notebooks, no timing asserts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helhedsplan_eval.run import kernel_pool, runner
from helhedsplan_eval.run.kernel_template import start_template
from tests.test_kernel_pool import _nb, _stdout  # tiny notebooks and their printed output

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the template forks (Linux)")


def _ppid(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


@pytest.fixture
def template():
    t = start_template(runner._kernel_env())
    assert t is not None
    old = kernel_pool.TEMPLATE_ADDRESS
    kernel_pool.TEMPLATE_ADDRESS = t.address
    yield t
    kernel_pool.TEMPLATE_ADDRESS = old
    t.stop()
    assert kernel_pool.wait_gone(t.process.pid)


PROBE = ("import os, sys\n"
         "print(os.getpid(), os.getppid(), os.environ['PYTHONHASHSEED'], hash('helhedsplan'), "
         "'pandas' in sys.modules)")


def _probe(warm, tmp_path, env=None):
    path = _nb(tmp_path / "probe.ipynb", PROBE)
    out = kernel_pool.execute(warm, str(path), str(tmp_path / "probe-out.ipynb"), {}, str(tmp_path),
                              env or runner._kernel_env(), 120)
    pid, ppid, seed, h, pandas = _stdout(out).split()
    return int(pid), int(ppid), seed, int(h), pandas == "True"


def _hash_with_seed_0() -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")
    out = subprocess.run([sys.executable, "-c", "print(hash('helhedsplan'))"], env=env, capture_output=True,
                         text=True, check=True)
    return int(out.stdout)


def test_a_kernel_is_a_fork_of_the_template_with_the_kernels_start_up_values(template, tmp_path):
    warm = kernel_pool.WarmKernel(runner._kernel_env())
    try:
        warm.ensure()
        pid, ppid, seed, h, pandas = _probe(warm, tmp_path)
        assert ppid == template.process.pid  # forked by the template, not started by the stub
        assert pid != warm.pid  # warm.pid is the stub jupyter_client started and watches
        assert seed == "0" and h == _hash_with_seed_0()  # the same hash order as a started kernel
        assert pandas  # warm from the template
        # a second notebook on the same kernel: same process (the reset, not a new fork)
        assert _probe(warm, tmp_path)[0] == pid
    finally:
        stub = warm.pid
        warm.shutdown()
    assert kernel_pool.wait_gone(stub)
    assert kernel_pool.wait_gone(pid)  # killing the stub ends the forked kernel


def test_charts_are_inline_images_in_a_forked_kernel(template, tmp_path):
    warm = kernel_pool.WarmKernel(runner._kernel_env())
    path = _nb(tmp_path / "chart.ipynb",
               "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([1, 2], [3, 4])\nplt.show()",
               "import matplotlib\nprint(matplotlib.get_backend())")
    try:
        out = kernel_pool.execute(warm, str(path), str(tmp_path / "chart-out.ipynb"), {}, str(tmp_path),
                                  runner._kernel_env(), 120)
    finally:
        warm.shutdown()
    kinds = [o.get("data", {}).keys() for o in out.cells[0].outputs if o.get("output_type") == "display_data"]
    assert any("image/png" in k for k in kinds)
    assert "inline" in _stdout(out)


def test_an_interrupt_reaches_the_forked_kernel(template, tmp_path):
    import threading

    warm = kernel_pool.WarmKernel(runner._kernel_env())
    warm.ensure()
    started = tmp_path / "sover"
    path = _nb(tmp_path / "sleep.ipynb", f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\n"
                                         "try:\n    time.sleep(600)\nexcept KeyboardInterrupt:\n    print('afbrudt')")

    def interrupt_once_asleep():  # no timing assumption: the cell says when it sleeps
        from jupyter_core.utils import run_sync

        for _ in range(1200):
            if started.exists():
                run_sync(warm.km.interrupt_kernel)()
                return
            threading.Event().wait(0.1)

    try:
        waiter = threading.Thread(target=interrupt_once_asleep, daemon=True)
        waiter.start()
        out = kernel_pool.execute(warm, str(path), str(tmp_path / "sleep-out.ipynb"), {}, str(tmp_path),
                                  runner._kernel_env(), 300)
        waiter.join()
    finally:
        warm.shutdown()
    assert "afbrudt" in _stdout(out)


def test_other_start_up_values_get_an_ordinary_kernel(template, tmp_path):
    env = dict(runner._kernel_env(), PYTHONHASHSEED="7")
    warm = kernel_pool.WarmKernel(env)
    try:
        warm.ensure()
        pid, ppid, seed, _h, _pandas = _probe(warm, tmp_path, env)
        assert seed == "7"
        assert pid == warm.pid  # the stub became the kernel (exec), the template refused
    finally:
        warm.shutdown()


def test_without_a_template_the_stub_starts_an_ordinary_kernel(tmp_path):
    old = kernel_pool.TEMPLATE_ADDRESS
    kernel_pool.TEMPLATE_ADDRESS = str(tmp_path / "no-such-socket")
    warm = kernel_pool.WarmKernel(runner._kernel_env())
    try:
        warm.ensure()
        pid, _ppid, seed, _h, _pandas = _probe(warm, tmp_path)
        assert pid == warm.pid and seed == "0"
    finally:
        warm.shutdown()
        kernel_pool.TEMPLATE_ADDRESS = old


def test_a_pool_with_several_workers_forks_its_kernels_and_close_stops_the_template(tmp_path):
    probe = _nb(tmp_path / "p.ipynb", "import os\nprint(os.getpid(), os.getppid())")
    pool = runner.NotebookPool(2)
    pool.warm_up()
    template = pool._template
    assert template is not None
    task = runner._Task(
        notebook=str(probe), title="p", out_ipynb=str(tmp_path / "x-p.ipynb"), out_html=str(tmp_path / "p.html"),
        parameters={}, cwd=str(tmp_path),
        board={"year": 2020, "title": "p", "version": "t", "run_timestamp": "t", "pages": []},
        kernel_env=runner._kernel_env(), execution_timeout=120)
    res = runner._run_tasks([task], 2, False, 2020, pool=pool)
    assert res[0].ok, res[0].message
    pid, ppid = map(int, _stdout(nbformat.read(tmp_path / "x-p.ipynb", 4)).split())
    assert ppid == template.process.pid
    pool.close()
    assert kernel_pool.wait_gone(pid)
    assert kernel_pool.wait_gone(template.process.pid)
    assert not Path(template.folder).exists()


def test_only_the_plain_ipykernel_spec_of_this_interpreter_is_forked():
    from types import SimpleNamespace as Spec

    plain = ["-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert kernel_pool._plain_ipykernel(Spec(argv=["python", *plain]))  # the project's spec (kernel.json)
    assert kernel_pool._plain_ipykernel(Spec(argv=[sys.executable, *plain]))
    assert not kernel_pool._plain_ipykernel(Spec(argv=["/opt/andet/bin/python", *plain]))  # another interpreter
    assert not kernel_pool._plain_ipykernel(Spec(argv=["python", *plain, "--debug"]))  # other arguments
    assert not kernel_pool._plain_ipykernel(Spec(argv=[]))
