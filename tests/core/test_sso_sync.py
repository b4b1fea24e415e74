"""Saving a portal's roles as profiles: new ones added, its own kept in step, nobody else's
section touched, by a single write of the config."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from botocore.configloader import load_config as botocore_load_config
from botocore.configloader import raw_config_parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import configfile
from core.configfile import BACKUP_SUFFIX, edit_profiles
from core.errors import ConfigError
from core.profiles import load_config, validate_profile_name
from core.sso import Portal, PortalRole
from core.sso_sync import DEFAULT_TEMPLATE, MARKER, profile_name, sync_profiles
from tests.core.test_configfile import comments, names, values

CORP = Portal("corp", "https://corp.awsapps.com/start", "eu-west-1")
OTHER = Portal("other", "https://other.awsapps.com/start", "us-east-1")
OLD_URL = "https://old.awsapps.com/start"
LEGACY = Portal(OLD_URL, OLD_URL, "eu-north-1", legacy=True)
PROD_ADMIN = PortalRole("111111111111", "Prod", "Admin")
PROD_READ = PortalRole("111111111111", "Prod", "ReadOnly")
DEV_ADMIN = PortalRole("222222222222", "Dev Box", "Admin")
ROLES = [PROD_ADMIN, PROD_READ, DEV_ADMIN]

HAND_WRITTEN = """\
# my own settings; keep this comment
[default]
region = us-east-1

[profile Prod/Admin]   ; written by hand, before any sync
role_arn = arn:aws:iam::111111111111:role/Admin
source_profile = default

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
"""


def parsed(path: Path) -> dict:
    """The config as the AWS CLI's own parser reads it."""
    return raw_config_parse(str(path))


def section(name: str, portal: Portal, role: PortalRole, region: str | None = None) -> str:
    return (
        f"[profile {name}]\n"
        f"sso_session = {portal.name}\n"
        f"sso_account_id = {role.account_id}\n"
        f"sso_role_name = {role.role_name}\n"
        f"region = {region or portal.region}\n"
        f"{MARKER} = {portal.name}\n"
    )


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config"
    path.write_text(HAND_WRITTEN)
    return path


def test_the_first_sync_writes_sections_the_aws_cli_reads_back(tmp_path):
    path = tmp_path / "config"
    result = sync_profiles(path, CORP, ROLES)
    assert result.added == ["Prod/Admin", "Prod/ReadOnly", "Dev-Box/Admin"]
    raw = parsed(path)
    assert raw["profile Dev-Box/Admin"] == {
        "sso_session": "corp",
        "sso_account_id": "222222222222",
        "sso_role_name": "Admin",
        "region": "eu-west-1",
        MARKER: "corp",
    }
    profiles = botocore_load_config(str(path))["profiles"]
    assert sorted(profiles) == ["Dev-Box/Admin", "Prod/Admin", "Prod/ReadOnly"]
    env = {**os.environ, "AWS_CONFIG_FILE": str(path)}
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
    role = load_config(env).role("Prod/ReadOnly")
    assert (role.base_kind, role.sso_portal, role.sso_role_name) == ("sso", "corp", "ReadOnly")
    assert role.account_id == PROD_READ.account_id


def test_the_first_sync_appends_after_the_files_own_text(config):
    sync_profiles(config, CORP, [DEV_ADMIN])
    assert config.read_text() == HAND_WRITTEN + "\n" + section("Dev-Box/Admin", CORP, DEV_ADMIN)


def test_a_role_that_is_gone_takes_only_its_own_section_away(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, CORP, ROLES)
    before = path.read_text()
    result = sync_profiles(path, CORP, [PROD_ADMIN, DEV_ADMIN])
    assert (result.removed, result.added, result.updated) == (["Prod/ReadOnly"], [], [])
    assert result.unchanged == ["Prod/Admin", "Dev-Box/Admin"]
    assert path.read_text() == before.replace("\n" + section("Prod/ReadOnly", CORP, PROD_READ), "")


