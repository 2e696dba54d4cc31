"""The `haulbill` command: Django's manage.py, with hyphenated verbs (`haulbill sync-catalog`)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haulbill.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "haulbill"
    # Operators type `haulbill sync-catalog`; Django modules cannot hold a hyphen.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
