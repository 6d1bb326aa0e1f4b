from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "The former name of `zhongshu sync taobao|douyin` (kept for existing cron lines)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["taobao", "douyin"])

    def handle(self, *args, **opts):
        call_command("sync", opts["kind"], stdout=self.stdout, stderr=self.stderr)
