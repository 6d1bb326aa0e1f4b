"""Files attached to a request (drawings, quotes), checked by their content."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor
from zhongshu.core.errors import PermissionDenied, ValidationFailed
from zhongshu.core.uploads import safe_name, sniff

from ..exceptions import (
    NotPending,
)
from ..models import (
    Attachment,
    RequestStatus,
)
from ._common import _lock_request

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10


@transaction.atomic
def attachment_add(*, actor: Actor, request_id: Any, upload) -> Attachment:
    """``upload``: a Django UploadedFile. Size ≤ 10 MB; type by content, not by name."""
    permissions.require(actor, "approvals.request")
    request = _lock_request(actor, request_id)
    if request.requested_by_id != actor.pk and not permissions.can(
        actor, "approvals.act_for_others"
    ):
        raise PermissionDenied(details={"action": "approvals.attach"})
    if request.status != RequestStatus.PENDING:
        raise NotPending(details={"status": request.status})
    if request.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationFailed({"file": _("At most %(n)d files.") % {"n": MAX_ATTACHMENTS}})
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise ValidationFailed({"file": _("The file is empty.")})
    if size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(
            {"file": _("The file is larger than %(n)d MB.") % {"n": MAX_ATTACHMENT_BYTES >> 20}}
        )
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationFailed(
            {"file": _("Only PDF, PNG, JPG, DWG, DXF and XLSX files are accepted.")}
        )
    ctype, ext = kind
    name = safe_name(getattr(upload, "name", ""), ext)
    att = Attachment(request=request, name=name, content_type=ctype, size=size, uploaded_by=actor)
    att.file.save(name, upload, save=False)
    att.save()
    return att