def test_a_new_role_is_added_and_the_others_stay_as_they_were(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, CORP, [PROD_ADMIN])
    before = path.read_text()
    result = sync_profiles(path, CORP, [PROD_ADMIN, DEV_ADMIN])
    assert (result.added, result.unchanged) == (["Dev-Box/Admin"], ["Prod/Admin"])
    assert path.read_text() == before + "\n" + section("Dev-Box/Admin", CORP, DEV_ADMIN)


def test_a_hand_written_section_of_the_same_name_stays_and_the_new_one_gets_a_suffix(config):
    result = sync_profiles(config, CORP, [PROD_ADMIN])
    assert result.added == ["Prod/Admin-2"]
    assert result.renamed_for_collision == {"Prod/Admin-2": "Prod/Admin"}
    assert config.read_text() == HAND_WRITTEN + "\n" + section("Prod/Admin-2", CORP, PROD_ADMIN)
    again = sync_profiles(config, CORP, [PROD_ADMIN])
    assert again.unchanged == ["Prod/Admin-2"] and not again.changed


def test_two_roles_that_give_the_same_name_are_told_apart(tmp_path):
    path = tmp_path / "config"
    twin = PortalRole("333333333333", "Prod", "Admin")
    result = sync_profiles(path, CORP, [PROD_ADMIN, twin])
    assert result.added == ["Prod/Admin", "Prod/Admin-2"]
    assert parsed(path)["profile Prod/Admin-2"]["sso_account_id"] == "333333333333"


def test_a_suffix_goes_once_the_plain_name_is_free(config):
    sync_profiles(config, CORP, [PROD_ADMIN])
    config.write_text(config.read_text().replace("[profile Prod/Admin]", "[profile mine]"))
    result = sync_profiles(config, CORP, [PROD_ADMIN])
    assert result.renamed == {"Prod/Admin-2": "Prod/Admin"} and result.updated == ["Prod/Admin"]
    assert result.renamed_for_collision == {}
    assert parsed(config)["profile Prod/Admin"][MARKER] == "corp"


def test_hand_edits_inside_a_synced_section_survive_a_resync(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, CORP, [PROD_ADMIN])
    edited = path.read_text().replace(
        "sso_role_name = Admin\n", "sso_role_name = Admin\n# careful: production\noutput = json\n"
    )
    path.write_text(edited)
    result = sync_profiles(path, CORP, [PROD_ADMIN], region="eu-central-1")
    assert result.updated == ["Prod/Admin"]
    assert path.read_text() == edited.replace("region = eu-west-1", "region = eu-central-1")


def test_another_portals_sections_are_never_touched(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, OTHER, [PROD_ADMIN, DEV_ADMIN])
    theirs = path.read_text()
    result = sync_profiles(path, CORP, [PROD_ADMIN])
    assert (result.added, result.removed) == (["Prod/Admin-2"], [])
    text = path.read_text()
    assert text.startswith(theirs)
    sync_profiles(path, CORP, [])
    assert path.read_text() == theirs


def test_a_section_it_cannot_tell_for_its_own_is_left_alone(tmp_path):
    path = tmp_path / "config"
    theirs = (
        f"[profile  Prod/Admin]\n{MARKER} = corp\nsso_account_id = 111111111111\n"
        f"sso_role_name = Admin\n\n[profile Dev-Box/Admin]\n{MARKER} = corp\n"
    )
    path.write_text(theirs)
    result = sync_profiles(path, CORP, [PROD_ADMIN, DEV_ADMIN])
    assert result.added == ["Prod/Admin-2", "Dev-Box/Admin-2"] and result.removed == []
    sync_profiles(path, CORP, [])
    assert path.read_text() == theirs


def test_a_template_change_renames_the_section_and_keeps_its_body(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, CORP, [PROD_ADMIN])
    path.write_text(path.read_text() + "output = json\n")
    result = sync_profiles(path, CORP, [PROD_ADMIN], template="{account_id}-{role_name}")
    assert result.renamed == {"Prod/Admin": "111111111111-Admin"}
    assert result.updated == ["111111111111-Admin"] and result.added == []
    assert parsed(path)["profile 111111111111-Admin"]["output"] == "json"
    assert "profile Prod/Admin" not in parsed(path)


