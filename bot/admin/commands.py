"""`python -m bot admin serve [--host H] [--port P]`: start the console (default 127.0.0.1:8081)."""

from __future__ import annotations

import argparse
import sys

from bot.admin.settings import SettingsError


def add_admin_commands(parser: argparse.ArgumentParser) -> None:
    """Register the `admin` group of `python -m bot` (see bot/cli.py)."""
    parser.add_argument("command", choices=["serve"], help="serve: start the web console")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.admin.app import create_app
    from bot.admin.settings import AdminSettings

    try:
        app = create_app(AdminSettings.from_env(host=args.host))
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Trang quản trị: http://{args.host}:{args.port}/", file=sys.stderr)
    # ws="none": the console needs no websockets, and Rasa pins a websockets too old for uvicorn.
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", proxy_headers=False,
                ws="none")
    return 0
