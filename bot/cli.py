"""Command line: ``python -m bot <group> <command> ...``.

Each group lives next to its code and registers itself through ``GROUPS`` (name, help, a
function that adds its commands to an argparse sub-parser). Commands return an exit code;
:class:`CliError` becomes a two-language message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from bot.admin.commands import add_admin_commands
from bot.knowledge.commands import CliError, add_catalog_commands
from bot.privacy.commands import add_privacy_commands

Register = Callable[[argparse.ArgumentParser], None]

# Add a group here: (name, help, register). The register function must set ``func`` defaults.
GROUPS: list[tuple[str, str, Register]] = [
    ("catalog", "procedure knowledge base: import, load curated entries, search",
     add_catalog_commands),
    ("admin", "admin web console: serve", add_admin_commands),
    ("privacy", "personal data: purge old conversations, erase one sender",
     add_privacy_commands),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    groups = parser.add_subparsers(dest="group", required=True, metavar="GROUP")
    for name, help_text, register in GROUPS:
        register(groups.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"Lỗi: {exc.vietnamese}\nError: {exc.english}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Đã dừng / Interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