def test_a_dry_run_reports_the_same_and_writes_nothing(config):
    before = config.read_bytes()
    stamp = config.stat().st_mtime_ns
    planned = sync_profiles(config, CORP, ROLES, dry_run=True)
    assert config.read_bytes() == before and config.stat().st_mtime_ns == stamp
    assert sorted(p.name for p in config.parent.iterdir()) == ["config"]
    assert sync_profiles(config, CORP, ROLES) == planned


def test_a_dry_run_on_a_missing_file_creates_nothing(tmp_path):
    path = tmp_path / "aws" / "config"
    assert sync_profiles(path, CORP, ROLES, dry_run=True).added == [
        "Prod/Admin",
        "Prod/ReadOnly",
        "Dev-Box/Admin",
    ]
    assert not path.parent.exists()


def test_a_sync_that_changes_nothing_does_not_rewrite_the_file(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, CORP, ROLES)
    stamp = path.stat().st_mtime_ns
    result = sync_profiles(path, CORP, list(reversed(ROLES)))
    assert not result.changed
    assert sorted(result.unchanged) == ["Dev-Box/Admin", "Prod/Admin", "Prod/ReadOnly"]
    assert path.stat().st_mtime_ns == stamp
    assert not path.with_name(path.name + BACKUP_SUFFIX).exists()


def test_a_legacy_portal_writes_the_start_url_and_region_into_each_profile(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, LEGACY, [PROD_ADMIN])
    assert parsed(path)["profile Prod/Admin"] == {
        "sso_start_url": OLD_URL,
        "sso_region": "eu-north-1",
        "sso_account_id": "111111111111",
        "sso_role_name": "Admin",
        "region": "eu-north-1",
        MARKER: OLD_URL,
    }


def test_the_marker_survives_aws_configure(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, CORP, [PROD_ADMIN])
    env = {**os.environ, "AWS_CONFIG_FILE": str(path)}
    aws = [str(Path(sys.executable).parent / "aws"), "configure"]
    subprocess.run([*aws, "set", "output", "json", "--profile", "Prod/Admin"], env=env, check=True)
    got = subprocess.run(
        [*aws, "get", MARKER, "--profile", "Prod/Admin"], env=env, capture_output=True, text=True
    )
    assert got.stdout.strip() == "corp"
    result = sync_profiles(path, CORP, [PROD_ADMIN])
    assert result.unchanged == ["Prod/Admin"]
    assert parsed(path)["profile Prod/Admin"]["output"] == "json"


@pytest.mark.parametrize(
    ("template", "role", "expected"),
    [
        (DEFAULT_TEMPLATE, PortalRole("1", "Prod EU", "Admin"), "Prod-EU/Admin"),
        (DEFAULT_TEMPLATE, PortalRole("1", "Prod - EU", "Admin"), "Prod-EU/Admin"),
        (DEFAULT_TEMPLATE, PortalRole("1", "  Prod\tEU  ", "Admin"), "Prod-EU/Admin"),
        (DEFAULT_TEMPLATE, PortalRole("1", "R&D (old)", "Admin"), "RD-old/Admin"),
        (DEFAULT_TEMPLATE, PortalRole("1", "[prod]; #1", "Admin"), "prod-1/Admin"),
        (DEFAULT_TEMPLATE, PortalRole("1", "Zürich", "Admin"), "Zürich/Admin"),
        (DEFAULT_TEMPLATE, PortalRole("1", "a+b=c,d.e@f:g_h", "x"), "a+b=c,d.e@f:g_h/x"),
        ("{account_id}.{role_name}", PortalRole("1234", "x", "Admin"), "1234.Admin"),
        ("{portal}:{role_name}", PortalRole("1", "x", "Admin"), "corp:Admin"),
        ("{account_name}", PortalRole("111111111111", "!!!", "Admin"), "111111111111/Admin"),
        ("{account_name}", PortalRole("1", "a" * 200, "Admin"), "a" * 128),
        ("{account_name}", PortalRole("1", "a" * 127 + " b", "Admin"), "a" * 127),
        ("{{{role_name}}}", PortalRole("1", "x", "Admin"), "Admin"),
    ],
)
def test_a_template_gives_a_usable_profile_name(template, role, expected):
    name = profile_name(template, role, CORP)
    assert name == expected
    assert validate_profile_name(name) == name


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{account}/{role_name}", r"uses \{account\}, which is not a field: use \{account_name\}"),
        ("{}", r"uses \{\}, which is not a field"),
        ("{account_name.upper}", "which is not a field"),
        ("{account_name", "unmatched brace"),
        ("{account_name:d}", "cannot be filled in"),
    ],
)
def test_a_template_it_cannot_fill_in_is_a_sentence(config, template, message):
    with pytest.raises(ConfigError, match=message):
        sync_profiles(config, CORP, ROLES, template=template)
    assert config.read_text() == HAND_WRITTEN


