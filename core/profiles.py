"""Roles from the standard AWS config, read through botocore and checked with AWS's rules."""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from core.errors import ConfigError, ProfileNotFound

SECRET_KEYS = frozenset({"aws_secret_access_key", "aws_session_token", "aws_security_token"})
CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")
CHAINED_MAX_DURATION = 3600

ROLE_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):iam::(?P<account>\d{12}):role/"
    r"(?P<path>(?:[\x21-\x7e]+/)*)(?P<name>[\w+=,.@-]{1,64})$"
)
MFA_SERIAL = re.compile(
    r"^(arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:(mfa|u2f)/[\w+=,.@/-]{1,512}|[\w+=/:,.@-]{9,256})$"
)
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
MFA_CODE = re.compile(r"^[0-9]{6}$")  # \d would take other scripts' digits too
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
PROFILE_NAME = re.compile(r"^[\w+=,.@:/-]{1,128}$")


@dataclass(frozen=True)
class ConfigProblem:
    profile: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"profile '{self.profile}': {self.field}: {self.message}"


@dataclass(frozen=True)
class RoleProfile:
    """A profile with a role_arn, with every setting the AWS CLI knows for it."""

    name: str
    role_arn: str
    source_profile: str | None = None
    credential_source: str | None = None
    mfa_serial: str | None = None
    external_id: str | None = None
    duration_seconds: int | None = None
    role_session_name: str | None = None
    region: str | None = None
    chain: tuple[str, ...] = ()
    """The profiles behind this role, nearest first; the last one holds the base credentials."""
    base_profile: str | None = None
    """The profile whose own credentials start the chain (None for a credential_source)."""
    base_kind: str = ""
    """How the base credentials are found: static, keyring, sso, process, or a credential_source."""
    problems: tuple[ConfigProblem, ...] = ()
    notes: tuple[str, ...] = ()
    account_alias: str | None = None
    """A name for the account, from the profile's `account_alias` key (Rolecall's own)."""
    console_browser: str | None = None
    """How its console opens (`console_browser`, Rolecall's own key): firefox, chrome, …"""
    console_template: str | None = None
    """The command for `console_browser = template` (`console_template`)."""
    sso_portal: str | None = None
    """For an IAM Identity Center role (sso_account_id + sso_role_name): its portal's name."""
    sso_role_name: str | None = None
    saved: bool = True
    """False for a portal's role that no profile names yet (listed after a sign-in)."""

    @cached_property
    def _arn(self) -> tuple[str, str, str]:
        """(partition, account, role name) of the ARN; kept, as the role list asks often."""
        m = ROLE_ARN.match(self.role_arn)
        if m is None:
            return "aws", "", self.role_arn.rsplit("/", 1)[-1]
        return m["partition"], m["account"], m["name"]

    @property
    def account_id(self) -> str:
        return self._arn[1]

    @property
    def role_name(self) -> str:
        return self._arn[2]

    @property
    def partition(self) -> str:
        return self._arn[0]

    @property
    def chained(self) -> bool:
        """True when the source of this role is itself a role session (AWS caps such sessions
        at 1 h): another role, or an IAM Identity Center role."""
        return len(self.hops) > 1 or (self.base_kind == "sso" and bool(self.hops))

    @property
    def is_sso(self) -> bool:
        """An IAM Identity Center role itself (GetRoleCredentials, no AssumeRole)."""
        return self.sso_role_name is not None

    @property
    def hops(self) -> tuple[str, ...]:
        """The role profiles to assume in turn, from the one nearest the base to this one."""
        names = (self.name, *self.chain)
        if self.base_profile:
            names = names[:-1]
        return tuple(reversed(names))

    @property
    def valid(self) -> bool:
        return not self.problems

    def check(self) -> None:
        """Raise the first problem as a ConfigError, naming the profile and the field."""
        if self.problems:
            raise ConfigError(str(self.problems[0]))


@dataclass
class AwsConfig:
    """What botocore read from the config and credentials files, secrets left out."""

    config_file: Path
    credentials_file: Path
    profiles: dict[str, dict[str, str]]
    static_key_profiles: frozenset[str]
    roles: dict[str, RoleProfile] = field(default_factory=dict)
    default_profile: str | None = None
    sso_sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    """The `[sso-session NAME]` sections."""

    def role(self, name: str) -> RoleProfile:
        if name in self.roles:
            return self.roles[name]
        if name in self.profiles:
            raise ConfigError(f"profile '{name}' has no role_arn, so there is no role to assume")
        raise ProfileNotFound(name)

    @property
    def problems(self) -> list[ConfigProblem]:
        return [p for r in self.roles.values() for p in r.problems]


