"""The engine: builds a role's provider chain from the config and runs it; shared by the CLI,
the GUI and the Lambda handler."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from core.clients import PARTITION_REGIONS, ClientFactory
from core.clock import Clock, utc_now
from core.credentials import TemporaryCredentials
from core.errors import AwsError, ConfigError, MfaRequired, NoKeyringError
from core.profiles import CHAINED_MAX_DURATION, AwsConfig, RoleProfile, load_config
from core.providers import (
    AssumeRoleProvider,
    BotocoreProfileProvider,
    CachedSessionProvider,
    CredentialSourceProvider,
    IdentityCenterProvider,
    KeyringKeysProvider,
    MfaCodeSource,
    Provider,
    StaticKeysProvider,
)
from core.vault import KeyStore, SessionCache

if TYPE_CHECKING:
    from core.dynamo import DynamoDB
    from core.sso import IdentityCenter, Tokens

log = logging.getLogger(__name__)


class Engine:
    """Builds the provider chain for a role and runs it; shared by the CLI, the GUI and Lambda."""

    def __init__(
        self,
        config: AwsConfig | None = None,
        cache: SessionCache | None = None,
        keys: KeyStore | None = None,
        clock: Clock = utc_now,
        tokens: Tokens | None = None,
    ) -> None:
        self._config = config
        self.cache = cache
        self.keys = keys
        self.clock = clock
        self.factory = ClientFactory()
        self._tokens = tokens
        self._sso: IdentityCenter | None = None
        self._sso_lock = threading.Lock()

    @property
    def sso(self) -> IdentityCenter:
        """IAM Identity Center with this engine's clients and the keyring's sign-ins."""
        with self._sso_lock:  # one per engine: its refresh lock is the portal's
            if self._sso is None:
                from core.sso import IdentityCenter, Tokens

                tokens = self._tokens or Tokens(self.cache.store if self.cache else None)
                self._sso = IdentityCenter(self.factory, tokens, self.clock)
            return self._sso

    @property
    def config(self) -> AwsConfig:
        if self._config is None:
            self._config = load_config()
        return self._config

    def reload(self) -> AwsConfig:
        return self.use(load_config())

    def use(self, config: AwsConfig) -> AwsConfig:
        """Work from this config from now on (clients made for the old one are dropped)."""
        self._config = config
        self.factory.clear()
        return config

    def base_provider(self, role: RoleProfile, use_cache: bool = True) -> Provider:
        kind, base = role.base_kind, role.base_profile
        if base is None:
            return CredentialSourceProvider(kind, role.hops[0])
        if kind == "sso":
            return self._sso_provider(self.config.role(base), use_cache, fresh=False)
        if kind == "static":
            return StaticKeysProvider(base)
        if kind == "keyring":
            return KeyringKeysProvider(base, self.keys)
        return BotocoreProfileProvider(base, self.factory)

    def provider(
        self,
        profile: str,
        *,
        mfa_code: MfaCodeSource | None = None,
        duration: int | None = None,
        use_cache: bool = True,
        fresh: bool = False,
    ) -> Provider:
        """`fresh`: a new session for the role itself even if one is cached (its chain's
        sessions are still reused); the cached one is replaced only when that worked."""
        role = self.config.role(profile)
        role.check()
        if role.is_sso:
            return self._sso_provider(role, use_cache, fresh)
        if duration is not None:
            if not 900 <= duration <= 43200:
                raise ConfigError("--duration must be from 900 to 43200 seconds")
            if role.chained:
                duration = min(duration, CHAINED_MAX_DURATION)
        provider: Provider = self.base_provider(role, use_cache)
        for hop in role.hops:
            hop_role = self.config.role(hop)
            hop_role.check()
            last = hop == role.name
            step = AssumeRoleProvider(
                hop_role,
                provider,
                self.factory,
                mfa_code=mfa_code,
                duration=duration if last else None,
            )
            if use_cache and self.cache:
                provider = CachedSessionProvider(self.cache, step, reuse=not (fresh and last))
            else:
                provider = step
        return provider

    def _sso_provider(self, role: RoleProfile, use_cache: bool, fresh: bool) -> Provider:
        role.check()
        step = IdentityCenterProvider(role, self.sso, self.config)
        if use_cache and self.cache:
            return CachedSessionProvider(self.cache, step, reuse=not fresh)
        return step

    def credentials(
        self,
        profile: str,
        *,
        mfa_code: MfaCodeSource | None = None,
        duration: int | None = None,
        use_cache: bool = True,
        fresh: bool = False,
    ) -> TemporaryCredentials:
        """Temporary credentials for a role profile: cached, or assumed now through its chain."""
        provider = self.provider(
            profile, mfa_code=mfa_code, duration=duration, use_cache=use_cache, fresh=fresh
        )
        creds = provider.retrieve()
        assert isinstance(creds, TemporaryCredentials)
        return creds

    def cached(self, profile: str) -> TemporaryCredentials | None:
        if self.cache is None:
            return None
        role = self.config.role(profile)
        return self.cache.get(profile, role.role_arn)

    def usable(self, profile: str) -> TemporaryCredentials:
        """What the endpoint serves: a session good for a while, assumed anew when the cached
        one is nearly over; if that fails, the cached one for as long as it is still valid."""
        try:
            return self.credentials(profile)
        except (AwsError, MfaRequired):
            if self.cache is None:
                raise
            role = self.config.role(profile)
            try:
                still = self.cache.get(profile, role.role_arn, at_least=timedelta(0))
            except NoKeyringError:
                still = None
            if still is None:
                raise
            log.warning("serving the current session of %s until it ends", profile)
            return still

    def dynamodb(self, creds: TemporaryCredentials, encoded_pages: bool = False) -> DynamoDB:
        """DynamoDB acting with these credentials, at the profile's endpoint, through the
        factory's shared client (see core.dynamo.DynamoDB for `encoded_pages`)."""
        from core.dynamo import connect

        profile = creds.profile if creds.profile in self.config.profiles else None
        role = self.config.roles.get(creds.profile)
        region = creds.region or (PARTITION_REGIONS[role.partition] if role else "us-east-1")
        return connect(self.factory, creds, region, profile, encoded_pages)
