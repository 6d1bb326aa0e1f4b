"""The ``zhongshu`` command line: Django's management commands under one name.

zhongshu demo | serve | migrate | adduser | --help
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhongshu.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["zhongshu", *sys.argv[1:]])


if __name__ == "__main__":
    main()
