"""Failures a person can read: every error is one sentence that says what to do, and AWS's own
exceptions are turned into such sentences here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.exceptions import ClientError


class RolecallError(Exception):
    """Base for every failure Rolecall reports; the message is meant for a person."""

    exit_code = 1


class ConfigError(RolecallError):
    """The AWS config (or a value the person typed) is wrong; fixing it is up to them."""

    exit_code = 2


class ProfileNotFound(ConfigError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown profile '{name}': it is not in the AWS config")
        self.name = name


class AwsError(RolecallError):
    """AWS answered with a refusal, or could not be reached."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class MfaRequired(RolecallError):
    """The role needs an MFA code and none was given."""

    exit_code = 2


class NoKeyringError(RolecallError):
    """No trustworthy keyring backend: sessions can only live in memory."""

    exit_code = 2


class Cancelled(RolecallError):
    """The person stopped the read; what was loaded so far stays."""


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
        return _refusal(exc, doing)
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
        return ConfigError(f"{doing} failed: {exception_text(exc)}")
    if isinstance(exc, be.BotoCoreError):
        return AwsError(f"{doing} failed: {exception_text(exc)}")
    return AwsError(f"{doing} failed: {type(exc).__name__}: {exception_text(exc)}")


def _refusal(exc: ClientError, doing: str) -> AwsError:
    """AWS's answer to a request it refused: its code, its message and what to do."""
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


def error_code(exc: Exception) -> str:
    """The AWS error code of a refused request ("" for any other failure)."""
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def _between(text: str, start: str, end: str) -> str:
    _, found, tail = text.partition(start)
    return tail.partition(end)[0].strip() if found else ""


def exception_text(exc: Exception) -> str:
    """An exception's message on one line (its type's name when it has none)."""
    text = " ".join(str(exc).split())
    return text or type(exc).__name__
