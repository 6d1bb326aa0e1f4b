from django.core.management.base import BaseCommand
from django.db import transaction

from zhongshu.finance import receivables


class Command(BaseCommand):
    help = "Write the receivables of shipments that have none yet (idempotent; the backfill)."

    def handle(self, *args, **options):
        with transaction.atomic():
            count = receivables.sync()
        self.stdout.write(f"{count} receivable(s) written")
