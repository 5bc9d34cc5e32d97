"""`python -m bot.rasa_server [rasa run options]`: `rasa run`, with the HTTP API token read from
$RASA_TOKEN or the file named by $RASA_TOKEN_FILE instead of the command line.

`rasa run --auth-token T` shows T to every local user in `ps`; this launcher adds the option
inside the Python process, after the kernel has recorded the visible command line. It also sets
umask 077, so the tracker database Rasa creates is not world-readable.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def api_token(environ: dict[str, str]) -> str:
    if environ.get("RASA_TOKEN"):
        return environ["RASA_TOKEN"]
    path = environ.get("RASA_TOKEN_FILE", "")
    return Path(path).read_text().strip() if path and Path(path).is_file() else ""


def main() -> None:
    if "--auth-token" in sys.argv or "-t" in sys.argv:
        sys.exit("Pass the token in RASA_TOKEN or RASA_TOKEN_FILE, not on the command line.")
    token = api_token(dict(os.environ))
    os.umask(0o077)  # the tracker database and logs it creates: readable by this user only
    sys.argv = ["rasa", "run", *sys.argv[1:], *(["--auth-token", token] if token else [])]
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
