"""`qa serve`: the web chat at / and the REST API under /api."""

from __future__ import annotations

import argparse

from qa import config
from qa.cli.options import store_location, store_option


def add_parser(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="the web chat at / and the REST API under /api")
    store_option(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=7860, help="port to listen on (default 7860)")
    serve.add_argument(
        "--auth-token", default=config.auth_token(),
        help="require this access token from browsers and API clients (default: $QA_AUTH_TOKEN; none)",
    )
    serve.add_argument("--max-upload-mb", type=float, default=20, help="largest upload accepted (default 20 MB)")
    serve.add_argument("--allow-private-urls", action="store_true", help="let users add articles from private addresses")
    serve.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from qa.server import serve

    serve(
        store_location(args), host=args.host, port=args.port, auth_token=args.auth_token,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024), allow_private_urls=args.allow_private_urls,
    )
    return 0