def test_errors_name_the_file_and_leave_it_as_it_was(tmp_path):
    path = tmp_path / "config"
    sync_profiles(path, CORP, [PROD_ADMIN])
    doubled = path.read_text() * 2
    path.write_text(doubled)
    with pytest.raises(ConfigError, match=f"appears 2 times in {re.escape(str(path))}"):
        sync_profiles(path, CORP, [])
    assert path.read_text() == doubled
    path.write_bytes(b"[profile a]\nregion = \xff\n")
    with pytest.raises(ConfigError, match=f"{re.escape(str(path))} is not valid UTF-8"):
        sync_profiles(path, CORP, ROLES)


def test_crlf_files_get_crlf_sections(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(b"[profile a]\r\nregion = eu-west-1\r\n")
    sync_profiles(path, CORP, [PROD_ADMIN])
    assert path.read_bytes() == (
        b"[profile a]\r\nregion = eu-west-1\r\n\r\n"
        + section("Prod/Admin", CORP, PROD_ADMIN).replace("\n", "\r\n").encode()
    )


def test_several_edits_are_one_write(tmp_path, monkeypatch):
    path = tmp_path / "config"
    path.write_text("[profile a]\nregion = x\n\n[profile b]\nregion = y\n\n[profile c]\n")
    writes = []
    real = configfile._write
    monkeypatch.setattr(configfile, "_write", lambda *a: writes.append(a) or real(*a))
    edit_profiles(
        path, {"a": {"region": "z"}, "b": None}, renames={"c": "d"}, add={"e": {"k": "v"}}
    )
    assert len(writes) == 1
    assert path.read_text() == "[profile a]\nregion = z\n\n[profile d]\n\n[profile e]\nk = v\n"


def test_six_hundred_roles_into_a_big_config_are_one_quick_write(tmp_path, monkeypatch):
    path = tmp_path / "config"
    path.write_text(
        "".join(f"[profile hand-{i}]\nregion = eu-west-1\noutput = json\n\n" for i in range(500))
    )
    assert len(path.read_text().splitlines()) == 2000
    roles = [
        PortalRole(f"{100000000000 + i // 3}", f"acct {i // 3}", f"Role{i % 3}") for i in range(600)
    ]
    writes = []
    real = configfile._write
    monkeypatch.setattr(configfile, "_write", lambda *a: writes.append(a) or real(*a))
    started = time.perf_counter()
    result = sync_profiles(path, CORP, roles)
    elapsed = time.perf_counter() - started
    assert len(result.added) == 600 and len(writes) == 1
    assert elapsed < 2.0  # about 20 ms here; the bound only catches a per-role rewrite
    assert len(botocore_load_config(str(path))["profiles"]) == 1100


# The fuzzing: any config built from the same pieces as test_configfile's, with sections of
# its own (this portal's and another's) mixed in, and any roles.

ACCOUNTS = ["111111111111", "222222222222", "333333333333"]
ROLE_NAMES = ["Admin", "ReadOnly", "dev"]
shared_names = st.one_of(names, st.sampled_from(["dev", "admin", "dev/admin", "admin/dev", "x"]))
roles = st.builds(PortalRole, st.sampled_from(ACCOUNTS), shared_names, st.sampled_from(ROLE_NAMES))


@st.composite
def sections(draw):
    """(name, text) of a hand-written section, or of one synced for this portal or another."""
    name = draw(st.one_of(shared_names, st.sampled_from(["default", "sso-session corp"])))
    header = draw(st.sampled_from(["[profile {}]", "[profile {}]  ; note", "[profile  {}]"]))
    header = f"[{name}]" if name in ("default", "sso-session corp") else header.format(name)
    body = draw(st.dictionaries(st.sampled_from(["region", "output", "x_tool"]), values))
    owner = draw(st.sampled_from([None, "corp", "other"]))
    if owner is not None:
        body = {
            **body,
            "sso_session": owner,
            "sso_account_id": draw(st.sampled_from(ACCOUNTS)),
            "sso_role_name": draw(st.sampled_from(ROLE_NAMES)),
            MARKER: owner,
        }
    lines = [f"{k} = {v}\n" for k, v in body.items()]
    lines.insert(draw(st.integers(0, len(lines))), draw(comments))
    return name, draw(comments) + header + "\n" + "".join(lines) + draw(comments)


def is_filler(line: str) -> bool:
    return not line.strip() or line.strip()[0] in "#;"


def without_synced(text: str, portal: str) -> str:
    """The text with this portal's synced sections taken out, each with the blank line right
    before it: worked out here, apart from the code under test."""
    lines = text.splitlines(keepends=True)
    headers = [i for i, line in enumerate(lines) if re.match(r"\s*\[", line)]
    gone: set[int] = set()
    for n, start in enumerate(headers):
        end = headers[n + 1] if n + 1 < len(headers) else len(lines)
        while end > start + 1 and is_filler(lines[end - 1]):
            end -= 1
        marks = [re.fullmatch(rf"{MARKER}\s*=\s*(.*?)\s*", line) for line in lines[start:end]]
        if any(m and m[1] == portal for m in marks):
            gone.update(range(start, end))
            if start > 0 and not lines[start - 1].strip():
                gone.add(start - 1)
    return "".join(line for i, line in enumerate(lines) if i not in gone)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    blocks=st.lists(sections(), max_size=6, unique_by=lambda s: s[0]),
    tail=st.sampled_from(["", "\n", "\n\n", "# the end\n", "# the end", "\n  "]),
    cut_last_newline=st.booleans(),
    wanted=st.lists(roles, max_size=6),
    template=st.sampled_from([DEFAULT_TEMPLATE, "{account_name}", "{role_name}"]),
)
def test_any_config_keeps_every_byte_outside_its_synced_sections(
    tmp_path_factory, blocks, tail, cut_last_newline, wanted, template
):
    original = "".join(text for _, text in blocks) + tail
    if cut_last_newline:
        original = original.removesuffix("\n")
    path = tmp_path_factory.mktemp("sync") / "config"
    path.write_text(original)

    result = sync_profiles(path, CORP, wanted, template=template)
    text = path.read_text()

    expected = without_synced(original, "corp")
    last = expected.splitlines(keepends=True)[-1:]
    if result.added and last and last[0].strip() and not last[0].endswith("\n"):
        expected += "\n"  # the one byte it may add outside: the end of the file's last line
    assert without_synced(text, "corp") == expected

    profiles = botocore_load_config(str(path))["profiles"]
    synced = {
        (p["sso_account_id"], p["sso_role_name"]): name
        for name, p in profiles.items()
        if p.get(MARKER) == "corp" and name in (*result.added, *result.updated, *result.unchanged)
    }
    assert set(synced) == {(r.account_id, r.role_name) for r in wanted}
    assert len(result.added) + len(result.updated) + len(result.unchanged) == len(synced)
    for name in synced.values():
        assert profiles[name]["sso_session"] == "corp" and profiles[name]["region"] == "eu-west-1"

    again = sync_profiles(path, CORP, wanted, template=template)
    assert not again.changed and path.read_text() == text


def test_a_default_section_with_a_copied_marker_is_never_taken_for_its_own(tmp_path):
    path = tmp_path / "config"
    copied = section("x", CORP, PROD_ADMIN).replace("[profile x]", "[default]")
    path.write_text(copied)
    sync_profiles(path, CORP, [PROD_ADMIN])
    assert path.read_text().startswith(copied)  # [default] stays as it was
    assert "[profile Prod/Admin]" in path.read_text()
    sync_profiles(path, CORP, [])  # the role gone: only the section it wrote goes
    assert path.read_text() == copied
