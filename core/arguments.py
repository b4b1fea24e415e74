"""The `rolecall` command line's grammar: its options and commands, and what a usage error is."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from core.credentials import FORMATS
from core.errors import ConfigError


class UsageError(ConfigError):
    """The command line itself is wrong (a missing profile, an unknown option)."""


class _Version(argparse.Action):
    """Looks the version up only when asked (importlib.metadata costs start-up time)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        from core import __version__

        print(f"rolecall {__version__}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rolecall",
        description="Switch AWS roles, watch session expiry, copy temporary keys. "
        "With no command, starts the desktop app.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    parser.add_argument("--demo", action="store_true", help="run against the embedded demo AWS")
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--theme", choices=("system", "light", "dark"), help=argparse.SUPPRESS)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="debug logging, secrets redacted (-vv includes botocore)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_role_commands(commands)
    _add_other_commands(commands)
    return parser


def _add_role_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    """The commands that list roles or act as one."""

    def role_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("profile", nargs="?", help="role profile (default: $AWS_PROFILE)")
        sub.add_argument("--duration", type=int, metavar="S", help="session length in seconds")
        sub.add_argument("--mfa-code", metavar="CODE", help="the 6-digit MFA code")
        sub.add_argument("--no-cache", action="store_true", help="do not use the session cache")
        return sub

    commands.add_parser("list", help="the configured roles and their cached sessions")
    commands.choices["list"].add_argument("--json", action="store_true")
    export = role_command("export", "print the role's temporary keys for a shell or file")
    export.add_argument("--format", choices=FORMATS, default="env")
    role_command("exec", "run a command with the role's temporary keys")
    role_command("credential-process", "JSON for the AWS credential_process setting")
    console = role_command("console", "open the AWS console as the role")
    console.add_argument("--print", action="store_true", help="print the URL instead (masked)")
    console.add_argument("--show", action="store_true", help="with --print: the URL unmasked")
    console.add_argument(
        "--service",
        default="home",
        metavar="NAME",
        help="where to land: dynamodb, s3, ec2, iam, lambda, logs, …",
    )
    console.add_argument("--region", metavar="R", help="the console's region")
    console.add_argument(
        "--browser",
        metavar="KIND",
        help="default, firefox, chromium, chrome, edge, brave or template "
        "(else the profile's console_browser)",
    )
    console.add_argument(
        "--template",
        metavar="CMD",
        help="a command with {url} ({profile}, {account}, {role}) to open it",
    )
    console.add_argument(
        "--close",
        action="store_true",
        help="sign the role's console out, in its own container or profile",
    )


def _add_other_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    """Keys, the demo AWS, the terminals' endpoint and the session cache."""
    add_keys = commands.add_parser(
        "add-keys", help="keep a profile's long-term keys in the keyring"
    )
    add_keys.add_argument("name")
    demo_server = commands.add_parser(
        "demo-server", help="run the embedded demo AWS and print the lines to use it"
    )
    # Started by `rolecall --demo`: one JSON line when ready, ends when its stdin closes.
    demo_server.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    serve = commands.add_parser("serve", help="serve credentials to every AWS tool in terminals")
    serve.add_argument("--profile", help="the role to serve first (default: $AWS_PROFILE)")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any)")
    shell_env = commands.add_parser("shell-env", help="the lines that point a shell at Rolecall")
    shell_env.add_argument("--profile", help="stay on this role instead of following the window")
    shell_env.add_argument("--format", choices=("env", "fish", "powershell"), default="env")
    use = commands.add_parser("use", help="switch the role the running endpoint serves")
    use.add_argument("profile")
    _add_sso_commands(commands)
    forget = commands.add_parser("forget", help="remove cached sessions from the keyring")
    forget.add_argument("profile", nargs="?")
    forget.add_argument("--all", action="store_true")


def _add_sso_commands(commands: argparse._SubParsersAction[_Parser]) -> None:
    """`rolecall sso login|logout|accounts|sync|add SESSION`: IAM Identity Center portals."""
    sso = commands.add_parser("sso", help="sign in to IAM Identity Center and use its roles")
    actions = sso.add_subparsers(dest="sso_command", metavar="ACTION", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = actions.add_parser(name, help=help_text)
        sub.add_argument("session", help="the [sso-session NAME] (or an SSO profile's name)")
        return sub

    login = action("login", "sign in to the portal (in the browser; PKCE)")
    login.add_argument(
        "--device-code", action="store_true", help="sign in with a code typed on any device"
    )
    login.add_argument(
        "--no-browser", action="store_true", help="print the address instead of opening it"
    )
    login.add_argument(
        "--share-with-cli",
        action="store_true",
        help="also write the sign-in to ~/.aws/sso/cache for the AWS CLI (plain text)",
    )
    action("logout", "sign out: the portal's tokens and its sessions leave the keyring")
    accounts = action("accounts", "every account and role the sign-in may use")
    accounts.add_argument("--json", action="store_true")
    sync = action("sync", "write a profile for every account and role of the portal")
    sync.add_argument(
        "--template",
        help="profile names (default {account_name}/{role_name}); "
        "fields: {account_name} {account_id} {role_name} {portal}",
    )
    sync.add_argument("--region", help="the region the profiles use (default: the portal's)")
    sync.add_argument(
        "--dry-run", action="store_true", help="say what would change, change nothing"
    )
    add = action("add", "add a portal to the AWS config, as an [sso-session NAME] section")
    add.add_argument(
        "--start-url", required=True, help="the AWS access portal URL (https://….awsapps.com/start)"
    )
    add.add_argument("--region", required=True, help="the region of IAM Identity Center")


def quick_parse(argv: Sequence[str]) -> argparse.Namespace | None:
    """`credential-process NAME`, the command line an SDK runs on every credentials refresh,
    read as the grammar reads it without building the grammar (~7 ms of each call); None
    for any other, which `build_parser` reads (tests/core/test_cli.py holds them equal)."""
    if len(argv) != 2 or argv[0] != "credential-process" or argv[1].startswith("-"):
        return None
    return argparse.Namespace(
        version=None,
        demo=False,
        exit_when_shown=False,
        theme=None,
        verbose=0,
        command="credential-process",
        profile=argv[1],
        duration=None,
        mfa_code=None,
        no_cache=False,
    )


def split_exec(argv: list[str]) -> tuple[list[str], list[str]]:
    """`rolecall exec PROFILE -- COMMAND…`: Rolecall's own arguments, and the command's."""
    if "exec" in argv and "--" in argv and argv.index("--") > argv.index("exec"):
        cut = argv.index("--")
        return argv[:cut], argv[cut + 1 :]
    return argv, []
