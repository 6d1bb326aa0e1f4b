"""Demo regions and one login per role."""

from typing import TYPE_CHECKING

from zhongshu.accounts.models import Region
from zhongshu.accounts.services import region_create, user_create

if TYPE_CHECKING:
    from zhongshu.core.demo import DemoContext

SEED_ORDER = 10

REGIONS = ["华东", "华南", "华北", "西南"]

# username, roles, regions, display name
USERS = [
    ("admin", ["admin"], [], "系统管理员"),
    ("manager", ["manager"], [], "王总"),
    ("sales_east", ["sales"], ["华东"], "李娜（华东销售）"),
    ("sales_south", ["sales"], ["华南", "西南"], "陈刚（华南/西南销售）"),
    ("sales_north", ["sales"], ["华北"], "赵磊（华北销售）"),
    ("planner", ["planner"], [], "周敏（计划）"),
    ("supervisor", ["supervisor"], [], "吴强（生产主管）"),
    ("operator", ["operator"], [], "郑师傅（操作工）"),
    ("qc", ["qc"], [], "孙丽（质检）"),
    ("warehouse", ["warehouse"], [], "钱伟（仓库）"),
    ("purchasing", ["purchasing"], [], "冯洁（采购）"),
    ("finance", ["finance"], [], "何芳（财务）"),
]
LOGINS = [u[0] for u in USERS]  # the logins `zhongshu demo` prints, in this order


def seed(ctx: "DemoContext") -> None:
    for name in REGIONS:
        region = Region.objects.filter(name=name).first()
        ctx.regions[name] = region or region_create(actor=None, name=name)
    for username, roles, regions, display_name in USERS:
        user = user_create(
            actor=None,
            username=username,
            password=ctx.password,
            roles=roles,
            regions=regions,
            display_name=display_name,
        )
        ctx.users_by_name[username] = user
        for role in roles:
            ctx.users.setdefault(role, user)
        ctx.logins.append((username, ", ".join(roles), ", ".join(regions) or "-"))
    # sales users by the region they cover, for seeds that create orders region by region
    ctx.sales_by_region = {
        region: ctx.users_by_name[username]
        for username, roles, regions, _d in USERS
        if "sales" in roles
        for region in regions
    }
    ctx.counts["users"] = len(USERS)
    ctx.say(f"  {len(REGIONS)} regions, {len(USERS)} users")
