"""Build (or drop) the expression index of every custom field to match its "filterable" flag.

Fields get their index right after they are saved; this mends an index a crash or a restore
left out, and is safe to run at any time (``CONCURRENTLY`` on PostgreSQL)."""

from django.core.management.base import BaseCommand

from zhongshu.customfields.models import FieldDefinition
from zhongshu.customfields.services import sync_index


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def handle(self, *args, **options):
        for defn in FieldDefinition.objects.order_by("entity", "key"):
            sync_index(field_id=defn.pk)
            defn.refresh_from_db()
            state = "indexed" if defn.indexed else "no index"
            self.stdout.write(f"{defn.entity}.{defn.key}: {state}")
