"""IAM Identity Center: portals from the config, their tokens in the keyring, the accounts and
roles a sign-in may use, and role credentials from them (signing in: core.sso_signin)."""

from __future__ import annotations

import logging  # json and hashlib are imported where used: the window's first frame
import os  # reads the portals from here, and they cost it ~5 ms
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core import redact
from core.clock import Clock, utc_now
from core.credentials import TemporaryCredentials
from core.errors import AwsError, ConfigError, aws_failure, error_code
from core.profiles import REGION, AwsConfig, RoleProfile, env_region, sso_portal_name

if TYPE_CHECKING:
    from core.clients import ClientFactory
    from core.vault import SecretStore

log = logging.getLogger(__name__)

DEFAULT_SCOPES = ("sso:account:access",)
# Refreshed this long before it ends (botocore's own SSO token refresh window).
REFRESH_BEFORE = timedelta(minutes=15)
LISTING_WORKERS = 8


@dataclass(frozen=True)
class Portal:
    """An `[sso-session NAME]` section, or the start URL of legacy SSO profiles."""

    name: str
    start_url: str
    region: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    legacy: bool = False
    """True for profiles that carry sso_start_url themselves (no sso-session section)."""

    @property
    def cache_key(self) -> str:
        """What the AWS CLI names its token cache file after (sha1 of it)."""
        return self.start_url if self.legacy else self.name

    def section(self) -> dict[str, str]:
        """Its `[sso-session NAME]` settings, as the AWS CLI writes them."""
        return {
            "sso_start_url": self.start_url,
            "sso_region": self.region,
            "sso_registration_scopes": ", ".join(self.scopes),
        }

    def check(self) -> None:
        """The start URL and region as AWS accepts them, or a sentence saying what is wrong."""
        problems = self.problems()
        if problems:
            raise ConfigError(f"portal '{self.name}': {problems[0]}")

    def problems(self) -> list[str]:
        """What is wrong with the start URL and the region, each as a sentence."""
        problems = []
        parts = urllib.parse.urlsplit(self.start_url)
        loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
        if not parts.hostname or (parts.scheme != "https" and not loopback):
            problems.append(
                f"sso_start_url '{self.start_url}' must be an https:// address, such as"
                " https://my-company.awsapps.com/start"
            )
        if not REGION.match(self.region):
            problems.append(f"sso_region '{self.region}' is not a region code such as eu-west-1")
        return problems


@dataclass(frozen=True)
class PortalRole:
    """One account-and-role pair a sign-in may use (ListAccounts x ListAccountRoles)."""

    account_id: str
    account_name: str
    role_name: str
    email: str = ""


class SignInRequired(AwsError):
    """The portal has no usable sign-in: the person must sign in (once for the portal)."""

    exit_code = 2

    def __init__(self, portal: str, why: str = "is missing or has expired") -> None:
        super().__init__(
            f"the sign-in to portal '{portal}' {why}: run `rolecall sso login {portal}`",
            "SignInRequired",
        )
        self.portal = portal


def portals(config: AwsConfig) -> dict[str, Portal]:
    """Every portal the config names: its sso-session sections, and the start URLs of legacy
    SSO profiles."""
    found: dict[str, Portal] = {}
    for name, values in config.sso_sessions.items():
        scopes = tuple(
            s.strip() for s in values.get("sso_registration_scopes", "").split(",") if s.strip()
        )
        found[name] = Portal(
            name=name,
            start_url=values.get("sso_start_url", ""),
            region=values.get("sso_region", ""),
            scopes=scopes or DEFAULT_SCOPES,
        )
    for settings in config.profiles.values():
        url = settings.get("sso_start_url")
        if url and "sso_session" not in settings and url not in found:
            found[url] = Portal(url, url, settings.get("sso_region", ""), legacy=True)
    return found


