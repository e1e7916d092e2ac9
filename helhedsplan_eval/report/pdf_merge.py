"""Merging tagged PDF parts into one tagged PDF, keeping every part's structure tree (pikepdf).

:func:`merge_parts` takes the parts in order, each a tagged PDF that WeasyPrint wrote (report.pdf.layout_part), and
writes one document: the first part's catalogue (XMP metadata with the PDF/A-3a and PDF/UA-1 identification,
the sRGB output intent, MarkInfo, /Lang, ViewerPreferences) and document information, then every part's sheets.
Structure: one new Document element whose children are the parts' Document elements, each retyped as a Part;
every part's ParentTree keys moved up by the keys of the parts before it (the sheets' /StructParents and the
annotations' /StructParent with them), so that each marked-content sequence still finds its element. The parts'
named destinations become one name tree (the first anchor of a name wins, as in one laid-out document; a part's
stand-ins for anchors in other parts are left out), so the links between parts (the criterion ids, the list of
bilag) lead to the right sheet. RoleMap, ClassMap and IDTree, where a part has them, are merged too (the first
part's entry of a name wins). One top-level bookmark per part (its h1) with its headings below; /PageLabels
give every part its own numbering, as printed on its sheets.

QPDF copies objects from another file through one object map per source file: a sheet copied first and the
structure tree copied after it refer to the same copied sheet (tests/test_board_pack.py checks every /Pg).
"""

from __future__ import annotations

import warnings
from pathlib import Path


def _flat(tree, key: str) -> list:
    """The (key, value) pairs of a number tree (``/Nums``) or name tree (``/Names``), leaves in order."""
    out, stack = [], [tree]
    while stack:
        node = stack.pop(0)
        items = node.get(key)
        if items is not None:
            out += [(items[i], items[i + 1]) for i in range(0, len(items), 2)]
        stack = list(node.get("/Kids") or []) + stack
    return out


