from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .lockout import is_locked_out, lockout_message


class LoginForm(AuthenticationForm):
    """Django's login form, telling a locked-out user why the right password is refused."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and is_locked_out(self.request):
                raise ValidationError(lockout_message(), code="account_locked") from None
            raise
