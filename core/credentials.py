"""Temporary AWS credentials, their clock, and the formats people paste them in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from core import redact
from core.clock import utc_now


@dataclass(frozen=True)
class StaticCredentials:
    """Long-term (or otherwise non-expiring to us) keys used as the base of a chain."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        redact.register(self.secret_access_key, self.session_token)


@dataclass(frozen=True)
class TemporaryCredentials:
    """An STS session: the keys, when STS says they expire, and what they are for."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime
    assumed_role_arn: str = ""
    profile: str = ""
    region: str | None = None

    def __post_init__(self) -> None:
        if self.expiration.tzinfo is None:
            raise ValueError("expiration must be timezone-aware")
        redact.register(self.secret_access_key, self.session_token)

    def remaining(self, now: datetime | None = None) -> timedelta:
        left = self.expiration - (now or utc_now())
        return max(left, timedelta(0))

    def expired(self, now: datetime | None = None) -> bool:
        return self.expiration <= (now or utc_now())

    @property
    def expiration_iso(self) -> str:
        return self.expiration.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")

    def to_json(self) -> str:
        import json  # here, not at the top: the app's start-up never needs it

        return json.dumps(
            {
                "AccessKeyId": self.access_key_id,
                "SecretAccessKey": self.secret_access_key,
                "SessionToken": self.session_token,
                "Expiration": self.expiration_iso,
                "AssumedRoleArn": self.assumed_role_arn,
                "Profile": self.profile,
                "Region": self.region,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> TemporaryCredentials:
        import json

        data = json.loads(text)
        return cls(
            access_key_id=data["AccessKeyId"],
            secret_access_key=data["SecretAccessKey"],
            session_token=data["SessionToken"],
            expiration=parse_time(data["Expiration"]),
            assumed_role_arn=data.get("AssumedRoleArn", ""),
            profile=data.get("Profile", ""),
            region=data.get("Region"),
        )


Credentials = StaticCredentials | TemporaryCredentials


def parse_time(text: str) -> datetime:
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def environment(creds: TemporaryCredentials, endpoint_url: str | None = None) -> dict[str, str]:
    """The variables every AWS SDK reads, in the order people expect to see them; with
    `endpoint_url` (a local AWS such as the demo's) the shell talks to that endpoint too."""
    env = {
        "AWS_ACCESS_KEY_ID": creds.access_key_id,
        "AWS_SECRET_ACCESS_KEY": creds.secret_access_key,
        "AWS_SESSION_TOKEN": creds.session_token,
        "AWS_CREDENTIAL_EXPIRATION": creds.expiration_iso,
    }
    if creds.region:
        env["AWS_REGION"] = creds.region
        env["AWS_DEFAULT_REGION"] = creds.region
    if endpoint_url:
        env["AWS_ENDPOINT_URL"] = endpoint_url
    return env


def sh_quote(value: str) -> str:
    """Always single-quoted for bash and zsh: shlex.quote leaves `=x` bare, which zsh expands
    (`=cmd` is the path of cmd), and a base64 value may start with any of its characters."""
    return "'" + value.replace("'", "'\"'\"'") + "'"


def _fish_quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _powershell_quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _cmd_quote(name: str, value: str) -> str:
    if any(c in value for c in '"%\r\n'):
        raise ValueError(f"{name} holds a character cmd.exe cannot take safely")
    return f'set "{name}={value}"'


FORMATS = ("env", "fish", "powershell", "cmd", "ini", "json")


def render(creds: TemporaryCredentials, fmt: str, endpoint_url: str | None = None) -> str:
    """The credentials as text for one shell or file format (see FORMATS)."""
    env = environment(creds, endpoint_url)
    if fmt == "env":
        lines = [f"export {k}={sh_quote(v)}" for k, v in env.items()]
    elif fmt == "fish":
        lines = [f"set -gx {k} {_fish_quote(v)};" for k, v in env.items()]
    elif fmt == "powershell":
        lines = [f"$Env:{k} = {_powershell_quote(v)}" for k, v in env.items()]
    elif fmt == "cmd":
        lines = [_cmd_quote(k, v) for k, v in env.items()]
    elif fmt == "ini":
        lines = [
            f"[{creds.profile or 'default'}]",
            f"aws_access_key_id = {creds.access_key_id}",
            f"aws_secret_access_key = {creds.secret_access_key}",
            f"aws_session_token = {creds.session_token}",
            f"# expires {creds.expiration_iso}",
        ]
        if creds.region:
            lines.insert(4, f"region = {creds.region}")
    elif fmt == "json":
        return credential_process_json(creds)
    else:
        raise ValueError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    return "\n".join(lines) + "\n"


def credential_process_json(creds: TemporaryCredentials) -> str:
    """The object the AWS `credential_process` setting expects (Version 1)."""
    import json

    return (
        json.dumps(
            {
                "Version": 1,
                "AccessKeyId": creds.access_key_id,
                "SecretAccessKey": creds.secret_access_key,
                "SessionToken": creds.session_token,
                "Expiration": creds.expiration_iso,
            },
            indent=2,
        )
        + "\n"
    )