def find_portal(config: AwsConfig, name: str) -> Portal:
    """The portal named NAME: an sso-session, a legacy start URL, or the portal of profile
    NAME; a sentence listing the portals when there is none."""
    found = portals(config)
    portal = found.get(name)
    if portal is None and name in config.profiles:
        portal = found.get(sso_portal_name(config.profiles[name]) or "")
    if portal is None:
        known = ", ".join(sorted(found)) or "none"
        raise ConfigError(
            f"no IAM Identity Center portal '{name}' in {config.config_file} (an "
            f"[sso-session {name}] section); the portals there: {known}"
        )
    portal.check()
    return portal


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Token:
    """A portal's sign-in: the access token, the refresh token and the client that got them."""

    access_token: str = field(repr=False)
    expires_at: datetime
    refresh_token: str | None = field(default=None, repr=False)
    client_id: str = field(default="", repr=False)
    client_secret: str = field(default="", repr=False)
    registration_expires_at: datetime | None = None

    def __post_init__(self) -> None:
        redact.register(self.access_token, self.refresh_token, self.client_secret)

    def usable(self, now: datetime, margin: timedelta = timedelta(0)) -> bool:
        return self.expires_at - margin > now

    def refreshable(self, now: datetime) -> bool:
        registered = self.registration_expires_at is None or self.registration_expires_at > now
        return bool(self.refresh_token and self.client_id and self.client_secret and registered)

    def to_json(self, portal: Portal) -> str:
        """The AWS CLI's own token cache format (so the two can share a sign-in)."""
        data: dict[str, str] = {
            "startUrl": portal.start_url,
            "region": portal.region,
            "accessToken": self.access_token,
            "expiresAt": _iso(self.expires_at),
        }
        if self.client_id:
            data["clientId"] = self.client_id
            data["clientSecret"] = self.client_secret
        if self.registration_expires_at:
            data["registrationExpiresAt"] = _iso(self.registration_expires_at)
        if self.refresh_token:
            data["refreshToken"] = self.refresh_token
        import json

        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Token | None:
        import json

        try:
            data = json.loads(text)
            expires = _parse_time(data.get("expiresAt"))
            if not data.get("accessToken") or expires is None:
                return None
            return cls(
                access_token=data["accessToken"],
                expires_at=expires,
                refresh_token=data.get("refreshToken"),
                client_id=data.get("clientId", ""),
                client_secret=data.get("clientSecret", ""),
                registration_expires_at=_parse_time(data.get("registrationExpiresAt")),
            )
        except (ValueError, TypeError, AttributeError):
            return None


def cli_cache_folder() -> Path:
    return Path("~/.aws/sso/cache").expanduser()


class Tokens:
    """Where sign-ins live: the keyring (service `rolecall`), never a file of ours. A token
    the AWS CLI cached in ~/.aws/sso/cache is used too; that cache is written only when the
    person chose to share the sign-in with the AWS CLI (`share_with_cli`)."""

    def __init__(
        self,
        store: SecretStore | None,
        share_with_cli: bool = False,
        cli_cache: Path | None = None,
    ) -> None:
        self.store = store
        self.share_with_cli = share_with_cli
        self._cli_cache = cli_cache

    @staticmethod
    def _key(portal: Portal) -> str:
        return f"sso:{portal.cache_key}"

    def _cli_file(self, portal: Portal) -> Path:
        import hashlib

        name = hashlib.sha1(portal.cache_key.encode()).hexdigest()  # noqa: S324 - the CLI's name
        return (self._cli_cache or cli_cache_folder()) / f"{name}.json"

    def get(self, portal: Portal, now: datetime | None = None) -> Token | None:
        """The keyring's sign-in, unless it is past use (expired, nothing to refresh it
        with) and the AWS CLI holds a good one for the same portal (`aws sso login`)."""
        token = None
        if self.store is not None:
            raw = self.store.get(self._key(portal))
            token = Token.from_json(raw) if raw else None
        when = now or utc_now()
        if token is not None and (token.usable(when) or token.refreshable(when)):
            return token
        return self.from_cli(portal) or token

    def from_cli(self, portal: Portal) -> Token | None:
        path = self._cli_file(portal)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        import json

        try:
            data = json.loads(text)
        except ValueError:
            return None
        if not isinstance(data, dict) or data.get("startUrl") not in (None, portal.start_url):
            return None
        return Token.from_json(text)

    def put(self, portal: Portal, token: Token) -> None:
        if self.store is not None:
            self.store.set(self._key(portal), token.to_json(portal))
        if self.share_with_cli:
            self._write_cli(portal, token)

    def _write_cli(self, portal: Portal, token: Token) -> None:
        """The AWS CLI's cache file, private to the user, replaced in one step."""
        import tempfile

        path = self._cli_file(portal)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, part = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(token.to_json(portal))
            os.replace(part, path)
        except BaseException:
            Path(part).unlink(missing_ok=True)  # it holds the tokens: never left behind
            raise

    def delete(self, portal: Portal, ours: Token | None = None) -> None:
        """The portal's sign-in gone from the keyring, and the AWS CLI's cache file too when
        sharing is on or the file holds our sign-in (shared earlier, then turned off)."""
        if self.store is not None:
            self.store.delete(self._key(portal))
        cached = self.from_cli(portal)
        written_by_us = (
            ours is not None
            and cached is not None
            and bool(ours.client_id)
            and cached.client_id == ours.client_id
        )
        if self.share_with_cli or written_by_us:
            self._cli_file(portal).unlink(missing_ok=True)


