"""Routings from a spreadsheet: one row per operation, the rows of a product are its routing.
Checked and written by ``production.services`` (``routing_errors``, ``routing_set``)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.core.actors import Actor
from zhongshu.production.models import Operation

from .. import normalize as N
from ..models import ImportKind
from .base import Column, Heads, _cell, _err
from .grouped import GroupedKind, commit_groups, report

# production's operation fields → this kind's columns
FIELDS = {"work_center": "line", "setup_hours": "setup_hours",
          "run_hours_per_unit": "run_hours", "name": "operation", "default_owner": "owner",
          "operations": "sequence"}  # fmt: skip


def _operation(row) -> dict:
    d = row.data
    return {"work_center": d["line"], "setup_hours": d["setup_hours"],
            "run_hours_per_unit": d["run_hours"], "name": d["operation"],
            "default_owner": d["owner"]}  # fmt: skip


def _same(op: dict) -> tuple:
    """An operation as compared with the stored one (hours as exact decimals)."""
    return (op["work_center"], Decimal(op["setup_hours"]).normalize(),
            Decimal(op["run_hours_per_unit"]).normalize(), op["name"],
            op["default_owner"] or "")  # fmt: skip


def stored(codes) -> dict[str, list[tuple]]:
    """The stored routings of these products, as ``_same`` tuples in sequence order."""
    out: dict[str, list[tuple]] = {}
    ops = Operation.objects.filter(routing__material__code__in=list(codes)).order_by(
        "routing_id", "sequence"
    )
    for code, wc, setup, run, name, owner in ops.values_list(
        "routing__material__code", "work_center__code", "setup_hours", "run_hours_per_unit",
        "name", "default_owner__username",
    ):  # fmt: skip
        out.setdefault(code, []).append(
            (wc, Decimal(setup).normalize(), Decimal(run).normalize(), name, owner or "")
        )
    return out


class RoutingsKind(GroupedKind):
    slug = ImportKind.ROUTINGS
    action = "imports.routings"
    replaces_text = gettext_lazy("Replaces the stored routing of %(code)s.")
    columns = (
        Column("material", "物料编码", ("material", "产品编码", "产品", "物料代码", "料号"), True,
               "P-1001", gettext_lazy("A make-to-order product; its rows are its whole routing.")),
        Column("sequence", "工序号", ("sequence", "序号", "工序顺序", "顺序"), True, 10,
               gettext_lazy("The order of the operations within the product.")),
        Column("operation", "工序名称", ("operation", "工序", "name"), True, "下料"),
        Column("line", "产线编码", ("line", "产线", "工作中心", "work_center"), True, "L1"),
        Column("setup_hours", "准备工时", ("setup_hours", "准备时间", "调机工时"), False, 0.5,
               gettext_lazy("Hours per batch; empty: 0.")),
        Column("run_hours", "单件工时", ("run_hours", "run_hours_per_unit", "单位工时"), True,
               0.25, gettext_lazy("Hours per unit made.")),
        Column("owner", "负责人", ("owner", "default_owner", "默认负责人"), False, "",
               gettext_lazy("The username of the operation's default owner.")),
    )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        from zhongshu.production.services import routing_errors

        H = (headers, columns)
        groups = self.groups(rows, H)
        before = stored(groups)
        for code, group in groups.items():
            seen: dict[int, int] = {}
            for row in group:
                self._row(row, H, seen)
            group.sort(key=lambda r: (r.data.get("sequence") or 0, r.row_no))
            if not any(r.errors for r in group):
                ops = [_operation(r) for r in group]
                report(group, H, routing_errors(actor=actor, material_code=code, operations=ops),
                       FIELDS)  # fmt: skip
        self.settle_groups(
            rows, groups, H, before=before, shape=lambda g: [_same(_operation(r)) for r in g]
        )

    def _row(self, row, H: Heads, seen) -> None:
        columns = H[1]
        seq, msg = N.number(_cell(row, columns, "sequence"), places=0, positive=True)
        if msg or seq > 9999:
            _err(row, *H, "sequence", _("Enter whole numbers from 1 to 9999."))
            seq = None
        elif int(seq) in seen:
            _err(row, *H, "sequence", _("Duplicate of row %(row)d.") % {"row": seen[int(seq)]})
        else:
            seen[int(seq)] = row.row_no
        hours = {}
        for field, blank in (("setup_hours", Decimal(0)), ("run_hours", None)):
            value = _cell(row, columns, field)
            if N.is_blank(value) and blank is not None:
                hours[field] = blank
                continue
            hours[field], msg = N.number(value, places=3, min_zero=True)
            if msg:
                _err(row, *H, field, msg)
        row.data.update(
            material=row.key,
            sequence=int(seq) if seq is not None else None,
            operation=N.text(_cell(row, columns, "operation")),
            line=N.text(_cell(row, columns, "line")).upper(),
            setup_hours=str(hours["setup_hours"]) if hours.get("setup_hours") is not None else "0",
            run_hours=str(hours["run_hours"]) if hours.get("run_hours") is not None else "0",
            owner=N.text(_cell(row, columns, "owner")),
        )
        if not row.data["operation"]:
            _err(row, *H, "operation", _("This field is required."))
        if not row.data["line"]:
            _err(row, *H, "line", _("This field is required."))

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from zhongshu.production.services import routing_set

        def save(group):
            group = sorted(group, key=lambda r: (r.data["sequence"], r.row_no))
            code = group[0].data["material"]
            ops = [_operation(r) for r in group]
            if stored([code]).get(code) == [_same(op) for op in ops]:
                return False  # imported meanwhile (another batch of the same file)
            routing_set(actor=actor, material_code=code, operations=ops)
            return True

        return commit_groups(batch, groups, strict=strict, save=save, error_field="material")
