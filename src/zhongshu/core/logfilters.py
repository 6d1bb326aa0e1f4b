"""Expected refusals (403, 404, a domain error answered with a 4xx) are part of a normal day:
one line in the log, not a traceback. Server errors keep theirs."""

import logging


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
