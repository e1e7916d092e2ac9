"""A year's notebooks on the worker pool: queued, collected, failing fast, and a worker crash that costs one notebook.

:class:`TaskBatch` queues a year's tasks on a :class:`~helhedsplan_eval.run.execute.NotebookPool` and collects their
results; a worker that dies under a notebook fails that notebook only, and the notebooks that lost their worker or
their place in the queue with it (of the same year or of the years queued behind it) go to new workers.
:func:`_run_tasks` runs a list of tasks; :func:`print_note` writes a line for the evaluator beside the progress bar.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import FIRST_COMPLETED, wait

from helhedsplan_eval.run.errors import _short
from helhedsplan_eval.run.execute import NotebookPool, _Result, _run_task, _Task
from helhedsplan_eval.run.processes import crash_state


def print_note(line: str) -> None:
    """A line for the evaluator on stderr, above the progress bar when there is one (tqdm.write)."""
    from tqdm.auto import tqdm

    tqdm.write(line, file=sys.stderr)
    sys.stderr.flush()


class TaskBatch:
    """One year's notebooks on ``pool``: :meth:`submit` queues them (a worker starts each as soon as it is free),
    :meth:`collect` waits for their results. In between the runner may do other work: the command line queues the
    next year's notebooks and writes this year's report while the workers go on. Fail fast: after a failed notebook
    the batch's notebooks that have not started are cancelled. With one job the notebooks run in this process, in
    :meth:`collect`. ``on_result`` is called with each result as it is collected."""

    def __init__(self, pool: NotebookPool, year: int, progress: bool = False, on_result=None):
        self.pool, self.year, self.progress, self.on_result = pool, year, progress, on_result
        self._queued: list[_Task] = []  # jobs == 1: run in collect
        self._futures: dict = {}  # future -> (task, generation of the workers it was queued on)

    def submit(self, tasks: list[_Task]) -> None:
        if self.pool.jobs == 1:
            self._queued += tasks
            return
        for t in tasks:
            fut, generation = self.pool.submit(t)
            self._futures[fut] = (t, generation)

    def cancel(self) -> None:
        """Cancel what has not started (an interrupted or failed run)."""
        self._queued = []
        for fut in list(self._futures):
            fut.cancel()

    def collect(self) -> list[_Result]:
        from tqdm.auto import tqdm

        results: list[_Result] = []
        bar = tqdm(total=len(self._queued) + len(self._futures), desc=f"{self.year}: notesbøger", unit="nb",
                   disable=not self.progress, file=sys.stderr)

        def record(res):
            results.append(res)
            bar.update(1)
            if self.on_result is not None:
                self.on_result(res)

        try:
            if self.pool.jobs == 1:
                for task in self._queued:
                    bar.set_postfix_str(task.name, refresh=False)
                    res = _run_task(task)
                    record(res)
                    if not res.ok:
                        break  # fail fast: the run cannot succeed any more
            else:
                self._wait(record)
            return results
        except BaseException:
            # interrupted (Ctrl-C, SIGTERM) or failed: no worker and no kernel may survive the run
            self.pool.kill()
            raise
        finally:
            self._queued, self._futures = [], {}
            bar.close()

    def _wait(self, record) -> None:
        pending, failed = set(self._futures), False
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                if fut.cancelled():
                    continue
                try:
                    res = fut.result()
                except Exception as exc:  # a worker died (BrokenProcessPool), or the task could not be sent
                    res = self._after_crash(fut, exc)
                    if res is None:  # another notebook's crash: this one runs again on a new worker
                        if not failed:
                            task = self._futures[fut][0]
                            new, generation = self.pool.submit(task)
                            self._futures[new] = (task, generation)
                            pending.add(new)
                        continue
                record(res)
                if not res.ok and not failed:
                    failed = True
                    for other in pending:
                        other.cancel()  # not yet started: skip

    def _after_crash(self, fut, exc) -> "_Result | None":
        """A future that failed because its worker died or the pool broke: the failed result of the notebook that
        crashed its worker (it was running when its worker died), or None for a notebook that only lost its worker
        or its place in the queue, which goes to a new worker (twice at most). A crash costs only its notebook: the
        rest of the year, and the years queued behind it, go on."""
        task, generation = self._futures[fut]
        if generation == self.pool.generation:  # the first to see this pool broken: stop its workers and kernels
            self.pool.kill()
        state = crash_state(task.marker)
        if task.marker:
            try:
                os.unlink(task.marker)
            except OSError:
                pass
        name = task.name
        if state == "terminated":
            task.requeued += 1
        if state != "running" and task.requeued <= 2:
            return None
        why = "mens notesbogen kørte" if state == "running" else "gentagne gange"
        return _Result(name, False, 0.0, f"{name}: arbejdsprocessen stoppede uventet, {why} "
                                         f"({type(exc).__name__}: {_short(exc, 160)})")


def _run_tasks(tasks: list[_Task], jobs: int, progress: bool, year: int, pool: NotebookPool | None = None,
               on_result=None) -> list[_Result]:
    """Run the notebooks on ``pool`` (a new one for this call when None), fail fast; ``on_result``
    is called with each result as it arrives."""
    own = pool is None
    if own:
        pool = NotebookPool(jobs)
    try:
        batch = TaskBatch(pool, year, progress, on_result)
        batch.submit(tasks)
        results = batch.collect()
        if own:
            pool.close()
        return results
    except BaseException:
        # interrupted (Ctrl-C, SIGTERM) or failed: no worker and no kernel may survive the run
        pool.kill()
        raise


class Background:
    """``target(*args)`` in a thread of the runner; :meth:`result` waits for it and raises what it raised."""

    def __init__(self, target, *args):
        import threading

        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(target, args), name=target.__name__, daemon=True)
        self.thread.start()

    def _run(self, target, args) -> None:
        try:
            target(*args)
        except BaseException as exc:  # handed to the main thread by result()
            self.error = exc

    def join(self) -> None:
        self.thread.join()

    def result(self) -> None:
        self.thread.join()
        if self.error is not None:
            raise self.error
