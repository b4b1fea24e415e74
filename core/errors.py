"""Failures a person can read: every error here is one sentence that says what to do."""

from __future__ import annotations


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
