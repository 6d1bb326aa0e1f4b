from ninja import Router

from zhongshu.core.schemas import errors

from . import selectors
from .schemas import DashboardOut

router = Router(tags=["dashboard"])


@router.get("", response={200: DashboardOut, **errors(401, 403)})
def get_dashboard(request):
    """The six home-dashboard KPIs for the caller's scope — the same numbers as /dashboard/.
    Definitions: docs/dashboard.md."""
    return selectors.dashboard_for(actor=request.auth)
