"""zhongshu import FILE --kind K --user U [--commit valid_only|all_or_nothing]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhongshu.core.errors import DomainError
from zhongshu.imports import services
from zhongshu.imports.kinds import KINDS
from zhongshu.imports.models import BatchStatus, ImportRow, RowStatus


class Command(BaseCommand):
    help = "Check a spreadsheet and, with --commit, import it as the given user."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--user", required=True)
        parser.add_argument("--commit", choices=["valid_only", "all_or_nothing"])

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"unknown user {opts['user']}")
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"no such file {path}")
        try:
            batch = services.batch_upload(
                actor=user, content=path.read_bytes(), name=path.name, kind=opts["kind"]
            )
            if batch.status == BatchStatus.VALIDATING:  # large file: validate here, not later
                services.validate_batch(batch.pk)
                batch.refresh_from_db()
            self.stdout.write(
                f"batch {batch.pk}: {batch.status}, {batch.total} rows, {batch.valid} valid, "
                f"{batch.invalid} with errors, {batch.blocked} held back, "
                f"{batch.duplicate} already imported"
            )
            if batch.message:
                self.stdout.write(batch.message)
            for row in ImportRow.objects.filter(batch=batch, status=RowStatus.INVALID)[:50]:
                for e in row.errors:
                    self.stdout.write(f"  row {row.row_no} {e['column']}: {e['message']}")
            if opts["commit"] and batch.status == BatchStatus.VALIDATED:
                batch = services.batch_commit(actor=user, batch_id=batch.pk, mode=opts["commit"])
                if batch.status == BatchStatus.COMMITTING:
                    services.run_commit(batch.pk)
                    batch.refresh_from_db()
                self.stdout.write(
                    f"batch {batch.pk}: {batch.status}, {batch.committed} rows imported, "
                    f"{batch.created_objects} records created"
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from None
