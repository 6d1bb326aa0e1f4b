"""Demo notifications: the three robot simulators, robots pointing at them, contact details
(profile mobile / WeCom id, user email) for the demo users, a few inbox messages, and the
delivery loop running in the background of ``zhongshu demo``."""

import threading

from django.db import close_old_connections
from django.utils import translation

from zhongshu.accounts.roles import Role

from .chatapps import seal
from .models import ChatApp, Robot

SEED_ORDER = 90
SECRETS = {"wecom": "", "dingtalk": "SEC-demo-dingtalk", "feishu": "demo-feishu-secret"}
NAMES = {"wecom": "生产群（企业微信）", "dingtalk": "销售群（钉钉）", "feishu": "管理群（飞书）"}
_sims: dict = {}
APP = {"client_id": "ww-demo-corp", "agent_id": "1000002", "secret": "demo-app-secret"}


def seed(ctx) -> None:
    from zhongshu.accounts.services import contact_update

    from .services import notify

    for kind, name in NAMES.items():
        sim = _sims.get(kind)
        # enabled even before its simulator runs: ``start_robots`` points it at this run's port,
        # and whatever was queued meanwhile is delivered then
        url = sim.webhook_url if sim else f"http://127.0.0.1:9/{kind}-not-running"
        Robot.objects.update_or_create(
            kind=kind,
            name=name,
            defaults={"webhook_url": url, "secret": SECRETS[kind], "enabled": True},
        )
    people = ctx.get("users_by_name") or {}
    for i, (username, user) in enumerate(sorted(people.items())):
        # each person edits their own contact details, as they would on /notifications/contact/
        contact_update(
            actor=user,
            user_id=user.pk,
            wecom_userid=f"demo.{username}",
            mobile=f"1380000{i:04d}",
            email=f"{username}@demo.zhongshu.local",
        )
    for user in people.values():
        codes = sorted(user.groups.values_list("name", flat=True))
        with translation.override("zh-hans"):
            roles = "、".join(str(Role(c).label) if c in Role.values else c for c in codes)
        notify(
            recipients=[user],
            subject="欢迎使用中枢",
            body=f"您的角色：{roles}",
            link="/",
            source="demo",
        )
    # one message per group robot, @-mentioning the people it is for; the delivery loop of
    # ``zhongshu demo`` (or ``zhongshu worker``) sends them to the simulators
    for channel, role, subject in (
        ("wecom", "supervisor", "演示：生产群提醒"),
        ("dingtalk", "sales", "演示：销售群提醒"),
        ("feishu", "manager", "演示：管理群提醒"),
    ):
        notify(
            roles=[role],
            channels=(channel,),
            subject=subject,
            body="这是一条演示消息。",
            link="/notifications/",
            source="demo",
            dedupe_key=f"demo:{channel}",
        )
    _seed_chat_app(people)
    if hasattr(ctx, "say"):
        ctx.say(f"  {len(NAMES)} robots, {len(people)} contacts, 3 robot messages queued")


def _seed_chat_app(people: dict) -> None:
    """The factory's WeCom app, pointing at the simulator ``start_apps`` runs, and one message to
    the manager: open it on the simulated phone and the approvals open, signed in."""
    from .services import notify

    sim = _sims.get("wecom_app")
    base = sim.url if sim else "http://127.0.0.1:9"
    ChatApp.objects.update_or_create(
        kind="wecom",
        defaults={
            "name": "中枢（演示）",
            "client_id": APP["client_id"],
            "agent_id": APP["agent_id"],
            "secret_encrypted": seal(APP["secret"]),
            "api_base": base,
            "open_api_base": base,
            "oauth_base": base,
            "enabled": True,
        },
    )
    managers = [u for u in people.values() if u.groups.filter(name="manager").exists()]
    notify(
        recipients=managers,
        channels=("app",),
        subject="演示：有申请等待您审批",
        body="点开即可在手机上处理，无需输入密码。",
        link="/approvals/",
        source="demo",
        dedupe_key="demo:wecom_app",
    )


def start_robots(host: str):
    """The three robot simulators; ``seed`` points the demo robots at them."""
    from .simulators import start_all

    sims = start_all(host if host not in ("0.0.0.0", "::") else "127.0.0.1", secrets=SECRETS)
    _sims.update(sims)
    # a database that was seeded before: point its robots at this run's ports
    try:
        for kind, sim in sims.items():
            Robot.objects.filter(kind=kind, name=NAMES[kind]).update(
                webhook_url=sim.webhook_url, enabled=True
            )
    except Exception:  # no tables yet: the seed configures them
        pass

    def stop():
        for sim in sims.values():
            sim.stop()

    urls = ", ".join(f"{k} {s.url}" for k, s in sims.items())
    return "robot simulators", urls, stop


def start_apps(host: str):
    """The WeCom internal-app simulator: it knows every demo user's WeCom id, and its "phone"
    (``/_phone``) is held by the demo's manager."""
    from django.contrib.auth import get_user_model

    from .app_simulators import ChatAppSimulator

    sim = ChatAppSimulator(
        "wecom", client_id=APP["client_id"], agent_id=APP["agent_id"], secret=APP["secret"]
    )
    sim.start(host if host not in ("0.0.0.0", "::") else "127.0.0.1", 0)
    _sims["wecom_app"] = sim
    try:
        ids = dict(
            get_user_model()
            .objects.exclude(profile__wecom_userid="")
            .values_list("profile__wecom_userid", "username")
        )
        sim.users.update({userid: f"union-{userid}" for userid in ids})
        managers = get_user_model().objects.filter(groups__name="manager", is_active=True)
        sim.phone_user = (
            managers.exclude(profile__wecom_userid="")
            .values_list("profile__wecom_userid", flat=True)
            .first()
            or ""
        )
        ChatApp.objects.filter(kind="wecom").update(
            api_base=sim.url, open_api_base=sim.url, oauth_base=sim.url, enabled=True
        )
    except Exception:  # no tables yet: the seed configures the app
        pass
    return "WeCom app simulator (the manager's phone)", f"{sim.url}/_phone", sim.stop


def start_delivery(host: str):
    """The outbox delivery loop in a background thread, so the demo delivers without a worker."""
    from .delivery import deliver_job

    stopping = threading.Event()

    def loop():
        while not stopping.wait(3):
            close_old_connections()
            try:
                deliver_job()
            except Exception:  # the demo keeps going; the worker logs the same failures
                pass
            finally:
                close_old_connections()

    threading.Thread(target=loop, name="notify-delivery", daemon=True).start()
    return "notification delivery", "every 3 s", stopping.set


SERVICES = [start_robots, start_apps, start_delivery]
