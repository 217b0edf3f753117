"""Commands contributed by ``web`` to the ``wildwatch`` command line (wildwatch/cli.py):
``serve`` and ``users add|list|passwd|remove``."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from wildwatch.env import port_number


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add this package's commands to ``subparsers``."""
    serve = subparsers.add_parser(
        "serve",
        help="web UI and JSON API",
        description="Serve the web UI and the JSON API. On an address other than 127.0.0.1 "
        "a login is required (see `wildwatch users`).",
    )
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, default=None, help="port (default 8000)")
    serve.set_defaults(handler=_serve)

    users = subparsers.add_parser(
        "users", help="web UI logins", description="Manage the users who may log in to the UI."
    )
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="create a user (asks for the password)")
    add.add_argument("name")
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(handler=_users_add)
    listing = actions.add_parser("list", help="list users")
    listing.set_defaults(handler=_users_list)
    passwd = actions.add_parser(
        "passwd", help="change a user's password (asks for it); every session of the user ends"
    )
    passwd.add_argument("name")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    passwd.set_defaults(handler=_users_passwd)
    remove = actions.add_parser("remove", help="delete a user (their sessions end)")
    remove.add_argument("name")
    remove.set_defaults(handler=_users_remove)


def _serve(args: argparse.Namespace) -> int:
    from web import settings
    from web.server import ServerConfigError, build_server

    host = args.host or settings.default_host()
    port = args.port if args.port is not None else settings.default_port()
    try:
        server = build_server(host, port)
    except ServerConfigError as error:
        print(f"wildwatch serve: {error}", file=sys.stderr)
        return 2
    print(f"wildwatch: serving on http://{host}:{port}/", file=sys.stderr)
    server.run()
    return 0


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        raise ValueError("the passwords differ")
    return first


def _with_password(action: str, store_password: str, done: str) -> Any:
    """The handler of ``users add`` / ``users passwd``: read the password, hand it to the
    ``UserStore`` method named ``store_password``, say ``done``."""

    def handler(args: argparse.Namespace) -> int:
        from web.users import UserError, UserStore

        try:
            password = _read_password(args.password_stdin)
            getattr(UserStore.from_settings(), store_password)(args.name, password)
        except (UserError, ValueError) as error:
            print(f"wildwatch users {action}: {error}", file=sys.stderr)
            return 1
        print(done.format(name=args.name))
        return 0

    return handler


_users_add = _with_password("add", "add", "user {name} added")
_users_passwd = _with_password(
    "passwd", "set_password", "password of {name} changed; their sessions have ended"
)


def _users_list(args: argparse.Namespace) -> int:
    from web.users import UserError, UserStore

    try:
        users = UserStore.from_settings().list()
    except UserError as error:
        print(f"wildwatch users list: {error}", file=sys.stderr)
        return 1
    for user in users:
        print(f"{user.name}\t{user.created_at}")
    return 0


def _users_remove(args: argparse.Namespace) -> int:
    from web.users import UserError, UserStore

    try:
        UserStore.from_settings().remove(args.name)
    except UserError as error:
        print(f"wildwatch users remove: {error}", file=sys.stderr)
        return 1
    print(f"user {args.name} removed")
    return 0
