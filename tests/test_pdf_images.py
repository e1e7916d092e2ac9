"""Charts in the PDF board pack (issue 13, speed): the board's opaque charts are written as RGB PNGs, and while
WeasyPrint writes a PDF an RGB PNG's compressed data goes into it as it is (report.pdf.png_passthrough) instead
of being decoded and compressed again. Both must leave every picture exactly as it was."""

from __future__ import annotations

import base64
import io
import re
import struct
import zlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from helhedsplan_eval.report import board as report  # noqa: E402
from helhedsplan_eval.report import pdf  # noqa: E402


def _chart(size=(6.5, 3.9), transparent=False):
    fig, ax = plt.subplots(figsize=size)
    ax.plot([2016, 2017, 2018, 2019, 2020], [66, 60, 52, 45, 44], marker="o", label="Høje Gladsaxe")
    ax.axhline(48, ls="--", color="#b45309", label="Mål")
    ax.set_title("TT-2 · Henvendelser om utryg adfærd")
    ax.legend()
    fig.tight_layout()
    if transparent:
        fig.patch.set_alpha(0.0)
    return fig


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _img_png(html: str) -> bytes:
    return base64.b64decode(re.search(r"base64,([^'\"]+)", html).group(1))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack("!I", len(data)) + kind + data + struct.pack("!I", zlib.crc32(kind + data))


def _hand_png(width, height, depth, colour, interlace=0, rows=None, end=True) -> bytes:
    """A PNG written by hand (Pillow writes neither 16-bit RGB nor interlaced files)."""
    channels = {0: 1, 2: 3, 6: 4}[colour]
    row = bytes([0]) + bytes(range(width * channels * depth // 8))
    raw = rows if rows is not None else row * height
    out = pdf._PNG_SIGNATURE + _chunk(b"IHDR", struct.pack("!IIBBBBB", width, height, depth, colour, 0, 0, interlace))
    stream = zlib.compress(raw)
    out += _chunk(b"IDAT", stream[:5]) + _chunk(b"tEXt", b"k\x00v") + _chunk(b"IDAT", stream[5:])  # data in two chunks
    return out + (_chunk(b"IEND", b"") if end else b"")


# ----------------------------------------------------------------------------- the charts' PNG


def _png(fig, tight: bool = False) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=150, bbox_inches="tight" if tight else None)  # matplotlib's own PNG: RGBA
    return buf.getvalue()


@pytest.mark.parametrize("tight", [False, True])
@pytest.mark.parametrize("size", [(6.5, 3.9), (10.0, 3.9), (6.53, 3.91)])
def test_an_opaque_chart_is_an_rgb_png_with_the_same_pixels(size, tight):
    # 6,53 × 3,91 in at 150 dpi is 979,5 × 586,5 px: Agg draws int() of that; tight: cropped as savefig crops
    reference = _png(_chart(size), tight)
    html = report.figure_html(_chart(size), "TT-2", tight=tight)
    png = _img_png(html)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "RGB" and png[25] == 2  # colour type 2: truecolour without alpha
    assert image.size == Image.open(io.BytesIO(reference)).size
    assert np.array_equal(_pixels(png), _pixels(reference))
    plt.close("all")


@pytest.mark.parametrize("tight", [False, True])
def test_a_chart_with_transparent_pixels_keeps_its_alpha_channel(tight):
    reference = _png(_chart(transparent=True), tight)
    png = _img_png(report.figure_html(_chart(transparent=True), "TT-2", tight=tight))
    assert Image.open(io.BytesIO(png)).mode == "RGBA"
    assert _pixels(reference)[..., 3].min() == 0  # the test's figure is transparent somewhere
    assert np.array_equal(_pixels(png), _pixels(reference))
    plt.close("all")


def test_a_chart_whose_raw_size_does_not_add_up_is_matplotlibs_png(monkeypatch):
    # the raw buffer's shape comes from the canvas's renderer; if the bytes do not fit it, matplotlib's own PNG (RGBA)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = _chart()
    reference = _png(_chart())
    def short(self, f, **kwargs):  # draws, as Agg does, and writes fewer bytes than the renderer's size
        FigureCanvasAgg.draw(self)
        f.write(b"not a picture")

    monkeypatch.setattr(FigureCanvasAgg, "print_raw", short)
    monkeypatch.setattr(FigureCanvasAgg, "print_rgba", short)
    png = _img_png(report.figure_html(fig, "TT-2", tight=False))
    assert Image.open(io.BytesIO(png)).mode == "RGBA"
    assert np.array_equal(_pixels(png), _pixels(reference))
    plt.close("all")


def test_a_chart_laid_out_by_tight_layout_is_drawn_once_with_the_same_pixels(monkeypatch):
    # fig.tight_layout() leaves a placeholder layout engine, for which savefig drew the figure once more without
    # output; png_bytes drops the placeholder: one draw, the same picture
    from matplotlib.figure import Figure

    reference = _png(_chart())  # matplotlib's savefig with the placeholder: two draws
    draws = []
    real = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or real(self, renderer))
    fig = _chart()
    assert fig.get_layout_engine() is not None  # the placeholder tight_layout leaves
    png = _img_png(report.figure_html(fig, "TT-2", tight=False))
    assert len(draws) == 1
    assert np.array_equal(_pixels(png), _pixels(reference))
    plt.close("all")


