"""Reads of approvals, scoped to the user.

A request is visible to whoever may see its order (order scope), to the person who asked, and to
everyone it waits or waited for (approvers, deputies and their delegates)."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from zhongshu.accounts import permissions
from zhongshu.core.actors import Actor

from .models import Decision, Delegation, Flow, Request, RequestStatus, RequestStep, StepStatus


def _delegators(user):
    now = timezone.now()
    return Delegation.objects.filter(
        to_user=user, revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now
    ).values("from_user_id")


def _involved_steps(user) -> QuerySet:
    return RequestStep.objects.filter(
        Q(approvers=user) | Q(deputies=user) | Q(approvers__in=_delegators(user))
    )


def request_queryset(user) -> QuerySet:
    if not permissions.can(user, "approvals.view"):
        return Request.objects.none()
    q = permissions.order_scope_q(user, prefix="order__")
    if q is None:
        return Request.objects.all()
    return Request.objects.filter(
        q | Q(requested_by=user) | Q(pk__in=_involved_steps(user).values("request_id"))
    )


def _list(qs: QuerySet) -> QuerySet:
    return qs.select_related("order", "order__customer", "requested_by").annotate(
        n_steps=Count("steps", distinct=True)
    )


def waiting_queryset(user) -> QuerySet:
    """Pending requests whose active step waits for ``user`` (directly, as deputy, or as
    someone's delegate) and that ``user`` has not decided yet."""
    steps = (
        _involved_steps(user)
        .filter(status=StepStatus.ACTIVE)
        .exclude(Exists(Decision.objects.filter(step=OuterRef("pk"), user=user)))
    )
    return Request.objects.filter(status=RequestStatus.PENDING, pk__in=steps.values("request_id"))


_MEMO = "_approvals_waiting_count"


def waiting_count(user) -> int:
    """How many requests wait for ``user`` (the dashboard's "awaiting my approval"): one query.
    The figure is left on the user object so the header badge of the same page need not count
    again (``waiting_count_known``)."""
    if not permissions.can(user, "approvals.decide"):
        return 0
    return remember_waiting_count(user, waiting_queryset(user).count())


def waiting_count_known(user) -> int | None:
    """The count this page already made for ``user`` (request.user is a new object per
    request), or None."""
    return getattr(user, _MEMO, None)


def remember_waiting_count(user, count: int) -> int:
    setattr(user, _MEMO, count)
    return count


def waiting_list(*, actor: Actor) -> QuerySet:
    permissions.require(actor, "approvals.view")
    return _list(waiting_queryset(actor)).order_by("submitted_at", "id")


def request_list(*, actor: Actor, mine: bool = False, status: str = "", order_id=None) -> QuerySet:
    permissions.require(actor, "approvals.view")
    qs = request_queryset(actor)
    if mine:
        qs = qs.filter(requested_by=actor)
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    return _list(qs).order_by("-id")


def request_get(*, actor: Actor, request_id) -> Request:
    permissions.require(actor, "approvals.view")
    qs = request_queryset(actor).select_related("order", "order__customer", "requested_by")
    qs = qs.prefetch_related(
        Prefetch(
            "steps",
            queryset=RequestStep.objects.prefetch_related(
                "approvers",
                "deputies",
                Prefetch(
                    "decisions", queryset=Decision.objects.select_related("user", "on_behalf_of")
                ),
            ).order_by("position"),
        ),
        "attachments",
    )
    return permissions.get_in_scope(qs, pk=request_id)


def flow_list(*, actor: Actor) -> QuerySet:
    permissions.require(actor, "approvals.configure")
    return Flow.objects.prefetch_related("steps__users", "steps__deputy_user").order_by("name")


def flow_get(*, actor: Actor, flow_id) -> Flow:
    return permissions.get_in_scope(flow_list(actor=actor), pk=flow_id)


def delegation_list(*, actor: Actor) -> QuerySet:
    permissions.require(actor, "approvals.view")
    return (
        Delegation.objects.filter(Q(from_user=actor) | Q(to_user=actor))
        .select_related("from_user", "to_user")
        .order_by("-id")
    )


def attachment_get(*, actor: Actor, attachment_id):
    from .models import Attachment

    visible = request_queryset(actor).values("pk")
    return permissions.get_in_scope(
        Attachment.objects.filter(request_id__in=visible), pk=attachment_id
    )
