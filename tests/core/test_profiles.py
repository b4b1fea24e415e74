"""Roles as the AWS CLI reads them, with AWS's validation rules naming profile and field."""

from __future__ import annotations

import pytest

from core.errors import ConfigError, ProfileNotFound
from core.profiles import load_config
from tests.conftest import ACCOUNT


def test_a_role_knows_its_account_role_name_region_and_source(aws):
    role = load_config().role("reader")
    assert (role.account_id, role.role_name, role.region) == (ACCOUNT, "Reader", "eu-west-1")
    assert role.chain == ("base",) and role.base_kind == "static" and not role.chained
    assert role.valid


def test_only_profiles_with_role_arn_are_roles(aws):
    config = load_config()
    assert sorted(config.roles) == ["admin", "mfa", "partner", "reader"]
    with pytest.raises(ConfigError, match="profile 'base' has no role_arn"):
        config.role("base")
    with pytest.raises(ProfileNotFound, match="unknown profile 'nope'"):
        config.role("nope")


def test_a_role_whose_source_is_a_role_is_chained_and_capped_at_one_hour(aws):
    role = load_config().role("admin")
    assert role.chain == ("reader", "base")
    assert role.hops == ("reader", "admin")
    assert role.chained
    assert role.duration_seconds == 3600
    assert "capped at 3600" in role.notes[0]


def test_every_setting_the_cli_knows_is_kept(aws):
    config = load_config()
    assert config.role("mfa").mfa_serial == f"arn:aws:iam::{ACCOUNT}:mfa/alice"
    partner = config.role("partner")
    assert (partner.external_id, partner.role_session_name) == ("partner-4711", "alice")


@pytest.mark.parametrize(
    ("partition", "region_ok"), [("aws", True), ("aws-cn", True), ("aws-us-gov", True)]
)
def test_all_three_partitions_are_accepted(aws, partition, region_ok):
    aws.write_config(f"""
        [profile p]
        role_arn = arn:{partition}:iam::{ACCOUNT}:role/team/Deploy
        credential_source = Environment
    """)
    role = load_config().role("p")
    assert role.valid and role.partition == partition and role.role_name == "Deploy"


def test_sources_are_told_apart(aws):
    aws.write_config(f"""
        [profile sso]
        sso_session = corp
        sso_account_id = {ACCOUNT}
        sso_role_name = Dev
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        [profile proc]
        credential_process = /bin/echo
        [profile vaulted]
        region = us-east-2
        [profile via-sso]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = sso
        [profile via-proc]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = proc
        [profile via-keyring]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = vaulted
        [profile via-env]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        credential_source = Environment
    """)
    config = load_config()
    kinds = {n: (r.base_kind, r.base_profile) for n, r in config.roles.items()}
    assert kinds == {
        "sso": ("sso", "sso"),  # an Identity Center role is a role of its own
        "via-sso": ("sso", "sso"),
        "via-proc": ("process", "proc"),
        "via-keyring": ("keyring", "vaulted"),
        "via-env": ("Environment", None),
    }
    assert all(r.valid for r in config.roles.values())


def test_a_role_may_use_the_static_keys_of_its_own_profile(aws):
    aws.write_config(f"""
        [profile self]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = self
        aws_access_key_id = AKIAIOSFODNN7EXAMPLE
        aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
    """)
    role = load_config().role("self")
    assert role.valid and role.base_kind == "static" and role.hops == ("self",)


def test_a_chain_loop_is_an_error_naming_the_profiles(aws):
    aws.write_config(f"""
        [profile a]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = b
        [profile b]
        role_arn = arn:aws:iam::{ACCOUNT}:role/B
        source_profile = c
        [profile c]
        role_arn = arn:aws:iam::{ACCOUNT}:role/C
        source_profile = a
    """)
    with pytest.raises(ConfigError) as err:
        load_config().role("a").check()
    assert str(err.value) == (
        "profile 'a': source_profile: the profiles form a loop: a -> b -> c -> a"
    )