# ----------------------------------------------------------------------------- which PNGs pass through


def test_rgb_png_data_is_the_idat_stream_of_an_8_bit_rgb_png_only():
    rgb = io.BytesIO()
    Image.new("RGB", (7, 3), (10, 200, 30)).save(rgb, format="png", compress_level=1)
    assert len(zlib.decompress(pdf.rgb_png_data(rgb.getvalue()))) == 3 * (1 + 7 * 3)  # 3 rows: filter byte, 7 pixels
    rows = (bytes([0]) + bytes(range(12))) * 2  # 2 rows of 4 pixels, filter 0 (none)
    assert zlib.decompress(pdf.rgb_png_data(_hand_png(4, 2, 8, 2, rows=rows))) == rows  # both IDAT chunks, in order
    for mode in ("RGBA", "L", "P", "LA"):
        other = io.BytesIO()
        Image.new(mode, (7, 3)).save(other, format="png")
        assert pdf.rgb_png_data(other.getvalue()) is None, mode
    assert pdf.rgb_png_data(_hand_png(4, 2, 16, 2)) is None  # not with 16 bits
    assert pdf.rgb_png_data(_hand_png(4, 2, 8, 2, interlace=1)) is None  # Adam7 rows are not PDF rows
    assert pdf.rgb_png_data(_hand_png(4, 2, 8, 2, end=False)) is None  # cut off before IEND
    assert pdf.rgb_png_data(b"\xff\xd8\xff\xe0 JPEG") is None
    assert pdf.rgb_png_data(b"") is None


# ----------------------------------------------------------------------------- the PDF


def _pdf_with(images: dict[str, bytes], passthrough: bool) -> bytes:
    body = "".join(f"<p>{name}</p><img alt='{name}' style='width:8cm' src='data:image/png;base64,"
                   f"{base64.b64encode(png).decode()}'>" for name, png in images.items())
    doc = pdf.render_document(f"<!DOCTYPE html><html><body>{body}</body></html>")
    if passthrough:
        with pdf.png_passthrough():
            return doc.write_pdf()
    return doc.write_pdf()


def _pdf_images(data: bytes) -> list[tuple[bytes, np.ndarray]]:
    """(the stream's stored bytes, its pixels as RGBA) of each image in the PDF, in the order of the page's names."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(data)).pages[0]
    xobjects = page["/Resources"]["/XObject"]
    stored = {name: xobjects[name].get_object()._data for name in xobjects}
    out = []
    for image in page.images:
        out.append((stored["/" + image.name.split(".")[0].lstrip("/")], np.asarray(image.image.convert("RGBA"))))
    return out


def test_the_pdf_holds_an_rgb_charts_data_as_it_is_and_every_picture_unchanged():
    opaque = _img_png(report.figure_html(_chart(), "a", tight=False))
    transparent = _img_png(report.figure_html(_chart(transparent=True), "b", tight=False))
    grey = io.BytesIO()
    Image.fromarray(np.arange(60, dtype=np.uint8).reshape(6, 10)).save(grey, format="png")
    images = {"opaque": opaque, "transparent": transparent, "grey": grey.getvalue()}
    plt.close("all")

    fast = _pdf_images(_pdf_with(images, passthrough=True))
    slow = _pdf_images(_pdf_with(images, passthrough=False))
    assert len(fast) == len(slow) == 3
    expected = sorted(_pixels(png).tobytes() for png in images.values())
    assert sorted(px.tobytes() for _, px in fast) == expected  # the same pictures …
    assert sorted(px.tobytes() for _, px in slow) == expected
    stored = [raw for raw, _ in fast]
    assert pdf.rgb_png_data(opaque) in stored  # … the RGB chart's compressed data stored as it is,
    assert pdf.rgb_png_data(opaque) not in [raw for raw, _ in slow]  # where WeasyPrint alone compresses it again


def test_the_passthrough_is_undone_after_writing_and_nests():
    from weasyprint.images import RasterImage

    before = RasterImage.__dict__["_get_png_data"]
    with pdf.png_passthrough():
        patched = RasterImage.__dict__["_get_png_data"]
        assert patched is not before
        with pdf.png_passthrough():
            assert RasterImage.__dict__["_get_png_data"] is patched
        assert RasterImage.__dict__["_get_png_data"] is patched
    assert RasterImage.__dict__["_get_png_data"] is before
    with pytest.raises(RuntimeError):
        with pdf.png_passthrough():
            raise RuntimeError("a failed write")
    assert RasterImage.__dict__["_get_png_data"] is before
