from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhongshu.accounts.roles import Role
from zhongshu.accounts.services import user_create
from zhongshu.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Create a user with one or more roles and sales regions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            required=True,
            dest="roles",
            metavar="ROLE",
            help=f"repeat for several roles: {', '.join(Role.values)}",
        )
        parser.add_argument(
            "--region",
            action="append",
            default=[],
            dest="regions",
            metavar="NAME",
            help="a region the user covers (created if missing); repeat for several",
        )
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="display name")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            user = user_create(
                actor=None,
                username=opts["username"],
                password=opts["password"],
                roles=opts["roles"],
                regions=opts["regions"],
                display_name=opts["name"],
            )
        except ValidationFailed as exc:
            lines = [f"{e['field']}: {e['message']}" for e in exc.errors]
            raise CommandError("\n".join(lines)) from None
        regions = ", ".join(opts["regions"]) or "-"
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {user.username} (roles: {', '.join(opts['roles'])}; regions: {regions})"
            )
        )
