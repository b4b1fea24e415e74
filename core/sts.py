"""Getting credentials: one small provider per source, composed into a chain (as aws-vault does)."""

from __future__ import annotations

import getpass
import logging
import os
import re
import threading
from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any, Protocol

from core.credentials import Clock, StaticCredentials, TemporaryCredentials, utc_now
from core.errors import AwsError, ConfigError, MfaRequired, NoKeyringError, RolecallError
from core.profiles import (
    CHAINED_MAX_DURATION,
    AwsConfig,
    RoleProfile,
    load_config,
    read_full_config,
    validate_mfa_code,
)
from core.vault import KeyStore, SessionCache

log = logging.getLogger(__name__)

Credentials = StaticCredentials | TemporaryCredentials
MfaCodeSource = Callable[[RoleProfile], str]

PARTITION_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


# A 1 MB DynamoDB page over a 256 kbit/s link takes about 32 s; Stop is there for the rest.
DATA_READ_TIMEOUT = 60.0


def client_config(read_timeout: float = 5) -> Any:
    """Timeouts and retries shared by every AWS client: one try and three retries (botocore's
    max_attempts counts retries), so a dead endpoint fails in about 15 s. DynamoDB's data
    calls wait longer for an answer (DATA_READ_TIMEOUT); connecting stays quick for all."""
    from botocore.config import Config

    return Config(
        connect_timeout=3,
        read_timeout=read_timeout,
        retries={"mode": "standard", "max_attempts": 3},
        user_agent_extra="rolecall",
    )


class ClientFactory:
    """botocore clients that honour each profile's endpoint settings, sharing one model loader."""

    def __init__(self, keep: int = 64) -> None:
        self._loader: Any = None
        self._lock = threading.Lock()
        self._config: Any = None
        # Clients are thread-safe and costly to build (config files, endpoint rules): reuse
        # them per service, profile, region and credentials, in memory only.
        self._clients: dict[tuple[Any, ...], Any] = {}
        self._keep = keep

    def session(self, profile: str | None) -> Any:
        import botocore.session

        session = botocore.session.Session()
        if profile and profile in session.available_profiles:
            # The profile only lends its endpoint settings; the Lambda has none to lend.
            session.set_config_variable("profile", profile)
        with self._lock:
            if self._loader is None:
                self._loader = session.get_component("data_loader")
                self._config = client_config()
            else:
                session.register_component("data_loader", self._loader)
        return session

    def clear(self) -> None:
        """Forget the clients (the config may now say other endpoints)."""
        with self._lock:
            self._clients.clear()

    def warm(self, service: str = "sts") -> None:
        """Load the service's models now (off the GUI thread), so the first real call is quick."""
        self.client(service, None, StaticCredentials("AKIAWARMUPWARMUPWARM", "-" * 40), "us-east-1")

    def client(
        self, service: str, profile: str | None, creds: Credentials, region: str | None
    ) -> Any:
        key = (
            service,
            profile,
            region,
            creds.access_key_id,
            creds.secret_access_key,
            creds.session_token,
            os.environ.get("AWS_ENDPOINT_URL"),
            os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}"),
        )
        with self._lock:
            found = self._clients.get(key)
        if found is not None:
            return found
        client = self._create(service, profile, creds, region)
        with self._lock:
            if len(self._clients) >= self._keep:
                self._clients.pop(next(iter(self._clients)))
            self._clients[key] = client
        return client

    def _create(
        self, service: str, profile: str | None, creds: Credentials, region: str | None
    ) -> Any:
        session = self.session(profile)
        return session.create_client(
            service,
            region_name=region,
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
            config=self._config,
        )


class Provider(Protocol):
    def retrieve(self) -> Credentials: ...


_static_lock = threading.Lock()
_static_files: dict[tuple[Any, ...], dict[str, Any]] = {}


