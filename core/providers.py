"""Where credentials come from: one small provider per source, composed into a chain (as
aws-vault does), and a cache that wraps the role step."""

from __future__ import annotations

import getpass
import logging
import re
import threading
from collections.abc import Callable
from datetime import timezone
from typing import TYPE_CHECKING, Protocol

from core.clients import PARTITION_REGIONS, ClientFactory
from core.credentials import Credentials, StaticCredentials, TemporaryCredentials
from core.errors import (
    AwsError,
    ConfigError,
    MfaRequired,
    NoKeyringError,
    aws_failure,
    exception_text,
)
from core.profiles import AwsConfig, RoleProfile, read_full_config, validate_mfa_code
from core.vault import KeyStore, SessionCache

if TYPE_CHECKING:
    from botocore.credentials import CredentialProvider
    from mypy_boto3_sts.type_defs import AssumeRoleRequestTypeDef

    from core.sso import IdentityCenter

log = logging.getLogger(__name__)

MfaCodeSource = Callable[[RoleProfile], str]


class Provider(Protocol):
    def retrieve(self) -> Credentials: ...


_static_lock = threading.Lock()
_static_files: dict[tuple[tuple[str | int, ...], ...], dict[str, dict[str, str]]] = {}


def _profiles_with_keys() -> dict[str, dict[str, str]]:
    """The files' profiles, parsed again only when a file changed (kept in memory)."""
    from core.profiles import config_paths

    stamp = tuple(
        (str(p), p.stat().st_mtime_ns, p.stat().st_size) if p.exists() else (str(p),)
        for p in config_paths()
    )
    with _static_lock:
        found = _static_files.get(stamp)
    if found is None:
        found = read_full_config().get("profiles", {})
        with _static_lock:
            _static_files.clear()
            _static_files[stamp] = found
    return found


class StaticKeysProvider:
    """Keys written in the credentials (or config) file for a profile."""

    def __init__(self, profile: str) -> None:
        self.profile = profile

    def retrieve(self) -> Credentials:
        settings = _profiles_with_keys().get(self.profile, {})
        key, secret = settings.get("aws_access_key_id"), settings.get("aws_secret_access_key")
        if not key or not secret:
            raise ConfigError(
                f"profile '{self.profile}': aws_secret_access_key: missing next to the access key"
            )
        return StaticCredentials(key, secret, settings.get("aws_session_token"))


class KeyringKeysProvider:
    """Long-term keys the person stored in Rolecall's keyring with `rolecall add-keys`."""

    def __init__(self, profile: str, keys: KeyStore | None) -> None:
        self.profile = profile
        self.keys = keys

    def retrieve(self) -> Credentials:
        creds = self.keys.get(self.profile) if self.keys else None
        if creds is None:
            raise ConfigError(
                f"profile '{self.profile}' has no credentials: run `rolecall add-keys "
                f"{self.profile}` to keep its keys in the keyring, or add them to the "
                "credentials file"
            )
        return creds


class BotocoreProfileProvider:
    """SSO, credential_process and the like: botocore resolves the profile as the CLI would."""

    def __init__(self, profile: str, factory: ClientFactory) -> None:
        self.profile = profile
        self.factory = factory

    def retrieve(self) -> Credentials:
        import botocore.exceptions

        try:
            found = self.factory.session(self.profile).get_credentials()
            frozen = found.get_frozen_credentials() if found else None
        except (
            botocore.exceptions.SSOTokenLoadError,
            botocore.exceptions.UnauthorizedSSOTokenError,
            botocore.exceptions.TokenRetrievalError,
        ):
            raise AwsError(
                f"the SSO session of profile '{self.profile}' is missing or expired: "
                f"run `aws sso login --profile {self.profile}`"
            ) from None
        except botocore.exceptions.CredentialRetrievalError as exc:
            raise AwsError(
                f"profile '{self.profile}': its credential_process failed: {exception_text(exc)}"
            ) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise AwsError(f"profile '{self.profile}': {exception_text(exc)}") from None
        if frozen is None or not frozen.access_key or not frozen.secret_key:
            raise ConfigError(f"profile '{self.profile}' gave no credentials")
        return StaticCredentials(frozen.access_key, frozen.secret_key, frozen.token)


class IdentityCenterProvider:
    """An IAM Identity Center role: GetRoleCredentials with the portal's sign-in."""

    def __init__(self, role: RoleProfile, center: IdentityCenter, config: AwsConfig) -> None:
        self.role = role
        self.center = center
        self.config = config

    def retrieve(self) -> TemporaryCredentials:
        from core.sso import find_portal

        role = self.role
        if role.sso_portal is None:
            raise ConfigError(f"profile '{role.name}' names no IAM Identity Center portal")
        return self.center.role_credentials(find_portal(self.config, role.sso_portal), role)


