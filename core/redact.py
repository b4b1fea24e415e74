"""Keeping secrets out of logs: a filter that masks every secret Rolecall has seen."""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from typing import Any, TextIO

MASK = "****"

_lock = threading.Lock()
_secrets: set[str] = set()


@cache
def _patterns() -> list[re.Pattern[str]]:
    """The second layer, for secrets we never saw ourselves (botocore's debug dumps of STS
    answers), and for MFA codes: six digits are too short to mask wherever they appear
    (account ids), so they are masked where they are named (TokenCode=..., 'TokenCode': '...').
    Compiled on first use: start-up has nothing to mask yet."""
    return [
        re.compile(
            r"(?i)(<(?:SecretAccessKey|SessionToken|SecretKey)>)[^<]*(</)",
        ),
        re.compile(
            r"(?i)([\"']?(?:SecretAccessKey|SessionToken|aws_secret_access_key|aws_session_token|"
            r"secret_key|token|sessionKey|sessionToken|SigninToken|X-Amz-Security-Token|"
            r"TokenCode)[\"']?"
            r"\s*[:=]\s*[\"']?)([A-Za-z0-9/+=%_.:\-]{6,})"
        ),
        re.compile(r"(?i)(x-amz-security-token['\"]?\s*[:,]\s*b?['\"]?)([^'\"\s,}]+)"),
        # IAM Identity Center: the OIDC answers and requests, and the sso bearer header
        re.compile(
            r"(?i)([\"']?(?:clientSecret|accessToken|refreshToken|idToken|deviceCode|"
            r"codeVerifier|code_verifier|x-amz-sso_bearer_token)[\"']?\s*[:=,]\s*b?[\"']?)"
            r"([A-Za-z0-9/+=%_.:\-]{6,})"
        ),
        # the authorization code of a sign-in, as botocore dumps CreateToken's body
        re.compile(r"([\"']code[\"']\s*:\s*[\"'])([^\"'\s,}]{6,})"),
        re.compile(r"(Signature=)[0-9a-f]{16,}"),
    ]


def register(*values: str | None) -> None:
    """Remember secret values so that any later log line containing them is masked."""
    with _lock:
        for value in values:
            if value and len(value) >= 6:
                _secrets.add(value)


def redact(text: str) -> str:
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _patterns():
        text = pattern.sub(
            lambda m: m.group(1) + MASK + (m.group(3) if m.lastindex == 3 else ""), text
        )
    return text


class RedactingFilter(logging.Filter):
    """Put on a handler: renders the record once, masks secrets, and freezes the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg = redact(message)
        record.args = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


AWS_LOGGERS = ("botocore", "boto3", "urllib3", "s3transfer")


def quiet_aws_loggers(level: int = logging.INFO) -> None:
    """botocore's DEBUG output holds whole STS answers: keep it above DEBUG unless asked."""
    for name in AWS_LOGGERS:
        logging.getLogger(name).setLevel(level)


def redact_handlers(logger: logging.Logger | None = None) -> None:
    """Put the redacting filter on every handler of a logger (the root by default), and mask
    every record as it is made, so handlers added later (a test's, a crash reporter's) and
    anything holding on to records never see a secret either."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    install_record_factory()


_make_record = logging.getLogRecordFactory()
_masking = RedactingFilter()


def _masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _make_record(*args, **kwargs)
    try:
        _masking.filter(record)
    except Exception:  # noqa: BLE001 - a message that does not format: keep none of it
        record.msg, record.args = f"(unformattable message from {record.name})", None
    return record


def install_record_factory() -> None:
    """Records are only made for enabled levels, so this costs nothing for quiet loggers."""
    if logging.getLogRecordFactory() is not _masked_record:
        global _make_record
        _make_record = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_masked_record)


def configure_logging(verbosity: int, stream: TextIO | None = None) -> logging.Handler:
    """Logging for the CLI and the app: botocore stays above DEBUG unless asked twice (-vv)."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbosity >= 1 else logging.WARNING)
    quiet_aws_loggers(max(logging.DEBUG if verbosity >= 2 else logging.INFO, root.level))
    install_record_factory()
    return handler
