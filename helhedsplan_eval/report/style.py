"""The board's look in one place: the shipped fonts, the stylesheet every page and the PDF use, and the status
badges' colours and classes.

**Fonts.** The pages and the PDF pack use only *Helhed Sans* (``report/fonts/``: a subset of Liberation Sans
2.1.5, renamed as the SIL Open Font License requires of a modified font; ``report/fonts/OFL.txt``), loaded with
``@font-face`` from ``data:`` URLs, so the HTML stays self-contained and neither a browser nor WeasyPrint looks at
the fonts the machine happens to have. Liberation Sans has the metrics of Arial/Helvetica.

**Status badges.** A status word is shown as ``<span class="status status-<slug>">``; its colours are
``analysis.status.STATUS_COLOURS`` (background) and :data:`STATUS_TEXT_COLOURS` (text), each pair at least
4,5:1 (WCAG 2.1 AA). :func:`status_css` writes the classes from them, :func:`badge_style` the same colours as an
inline style for the notebooks' own HTML in JupyterLab, where board.css is not loaded.
"""

from __future__ import annotations

import atexit
import base64
import functools
from pathlib import Path

from helhedsplan_eval.analysis.status import NOT_YET, STATUS_COLOURS, UNCERTAIN_SUFFIX
from helhedsplan_eval.paths import BOARD_TEMPLATE, TEMPLATES_DIR

FONTS_DIR = Path(__file__).resolve().parent / "fonts"
#: the one font family of the pages and the PDF (after it only the generic ``sans-serif``)
FONT_FAMILY = "Helhed Sans"
FONT_STACK = f'"{FONT_FAMILY}", sans-serif'
#: (file, weight, style) of each shipped face
FONT_FACES = (("HelhedSans-Regular.woff2", 400, "normal"), ("HelhedSans-Bold.woff2", 700, "normal"),
              ("HelhedSans-Italic.woff2", 400, "italic"), ("HelhedSans-BoldItalic.woff2", 700, "italic"))

#: text colour on a status badge (white unless listed); every pair has a contrast of at least 4,5:1
TEXT_ON_DARK = "#ffffff"
STATUS_TEXT_COLOURS = {NOT_YET: "#1d2327"}
#: a status the colour table does not know (a qualitative assessment's own wording)
OTHER_STATUS_COLOUR = "#4b5563"


def status_slug(status: str) -> str:
    """'På vej (usikkert)' -> 'paa-vej'; 'Skjult: færre end 5 personer' -> 'skjult'."""
    word = str(status).strip().split(":")[0]
    suffix = UNCERTAIN_SUFFIX.strip()
    if word.endswith(suffix):
        word = word[: -len(suffix)].strip()
    slug = word.lower().replace("å", "aa").replace("ø", "oe").replace("æ", "ae")
    return "-".join(slug.split())


def status_css_class(status: str) -> str:
    """CSS classes for a status word: 'På vej (usikkert)' -> 'status-paa-vej status-usikkert'; wrap a status
    word as ``<span class="status {status_css_class(word)}">word</span>``."""
    css = f"status-{status_slug(status)}"
    uncertain = str(status).strip().split(":")[0].endswith(UNCERTAIN_SUFFIX.strip())
    return f"{css} status-usikkert" if uncertain else css


def status_colours(status: str) -> tuple[str, str]:
    """(background, text) of the badge of ``status`` (the status key, e.g. ``NOT_YET``)."""
    return STATUS_COLOURS.get(status, OTHER_STATUS_COLOUR), STATUS_TEXT_COLOURS.get(status, TEXT_ON_DARK)


def badge_style(status: str) -> str:
    """The badge's colours (and shape) as an inline style, the same as the ``.status`` classes."""
    bg, fg = status_colours(status)
    return (f"background:{bg};color:{fg};padding:2px 8px;border-radius:4px;white-space:nowrap;"
            "font-weight:700")


def status_css() -> str:
    """One rule per status: ``.status-<slug> { background; color }`` from the colour tables."""
    rules = []
    for status in STATUS_COLOURS:
        bg, fg = status_colours(status)
        rules.append(f".status-{status_slug(status)} {{ background: {bg}; color: {fg}; }}")
    return "\n".join(rules) + "\n"


@functools.lru_cache(maxsize=1)
def font_face_css() -> str:
    """``@font-face`` rules for the shipped faces, each as a ``data:`` URL (the page stays self-contained)."""
    rules = []
    for file, weight, style in FONT_FACES:
        b64 = base64.b64encode((FONTS_DIR / file).read_bytes()).decode("ascii")
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; font-weight: {weight}; font-style: {style}; '
                     f'src: url(data:font/woff2;base64,{b64}) format("woff2"); }}')
    return "\n".join(rules) + "\n"


def board_css_file() -> Path:
    return TEMPLATES_DIR / BOARD_TEMPLATE / "static" / "board.css"


@functools.lru_cache(maxsize=2)
def board_css(fonts: bool = True) -> str:
    """The stylesheet of every board page: the fonts (``fonts``), board.css and the status colours. The PDF takes it
    without the fonts and gets them from :func:`weasyprint_fonts`."""
    return (font_face_css() if fonts else "") + board_css_file().read_text(encoding="utf-8") + "\n" + status_css()


@functools.lru_cache(maxsize=1)
def weasyprint_fonts():
    """``(stylesheet, font configuration)`` with the shipped faces for WeasyPrint, made once per process: loading
    the four faces costs about 0,15 CPU-second, which every document would pay again with the fonts in its own
    stylesheet. Pass both to ``HTML.render(stylesheets=[...], font_config=...)``."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    # released while the interpreter still runs: at shutdown its __del__ (the fonts' temporary folder) would find
    # its module's names already gone and print an ignored TypeError
    atexit.register(weasyprint_fonts.cache_clear)
    return CSS(string=font_face_css(), font_config=config), config
