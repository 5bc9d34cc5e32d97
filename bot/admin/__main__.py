"""`python -m bot.admin serve`: the same as `python -m bot admin serve`."""

from __future__ import annotations

import argparse
import sys

from bot.admin.commands import add_admin_commands


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.admin")
    add_admin_commands(parser)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