def _oauth_failure(exc: Exception, portal: Portal, doing: str) -> AwsError:
    code = error_code(exc)
    if code in ("UnauthorizedException", "InvalidGrantException", "ExpiredTokenException"):
        return SignInRequired(portal.name)
    failure = aws_failure(exc, f"{doing} portal '{portal.name}'")
    return failure if isinstance(failure, AwsError) else AwsError(str(failure))


class IdentityCenter:
    """A portal's sign-in in use: a fresh access token (refreshed before it ends), the
    accounts and roles it may use, their credentials, and signing out."""

    def __init__(self, factory: ClientFactory, tokens: Tokens, clock: Clock = utc_now) -> None:
        self.factory = factory
        self.tokens = tokens
        self.clock = clock
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def check_region(self, portal: Portal) -> None:
        """A region where Identity Center runs (unless an endpoint is set for it), so a typo
        is a sentence, not a minute of retries against a host that does not exist."""
        if os.environ.get("AWS_ENDPOINT_URL_SSO_OIDC") or os.environ.get("AWS_ENDPOINT_URL"):
            return
        session = self.factory.session(None)
        known = {
            region
            for partition in ("aws", "aws-cn", "aws-us-gov")
            for region in session.get_available_regions("sso-oidc", partition_name=partition)
        }
        if portal.region not in known:
            raise ConfigError(
                f"portal '{portal.name}': sso_region '{portal.region}' is not a region where "
                "IAM Identity Center runs (see the region in your portal's settings)"
            )

    def client(self, service: str, portal: Portal) -> Any:
        """`sso-oidc` or `sso` for the portal's region (their stubs are not installed)."""
        return self.factory.unsigned(service, portal.region)

    def _lock(self, portal: Portal) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(portal.name, threading.Lock())

    def signed_in(self, portal: Portal) -> Token | None:
        """The portal's sign-in if it is still good or can be refreshed (no call made)."""
        now = self.clock()
        token = self.tokens.get(portal, now)
        if token is None or not (token.usable(now) or token.refreshable(now)):
            return None
        return token

    def access_token(self, portal: Portal) -> str:
        """An access token with time left, refreshed with the refresh token when it is near
        its end (once for the whole portal, however many roles ask at once)."""
        with self._lock(portal):
            now = self.clock()
            token = self.tokens.get(portal, now)
            if token is None:
                raise SignInRequired(portal.name, "is missing")
            if token.usable(now, REFRESH_BEFORE):
                return token.access_token
            if token.refreshable(now):
                try:
                    return self._refresh(portal, token, now).access_token
                except SignInRequired:
                    if not token.usable(now):
                        raise
                    log.warning(
                        "could not refresh the sign-in of %s; using it while it lasts", portal.name
                    )
                    return token.access_token
                except AwsError:
                    if token.usable(now):
                        return token.access_token
                    raise
            if token.usable(now):
                return token.access_token
            raise SignInRequired(portal.name, "has expired")

    def _refresh(self, portal: Portal, token: Token, now: datetime) -> Token:
        oidc = self.client("sso-oidc", portal)
        try:
            answer = oidc.create_token(
                grantType="refresh_token",
                clientId=token.client_id,
                clientSecret=token.client_secret,
                refreshToken=token.refresh_token or "",
            )
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            raise _oauth_failure(exc, portal, "refreshing the sign-in of") from None
        fresh = Token(
            access_token=answer["accessToken"],
            expires_at=now + timedelta(seconds=int(answer.get("expiresIn", 3600))),
            refresh_token=answer.get("refreshToken") or token.refresh_token,
            client_id=token.client_id,
            client_secret=token.client_secret,
            registration_expires_at=token.registration_expires_at,
        )
        self.tokens.put(portal, fresh)
        log.info("refreshed the sign-in of %s", portal.name)
        return fresh

    def _call(
        self, portal: Portal, doing: str, call: Callable[[str], Any], token: str | None = None
    ) -> Any:
        """`call` with a good access token (`token` when the caller has one already); one the
        portal no longer takes (signed out elsewhere, revoked) is refreshed once before the
        person is asked to sign in."""
        token = token or self.access_token(portal)
        for last in (False, True):
            try:
                return call(token)
            except Exception as exc:  # noqa: BLE001 - turned into a sentence
                if error_code(exc) != "UnauthorizedException":
                    raise aws_failure(exc, f"{doing} (portal '{portal.name}')") from None
                if last:
                    break
            token = self._refresh_refused(portal, token)
        raise SignInRequired(portal.name, "is no longer accepted")

    def _refresh_refused(self, portal: Portal, refused: str) -> str:
        with self._lock(portal):
            held = self.tokens.get(portal, self.clock())
            if held is not None and held.access_token != refused:
                return held.access_token  # another call refreshed it meanwhile
            now = self.clock()
            if held is None or not held.refreshable(now):
                raise SignInRequired(portal.name, "is no longer accepted")
            return self._refresh(portal, held, now).access_token

    def accounts(self, portal: Portal, workers: int = LISTING_WORKERS) -> list[PortalRole]:
        """Every account (all pages) and each one's roles (all pages), the accounts asked
        about at once by a small pool (botocore retries what is throttled)."""
        from concurrent.futures import ThreadPoolExecutor

        sso = self.client("sso", portal)

        def all_accounts(token: str) -> list[dict[str, Any]]:
            pages = sso.get_paginator("list_accounts").paginate(accessToken=token)
            return [a for page in pages for a in page.get("accountList", [])]

        def roles_of(account: dict[str, Any]) -> list[PortalRole]:
            def listing(token: str) -> list[PortalRole]:
                pages = sso.get_paginator("list_account_roles").paginate(
                    accessToken=token, accountId=account["accountId"]
                )
                return [
                    PortalRole(
                        account["accountId"],
                        account.get("accountName", ""),
                        role["roleName"],
                        account.get("emailAddress", ""),
                    )
                    for page in pages
                    for role in page.get("roleList", [])
                ]

            found: list[PortalRole] = self._call(
                portal, "listing an account's roles", listing, token
            )
            return found

        token = self.access_token(portal)  # once: not a keyring read per account
        found = self._call(portal, "listing the accounts", all_accounts, token)
        with ThreadPoolExecutor(max_workers=max(1, min(workers, len(found) or 1))) as pool:
            per_account = list(pool.map(roles_of, found))
        return sorted(
            (r for roles in per_account for r in roles),
            key=lambda r: (r.account_name.lower(), r.account_id, r.role_name.lower()),
        )

    def role_credentials(self, portal: Portal, role: RoleProfile) -> TemporaryCredentials:
        """GetRoleCredentials for an Identity Center role: a session like any other."""
        sso = self.client("sso", portal)

        def get(token: str) -> Any:
            return sso.get_role_credentials(
                accessToken=token, accountId=role.account_id, roleName=role.sso_role_name or ""
            )

        answer = self._call(portal, f"getting the credentials of profile '{role.name}'", get)
        c = answer["roleCredentials"]
        return TemporaryCredentials(
            access_key_id=c["accessKeyId"],
            secret_access_key=c["secretAccessKey"],
            session_token=c["sessionToken"],
            expiration=datetime.fromtimestamp(c["expiration"] // 1000, timezone.utc),
            assumed_role_arn=role.role_arn,
            profile=role.name,
            region=role.region,
        )

    def logout(self, portal: Portal) -> None:
        """The portal's Logout call, then its tokens gone from the keyring (and from the AWS
        CLI's cache when it is shared); a sign-in already gone is no failure."""
        with self._lock(portal):  # a refresh under way cannot write its token back after
            token = self.tokens.get(portal, self.clock())
            try:
                if token is not None:
                    now = self.clock()
                    if not token.usable(now) and token.refreshable(now):
                        token = self._refresh(portal, token, now)  # to end it on the portal too
                    if token.usable(now):
                        self.client("sso", portal).logout(accessToken=token.access_token)
            except Exception as exc:  # noqa: BLE001 - the tokens go anyway
                if error_code(exc) != "UnauthorizedException":
                    log.warning("the portal's logout call failed: %s", type(exc).__name__)
            finally:
                self.tokens.delete(portal, ours=token)


def unsaved_roles(
    config: AwsConfig, portal: Portal, found: list[PortalRole], template: str | None = None
) -> Iterator[RoleProfile]:
    """A role profile for each account-and-role pair no profile names yet (not saved: they
    live in memory until "Save as profiles"), named as a sync would name them."""
    from core.sso_sync import DEFAULT_TEMPLATE, profile_name

    have = {
        (r.sso_portal, r.account_id, r.sso_role_name) for r in config.roles.values() if r.is_sso
    }
    names = set(config.profiles) | set(config.roles)
    for pair in found:
        if (portal.name, pair.account_id, pair.role_name) in have:
            continue
        base = name = profile_name(template or DEFAULT_TEMPLATE, pair, portal)
        n = 1
        while name in names:
            n += 1
            name = f"{base}-{n}"
        names.add(name)
        yield RoleProfile(
            name=name,
            role_arn=f"arn:aws:iam::{pair.account_id}:role/{pair.role_name}",
            region=env_region() or portal.region,
            base_profile=name,
            base_kind="sso",
            account_alias=pair.account_name or None,
            sso_portal=portal.name,
            sso_role_name=pair.role_name,
            saved=False,
        )
