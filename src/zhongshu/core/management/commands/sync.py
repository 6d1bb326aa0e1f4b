from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhongshu.core import syncs


class Command(BaseCommand):
    help = "Run one sync with an external system now (see the sources below)."

    def add_arguments(self, parser: CommandParser) -> None:
        sources = syncs.registered()
        parser.add_argument(
            "source",
            choices=[s.name for s in sources],
            help="; ".join(f"{s.name}: {s.help}" for s in sources),
        )
        takers: dict[str, list[str]] = {}
        helps: dict[str, str] = {}
        for s in sources:
            for name, text in s.options.items():
                takers.setdefault(name, []).append(s.name)
                helps.setdefault(name, text)
        for name, who in takers.items():
            parser.add_argument(
                f"--{name.replace('_', '-')}",
                dest=name,
                default=None,
                help=f"{helps[name]} ({', '.join(who)} only)",
            )

    def handle(self, *args: Any, **opts: Any) -> None:
        source = syncs.get(opts["source"])
        if source is None:  # argparse's choices stop it on the command line, not call_command
            raise CommandError(f"Unknown source {opts['source']!r}.")
        extra = {n: opts.get(n) for s in syncs.registered() for n in s.options}
        given = {n: v for n, v in extra.items() if v is not None}
        unknown = sorted(set(given) - set(source.options))
        if unknown:
            flags = ", ".join(f"--{n.replace('_', '-')}" for n in unknown)
            raise CommandError(f"{source.name} does not take {flags}.")
        try:
            lines = source.run(**given)
        except syncs.SyncFailed as exc:
            raise CommandError(str(exc)) from None
        for line in lines:
            self.stdout.write(line)
