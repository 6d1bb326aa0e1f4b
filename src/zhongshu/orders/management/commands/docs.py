"""``zhongshu docs status-machine [--check]``: write the generated parts of the docs."""

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhongshu.orders import hookdoc


class Command(BaseCommand):
    help = "Rewrite the generated parts of the docs (status-machine: the hooks of each action)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("page", choices=["status-machine"])
        parser.add_argument("--path", type=Path, default=hookdoc.DOC, help="the page to rewrite")
        parser.add_argument(
            "--check", action="store_true", help="only say whether the page is up to date"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        text = path.read_text(encoding="utf-8")
        try:
            new = hookdoc.rewrite(text)
        except ValueError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if new == text:
            self.stdout.write(f"{path} is up to date")
        elif options["check"]:
            raise CommandError(
                f"{path} differs from the hook registry; run zhongshu docs {options['page']}"
            )
        else:
            path.write_text(new, encoding="utf-8")
            self.stdout.write(f"{path} rewritten")
