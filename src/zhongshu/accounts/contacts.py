"""Checking and normalising how a person is reached (mobile, WeCom, DingTalk, Feishu, email)."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from zhongshu.core.text import normalize_text

# a mainland mobile (11 digits, 1[3-9]…) or an international number in +<country><number> form
_CN_MOBILE = r"1[3-9]\d{9}"
_INTL_MOBILE = r"\+[1-9]\d{6,14}"
# WeCom user ids: at most 64 bytes of letters, digits and _ - @ . starting with a letter or digit
_WECOM_USERID = r"[A-Za-z0-9][A-Za-z0-9_.@\-]*"


def clean_contacts(
    mobile: str | None, wecom_userid: str | None, email: str | None, **chat_ids: str | None
) -> tuple[dict[str, str], tuple[str | None, str | None, str | None, dict[str, str | None]]]:
    """The contact fields normalised (``None``: left as they are), and what is wrong with them
    (field → message). ``chat_ids``: DingTalk userid/unionId and Feishu user_id."""
    errors = {}
    if mobile is not None:
        mobile = "".join(normalize_text(mobile).split()).replace("-", "")
        if mobile and not (re.fullmatch(_CN_MOBILE, mobile) or re.fullmatch(_INTL_MOBILE, mobile)):
            errors["mobile"] = _(
                "Enter an 11-digit mobile number or an international one such as +8613800000000."
            )
    if wecom_userid is not None:
        wecom_userid = normalize_text(wecom_userid)
        if len(wecom_userid.encode()) > 64:
            errors["wecom_userid"] = _("At most %(n)s characters.") % {"n": 64}
        elif wecom_userid and not re.fullmatch(_WECOM_USERID, wecom_userid):
            errors["wecom_userid"] = _("Use letters, digits and _ . @ - only.")
    for field, value in chat_ids.items():
        if value is None:
            continue
        value = chat_ids[field] = normalize_text(value)
        if len(value.encode()) > 64:
            errors[field] = _("At most %(n)s characters.") % {"n": 64}
        elif value and not re.fullmatch(_WECOM_USERID, value):
            errors[field] = _("Use letters, digits and _ . @ - only.")
    if email is not None:
        email = normalize_text(email)
        if len(email) > 254:
            errors["email"] = _("At most %(n)s characters.") % {"n": 254}
        elif email:
            try:
                validate_email(email)
            except DjangoValidationError:
                errors["email"] = _("Enter a valid email address.")
    return errors, (mobile, wecom_userid, email, chat_ids)
