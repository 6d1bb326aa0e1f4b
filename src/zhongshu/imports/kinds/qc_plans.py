"""Inspection plans from a spreadsheet: one row per inspection item, the rows of a product are
its plan (in file order). Checked and written by ``quality.services`` (``plan_errors``,
``plan_save``)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor
from zhongshu.quality.models import InspectionItem, InspectionPlan, ItemKind

from .. import normalize as N
from ..models import ImportKind
from .base import Column, Heads, _cell, _err
from .grouped import GroupedKind, commit_groups, report

FIELDS = {"name": "item", "method": "method", "unit": "unit", "kind": "kind", "target": "target",
          "lower_tolerance": "lower", "upper_tolerance": "upper", "items": "item",
          "note": "note", "operation": "operation"}  # fmt: skip
KIND_WORDS = {"计量": "measure", "计量型": "measure", "定量": "measure", "计数": "attribute",
              "计数型": "attribute", "定性": "attribute", "判定": "attribute"}  # fmt: skip
NUMBERS = ("target", "lower", "upper")


def _item(row) -> dict:
    d = row.data
    return {"name": d["item"], "method": d["method"], "unit": d["unit"], "kind": d["kind"],
            "target": d["target"], "lower_tolerance": d["lower"],
            "upper_tolerance": d["upper"], "operation": d["operation"]}  # fmt: skip


def _dec(value):
    return None if value in (None, "") else Decimal(value).normalize()


def _same(note: str, items: list[dict]) -> tuple:
    return note, [
        (i["name"], i["method"], i["unit"], i["kind"], _dec(i["target"]),
         _dec(i["lower_tolerance"]), _dec(i["upper_tolerance"]), _dec(i["operation"]))
        for i in items
    ]  # fmt: skip


def stored(codes) -> dict[str, tuple]:
    """The stored plans of these products, as ``_same`` tuples."""
    plans = {
        p.pk: p.material.code
        for p in InspectionPlan.objects.filter(material__code__in=list(codes)).select_related(
            "material"
        )
    }
    notes = dict(InspectionPlan.objects.filter(pk__in=plans).values_list("pk", "note"))
    items: dict[int, list[dict]] = {pk: [] for pk in plans}
    for it in InspectionItem.objects.filter(plan_id__in=plans).order_by("plan_id", "sequence"):
        items[it.plan_id].append(
            {
                "name": it.name,
                "method": it.method,
                "unit": it.unit,
                "kind": it.kind,
                "target": it.target,
                "lower_tolerance": it.lower_tolerance,
                "upper_tolerance": it.upper_tolerance,
                "operation": it.operation_sequence,
            }
        )
    return {code: _same(notes[pk], items[pk]) for pk, code in plans.items()}


class QcPlansKind(GroupedKind):
    slug = ImportKind.QC_PLANS
    action = "imports.qc_plans"
    replaces_text = gettext_lazy("Replaces the stored inspection plan of %(code)s.")
    columns = (
        Column("material", "物料编码", ("material", "产品编码", "产品", "物料代码", "料号"), True,
               "P-1001", gettext_lazy("The product; its rows are its whole inspection plan.")),
        Column("item", "检验项目", ("item", "name", "项目", "检验项"), True, "外径"),
        Column("kind", "检验类型", ("kind", "类型", "项目类型"), False, "计量",
               gettext_lazy("Measured (计量) or pass/fail (计数); empty: measured.")),
        Column("method", "检验方法", ("method", "方法", "量具"), False, "千分尺"),
        Column("target", "标准值", ("target", "目标值", "标准"), False, 50,
               gettext_lazy("Measured items: the target value.")),
        Column("lower", "下公差", ("lower", "lower_tolerance", "下偏差"), False, 0.05),
        Column("upper", "上公差", ("upper", "upper_tolerance", "上偏差"), False, 0.05),
        Column("unit", "单位", ("unit",), False, "mm"),
        Column("operation", "工序号", ("operation", "工序", "产生工序"), False, 20,
               gettext_lazy("The routing operation (sequence number) that produces the "
                            "characteristic: a failure is reworked there.")),
        Column("note", "方案备注", ("note", "备注"), False, "",
               gettext_lazy("The plan's note: the first filled cell of the product's rows.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        from zhongshu.quality.services import plan_errors

        H = (headers, columns)
        groups = self.groups(rows, H)
        before = stored(groups)
        for code, group in groups.items():
            for row in group:
                self._row(row, H)
            note = next((r.data["note"] for r in group if r.data["note"]), "")
            for r in group:
                r.data["plan_note"] = note
            if not any(r.errors for r in group):
                items = [_item(r) for r in group]
                report(group, H, plan_errors(actor=actor, material=code, items=items, note=note),
                       FIELDS)  # fmt: skip
        self.settle_groups(
            rows,
            groups,
            H,
            before=before,
            shape=lambda g: _same(g[0].data["plan_note"], [_item(r) for r in g]),
        )

    def _row(self, row, H: Heads) -> None:
        columns = H[1]
        kind = ItemKind.MEASURE
        if not N.is_blank(_cell(row, columns, "kind")):
            kind, msg = N.choice(_cell(row, columns, "kind"), ItemKind, extra=KIND_WORDS)
            if msg:
                _err(row, *H, "kind", msg)
        numbers: dict[str, str | None] = {}
        operation = _cell(row, columns, "operation")
        numbers["operation"] = None
        if not N.is_blank(operation):
            number, msg = N.number(operation, places=0)
            if msg:
                _err(row, *H, "operation", msg)
            else:
                numbers["operation"] = str(number)
        for field in NUMBERS:
            value = _cell(row, columns, field)
            numbers[field] = None
            if not N.is_blank(value):
                number, msg = N.number(value, places=4)
                if msg:
                    _err(row, *H, field, msg)
                else:
                    numbers[field] = str(number)
        row.data.update(
            material=row.key, item=N.text(_cell(row, columns, "item")), kind=kind or "",
            method=N.text(_cell(row, columns, "method")), unit=N.text(_cell(row, columns, "unit")),
            note=N.text(_cell(row, columns, "note")), **numbers,
        )  # fmt: skip

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from zhongshu.quality.services import plan_save

        def save(group):
            code, note = group[0].data["material"], group[0].data["plan_note"]
            items = [_item(r) for r in group]
            if stored([code]).get(code) == _same(note, items):
                return False
            plan_save(actor=actor, material=code, items=items, note=note)
            return True

        return commit_groups(batch, groups, strict=strict, save=save, error_field="item")
