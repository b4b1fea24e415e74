"""Writing one profile section: every byte outside it stays as it was."""

from __future__ import annotations

import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.configfile import BACKUP_SUFFIX, add_sso_session, delete_profile, set_profile
from core.errors import ConfigError
from core.profiles import load_config

ORIGINAL = """\
# managed by hand; keep this comment
[default]
region = us-east-1
cli_pager =

[profile reader]   ; the read-only role
role_arn = arn:aws:iam::123456789012:role/Reader
# old: role_arn = arn:aws:iam::123456789012:role/Old
source_profile = base
s3 =
    max_concurrent_requests = 20
    multipart_threshold = 64MB
granted_sso_extra = keep-me

# the next one is Bob's
[profile base]
region=eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "config"
    path.write_text(ORIGINAL)
    path.chmod(0o640)
    return path


def test_editing_a_setting_changes_only_that_line(config):
    set_profile(config, "reader", {"source_profile": "other"})
    assert config.read_text() == ORIGINAL.replace("source_profile = base", "source_profile = other")


def test_new_settings_go_after_the_last_setting_of_the_section(config):
    set_profile(config, "reader", {"region": "eu-central-1", "mfa_serial": None})
    expected = ORIGINAL.replace(
        "granted_sso_extra = keep-me\n", "granted_sso_extra = keep-me\nregion = eu-central-1\n"
    )
    assert config.read_text() == expected


def test_removing_a_setting_removes_its_nested_lines_too(config):
    set_profile(config, "reader", {"s3": None})
    expected = ORIGINAL.replace(
        "s3 =\n    max_concurrent_requests = 20\n    multipart_threshold = 64MB\n", ""
    )
    assert config.read_text() == expected


def test_adding_a_profile_appends_it_and_leaves_the_rest(config):
    set_profile(
        config, "new", {"role_arn": "arn:aws:iam::123456789012:role/N", "source_profile": "base"}
    )
    text = config.read_text()
    assert text.startswith(ORIGINAL)
    assert text[len(ORIGINAL) :] == (
        "\n[profile new]\nrole_arn = arn:aws:iam::123456789012:role/N\nsource_profile = base\n"
    )
    assert (
        load_config({**os.environ, "AWS_CONFIG_FILE": str(config)}).role("new").source_profile
        == "base"
    )


def test_adding_a_portal_appends_its_sso_session_and_botocore_reads_it(config, tmp_path):
    from core.sso import Portal, portals

    team = Portal("team", "https://team.awsapps.com/start", "eu-central-1")
    add_sso_session(config, team.name, team.section())
    assert config.read_text() == ORIGINAL + (
        "\n[sso-session team]\nsso_start_url = https://team.awsapps.com/start\n"
        "sso_region = eu-central-1\nsso_registration_scopes = sso:account:access\n"
    )
    found = portals(load_config({"AWS_CONFIG_FILE": str(config), "HOME": str(tmp_path)}))
    assert found["team"] == team
    with pytest.raises(ConfigError, match=f"a portal named 'corp' is already in {config}"):
        add_sso_session(config, "corp", team.section())
    with pytest.raises(ConfigError, match="not a usable profile name"):
        add_sso_session(config, "a b", team.section())
    assert found["team"] == team and config.read_text().count("[sso-session") == 2


def test_deleting_a_profile_keeps_the_comment_that_leads_the_next_one(config):
    delete_profile(config, "reader")
    start = ORIGINAL.index("[profile reader]")
    end = ORIGINAL.index("# the next one")
    assert config.read_text() == ORIGINAL[: start - 1] + ORIGINAL[end - 1 :]


def test_renaming_keeps_the_section_body(config):
    set_profile(config, "reader", {}, rename_to="viewer")
    assert config.read_text() == ORIGINAL.replace("[profile reader]", "[profile viewer]")


def test_renaming_onto_an_existing_profile_is_refused(config):
    with pytest.raises(ConfigError, match="'base' already exists"):
        set_profile(config, "reader", {}, rename_to="base")
    assert config.read_text() == ORIGINAL


def test_the_write_keeps_the_mode_and_one_backup(config):
    set_profile(config, "base", {"region": "eu-west-2"})
    set_profile(config, "base", {"region": "eu-west-3"})
    assert stat.S_IMODE(config.stat().st_mode) == 0o640
    backup = config.with_name(config.name + BACKUP_SUFFIX)
    assert "region = eu-west-2" in backup.read_text()
    assert sorted(p.name for p in config.parent.iterdir()) == ["config", "config" + BACKUP_SUFFIX]


def test_crlf_files_stay_crlf(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(b"[profile a]\r\nregion = eu-west-1\r\n")
    set_profile(path, "a", {"output": "json"})
    assert path.read_bytes() == b"[profile a]\r\nregion = eu-west-1\r\noutput = json\r\n"


def test_a_new_file_is_private(tmp_path):
    path = tmp_path / "aws" / "config"
    set_profile(path, "default", {"region": "eu-west-1"})
    assert path.read_text() == "[default]\nregion = eu-west-1\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("profile", "values", "message"),
    [
        ("reader", {"region": "eu-west-1\n[profile evil]"}, "must fit on one line"),
        ("bad name", {"region": "x"}, "not a usable profile name"),
        ("bad]name", {"region": "x"}, "not a usable profile name"),
        ("reader", {"Bad Key": "x"}, "not a config setting name"),
    ],
)
def test_bad_writes_are_refused_and_the_file_is_untouched(config, profile, values, message):
    with pytest.raises(ConfigError, match=message):
        set_profile(config, profile, values)
    assert config.read_text() == ORIGINAL


def test_a_file_that_is_not_utf8_is_not_edited(tmp_path):
    path = tmp_path / "config"
    original = b"[profile a]\nregion = \xff\n"
    path.write_bytes(original)
    with pytest.raises(ConfigError, match="not valid UTF-8"):
        set_profile(path, "a", {"region": "eu-west-1"})
    assert path.read_bytes() == original


def test_deleting_a_profile_that_is_not_there_says_so(config):
    with pytest.raises(ConfigError, match="'ghost' is not in"):
        delete_profile(config, "ghost")
    assert config.read_text() == ORIGINAL


names = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)
values = st.from_regex(r"[A-Za-z0-9:/._-]{1,20}", fullmatch=True)
comments = st.sampled_from(["", "# note\n", "; other tool\n", "\n"])


@settings(max_examples=60, deadline=None)
@given(
    sections=st.lists(
        st.tuples(
            names,
            st.dictionaries(st.sampled_from(["region", "output", "x_tool"]), values),
            comments,
        ),
        min_size=2,
        max_size=5,
        unique_by=lambda s: s[0],
    ),
    pick=st.integers(min_value=0),
    new_value=values,
)
def test_any_file_other_sections_keep_their_exact_bytes(
    tmp_path_factory, sections, pick, new_value
):
    path = tmp_path_factory.mktemp("prop") / "config"
    blocks = [
        lead + f"[profile {name}]\n" + "".join(f"{k} = {v}\n" for k, v in body.items())
        for name, body, lead in sections
    ]
    path.write_text("".join(blocks))
    index = pick % len(sections)
    set_profile(path, sections[index][0], {"region": new_value})
    text = path.read_text()
    for i, block in enumerate(blocks):
        if i != index:
            assert block in text
    prefix = "".join(blocks[:index])
    assert text.startswith(prefix)
