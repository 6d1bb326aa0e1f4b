"""Bills of materials from a spreadsheet: one row per component, the rows of a parent are its
bill. Components may be parents further down the same file (multi-level); a file that would make
a loop is refused. Checked and written by ``production.services`` (``bom_errors``, ``bom_set``)."""

import re
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor
from zhongshu.production.models import BomLine

from .. import normalize as N
from ..models import ImportKind
from .base import Column, Heads, _cell, _err
from .grouped import GroupedKind, commit_groups, report

FIELDS = {"component": "component", "quantity_per_unit": "quantity",
          "scrap_percent": "scrap", "lines": "component"}  # fmt: skip
PERCENT = re.compile(r"\s*[%％]\s*$")


def _line(row) -> dict:
    d = row.data
    return {"component": d["component"], "quantity_per_unit": d["quantity"],
            "scrap_percent": d["scrap"]}  # fmt: skip


def _same(lines: list[dict]) -> list[tuple]:
    return sorted(
        (x["component"], Decimal(x["quantity_per_unit"]).normalize(),
         Decimal(x["scrap_percent"]).normalize())
        for x in lines
    )  # fmt: skip


def stored(codes) -> dict[str, list[tuple]]:
    """The stored bills of these parents, as ``_same`` lists."""
    out: dict[str, list[dict]] = {}
    for parent, comp, qty, scrap in BomLine.objects.filter(
        product__code__in=list(codes)
    ).values_list("product__code", "component__code", "quantity_per_unit", "scrap_percent"):
        out.setdefault(parent, []).append(
            {"component": comp, "quantity_per_unit": qty, "scrap_percent": scrap}
        )
    return {k: _same(v) for k, v in out.items()}


class BomsKind(GroupedKind):
    slug = ImportKind.BOMS
    action = "imports.boms"
    replaces_text = gettext_lazy("Replaces the stored bill of materials of %(code)s.")
    whole_file = True  # the loop check follows components through every bill in the file
    columns = (
        Column("material", "父项编码", ("material", "parent", "父项", "父件编码", "产品编码",
               "上级物料"), True, "P-1001",
               gettext_lazy("The product made; its rows are its whole bill of materials.")),
        Column("component", "子项编码", ("component", "子项", "子件编码", "组件编码", "材料编码"),
               True, "R-2001",
               gettext_lazy("A component may be a parent in other rows (multi-level).")),
        Column("quantity", "单位用量", ("quantity", "quantity_per_unit", "用量", "数量"), True, 2.5,
               gettext_lazy("Component quantity per unit of the parent.")),
        Column("scrap", "损耗率%", ("scrap", "scrap_percent", "损耗率", "损耗"), False, "3%",
               gettext_lazy("Share lost in making, in percent; empty: 0.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        from zhongshu.production.services import bom_errors

        H = (headers, columns)
        groups = self.groups(rows, H)
        before = stored(groups)
        for group in groups.values():
            for row in group:
                self._row(row, H)
        # the file as a whole: each parent's bill as the file gives it, for the loop check
        replacing = {code: [r.data["component"] for r in g] for code, g in groups.items()}
        for code, group in groups.items():
            if not any(r.errors for r in group):
                lines = [_line(r) for r in group]
                report(group, H, bom_errors(actor=actor, material_code=code, lines=lines,
                                            replacing=replacing), FIELDS)  # fmt: skip
        self.settle_groups(
            rows, groups, H, before=before, shape=lambda g: _same([_line(r) for r in g])
        )

    def _row(self, row, H: Heads) -> None:
        columns = H[1]
        component = N.text(_cell(row, columns, "component")).upper()
        if not component:
            _err(row, *H, "component", _("This field is required."))
        qty, msg = N.number(_cell(row, columns, "quantity"), places=4, positive=True)
        if msg:
            _err(row, *H, "quantity", msg)
        scrap = Decimal(0)
        raw = _cell(row, columns, "scrap")
        if not N.is_blank(raw):
            scrap, msg = N.number(PERCENT.sub("", N.text(raw)), places=2, min_zero=True)
            if msg:
                _err(row, *H, "scrap", msg)
        row.data.update(material=row.key, component=component,
                        quantity=str(qty) if qty is not None else "0",
                        scrap=str(scrap) if scrap is not None else "0")  # fmt: skip

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from zhongshu.production.services import bom_set

        def save(group):
            code = group[0].data["material"]
            lines = [_line(r) for r in group]
            if stored([code]).get(code) == _same(lines):
                return False
            bom_set(actor=actor, material_code=code, lines=lines)
            return True

        return commit_groups(batch, groups, strict=strict, save=save, error_field="component")
