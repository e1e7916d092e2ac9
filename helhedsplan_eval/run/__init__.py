"""The annual run: parameters, notebook execution on warm kernels, rendering, publication.

``runner`` checks parameters and folders, executes the notebooks with papermill, renders code-free HTML, writes
the index, status tables, provenance and history, and swaps the finished report in atomically; ``kernel_pool``
keeps warm kernels with a fresh namespace per notebook.

May import: everything else in the package (it is the top of the stack); nothing imports it but the CLI.
"""
