"""The Identity Center stand-in for tests: two accounts (or many), whose role credentials
are real moto sessions, and the config lines that name it."""

from __future__ import annotations

import re
import subprocess
from typing import Any

from tests.conftest import ACCOUNT, BASE_KEY_ID, BASE_SECRET, ROLECALL, ROOT

PROD = "111111111111"


def moto_credentials(endpoint: str):
    """GetRoleCredentials answered with a real moto session of that account's role."""
    import boto3

    sts = boto3.client(
        "sts",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=BASE_KEY_ID,
        aws_secret_access_key=BASE_SECRET,
    )

    def issue(account_id: str, role_name: str) -> dict[str, Any]:
        c = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName="alice"
        )["Credentials"]
        return {
            "accessKeyId": c["AccessKeyId"],
            "secretAccessKey": c["SecretAccessKey"],
            "sessionToken": c["SessionToken"],
            "expiration": int(c["Expiration"].timestamp() * 1000),
        }

    return issue


def start_portal(endpoint: str, accounts: int | None = None):
    from core.portal_standin import Account, StandIn, many_accounts

    if accounts:
        listed = many_accounts(accounts)
    else:
        listed = [
            Account(PROD, "prod", "prod@example.com", ("Admin", "ReadOnly")),
            Account(ACCOUNT, "dev", "dev@example.com", ("Developer", "ReadOnly")),
        ]
    server = StandIn(listed, issue_credentials=moto_credentials(endpoint))
    server.start()
    return server


def portal_config(url: str) -> str:
    return f"""
[sso-session corp]
sso_start_url = {url}/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = corp
sso_account_id = {ACCOUNT}
sso_role_name = Developer
region = eu-west-1

[profile via-dev]
role_arn = arn:aws:iam::{ACCOUNT}:role/Auditor
source_profile = dev

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = {ACCOUNT}
sso_role_name = Old
"""


def cli_sign_in(standin, *extra: str, env: dict[str, str] | None = None) -> str:
    """`rolecall sso login corp --device-code` in a process of its own, the code typed by
    the test on the stand-in's side; what it said on stderr."""
    process = subprocess.Popen(
        [*ROLECALL, *extra, "sso", "login", "corp", "--device-code"],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert process.stderr is not None
    said = ""
    found = None
    for line in process.stderr:  # debug lines (-vv) may come first
        said += line
        found = re.search(r"open (\S+) on any device and enter the code (\S+) ", line)
        if found or "rolecall: error" in line:
            break
    if not found:
        process.kill()
        process.communicate()
        raise AssertionError(said)
    assert found[1].startswith(standin.url)
    standin.approve_device(found[2])
    _, rest = process.communicate(timeout=60)
    assert process.returncode == 0, said + rest
    return said + rest
