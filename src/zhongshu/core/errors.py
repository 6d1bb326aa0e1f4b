"""The one error shape of Zhongshu.

Every refusal a user can cause is a ``DomainError``: it carries a stable ``code``, the HTTP status it
maps to, a message in the user's language and structured ``details``. The API turns it into
``{"code", "message", "details"}`` in one handler (``zhongshu.api``); the web turns it into form or
page errors (``zhongshu.core.web_errors``).
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "error"
    http_status = 400
    default_message = _("The request could not be processed.")

    def __init__(
        self, message: Any = None, *, details: dict[str, Any] | None = None, code: str | None = None
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.details = details or {}
        if code:
            self.code = code
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "details": self.details}


class ValidationFailed(DomainError):
    """Input that cannot be accepted. ``details["errors"]`` lists every bad field at once."""

    code = "validation_error"
    http_status = 422
    default_message = _("Some fields are not valid.")

    def __init__(self, errors: dict[str, Any] | list[dict[str, Any]], message: Any = None) -> None:
        if isinstance(errors, dict):
            errors = [{"field": k, "message": str(v)} for k, v in errors.items()]
        super().__init__(message, details={"errors": errors})

    @property
    def errors(self) -> list[dict[str, Any]]:
        errors: list[dict[str, Any]] = self.details["errors"]
        return errors


class NotFound(DomainError):
    """Missing, or outside the user's scope: the two are indistinguishable on purpose."""

    code = "not_found"
    http_status = 404
    default_message = _("Not found.")


class PermissionDenied(DomainError):
    code = "forbidden"
    http_status = 403
    default_message = _("You do not have permission to do this.")


class ForbiddenField(PermissionDenied):
    code = "forbidden_field"
    default_message = _("You may not change these fields.")

    def __init__(self, fields: list[str], message: Any = None) -> None:
        super().__init__(message, details={"fields": sorted(fields)})


class Conflict(DomainError):
    code = "conflict"
    http_status = 409
    default_message = _("The request conflicts with the current state.")


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = _(
        "Someone else changed this record after you opened it. Reload and apply your change again."
    )
