"""``zhongshu segments`` — recompute every customer's tier now and print the counts."""

from django.core.management.base import BaseCommand

from zhongshu.analytics import segments


class Command(BaseCommand):
    help = "Recompute the customer tiers (segmentation) now."

    def handle(self, *args, **options):
        run = segments.recompute()
        counts = ", ".join(f"{tier}={n}" for tier, n in sorted(run.counts.items()))
        self.stdout.write(
            f"{run.customers} customers in {run.seconds:.2f} s, {run.changed} tier changes ({counts})"
        )
