"""Every item model passes Qt's model tester, loaded as the app loads it; the role model keeps
each role's busy and failure marks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex

from core.credentials import TemporaryCredentials
from core.pages import ScanPage
from core.profiles import AwsConfig, load_config
from gui.items_model import ItemsModel, ItemsSorter, prepared
from gui.models import BUSY, ERROR, PROFILE, ROLE, RoleModel, SessionModel
from gui.sessions import SessionManager
from tests.helpers.dynamo import create_table, dynamodb_client
from tests.helpers.stubs import FakeClock, FakeTimer
from tests.helpers.windows import assume

ACCOUNTS = ("111111111111", "222222222222", "333333333333")


def config_with(tmp_path, roles_per_account: int, alias: bool = True) -> AwsConfig:
    """A config of three accounts with `roles_per_account` roles each, and one broken role."""
    lines = ["[profile base]", "region = eu-west-1", ""]
    for account in ACCOUNTS:
        for i in range(roles_per_account):
            lines += [
                f"[profile r{account[0]}-{i}]",
                f"role_arn = arn:aws:iam::{account}:role/R{i}",
            ]
            lines += ["source_profile = base", ""]
        if alias:
            lines += [f"[profile r{account[0]}-aliased]", "source_profile = base"]
            lines += [f"role_arn = arn:aws:iam::{account}:role/Aliased"]
            lines += [f"account_alias = team-{account[0]}", ""]
    lines += ["[profile broken]", "role_arn = nope", "source_profile = base", ""]
    path = tmp_path / f"config-{roles_per_account}"
    path.write_text("\n".join(lines))
    none = tmp_path / "no-credentials"
    return load_config({"AWS_CONFIG_FILE": str(path), "AWS_SHARED_CREDENTIALS_FILE": str(none)})


def session(profile: str, clock: FakeClock, minutes: int) -> TemporaryCredentials:
    return TemporaryCredentials(
        f"ASIA{uuid.uuid4().hex[:16].upper()}",
        "s" * 40,
        "t" * 64,
        clock() + timedelta(minutes=minutes),
        f"arn:aws:sts::111111111111:assumed-role/R/{profile}",
        profile,
    )


@pytest.fixture
def sessions():
    return SessionManager(FakeClock(), timer=FakeTimer())


def test_the_role_model_passes_the_model_tester_loaded_and_reloaded(qtmodeltester, tmp_path):
    model = RoleModel()
    model.load(config_with(tmp_path, 3))
    qtmodeltester.check(model)
    assert model.rowCount() == 4  # three accounts, and the broken role's "unknown account"
    assert len(model.rows) == 3 * 4 + 1
    model.load(config_with(tmp_path, 1, alias=False))
    qtmodeltester.check(model)
    assert len(model.rows) == 3 + 1


def shown(model: RoleModel, text: str) -> list[str]:
    """The profiles a search for `text` leaves in the list, in order."""
    hidden = model.hidden_rows(text)
    names = []
    for a in range(model.rowCount()):
        account = model.index(a, 0)
        for r in range(model.rowCount(account)):
            role = model.index(r, 0, account)
            assert model.row_place(model.row_number(role)) == (a, r)
            if model.row_number(role) not in hidden:
                assert model.row_number(account) not in hidden, "a role under a hidden account"
                names.append(role.data(PROFILE))
    return names


def shown_accounts(model: RoleModel, text: str) -> list[str]:
    hidden = model.hidden_rows(text)
    accounts = [model.index(a, 0) for a in range(model.rowCount())]
    assert [model.row_place(model.row_number(a)) for a in accounts] == [
        (a, -1) for a in range(len(accounts))
    ]
    return [a.data() for a in accounts if model.row_number(a) not in hidden]


def test_a_search_for_an_alias_shows_that_account_with_all_its_roles(tmp_path):
    model = RoleModel()
    model.load(config_with(tmp_path, 3))
    assert shown(model, "team-2") == ["r2-0", "r2-1", "r2-2", "r2-aliased"]
    assert shown_accounts(model, "team-2") == ["222222222222 · team-2"]
    assert shown(model, "r3 aliased") == ["r3-aliased"]
    assert len(shown_accounts(model, "r3 aliased")) == 1  # only the account holding it
    assert shown_accounts(model, "no such role") == [] and shown(model, "no such role") == []


def test_the_role_filter_matches_every_word_in_any_order_any_case_and_literally(tmp_path):
    model = RoleModel()
    model.load(config_with(tmp_path, 2))
    assert shown(model, "ALIASED R1") == ["r1-aliased"]  # words in any order and case
    assert shown(model, "222 -1") == ["r2-1"]  # an account number and part of a profile name
    assert shown(model, "r2-1") == ["r2-1"]
    assert shown(model, "r.-1") == []  # a search is literal text, not a pattern
    assert shown(model, "(") == []
    assert len(shown(model, "  ")) == len(model.rows)


def test_a_search_applies_to_the_roles_of_a_reloaded_config(tmp_path):
    model = RoleModel()
    model.load(config_with(tmp_path, 3))
    model.load(config_with(tmp_path, 1, alias=False))
    assert shown(model, "r1") == ["r1-0"] and shown(model, "aliased") == []


def test_the_role_list_shows_what_each_search_leaves_as_the_view_draws_it(
    qtbot, tmp_path, sessions
):
    from gui.role_list import RoleList

    model = RoleModel()
    roles = RoleList(model, sessions, session_model=SessionModel(sessions))
    qtbot.addWidget(roles)
    model.load(config_with(tmp_path, 3))
    roles.show()

    def drawn() -> list[str]:  # walked as the view goes from row to row
        index, names = roles.tree.indexAt(roles.tree.viewport().rect().topLeft()), []
        while index.isValid():
            if index.data(ROLE) is not None:
                names.append(index.data(PROFILE))
            index = roles.tree.indexBelow(index)
        return names

    roles.tree.resize(300, 2000)  # every row on screen
    everything = drawn()
    assert len(everything) == len(model.rows)
    # Searches that hide whole accounts, then bring one back with only some of its roles, then
    # everything: each time the view shows exactly what the search leaves.
    for text in ("r1-", "r2-1", "aliased", "r3", "", "team-2 r2-2", "nothing", "r1-0", ""):
        roles.search.setText(text)
        assert drawn() == shown(model, text), text
    assert drawn() == everything
    roles.search.setText("r2-")
    assert roles.tree.currentIndex().data(PROFILE) == "r2-0"  # the first shown is picked
    model.load(config_with(tmp_path, 1, alias=False))  # a reload keeps the search
    assert drawn() == ["r2-0"]


def test_the_session_model_passes_the_model_tester_with_sessions(qtmodeltester, sessions):
    model = SessionModel(sessions)
    for profile, minutes in (("late", 50), ("soon", 4), ("middle", 20)):
        sessions.put(session(profile, sessions.clock, minutes), False, timedelta(hours=1))
    qtmodeltester.check(model)
    assert model.profiles == ["soon", "middle", "late"]
    sessions.remove("middle")
    qtmodeltester.check(model)
    assert [model.index(r).data(PROFILE) for r in range(model.rowCount())] == ["soon", "late"]


def test_the_items_model_passes_the_model_tester_with_pages_loaded(qtmodeltester):
    model = ItemsModel()
    model.reset(("pk", "sk"))
    for page in range(3):
        items = [
            {"pk": {"S": f"p{page}"}, "sk": {"N": str(i)}, f"extra{page}": {"S": "x"}}
            for i in range(10)
        ]
        last = {"pk": {"S": f"p{page}"}, "sk": {"N": "9"}} if page < 2 else None
        model.add_page(prepared(ScanPage(items, last, 10, 10)))
    qtmodeltester.check(model)
    assert model.rowCount() == 30 and model.columns == ["pk", "sk", "extra0", "extra1", "extra2"]
    sorter = ItemsSorter()
    sorter.setSourceModel(model)
    sorter.sort(1)
    qtmodeltester.check(sorter)


def test_the_browsers_table_list_passes_the_model_tester(window, qtbot, qtmodeltester):
    client = dynamodb_client()
    names = [create_table(client, f"List-{uuid.uuid4().hex[:8]}", {"id": "S"}) for _ in range(3)]
    assume(qtbot, window, "reader")
    browser = window.browse()
    qtbot.addWidget(browser)
    tables = browser.tables.list
    qtbot.waitUntil(
        lambda: set(names) <= {tables.item(r).text() for r in range(tables.count())},
        timeout=20000,
    )
    qtmodeltester.check(tables.model())


def test_busy_and_failure_marks_change_only_their_row(tmp_path):
    model = RoleModel()
    model.load(config_with(tmp_path, 2))
    changed: list[tuple[str, str, list[int]]] = []

    def record(top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        changed.append((top.data(PROFILE), bottom.data(PROFILE), list(roles)))

    model.dataChanged.connect(record)
    model.set_error("r1-0", "AccessDenied: not allowed")
    assert model.error("r1-0") == "AccessDenied: not allowed" and not model.busy("r1-0")
    model.set_busy("r1-0", True)  # a new try: the last failure is no longer said
    assert model.busy("r1-0") and model.error("r1-0") is None
    model.set_busy("r1-0", False)
    assert changed == [
        ("r1-0", "r1-0", [ERROR]),
        ("r1-0", "r1-0", [BUSY]),
        ("r1-0", "r1-0", [ERROR]),
        ("r1-0", "r1-0", [BUSY]),
    ]
    assert model.rows["r1-0"].data(ROLE).name == "r1-0"


def test_the_marks_outlive_a_reload_of_the_config(tmp_path):
    model = RoleModel()
    model.load(config_with(tmp_path, 2))
    model.set_busy("r1-0", True)
    model.set_error("r2-1", "the network is down")
    model.load(config_with(tmp_path, 2))
    assert model.busy("r1-0") and model.error("r2-1") == "the network is down"
    assert not model.busy("r2-1") and model.error("r1-0") is None
    model.set_busy("gone", True)  # a role the config no longer has: nothing to mark
    assert not model.busy("gone") and model.rows.get("gone") is None