def _kids(node) -> list:
    import pikepdf

    k = node.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def merge_parts(parts: list[dict], out: Path, labels: list[str]) -> None:
    """Write the parts (``{"path", "sheets", "foreign"}``, in order) as one tagged PDF at ``out``; ``labels[i]`` is
    part i's page label prefix (e.g. "Bilag 3, s. ")."""
    import pikepdf

    merge = _Merge(pikepdf.open(parts[0]["path"]))
    try:
        starts = [merge.add(part, i == 0) for i, part in enumerate(parts)]
        merge.finish(starts, labels)
        tmp = Path(out).with_name(Path(out).name + ".tmp")
        # object streams (PDF 1.5, allowed in PDF/A-2 and -3): the copied structure elements are otherwise written
        # one by one, uncompressed (5,3 MB instead of 4,1 MB for the default sample's last year)
        merge.pdf.save(tmp, fix_metadata_version=False, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    finally:
        for src in merge.sources:
            src.close()
    tmp.replace(out)


class _Merge:
    """The merged document (the first part, opened) and what the parts add to it, part by part."""

    def __init__(self, pdf):
        from pikepdf import Array, Dictionary, Name

        self.pdf, self.sources = pdf, [pdf]
        self.root = pdf.Root.StructTreeRoot
        self.document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, P=self.root, K=Array()))
        self.nums, self.offset, self.dests, self.outline, self.ids = [], 0, {}, [], {}
        self.maps = {"/RoleMap": Dictionary(), "/ClassMap": Dictionary()}

    def add(self, part: dict, first: bool) -> int:
        """Append one part (its sheets, structure, destinations, bookmarks); return its first sheet's index."""
        import pikepdf
        from pikepdf import Name

        pdf = self.pdf
        src = pdf if first else pikepdf.open(part["path"])
        self.sources += [] if first else [src]
        start = len(pdf.pages) if not first else 0
        if len(src.pages) != part["sheets"]:
            raise RuntimeError(f"{Path(part['path']).name}: {len(src.pages)} sider, ventede {part['sheets']}.")
        index = {page.objgen: n for n, page in enumerate(src.pages)}
        self.outline.append([_outline_item(item, index, start) for item in src.open_outline().root])
        if not first:
            with warnings.catch_warnings():  # "does not preserve named destinations": they are merged below
                warnings.simplefilter("ignore")
                pdf.pages.extend(src.pages)  # copied first: the structure tree copied next maps /Pg to these sheets
        st = src.Root.StructTreeRoot if first else pdf.copy_foreign(src.Root.StructTreeRoot)
        pairs = _flat(st.ParentTree, "/Nums")
        self.nums += [(int(k) + self.offset, v) for k, v in pairs]
        for elem in _kids(st):
            elem.P = self.document
            if elem.get("/S") == Name.Document:
                elem.S = Name.Part
            self.document.K.append(elem)
        for page in pdf.pages[start:start + part["sheets"]]:
            _move_keys(page.obj, self.offset)
        self.offset += max([int(st.get("/ParentTreeNextKey", 0))] + [int(k) + 1 for k, _ in pairs])
        for key, target in self.maps.items():
            for name, value in (st.get(key) or {}).items():
                if name not in target:
                    target[name] = value
        for name, elem in _flat(st.IDTree, "/Names") if "/IDTree" in st else []:
            self.ids.setdefault(bytes(name), (name, elem))
        self._destinations(src, part, start, index)
        return start

    def _destinations(self, src, part: dict, start: int, index: dict) -> None:
        from pikepdf import Array

        names = src.Root.get("/Names")
        if names is None or "/Dests" not in names:
            return
        for name, dest in _flat(names.Dests, "/Names"):
            if str(name) not in part.get("foreign", ()) and str(name) not in self.dests:
                page = self.pdf.pages[start + index[dest[0].objgen]].obj
                self.dests[str(name)] = (name, Array([page, *list(dest)[1:]]))

    def finish(self, starts: list[int], labels: list[str]) -> None:
        """The one structure tree, name tree, page labels and outline of the merged document."""
        from pikepdf import Array, Dictionary, Name

        pdf, root = self.pdf, self.root
        root.K = Array([self.document])
        root.ParentTree = pdf.make_indirect(Dictionary(Nums=Array(
            [x for k, v in sorted(self.nums, key=lambda kv: kv[0]) for x in (k, v)])))
        root.ParentTreeNextKey = self.offset
        for key, value in self.maps.items():
            if len(value):
                root[key] = value
        if self.ids:
            root.IDTree = pdf.make_indirect(Dictionary(Names=Array([x for k in sorted(self.ids) for x in self.ids[k]])))
        _unlink_missing(pdf, self.dests)
        pdf.Root.Names = Dictionary(Dests=pdf.make_indirect(Dictionary(Names=Array(
            [x for key in sorted(self.dests, key=lambda k: bytes(self.dests[k][0])) for x in self.dests[key]]))))
        pdf.Root.PageLabels = Dictionary(Nums=Array([x for start, label in zip(starts, labels)
                                                     for x in (start, Dictionary(S=Name.D, P=label))]))
        with pdf.open_outline() as tree:
            tree.root.clear()
            for items in self.outline:
                tree.root.extend(items)


def _move_keys(page, offset: int) -> None:
    """A copied sheet's ParentTree keys moved up by ``offset``: its own and its annotations'."""
    if "/StructParents" in page:
        page.StructParents = int(page.StructParents) + offset
    for annot in page.get("/Annots") or []:
        if "/StructParent" in annot:
            annot.StructParent = int(annot.StructParent) + offset


def _unlink_missing(pdf, dests: dict) -> None:
    """A link whose named destination no part holds leads nowhere: its destination is removed (WeasyPrint leaves
    such a link out of a document laid out in one piece)."""
    import pikepdf

    for page in pdf.pages:
        for annot in page.obj.get("/Annots") or []:
            dest = annot.get("/Dest")
            if dest is not None and not isinstance(dest, pikepdf.Array) and str(dest) not in dests:
                del annot["/Dest"]


def _outline_item(item, index: dict, start: int):
    """A part's bookmark (with its children) pointing at the same place among the merged document's sheets."""
    from pikepdf import OutlineItem, PageLocation

    dest = item.destination
    kwargs = {}
    page = 0
    if dest is not None and len(dest) >= 4:
        page = index.get(dest[0].objgen, 0)
        kwargs = {"page_location": PageLocation.XYZ, "left": float(dest[2]), "top": float(dest[3])}
    new = OutlineItem(str(item.title), start + page, **kwargs)
    new.is_closed = item.is_closed
    new.children.extend(_outline_item(child, index, start) for child in item.children)
    return new