BAD_SETTINGS = [
    ("role_arn", "arn:aws:iam::12345:role/A", "12-digit account"),
    ("role_arn", "arn:aws-foo:iam::123456789012:role/A", "partition aws, aws-cn or aws-us-gov"),
    ("role_arn", "arn:aws:iam::123456789012:user/A", "is not a role ARN"),
    ("duration_seconds", "899", "from 900 to 43200"),
    ("duration_seconds", "43201", "from 900 to 43200"),
    ("duration_seconds", "1h", "from 900 to 43200"),
    ("role_session_name", "x", "2 to 64"),
    ("role_session_name", "has space", "2 to 64"),
    ("role_session_name", "a" * 65, "2 to 64"),
    ("external_id", "a", "2 to 1224"),
    ("external_id", "bad id!", "2 to 1224"),
    ("mfa_serial", "short", "MFA device ARN"),
    ("region", "Europe", "region code"),
    ("credential_source", "Laptop", "is not one of"),
]


@pytest.mark.parametrize(("field", "value", "expected"), BAD_SETTINGS)
def test_each_bad_setting_names_the_profile_and_field(aws, field, value, expected):
    source = "" if field == "credential_source" else "source_profile = base"
    role_arn = value if field == "role_arn" else f"arn:aws:iam::{ACCOUNT}:role/A"
    extra = "" if field == "role_arn" else f"{field} = {value}"
    aws.write_config(f"""
        [profile base]
        [profile broken]
        role_arn = {role_arn}
        {source}
        {extra}
    """)
    role = load_config().role("broken")
    assert not role.valid
    message = str(role.problems[0])
    assert message.startswith(f"profile 'broken': {field}: ")
    assert expected in message


def test_a_missing_source_profile_is_named(aws):
    aws.write_config(f"""
        [profile r]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = ghost
    """)
    assert str(load_config().role("r").problems[0]) == (
        "profile 'r': source_profile: profile 'ghost' does not exist"
    )


def test_a_role_without_any_source_is_an_error(aws):
    aws.write_config(f"""
        [profile r]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
    """)
    assert "needs source_profile or credential_source" in str(load_config().role("r").problems[0])


def test_one_bad_profile_does_not_hide_the_others(aws):
    aws.config.write_text(aws.config.read_text() + "\n[profile bad]\nrole_arn = nope\n")
    config = load_config()
    assert config.role("reader").valid and not config.role("bad").valid


def test_environment_selects_files_profile_and_region(aws, monkeypatch, tmp_path):
    other = tmp_path / "other-config"
    other.write_text(
        f"[profile x]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/X\ncredential_source = Environment\n"
        "region = eu-west-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(other))
    monkeypatch.setenv("AWS_PROFILE", "x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    config = load_config()
    assert list(config.roles) == ["x"] and config.config_file == other
    assert config.default_profile == "x"
    assert config.role("x").region == "ap-south-1"
    monkeypatch.setenv("AWS_REGION", "ca-central-1")
    assert load_config().role("x").region == "ca-central-1"


def test_secrets_from_the_credentials_file_are_not_kept(aws):
    config = load_config()
    assert "base" in config.static_key_profiles
    assert all("aws_secret_access_key" not in s for s in config.profiles.values())


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[profile a\nrole_arn = x\n", "cannot parse the AWS config"),
        (b"[profile a]\nregion=eu-west-1\n[profile a]\nregion=eu-west-2\n", "cannot parse"),
        (b"[profile a]\nregion = \xff\xfe\n", "is not valid UTF-8 text"),
        (b"role_arn = x\n", "cannot parse the AWS config"),
    ],
)
def test_an_unreadable_config_is_one_sentence(aws, content, expected):
    aws.config.write_bytes(content)
    with pytest.raises(ConfigError, match=expected):
        load_config()


def test_an_unreadable_file_says_so(aws, monkeypatch, tmp_path):
    # A directory where the file should be cannot be read, even by root (CI runs as root).
    folder = tmp_path / "config-folder"
    folder.mkdir()
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder))
    with pytest.raises(ConfigError, match="cannot"):
        load_config()


def test_reading_the_config_leaves_the_collector_as_it_found_it(aws):
    import gc

    assert gc.isenabled()
    load_config()
    assert gc.isenabled()
    aws.write_config("[profile broken\nrole_arn = x\n")
    with pytest.raises(ConfigError):
        load_config()
    assert gc.isenabled()
    gc.disable()  # as the app's start-up has it
    try:
        aws.write_config("[profile a]\nregion = eu-west-1\n")
        load_config()
        assert not gc.isenabled()
    finally:
        gc.enable()
