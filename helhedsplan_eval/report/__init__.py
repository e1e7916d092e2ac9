"""The board report: disclosure control, formatting of board tables, charts, pages, the PDF pack and history.

``disclosure`` is the one layer every board-facing number passes; ``board`` holds the building blocks the
notebooks call (its modules: ``output``, ``parameters``, ``tables``, ``targets``, ``charts``, ``area``, ``overview``,
``provenance``); ``safe_io`` writes the målopfyldelse CSV/xlsx without formula injection; ``pdf`` lays out the PDF
board pack's parts from the rendered pages, ``pdf_assemble`` puts them together, ``pdf_merge`` merges their tagged
PDFs (pikepdf); ``reading_guide`` holds "Sådan læses status"; ``history`` keeps each run's status table and builds
the change page; ``style`` the look in one place (the shipped fonts in ``fonts/``, the stylesheet, the status
badges' colours); ``accessibility`` the tilgængelighedserklæring; ``templates/`` holds the HTML templates and
stylesheet.

May import: :mod:`helhedsplan_eval.analysis`, :mod:`helhedsplan_eval.data`, :mod:`helhedsplan_eval.catalogue`,
:mod:`helhedsplan_eval.formatting`, :mod:`helhedsplan_eval.paths`; never :mod:`helhedsplan_eval.run`.
"""
