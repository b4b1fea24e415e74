"""The role list as `rolecall list` shows it: one row per role, as JSON or as a table."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, TypedDict

from core.clock import format_remaining
from core.credentials import TemporaryCredentials
from core.profiles import AwsConfig

if TYPE_CHECKING:
    from core.sso import PortalRole


class RoleRow(TypedDict):
    profile: str
    account: str
    role: str
    role_arn: str
    region: str | None
    source: str
    mfa: bool
    external_id: bool
    chained: bool
    problems: list[str]
    session_expires: str | None
    session_remaining: int | None


def role_rows(config: AwsConfig, sessions: dict[str, TemporaryCredentials]) -> list[RoleRow]:
    """Every role, by account then name, with its cached session if it has one."""
    rows: list[RoleRow] = []
    for role in sorted(config.roles.values(), key=lambda r: (r.account_id, r.name)):
        session = sessions.get(role.name)
        rows.append(
            {
                "profile": role.name,
                "account": role.account_id,
                "role": role.role_name,
                "role_arn": role.role_arn,
                "region": role.region,
                "source": " -> ".join(role.chain) or role.base_kind,
                "mfa": bool(role.mfa_serial),
                "external_id": bool(role.external_id),
                "chained": role.chained,
                "problems": [str(p) for p in role.problems],
                "session_expires": session.expiration_iso if session else None,
                "session_remaining": int(session.remaining().total_seconds()) if session else None,
            }
        )
    return rows


def table_lines(rows: list[RoleRow]) -> list[str]:
    """The rows as aligned columns under a header."""
    header = ("PROFILE", "ACCOUNT", "ROLE", "REGION", "SOURCE", "FLAGS", "SESSION")
    table = [header]
    for r in rows:
        flags = ",".join(
            f
            for f, on in (
                ("mfa", r["mfa"]),
                ("extid", r["external_id"]),
                ("chained", r["chained"]),
                ("INVALID", r["problems"]),
            )
            if on
        )
        left = r["session_remaining"]
        session = format_remaining(timedelta(seconds=left)) if left is not None else "-"
        table.append(
            (
                r["profile"],
                r["account"],
                r["role"],
                r["region"] or "-",
                r["source"] or "-",
                flags or "-",
                session,
            )
        )
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    return [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]


def portal_lines(found: list[PortalRole], profiles: dict[tuple[str, str | None], str]) -> list[str]:
    """A portal's accounts and roles as a table, with the profile that names each (if any)."""
    rows = [("ACCOUNT", "ID", "ROLE", "PROFILE")] + [
        (r.account_name, r.account_id, r.role_name, profiles.get((r.account_id, r.role_name), "-"))
        for r in found
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3]
        for row in rows
    ]
