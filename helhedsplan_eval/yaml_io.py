"""The one YAML loader for every file a user writes (``params/*.yml``, ``manifest.yml``, ``criteria.yml``,
``plan.yml``, ``survey.yml``).

:func:`safe_load` is ``yaml.safe_load`` that refuses anchors and aliases (``&navn`` / ``*navn``): a 1 kB file of
nested aliases expands to gigabytes (a "billion laughs"), and none of our files needs them. The document is first
scanned event by event (nothing is expanded), then loaded; libyaml is used where PyYAML has it, and a document
libyaml refuses is parsed again by the pure-Python parser so that a syntax error reads the same everywhere.
:class:`YamlAliasError` is a ``yaml.YAMLError`` (existing handlers catch it) whose message is Danish and names
the file and the line.
"""

from __future__ import annotations

import io

import yaml

_FAST = getattr(yaml, "CSafeLoader", None)  # PyYAML built with libyaml
ALIAS_PROBLEM = ("YAML-ankre og -aliasser (&navn og *navn) er ikke tilladt; skriv værdien ud alle de steder, "
                 "hvor den bruges")


class YamlAliasError(yaml.MarkedYAMLError):
    """An anchor or alias in a user's YAML file."""

    def __init__(self, mark, name: str | None):
        super().__init__(problem=ALIAS_PROBLEM, problem_mark=mark)
        self.name = name or "YAML-filen"
        self.line = mark.line + 1

    def __str__(self) -> str:
        return f"{self.name}, linje {self.line}: {ALIAS_PROBLEM}"


def _scan(text, loader) -> None:
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise YamlAliasError(event.start_mark, None)


def safe_load(source, name: str | None = None):
    """The YAML document of ``source`` (text, bytes or an open file), refusing anchors and aliases.
    ``name`` (the file, as the user knows it) is named in a :class:`YamlAliasError`."""
    text = source.read() if hasattr(source, "read") else source
    mark_name = getattr(source, "name", None)

    def fresh():  # a file's own name stays in PyYAML's marks ('in "params/criteria.yml", line 3')
        if mark_name is None:
            return text
        stream = io.StringIO(text) if isinstance(text, str) else io.BytesIO(text)
        stream.name = mark_name
        return stream

    loaders = [ld for ld in (_FAST, yaml.SafeLoader) if ld is not None]
    for n, loader in enumerate(loaders):
        try:
            _scan(fresh(), loader)
            return yaml.load(fresh(), Loader=loader)  # noqa: S506 - a safe loader
        except YamlAliasError as exc:
            exc.name = name or exc.name
            raise
        except yaml.YAMLError:
            if n == len(loaders) - 1:
                raise
    return None  # pragma: no cover


def read_file(path, problems: list[str], missing: str = "filen findes ikke"):
    """``(document, text)`` of the YAML file ``path``, or ``(None, "")`` with its problem appended to ``problems`` in
    Danish: ``missing`` when it does not exist, anchors or aliases, a syntax error (with file, line and column), a
    file that cannot be read. The one reader of the plan's files (catalogue and source declarations)."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        stream = io.StringIO(text)
        stream.name = str(path)  # PyYAML's marks name the file ('in "params/plan.yml", line 3')
        return safe_load(stream, str(path)), text
    except FileNotFoundError:
        problems.append(f"{path}: {missing}")
    except YamlAliasError as exc:
        problems.append(str(exc))
    except yaml.YAMLError as exc:
        problems.append(f"{path}: er ikke gyldig YAML ({exc})")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{path}: kan ikke læses ({type(exc).__name__})")
    return None, ""
