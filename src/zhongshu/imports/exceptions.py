from django.utils.translation import gettext_lazy as _

from zhongshu.core.errors import Conflict, ValidationFailed


class BadFile(ValidationFailed):
    """The upload cannot be staged at all (not a spreadsheet, no header, too large)."""

    code = "bad_file"
    default_message = _("The file cannot be imported.")

    def __init__(self, message, code: str | None = None):
        super().__init__([{"field": "file", "message": str(message)}], message=message)
        if code:
            self.code = code


class BatchBusy(Conflict):
    code = "import_busy"
    default_message = _("This import is still being processed.")


class BatchNotCommittable(Conflict):
    code = "import_not_committable"
    default_message = _("This import cannot be committed in its current state.")