class CredentialSourceProvider:
    """`credential_source`: the environment, the EC2 instance metadata or the ECS container."""

    def __init__(self, source: str, profile: str) -> None:
        self.source = source
        self.profile = profile

    def retrieve(self) -> Credentials:
        from botocore import credentials as bc

        provider: CredentialProvider
        if self.source == "Environment":
            provider = bc.EnvProvider()
        elif self.source == "Ec2InstanceMetadata":
            from botocore.utils import InstanceMetadataFetcher

            provider = bc.InstanceMetadataProvider(
                iam_role_fetcher=InstanceMetadataFetcher(timeout=1, num_attempts=1)
            )
        else:
            provider = bc.ContainerProvider()
        found = provider.load()
        if found is None:
            raise AwsError(
                f"profile '{self.profile}': credential_source {self.source} found no credentials"
            )
        frozen = found.get_frozen_credentials()
        if not frozen.access_key or not frozen.secret_key:
            raise AwsError("the AWS credentials here are incomplete", "NoCredentials")
        return StaticCredentials(frozen.access_key, frozen.secret_key, frozen.token)


def default_session_name() -> str:
    try:
        user = re.sub(r"[^\w+=,.@-]", "", getpass.getuser())
    except (KeyError, OSError):
        user = ""
    return f"rolecall-{user}"[:64] if user else "rolecall"


class AssumeRoleProvider:
    """STS AssumeRole on top of any source provider."""

    def __init__(
        self,
        role: RoleProfile,
        source: Provider,
        factory: ClientFactory,
        mfa_code: MfaCodeSource | None = None,
        duration: int | None = None,
    ) -> None:
        self.role = role
        self.source = source
        self.factory = factory
        self.mfa_code = mfa_code
        self.duration = duration

    def retrieve(self) -> TemporaryCredentials:
        role = self.role
        base = self.source.retrieve()
        params: AssumeRoleRequestTypeDef = {
            "RoleArn": role.role_arn,
            "RoleSessionName": role.role_session_name or default_session_name(),
        }
        duration = self.duration or role.duration_seconds
        if duration:
            params["DurationSeconds"] = duration
        if role.external_id:
            params["ExternalId"] = role.external_id
        if role.mfa_serial:
            if self.mfa_code is None:
                raise MfaRequired(f"profile '{role.name}' needs an MFA code from {role.mfa_serial}")
            params["SerialNumber"] = role.mfa_serial
            params["TokenCode"] = validate_mfa_code(self.mfa_code(role))
        region = role.region or PARTITION_REGIONS[role.partition]
        client = self.factory.client("sts", role.name, base, region)
        try:
            answer = client.assume_role(**params)
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            raise aws_failure(exc, f"assuming the role of profile '{role.name}'") from None
        c = answer["Credentials"]
        return TemporaryCredentials(
            access_key_id=c["AccessKeyId"],
            secret_access_key=c["SecretAccessKey"],
            session_token=c["SessionToken"],
            expiration=c["Expiration"].astimezone(timezone.utc),
            assumed_role_arn=answer.get("AssumedRoleUser", {}).get("Arn", ""),
            profile=role.name,
            region=role.region,
        )


class CachedSessionProvider:
    """Wraps a role provider: reuse the keyring's session while enough time is left.

    `reuse=False` is a refresh (aws-vault's ForceNewSession): assume without reading the
    cache, and replace the cached session only once the new one is in hand, so a refresh
    that fails leaves the old session where it was."""

    def __init__(
        self,
        cache: SessionCache,
        provider: AssumeRoleProvider | IdentityCenterProvider,
        reuse: bool = True,
    ) -> None:
        self.cache = cache
        self.provider = provider
        self.reuse = reuse

    def retrieve(self) -> TemporaryCredentials:
        role = self.provider.role
        cached = None
        try:
            if self.reuse:
                cached = self.cache.get(role.name, role.role_arn)
        except NoKeyringError as exc:  # locked or gone: assume anyway, keep it in memory
            self.cache.trouble_seen(exc)
        if cached is not None:
            log.debug("reusing the cached session of %s", role.name)
            return cached
        creds = self.provider.retrieve()
        try:
            self.cache.put(creds)
        except NoKeyringError as exc:
            self.cache.trouble_seen(exc)
        return creds


class DefaultChainProvider:
    """Whatever botocore finds with no profile: in Lambda, the function's own role."""

    def retrieve(self) -> Credentials:
        import botocore.session

        found = botocore.session.Session().get_credentials()
        if found is None:
            raise AwsError("no AWS credentials were found in this environment", "NoCredentials")
        frozen = found.get_frozen_credentials()
        if not frozen.access_key or not frozen.secret_key:
            raise AwsError("the AWS credentials here are incomplete", "NoCredentials")
        return StaticCredentials(frozen.access_key, frozen.secret_key, frozen.token)
