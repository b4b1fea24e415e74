"""AWS clients: the timeouts every one of them shares, and a factory that builds and reuses them."""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any, Literal, overload

from core.credentials import Credentials, StaticCredentials

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.config import Config
    from botocore.loaders import Loader
    from botocore.session import Session
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sts import STSClient

PARTITION_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}

DEFAULT_READ_TIMEOUT = 5.0
# A 1 MB DynamoDB page over a 256 kbit/s link takes about 32 s; Stop is there for the rest.
DATA_READ_TIMEOUT = 60.0


def client_config(read_timeout: float = DEFAULT_READ_TIMEOUT) -> Config:
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
        self._loader: Loader | None = None
        self._lock = threading.Lock()
        self._configs: dict[float, Config] = {}
        # Clients are thread-safe and costly to build (config files, endpoint rules): reuse
        # them per service, profile, region and credentials, in memory only.
        self._clients: dict[tuple[str | float | None, ...], BaseClient] = {}
        self._keep = keep

    def session(self, profile: str | None) -> Session:
        import botocore.session

        session = botocore.session.Session()
        if profile and profile in session.available_profiles:
            # The profile only lends its endpoint settings; the Lambda has none to lend.
            session.set_config_variable("profile", profile)
        with self._lock:
            if self._loader is None:
                self._loader = session.get_component("data_loader")
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

    @overload
    def client(
        self,
        service: Literal["sts"],
        profile: str | None,
        creds: Credentials,
        region: str | None,
        read_timeout: float = ...,
        variant: str = ...,
    ) -> STSClient: ...

    @overload
    def client(
        self,
        service: Literal["dynamodb"],
        profile: str | None,
        creds: Credentials,
        region: str | None,
        read_timeout: float = ...,
        variant: str = ...,
    ) -> DynamoDBClient: ...

    @overload
    def client(
        self,
        service: str,
        profile: str | None,
        creds: Credentials,
        region: str | None,
        read_timeout: float = ...,
        variant: str = ...,
    ) -> BaseClient: ...

    def client(
        self,
        service: str,
        profile: str | None,
        creds: Credentials,
        region: str | None,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        variant: str = "",
    ) -> Any:
        """A client of `service` acting with `creds`, made once and then reused. Clients of
        another `variant` (DynamoDB's raw pages register their own event handler) are kept
        apart from the plain ones."""
        key = (
            service,
            profile,
            region,
            creds.access_key_id,
            creds.secret_access_key,
            creds.session_token,
            os.environ.get("AWS_ENDPOINT_URL"),
            os.environ.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"),
            read_timeout,
            variant,
        )
        with self._lock:
            found = self._clients.get(key)
        if found is not None:
            return found
        client = self._create(service, profile, creds, region, read_timeout)
        with self._lock:
            if len(self._clients) >= self._keep:
                self._clients.pop(next(iter(self._clients)))
            self._clients[key] = client
        return client

    def unsigned(self, service: str, region: str) -> Any:
        """A client whose calls carry no AWS signature (IAM Identity Center's `sso` and
        `sso-oidc`: their calls carry a token instead), made once per region and endpoint."""
        key = (
            service,
            region,
            os.environ.get("AWS_ENDPOINT_URL"),
            os.environ.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"),
        )
        with self._lock:
            found = self._clients.get(key)
        if found is not None:
            return found
        from botocore import UNSIGNED
        from botocore.config import Config

        # Throttled listings of a big portal are retried more patiently than other calls.
        config = client_config().merge(
            Config(signature_version=UNSIGNED, retries={"mode": "standard", "max_attempts": 6})
        )
        client = self.session(None).create_client(service, region_name=region, config=config)
        with self._lock:
            self._clients[key] = client
        return client

    def _create(
        self,
        service: str,
        profile: str | None,
        creds: Credentials,
        region: str | None,
        read_timeout: float,
    ) -> BaseClient:
        session = self.session(profile)
        with self._lock:
            config = self._configs.get(read_timeout)
            if config is None:
                config = self._configs[read_timeout] = client_config(read_timeout)
        return session.create_client(
            service,
            region_name=region,
            aws_access_key_id=creds.access_key_id,
            aws_secret_access_key=creds.secret_access_key,
            aws_session_token=creds.session_token,
            config=config,
        )
