from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from zhongshu.core.web_errors import domain_errors

from .checklist import checklist


@login_required
@domain_errors
def setup_page(request):
    rows = checklist(actor=request.user)
    done = sum(1 for r in rows if r.done)
    return render(
        request,
        "setup/checklist.html",
        {"steps": rows, "done": done, "total": len(rows), "complete": done == len(rows)},
    )
