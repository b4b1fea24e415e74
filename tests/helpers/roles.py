"""A role and the config it comes from, made directly (no file, no AWS), for dialog tests."""

from __future__ import annotations

from pathlib import Path

from core.profiles import AwsConfig, RoleProfile

ROLE = RoleProfile(
    name="secure",
    role_arn="arn:aws:iam::123456789012:role/Secure",
    source_profile="base",
    mfa_serial="arn:aws:iam::123456789012:mfa/alice",
    chain=("base",),
    base_profile="base",
    base_kind="static",
)
CONFIG = AwsConfig(
    Path("/nonexistent/config"),
    Path("/nonexistent/credentials"),
    {
        "base": {},
        "secure": {
            "role_arn": ROLE.role_arn,
            "source_profile": "base",
            "mfa_serial": ROLE.mfa_serial,
        },
    },
    frozenset({"base"}),
)