def config_paths(env: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    env = os.environ if env is None else env
    config = env.get("AWS_CONFIG_FILE") or "~/.aws/config"
    creds = env.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    return Path(config).expanduser(), Path(creds).expanduser()


def env_region(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None


def read_full_config(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """botocore's merged view of the config and credentials files, as the AWS CLI sees it.

    This is what botocore's `Session().full_config` does, with the same configloader calls,
    without importing the whole session machinery (a sixth of the app's start-up)."""
    import botocore.configloader
    import botocore.exceptions

    config_file, creds_file = config_paths(env)
    for path in (config_file, creds_file):
        # botocore silently skips a file it cannot open; the person should hear about it.
        if path.exists() and (not path.is_file() or not os.access(path, os.R_OK)):
            raise ConfigError(f"cannot read {path}: it is not a readable file")
    try:
        try:
            full = botocore.configloader.load_config(str(config_file))
        except botocore.exceptions.ConfigNotFound:
            full = {"profiles": {}}
        try:
            for name, values in botocore.configloader.raw_config_parse(str(creds_file)).items():
                full["profiles"].setdefault(name, {}).update(values)
        except botocore.exceptions.ConfigNotFound:
            pass
        return full
    except botocore.exceptions.ConfigParseError as exc:
        path = Path(exc.kwargs.get("path") or config_file)
        raise ConfigError(f"cannot parse the AWS config: {_parse_reason(path)}") from None
    except UnicodeDecodeError:
        raise ConfigError(
            f"the AWS config at {config_file} is not valid UTF-8 text; save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(
            f"cannot read the AWS config at {exc.filename or config_file}: {exc.strerror or exc}"
        ) from None


def _parse_reason(path: Path) -> str:
    """botocore only says that parsing failed; configparser says where and why."""
    import ast
    import configparser

    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return f"{path} is not valid UTF-8 text; save it as UTF-8"
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    try:
        configparser.RawConfigParser().read_string(text, source=str(path))
    except configparser.DuplicateSectionError as exc:
        return f"{path}, line {exc.lineno}: the section [{exc.section}] appears twice"
    except configparser.DuplicateOptionError as exc:
        return f"{path}, line {exc.lineno}: '{exc.option}' is set twice in [{exc.section}]"
    except configparser.MissingSectionHeaderError as exc:
        return f"{path}, line {exc.lineno}: '{exc.line.strip()}' comes before any [section] header"
    except configparser.ParsingError as exc:
        lineno, shown = exc.errors[0]  # configparser keeps repr(line)
        line = ast.literal_eval(shown) if shown[:1] in "'\"" else shown
        return f"{path}, line {lineno}: '{line.strip()}' is not a [section] or a 'key = value'"
    except configparser.Error as exc:
        return " ".join(str(exc).split())
    return f"{path} is not in INI format"


def load_config(env: Mapping[str, str] | None = None) -> AwsConfig:
    """Read every profile and build the roles, each with its chain and its problems."""
    env = os.environ if env is None else env
    with _collector_paused():
        profiles, static, sso_sessions = without_secrets(read_full_config(env))
        return build_config(profiles, static, env, sso_sessions)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Reading a config makes tens of thousands of dicts, strings and roles and no cycle:
    the cyclic collector would walk them (and everything else alive) again and again, which
    with 2,000 profiles in a process that holds much else tripled the read. Paused for the
    read, and left as it was found (the app's start-up pauses it too)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def without_secrets(
    full: dict[str, Any],
) -> tuple[dict[str, dict[str, str]], list[str], dict[str, dict[str, str]]]:
    """Every profile's settings with the keys left out, the profiles that had keys, and the
    sso-session sections (which hold no secret)."""
    raw: dict[str, dict[str, str]] = full.get("profiles", {})
    profiles: dict[str, dict[str, str]] = {}
    static: list[str] = []
    for name, settings in raw.items():
        if "aws_access_key_id" in settings:
            static.append(name)
        profiles[name] = {
            k: v for k, v in settings.items() if k not in SECRET_KEYS and isinstance(v, str)
        }
    sessions = {
        name: {k: v for k, v in values.items() if isinstance(v, str)}
        for name, values in full.get("sso_sessions", {}).items()
    }
    return profiles, static, sessions


def build_config(
    profiles: dict[str, dict[str, str]],
    static: list[str],
    env: Mapping[str, str],
    sso_sessions: dict[str, dict[str, str]] | None = None,
) -> AwsConfig:
    config_file, creds_file = config_paths(env)
    config = AwsConfig(
        config_file=config_file,
        credentials_file=creds_file,
        profiles=profiles,
        static_key_profiles=frozenset(static),
        default_profile=env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or None,
        sso_sessions=sso_sessions or {},
    )
    region_override = env_region(env)
    for name, settings in profiles.items():
        if "role_arn" in settings:
            config.roles[name] = build_role(name, config, region_override)
        elif "sso_account_id" in settings or "sso_role_name" in settings:
            config.roles[name] = build_sso_role(name, settings, region_override)
    return config


def sso_portal_name(settings: Mapping[str, str]) -> str | None:
    """The portal an SSO profile signs in through: its sso_session, or (legacy profiles) its
    start URL."""
    return settings.get("sso_session") or settings.get("sso_start_url") or None


def build_sso_role(
    name: str, settings: Mapping[str, str], region_override: str | None = None
) -> RoleProfile:
    """An IAM Identity Center role profile (sso_account_id + sso_role_name): its own base,
    nothing to assume on top (GetRoleCredentials gives its session)."""
    problems: list[ConfigProblem] = []
    account = settings.get("sso_account_id", "").strip()
    role_name = settings.get("sso_role_name", "").strip()
    portal = sso_portal_name(settings)
    if not re.fullmatch(r"\d{12}", account):
        problems.append(
            ConfigProblem(name, "sso_account_id", f"'{account}' is not a 12-digit account id")
        )
    if not re.fullmatch(r"[\w+=,.@-]{1,64}", role_name):
        problems.append(ConfigProblem(name, "sso_role_name", f"'{role_name}' is not a role name"))
    if portal is None:
        problems.append(
            ConfigProblem(
                name, "sso_session", "an SSO profile needs sso_session (or sso_start_url)"
            )
        )
    region = settings.get("region")
    if region is not None and not REGION.match(region):
        problems.append(
            ConfigProblem(
                name, "region", f"'{region}' is not valid: use a region code such as eu-west-1"
            )
        )
    return RoleProfile(
        name=name,
        role_arn=f"arn:aws:iam::{account}:role/{role_name}",
        region=region_override or region,
        base_profile=name,
        base_kind="sso",
        problems=tuple(problems),
        account_alias=settings.get("account_alias"),
        console_browser=settings.get("console_browser"),
        console_template=settings.get("console_template"),
        sso_portal=portal,
        sso_role_name=role_name,
    )


def base_kind(name: str, config: AwsConfig) -> str:
    settings = config.profiles.get(name, {})
    if name in config.static_key_profiles:
        return "static"
    if "sso_session" in settings or "sso_start_url" in settings:
        return "sso"
    if "credential_process" in settings or "login_session" in settings:
        return "process"  # botocore resolves both (login_session: `aws login`)
    return "keyring"


def build_role(name: str, config: AwsConfig, region_override: str | None = None) -> RoleProfile:
    """The role of profile `name`, with its chain and every problem and note its settings have."""
    settings = config.profiles[name]
    problems = _setting_problems(name, settings)
    chain, kind = resolve_chain(name, config, problems)
    base = chain[-1] if chain and kind in ("static", "keyring", "sso", "process") else None
    chained = len(chain) - (1 if base else 0) > 0 or kind == "sso"
    duration, notes = _duration(name, settings, chained, problems)
    return RoleProfile(
        name=name,
        role_arn=settings.get("role_arn", "").strip(),
        source_profile=settings.get("source_profile"),
        credential_source=settings.get("credential_source"),
        mfa_serial=settings.get("mfa_serial"),
        external_id=settings.get("external_id"),
        duration_seconds=duration,
        role_session_name=settings.get("role_session_name"),
        region=region_override or settings.get("region"),
        chain=tuple(chain),
        base_profile=base,
        base_kind=kind,
        problems=tuple(problems),
        notes=tuple(notes),
        account_alias=settings.get("account_alias"),
        console_browser=settings.get("console_browser"),
        console_template=settings.get("console_template"),
    )


def _setting_problems(name: str, settings: Mapping[str, str]) -> list[ConfigProblem]:
    """The role's own settings checked against AWS's rules."""
    problems: list[ConfigProblem] = []
    role_arn = settings.get("role_arn", "").strip()
    if not ROLE_ARN.match(role_arn):
        problems.append(
            ConfigProblem(
                name,
                "role_arn",
                f"'{role_arn}' is not a role ARN; expected arn:aws:iam::123456789012:role/NAME "
                "(partition aws, aws-cn or aws-us-gov, a 12-digit account)",
            )
        )
    for key, pattern, rule in (
        ("role_session_name", SESSION_NAME, "2 to 64 letters, digits or +=,.@_-"),
        ("external_id", EXTERNAL_ID, "2 to 1224 letters, digits or +=,.@:/_-"),
        ("mfa_serial", MFA_SERIAL, "an MFA device ARN (arn:aws:iam::ACCOUNT:mfa/NAME) or serial"),
        ("region", REGION, "a region code such as eu-west-1"),
    ):
        value = settings.get(key)
        if value is not None and not pattern.match(value):
            problems.append(ConfigProblem(name, key, f"'{value}' is not valid: use {rule}"))
    return problems


def _duration(
    name: str, settings: Mapping[str, str], chained: bool, problems: list[ConfigProblem]
) -> tuple[int | None, list[str]]:
    """The session length the role asks for (capped for a chained role), and a note if capped."""
    duration: int | None = None
    if "duration_seconds" in settings:
        text = settings["duration_seconds"].strip()
        if not text.isdigit() or not 900 <= int(text) <= 43200:
            problems.append(
                ConfigProblem(
                    name, "duration_seconds", f"'{text}' must be a whole number from 900 to 43200"
                )
            )
        else:
            duration = int(text)
    if chained and duration is not None and duration > CHAINED_MAX_DURATION:
        note = (
            f"duration {duration} s capped at {CHAINED_MAX_DURATION} s: "
            "AWS limits chained role sessions to one hour"
        )
        return CHAINED_MAX_DURATION, [note]
    return duration, []


def resolve_chain(
    name: str, config: AwsConfig, problems: list[ConfigProblem]
) -> tuple[list[str], str]:
    """Follow source_profile links from a role down to the profile with base credentials."""
    seen = [name]
    current = name
    while True:
        settings = config.profiles[current]
        end = _chain_end(name, current, settings, problems)
        if end is not None:
            return seen[1:], end
        source = settings["source_profile"]
        if source == current and current in config.static_key_profiles:
            # botocore's rule: a role may use the static keys of its own profile.
            return [*seen[1:], current], "static"
        if source not in config.profiles:
            problems.append(
                ConfigProblem(current, "source_profile", f"profile '{source}' does not exist")
            )
            return seen[1:], ""
        if source in seen:
            loop = " -> ".join([*seen[seen.index(source) :], source])
            problems.append(
                ConfigProblem(name, "source_profile", f"the profiles form a loop: {loop}")
            )
            return seen[1:], ""
        seen.append(source)
        if "role_arn" not in config.profiles[source]:
            return seen[1:], base_kind(source, config)
        current = source


def _chain_end(
    name: str, current: str, settings: Mapping[str, str], problems: list[ConfigProblem]
) -> str | None:
    """How the chain ends at profile `current`: the kind of its base credentials ("" when the
    settings are wrong), or None when it goes on to its source_profile."""
    source = settings.get("source_profile")
    cred_source = settings.get("credential_source")
    if "web_identity_token_file" in settings and current == name:
        problems.append(
            ConfigProblem(
                name,
                "web_identity_token_file",
                "web identity roles are not supported by Rolecall; the AWS CLI can assume them",
            )
        )
        return "web_identity"
    if source and cred_source:
        problems.append(
            ConfigProblem(
                current, "source_profile", "set source_profile or credential_source, not both"
            )
        )
        return ""
    if cred_source:
        if cred_source not in CREDENTIAL_SOURCES:
            problems.append(
                ConfigProblem(
                    current,
                    "credential_source",
                    f"'{cred_source}' is not one of " + ", ".join(CREDENTIAL_SOURCES),
                )
            )
        return cred_source
    if not source:
        problems.append(
            ConfigProblem(
                current,
                "source_profile",
                "a role needs source_profile or "
                "credential_source to say where its base credentials come from",
            )
        )
        return ""
    return None


def validate_mfa_code(code: str) -> str:
    """Six digits; the grouping authenticator apps show ("123 456", "123-456") is dropped."""
    code = re.sub(r"(?<=[0-9])[ -](?=[0-9])", "", code.strip())
    if not MFA_CODE.match(code):
        raise ConfigError("the MFA code must be exactly 6 digits")
    return code


def validate_profile_name(name: str) -> str:
    if not PROFILE_NAME.match(name):
        raise ConfigError(
            f"'{name}' is not a usable profile name: use letters, digits and +=,.@:/_- only"
        )
    return name