def _profiles_with_keys() -> dict[str, Any]:
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
                f"profile '{self.profile}': its credential_process failed: {_sentence(exc)}"
            ) from None
        except botocore.exceptions.BotoCoreError as exc:
            raise AwsError(f"profile '{self.profile}': {_sentence(exc)}") from None
        if frozen is None or not frozen.access_key:
            raise ConfigError(f"profile '{self.profile}' gave no credentials")
        return StaticCredentials(frozen.access_key, frozen.secret_key, frozen.token)


class CredentialSourceProvider:
    """`credential_source`: the environment, the EC2 instance metadata or the ECS container."""

    def __init__(self, source: str, profile: str) -> None:
        self.source = source
        self.profile = profile

    def retrieve(self) -> Credentials:
        from botocore import credentials as bc

        provider: Any
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
        source_identity: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> None:
        self.role = role
        self.source = source
        self.factory = factory
        self.mfa_code = mfa_code
        self.duration = duration
        self.source_identity = source_identity
        self.tags = tags or {}

    def retrieve(self) -> TemporaryCredentials:
        role = self.role
        base = self.source.retrieve()
        params: dict[str, Any] = {
            "RoleArn": role.role_arn,
            "RoleSessionName": role.role_session_name or default_session_name(),
        }
        duration = self.duration or role.duration_seconds
        if duration:
            params["DurationSeconds"] = duration
        if role.external_id:
            params["ExternalId"] = role.external_id
        if self.source_identity:
            params["SourceIdentity"] = self.source_identity
        if self.tags:
            params["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags.items()]
        if role.mfa_serial:
            if self.mfa_code is None:
                raise MfaRequired(f"profile '{role.name}' needs an MFA code from {role.mfa_serial}")
            params["SerialNumber"] = role.mfa_serial
            params["TokenCode"] = validate_mfa_code(self.mfa_code(role))
        region = role.region or PARTITION_REGIONS[role.partition]
        client = self.factory.client("sts", role.name, base, region)
        try:
            answer = client.assume_role(**params)
        except Exception as exc:  # noqa: BLE001 - translated into a sentence below
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
        self, cache: SessionCache, provider: AssumeRoleProvider, reuse: bool = True
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


_DATA_HINTS = {
    "AccessDenied": "the role's policies do not allow this",
    "AccessDeniedException": "the role's policies do not allow this",
    "ResourceNotFoundException": "check the table name and the region",
    "ExpiredTokenException": "the session has expired: renew it and try again",
    "UnrecognizedClientException": "the session is not valid here: renew it",
    "ProvisionedThroughputExceededException": "the table is throttling: try again shortly",
    "ThrottlingException": "AWS is throttling these requests: try again shortly",
    "RequestLimitExceeded": "the account is over its request limit: try again shortly",
    "InternalServerError": "a failure on the AWS side: try again",
    "ValidationException": "DynamoDB refused the request as written",
}

_HINTS = {
    "AccessDenied": "check the role's trust policy and that the source credentials may assume it",
    "ExpiredToken": "the source credentials have expired: refresh them and try again",
    "ExpiredTokenException": "the source credentials have expired: refresh them and try again",
    "InvalidClientTokenId": "the source access key is not valid: check or replace the keys",
    "SignatureDoesNotMatch": "the source secret key is wrong: check or replace the keys",
    "RegionDisabledException": "STS is not enabled in this region for the account",
    "Throttling": "STS is throttling these requests: try again shortly",
}


def aws_failure(exc: Exception, doing: str) -> RolecallError:
    """Turn a botocore exception into one sentence a person can act on, with no secret in it."""
    import botocore.exceptions as be

    if isinstance(exc, RolecallError):
        return exc
    if isinstance(exc, be.ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "Error")
        message = error.get("Message", "") or str(exc)
        if "<Code>" in message:  # an XML error where JSON was expected (proxies, moto's IAM)
            code = _between(message, "<Code>", "</Code>") or code
            message = _between(message, "<Message>", "</Message>") or message
        hint = (_HINTS if doing.startswith("assuming") else _DATA_HINTS).get(code)
        if code == "AccessDenied" and "MultiFactorAuthentication" in message:
            hint = "the MFA code was wrong or already used: wait for a new code and try again"
        text = f"{doing} failed: {code}: {message.rstrip('.')}"
        retried = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
        if retried:
            text += f", after {retried + 1} tries"
        return AwsError(text + (f" ({hint})" if hint else ""), code)
    if isinstance(exc, (be.EndpointConnectionError, be.ConnectTimeoutError, be.ReadTimeoutError)):
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        return AwsError(
            f"{doing} failed: no answer from {url or 'the AWS endpoint'}: "
            "check the network, or AWS_ENDPOINT_URL if you set one",
            "EndpointConnectionError",
        )
    if isinstance(exc, be.NoCredentialsError):
        return AwsError(f"{doing} failed: no source credentials were found", "NoCredentials")
    if isinstance(exc, be.ParamValidationError):
        return ConfigError(f"{doing} failed: {_sentence(exc)}")
    if isinstance(exc, be.BotoCoreError):
        return AwsError(f"{doing} failed: {_sentence(exc)}")
    return AwsError(f"{doing} failed: {type(exc).__name__}: {_sentence(exc)}")


def _between(text: str, start: str, end: str) -> str:
    head, found, tail = text.partition(start)
    return tail.partition(end)[0].strip() if found else ""


def _sentence(exc: Exception) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


class Engine:
    """Builds the provider chain for a role and runs it; shared by the CLI, the GUI and Lambda."""

    def __init__(
        self,
        config: AwsConfig | None = None,
        cache: SessionCache | None = None,
        keys: KeyStore | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._config = config
        self.cache = cache
        self.keys = keys
        self.clock = clock
        self.factory = ClientFactory()

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

    def base_provider(self, role: RoleProfile) -> Provider:
        kind, base = role.base_kind, role.base_profile
        if base is None:
            return CredentialSourceProvider(kind, role.hops[0])
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
        source_identity: str | None = None,
        tags: dict[str, str] | None = None,
    ) -> Provider:
        """`fresh`: a new session for the role itself even if one is cached (its chain's
        sessions are still reused); the cached one is replaced only when that worked."""
        role = self.config.role(profile)
        role.check()
        if duration is not None:
            if not 900 <= duration <= 43200:
                raise ConfigError("--duration must be from 900 to 43200 seconds")
            if role.chained:
                duration = min(duration, CHAINED_MAX_DURATION)
        provider: Provider = self.base_provider(role)
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
                source_identity=source_identity,
                tags=tags if last else None,
            )
            if use_cache and self.cache:
                provider = CachedSessionProvider(self.cache, step, reuse=not (fresh and last))
            else:
                provider = step
        return provider

    def credentials(self, profile: str, **options: Any) -> TemporaryCredentials:
        """Temporary credentials for a role profile: cached, or assumed now through its chain."""
        creds = self.provider(profile, **options).retrieve()
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

    def boto3_session(self, creds: TemporaryCredentials) -> Any:
        """A boto3 session acting with these credentials, at the profile's endpoint."""
        profile = creds.profile if creds.profile in self.config.profiles else None
        role = self.config.roles.get(creds.profile)
        region = creds.region or (PARTITION_REGIONS[role.partition] if role else None)
        return boto3_session(creds, profile, region)

    def client(self, service: str, creds: TemporaryCredentials) -> Any:
        """A low-level client acting with these credentials, at the profile's endpoint."""
        profile = creds.profile if creds.profile in self.config.profiles else None
        role = self.config.roles.get(creds.profile)
        region = creds.region or (PARTITION_REGIONS[role.partition] if role else "us-east-1")
        return self.factory.client(service, profile, creds, region)


def boto3_session(creds: Credentials, profile: str | None = None, region: str | None = None) -> Any:
    """A boto3 session with explicit keys; `profile` only lends its endpoint settings."""
    import boto3

    return boto3.Session(
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=creds.secret_access_key,
        aws_session_token=creds.session_token,
        region_name=region or getattr(creds, "region", None) or "us-east-1",
        profile_name=profile,
    )


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
