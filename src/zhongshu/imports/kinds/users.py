"""Users from a spreadsheet: username, name, roles, regions and how each person is reached.
Checked by ``accounts.services.user_create_errors`` and created by ``user_create`` plus
``contact_update`` — the same rules as the admin pages. Each new user gets a generated initial
password, kept on the import row only until it is shown once (``passwords_take``), and sealed
there (``core.crypto``, keyed by the install's secret): the database never holds it readable."""

import inspect
import re
import secrets

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhongshu.accounts.models import Profile
from zhongshu.accounts.roles import Role
from zhongshu.core import crypto
from zhongshu.core.actors import Actor

from .. import normalize as N
from ..models import ImportKind, ImportRow, RowStatus
from .base import Column, Kind, _cell, _err, _load, _warn

PASSWORD_INFO = b"zhongshu.imports.initial-password"
SPLIT = re.compile(r"[,，、;；/|\s]+")

# How a person is reached on each platform: (Profile field, template header, other headers).
# A column is offered only when ``accounts.Profile`` has the field and
# ``accounts.services.contact_update`` takes it as a keyword, so a platform's id is imported as
# soon as accounts stores it — this list is the one place to name a new platform.
CONTACT_IDS = (
    ("wecom_userid", "企业微信ID", ("wecom_userid", "wecom", "企业微信", "企微ID", "企业微信账号")),
    ("dingtalk_userid", "钉钉ID", ("dingtalk_userid", "dingtalk", "钉钉", "钉钉账号")),
    (
        "feishu_user_id",
        "飞书ID",
        ("feishu_user_id", "feishu_userid", "feishu", "飞书", "飞书账号", "lark"),
    ),
)
BASE = (
    Column("username", "用户名", ("username", "账号", "登录名", "工号"), True, "zhang.wei",
           gettext_lazy("The login name; an existing user is skipped, never changed.")),
    Column("name", "姓名", ("name", "display_name", "名字"), False, "张伟"),
    Column("roles", "角色", ("roles", "role", "岗位"), True, "销售",
           gettext_lazy("One or more roles in Chinese or English, separated by 、 or commas.")),
    Column("regions", "区域", ("regions", "region", "负责区域", "销售区域"), False, "华东",
           gettext_lazy("Existing regions, separated by 、 or commas.")),
    Column("mobile", "手机", ("mobile", "手机号", "电话"), False, "13800000000"),
    Column("email", "邮箱", ("email", "电子邮箱"), False, ""),
)  # fmt: skip


def contact_fields() -> list[str]:
    """The contact ids accounts can store today (see ``CONTACT_IDS``)."""
    from zhongshu.accounts.services import contact_update

    params = inspect.signature(contact_update).parameters
    stored = {f.name for f in Profile._meta.get_fields()}
    return [f for f, _h, _a in CONTACT_IDS if f in stored and f in params]


def new_password() -> str:
    # 16 characters from letters and digits (URL-safe base64 of 12 random bytes), with a fixed
    # prefix so every password also has a capital, a digit and a symbol for strict validators
    return "Zs-" + secrets.token_urlsafe(12)


class UsersKind(Kind):
    slug = ImportKind.USERS
    action = "imports.users"

    @property
    def columns(self):
        fields = set(contact_fields())
        return BASE + tuple(
            Column(f, header, aliases, False, "") for f, header, aliases in CONTACT_IDS
            if f in fields
        )  # fmt: skip

    def validate(self, actor: Actor, rows, headers, columns):
        from django.contrib.auth import get_user_model

        from zhongshu.accounts.services import user_create_errors

        User = get_user_model()
        H = (headers, columns)
        contacts = contact_fields()
        existing = _load(User, "username", {N.text(_cell(r, columns, "username")) for r in rows})
        seen: dict[str, int] = {}
        for row in rows:
            username = N.text(_cell(row, columns, "username"))
            roles = []
            for word in SPLIT.split(N.text(_cell(row, columns, "roles"))):
                if word:
                    role, _msg = N.choice(word, Role)
                    roles.append(role or word)
            regions = [w for w in SPLIT.split(N.text(_cell(row, columns, "regions"))) if w]
            data = {"username": username, "display_name": N.text(_cell(row, columns, "name")),
                    "roles": roles, "regions": regions}  # fmt: skip
            for field in ("mobile", "email", *contacts):
                data[field] = N.text(_cell(row, columns, field))
            row.data.update(data)
            row.key = username
            if username and username in seen:
                _err(row, *H, "username", _("Duplicate of row %(row)d.") % {"row": seen[username]})
            seen.setdefault(username, row.row_no)
            if username in existing and not row.errors:
                row.status = RowStatus.DUPLICATE
                _warn(row, *H, "username",
                      _("User %(name)s already exists; row skipped.") % {"name": username})  # fmt: skip
                continue
            if username in existing:  # a repeated row of an existing user
                row.status = RowStatus.INVALID
                continue
            problems = user_create_errors(
                actor=actor, username=username, roles=roles, regions=regions,
                **{f: data[f] for f in ("mobile", "email", *contacts)},
            )  # fmt: skip
            for field, message in problems.items():
                _err(row, *H, field if field in columns else "username", message)
            if row.errors:
                row.status = RowStatus.INVALID

    def commit(self, batch, actor: Actor, groups, *, strict: bool) -> int:
        from django.contrib.auth import get_user_model

        from zhongshu.accounts.services import contact_update, user_create

        User = get_user_model()

        from .grouped import commit_groups

        contacts = contact_fields()

        def save(group):
            (row,) = group
            d = row.data
            if User.objects.filter(username=d["username"]).exists():
                return False  # created meanwhile (another batch of the same file)
            password = new_password()
            user = user_create(
                actor=actor, username=d["username"], password=password, roles=d["roles"],
                regions=d["regions"], display_name=d["display_name"],
            )  # fmt: skip
            contact_update(actor=actor, user_id=user.pk,
                           **{f: d.get(f, "") for f in ("mobile", "email", *contacts)})  # fmt: skip
            # kept sealed until shown once (passwords_take): the row is the only place it exists
            sealed = crypto.encrypt(password, info=PASSWORD_INFO)
            ImportRow.objects.filter(pk=row.pk).update(data={**d, "password": sealed})
            return True

        return commit_groups(batch, groups, strict=strict, save=save, error_field="username")


def passwords_take(*, actor: Actor, batch_id) -> list[dict]:
    """The initial passwords of the users a batch created, once, and only to whoever imported
    them: they are erased as they are read, so whoever opens the result later sees none (a lost
    one is reset on the user's page)."""
    from django.db import transaction

    from zhongshu.accounts import permissions

    from ..selectors import batch_get

    permissions.require(actor, UsersKind.action)
    batch = batch_get(actor=actor, batch_id=batch_id)
    if batch.kind != ImportKind.USERS or batch.user_id != actor.pk:
        return []
    with transaction.atomic():
        rows = list(
            ImportRow.objects.select_for_update()
            .filter(batch=batch, status=RowStatus.COMMITTED, data__has_key="password")
            .order_by("row_no")
        )
        out = [{"row": r.row_no, "username": r.data["username"],
                "password": crypto.decrypt(r.data["password"], info=PASSWORD_INFO) or ""}
               for r in rows]  # fmt: skip
        for r in rows:
            data = dict(r.data)
            data.pop("password")
            ImportRow.objects.filter(pk=r.pk).update(data=data)
    return out
