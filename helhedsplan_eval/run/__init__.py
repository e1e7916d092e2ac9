"""The annual run: parameters, notebook execution on warm kernels, rendering, publication.

``runner`` orchestrates one year's run (``run_year``) as a short sequence of named steps and re-exports the names of
its steps; ``command`` is the command line's run (``run_cli``: one year, or ``--all-years`` pipelined on one pool).
The steps: ``params`` (the plan's years, params/<year>.yml, the notebooks' declared parameters) and ``notebook_list`` (the pages, ``notebooks:`` in params/plan.yml), checked
before anything is written; ``folders`` (where a run may write, temporary folders, the atomic swap); ``inputs``
(the data read once, refused when unusable, cached for the kernels); ``status`` (the status table, its counts);
``execute`` (tasks, the worker pool, progress lines) and ``batch`` (a year's tasks on the pool; a worker crash
costs one notebook) on ``kernel_pool`` (warm kernels with a fresh namespace per
notebook; with several workers forked from one warm ``kernel_template`` through ``kernel_stub``) and ``processes`` (signals, no child process left behind); ``render`` (kept notebooks cleaned and
path-free, the code-free board pages); ``publish`` (front page, provenance.json); ``errors`` (RunError, UsageError);
``imports`` (a dependency's start-up import the run defers, done when this package is imported).

May import: everything else in the package (it is the top of the stack); nothing imports it but the CLI.
"""

from helhedsplan_eval.run.imports import defer_rfc3987_syntax as _defer_rfc3987_syntax

_defer_rfc3987_syntax()  # before anything below imports nbformat (the runner and every worker)
