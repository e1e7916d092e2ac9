"""The data contract: what each source delivers, how it is read and validated, and sample data.

``sources`` declares the 29 sources (columns, types, allowed values, spells, whether rows are independent) with the
types of ``source_types``; ``contract`` reads CSV/xlsx files into a validated :class:`bundle.DataBundle` and reports
every problem with file, row, column and value, using ``raw`` (text cells with their Excel row numbers), ``headers``
(missing, misnamed and unknown columns), ``cell_checks`` (look-alike ids, numbers that read two ways), ``cells``
(conversion by type, CPR-shaped values), ``schema`` (pandera checks), ``row_checks`` (spells, percents written as
fractions, which rows or sources an error leaves out), ``manifest`` (``manifest.yml``) and ``issues`` (the problems
and the validation report); ``bundle_cache``
shares one parsed bundle between the notebooks of a run; ``contract_doc`` and ``templates`` write the contract as
Markdown and as empty spreadsheets; ``sample``, ``sample_fit`` and ``sample_survey`` generate the synthetic sample.

May import: :mod:`helhedsplan_eval.catalogue`, :mod:`helhedsplan_eval.paths`, :mod:`helhedsplan_eval.formatting`;
module-specific checks that need an analysis module (the FIT form rules, spell-register coverage) are imported
lazily inside the function that runs them.
"""
