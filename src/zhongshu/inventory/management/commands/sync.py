from django.core.management.base import BaseCommand, CommandError

from zhongshu.inventory import tplus


class Command(BaseCommand):
    help = "Run one full sync from an external system now (tplus: current stock from T+)."

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["tplus"], help="what to sync")
        parser.add_argument("--material", default=None, help="only this material code")

    def handle(self, *args, **opts):
        if not tplus.configured():
            raise CommandError("T+ is not configured: set TPLUS_BASE_URL and its credentials.")
        run = tplus.tplus_sync(material=opts["material"])
        if not run.ok:
            raise CommandError(f"T+ sync failed: {run.error}")
        self.stdout.write(f"T+ sync: {run.rows} rows, {run.changed} levels corrected.")
