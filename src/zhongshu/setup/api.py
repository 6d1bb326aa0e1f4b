"""/api/v1/setup: the go-live checklist (administrators)."""

from dataclasses import asdict

from ninja import Router

from zhongshu.core.schemas import errors

from .checklist import checklist
from .schemas import ChecklistOut

router = Router(tags=["setup"])


@router.get("", response={200: ChecklistOut, **errors(401, 403)})
def get_checklist(request):
    rows = [asdict(r) for r in checklist(actor=request.auth)]
    done = sum(1 for r in rows if r["done"])
    return {"complete": done == len(rows), "done": done, "total": len(rows), "steps": rows}
