from django.core.management.base import BaseCommand, CommandError

from zhongshu.channels.sync import sync_kind


class Command(BaseCommand):
    help = "Run one pull sync of every active account of a channel now (taobao or douyin)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["taobao", "douyin"])

    def handle(self, *args, **opts):
        runs = sync_kind(opts["kind"])
        if not runs:
            raise CommandError(f"No active {opts['kind']} account is configured.")
        for run in runs:
            self.stdout.write(
                f"{run.account.name}: {run.pages} pages, {run.seen} seen, {run.created} new, "
                f"{run.updated} updated, {run.ignored} ignored"
                + ("" if run.ok else f", FAILED: {run.error}")
            )
        if not all(r.ok for r in runs):
            raise CommandError("sync failed")
