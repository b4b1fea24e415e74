"""Every bad input answered: one table of cases per surface (the AWS config, CLI arguments, the
role form, MFA codes, DynamoDB inputs, Lambda events). For each case: the message a person
sees, that the app or CLI goes on working, and that no file changed. Add a row to add a case."""

from __future__ import annotations

import io
import json
import uuid
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from core import cli
from tests.conftest import ACCOUNT
from tests.helpers.dynamo import create_table, dynamodb_client
from tests.helpers.windows import assume, open_table, wait_any

GOOD = f"""[profile base]
region = eu-west-1

[profile ok]
role_arn = arn:aws:iam::{ACCOUNT}:role/Ok
source_profile = base
"""


def with_role(**settings: str | None) -> str:
    body = {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Bad", "source_profile": "base", **settings}
    lines = "".join(f"{k} = {v}\n" for k, v in body.items() if v is not None)
    return f"{GOOD}\n[profile bad]\n{lines}"


def snapshot(*paths: Path) -> dict[Path, bytes | None]:
    return {p: (p.read_bytes() if p.is_file() else None) for p in paths}


def rolecall(*args: str) -> tuple[int, str, str]:
    """The CLI in this process (as `rolecall ARGS` would run it), with its output captured."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


# ---- the AWS config ---------------------------------------------------------------------
# (case, file content, exit code of `rolecall list`, what the person reads, whether the good
# role `ok` is still listed and usable)
CONFIG_CASES = [
    (
        "malformed header",
        GOOD + "[profile broken\nregion = x\n",
        2,
        "line 7: '[profile broken' is not a [section] or a 'key = value'",
        False,
    ),
    (
        "setting before any section",
        "region = eu-west-1\n" + GOOD,
        2,
        "line 1: 'region = eu-west-1' comes before any [section] header",
        False,
    ),
    (
        "duplicate section",
        GOOD + "\n[profile ok]\nregion = us-east-1\n",
        2,
        "line 8: the section [profile ok] appears twice",
        False,
    ),
    (
        "duplicate setting",
        GOOD + "region = us-east-1\nregion = eu-west-2\n",
        2,
        "'region' is set twice in [profile ok]",
        False,
    ),
    (
        "non-UTF-8 bytes",
        GOOD.encode() + b"\n[profile x]\nregion = \xff\xfe\n",
        2,
        "is not valid UTF-8 text; save it as UTF-8",
        False,
    ),
    (
        "role without a source",
        with_role(source_profile=None),
        0,
        "profile 'bad': source_profile: a role needs source_profile or credential_source",
        True,
    ),
    (
        "missing source profile",
        with_role(source_profile="ghost"),
        0,
        "profile 'bad': source_profile: profile 'ghost' does not exist",
        True,
    ),
    (
        "chain loop",
        GOOD + f"\n[profile a]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/A\n"
        f"source_profile = b\n\n[profile b]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/B\n"
        "source_profile = a\n",
        0,
        "profile 'a': source_profile: the profiles form a loop: a -> b -> a",
        True,
    ),
    (
        "role that is its own source",
        GOOD + f"\n[profile a]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/A\nsource_profile = a\n",
        0,
        "the profiles form a loop: a -> a",
        True,
    ),
    (
        "ARN that is not an ARN",
        with_role(role_arn="not-an-arn"),
        0,
        "role_arn: 'not-an-arn' is not a role ARN",
        True,
    ),
    (
        "ARN of another service",
        with_role(role_arn="arn:aws:s3:::bucket"),
        0,
        "role_arn: 'arn:aws:s3:::bucket' is not a role ARN",
        True,
    ),
    (
        "ARN with a short account",
        with_role(role_arn="arn:aws:iam::12345:role/R"),
        0,
        "role_arn: 'arn:aws:iam::12345:role/R' is not a role ARN",
        True,
    ),
    (
        "ARN of a user",
        with_role(role_arn=f"arn:aws:iam::{ACCOUNT}:user/alice"),
        0,
        "is not a role ARN; expected arn:aws:iam::123456789012:role/NAME",
        True,
    ),
    (
        "duration too short",
        with_role(duration_seconds="899"),
        0,
        "duration_seconds: '899' must be a whole number from 900 to 43200",
        True,
    ),
    (
        "duration too long",
        with_role(duration_seconds="43201"),
        0,
        "duration_seconds: '43201' must be a whole number from 900 to 43200",
        True,
    ),
    (
        "duration with a unit",
        with_role(duration_seconds="1h"),
        0,
        "duration_seconds: '1h' must be a whole number",
        True,
    ),
    (
        "negative duration",
        with_role(duration_seconds="-900"),
        0,
        "duration_seconds: '-900' must be a whole number",
        True,
    ),
    (
        "MFA serial that is a code",
        with_role(mfa_serial="123456"),
        0,
        "mfa_serial: '123456' is not valid: use an MFA device ARN",
        True,
    ),
    (
        "external id too short",
        with_role(external_id="x"),
        0,
        "external_id: 'x' is not valid: use 2 to 1224 letters",
        True,
    ),
    (
        "external id with a space",
        with_role(external_id="has space"),
        0,
        "external_id: 'has space' is not valid",
        True,
    ),
    (
        "session name with a space",
        with_role(role_session_name="a b"),
        0,
        "role_session_name: 'a b' is not valid: use 2 to 64 letters",
        True,
    ),
    (
        "session name too long",
        with_role(role_session_name="session-" * 9),
        0,
        "role_session_name: '" + "session-" * 9 + "' is not valid",
        True,
    ),
    (
        "unknown region",
        with_role(region="mars-1"),
        0,
        "region: 'mars-1' is not valid: use a region code such as eu-west-1",
        True,
    ),
    (
        "two sources",
        with_role(credential_source="Environment"),
        0,
        "set source_profile or credential_source, not both",
        True,
    ),
    (
        "unknown credential source",
        with_role(source_profile=None, credential_source="Laptop"),
        0,
        "credential_source: 'Laptop' is not one of Environment, Ec2InstanceMetadata, EcsContainer",
        True,
    ),
]


@pytest.mark.parametrize(
    ("content", "code", "message", "ok_listed"),
    [c[1:] for c in CONFIG_CASES],
    ids=[c[0] for c in CONFIG_CASES],
)
def test_config_cases(aws, content, code, message, ok_listed):
    if isinstance(content, str):
        content = content.encode()
    aws.config.write_bytes(content)
    before = snapshot(aws.config, aws.credentials)
    status, out, err = rolecall("list")
    assert status == code
    assert message in err
    assert "Traceback" not in err + out
    if ok_listed:  # the bad profile is flagged; the others are listed and work
        listed = {line.split()[0]: line for line in out.splitlines()[1:]}
        assert "ok" in listed and "INVALID" not in listed["ok"]
        assert any("INVALID" in line for line in listed.values())
        status, out, err = rolecall("export", "ok", "--no-cache")
        assert status == 0, err
        assert "AWS_SESSION_TOKEN" in out
        status, _, err = rolecall("export", "bad", "--no-cache")
        if "bad" in listed:
            assert status == 2 and message in err
    else:
        assert err.count("\n") == 1 and err.startswith("rolecall: error: cannot parse")
    assert snapshot(aws.config, aws.credentials) == before


def test_an_unreadable_config_is_a_sentence(aws, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path))  # a folder where the file should be
    status, out, err = rolecall("list")
    assert (status, out) == (2, "")
    assert err == f"rolecall: error: cannot read {tmp_path}: it is not a readable file\n"


# ---- CLI arguments -----------------------------------------------------------------------
CLI_CASES = [
    (("export", "ghost", "--no-cache"), 2, "unknown profile 'ghost'"),
    (("export", "base", "--no-cache"), 2, "profile 'base' has no role_arn"),
    (("export", "--no-cache"), 2, "name a profile, or set AWS_PROFILE"),
    (("export", "reader", "--format", "xml"), 2, "invalid choice: 'xml'"),
    (("export", "reader", "--duration", "60", "--no-cache"), 2, "900 to 43200"),
    (("export", "reader", "--duration", "50000", "--no-cache"), 2, "900 to 43200"),
    (("export", "reader", "--duration", "abc"), 2, "invalid int value: 'abc'"),
    (("exec", "reader", "--no-cache"), 2, "exec needs a command"),
    (("exec", "reader", "--no-cache", "--"), 2, "exec needs a command"),
    (("exec", "ghost", "--no-cache", "--", "true"), 2, "unknown profile 'ghost'"),
    (
        ("exec", "reader", "--no-cache", "--", "no-such-program-xyz"),
        2,
        "command not found: no-such-program-xyz",
    ),
    (("credential-process",), 2, "name a profile, or set AWS_PROFILE"),
    (("credential-process", "ghost", "--no-cache"), 2, "unknown profile 'ghost'"),
    (("console", "ghost", "--print"), 2, "unknown profile 'ghost'"),
    (("frobnicate",), 2, "invalid choice: 'frobnicate'"),
    (("list", "--frobnicate"), 2, "unrecognized arguments: --frobnicate"),
    (("frobnicate",), 2, "(see `rolecall --help`)"),
    (("sso",), 2, "required: ACTION (see `rolecall sso --help`)"),  # the help that lists them
    (("export", "reader", "--format", "xml"), 2, "(see `rolecall export --help`)"),
    (("forget",), 2, "name a profile, or pass --all"),
    (("add-keys", "bad name"), 2, "not a usable profile name"),
    (("add-keys", "[evil]"), 2, "not a usable profile name"),
    (("add-keys", "reader"), 2, "profile 'reader' is a role; keys belong to its source profile"),
    (("add-keys", "base"), 2, "has keys in"),  # those would win over the keyring's
    (("export", "mfa", "--no-cache"), 2, "needs an MFA code"),
]


@pytest.mark.parametrize(
    ("args", "code", "message"), CLI_CASES, ids=[" ".join(c[0]) for c in CLI_CASES]
)
def test_cli_cases(aws, args, code, message):
    before = snapshot(aws.config, aws.credentials)
    status, out, err = rolecall(*args)
    assert status == code
    assert message in err and err.startswith("rolecall: error:")
    assert err.count("\n") == 1 and "Traceback" not in err and out == ""
    assert snapshot(aws.config, aws.credentials) == before
    status, out, _ = rolecall("export", "reader", "--no-cache")  # and the next command works
    assert status == 0 and "AWS_SESSION_TOKEN" in out


# ---- MFA codes ---------------------------------------------------------------------------
# (what is typed or pasted, what the field then shows, whether "Assume" can be pressed)
MFA_TYPED = [
    ("", "", False),
    ("12345", "12345", False),
    ("1234567", "123456", True),  # the seventh digit is not taken
    ("12a456", "12456", False),
    ("abcdef", "", False),
    ("12 34", "12 34", False),
]
MFA_PASTED = [("123 456", True), ("123-456", True), ("12345x", False), ("1234 567", False)]


@pytest.mark.parametrize(("typed", "shown", "ok"), MFA_TYPED, ids=[repr(c[0]) for c in MFA_TYPED])
def test_mfa_dialog_typing(qtbot, typed, shown, ok):
    from gui.dialogs import MfaDialog
    from tests.helpers.roles import ROLE

    dialog = MfaDialog(ROLE)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.field, typed)
    assert dialog.field.text() == shown
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled() is ok


@pytest.mark.parametrize(("pasted", "ok"), MFA_PASTED, ids=[c[0] for c in MFA_PASTED])
def test_mfa_dialog_paste(qtbot, pasted, ok):
    from PySide6.QtGui import QGuiApplication

    from gui.dialogs import MfaDialog
    from tests.helpers.roles import ROLE

    dialog = MfaDialog(ROLE)
    qtbot.addWidget(dialog)
    QGuiApplication.clipboard().setText(pasted)
    dialog.field.paste()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled() is ok
    if ok:
        assert dialog.code() == "123456"


MFA_CLI = [
    ("", 2, "profile 'mfa' needs an MFA code from arn:aws:iam::123456789012:mfa/alice"),
    ("12345", 2, "the MFA code must be exactly 6 digits"),
    ("1234567", 2, "the MFA code must be exactly 6 digits"),
    ("12a456", 2, "the MFA code must be exactly 6 digits"),
    ("12345６", 2, "the MFA code must be exactly 6 digits"),  # noqa: RUF001 - a full-width digit
    ("123 456", 0, ""),
]


@pytest.mark.parametrize(("code", "status", "message"), MFA_CLI, ids=[repr(c[0]) for c in MFA_CLI])
def test_mfa_codes_on_the_command_line(aws, code, status, message):
    before = snapshot(aws.config, aws.credentials)
    got, out, err = rolecall("export", "mfa", "--no-cache", "--mfa-code", code)
    assert got == status, err
    assert message in err
    assert ("AWS_SESSION_TOKEN" in out) is (status == 0)
    assert snapshot(aws.config, aws.credentials) == before


def test_a_code_that_aws_rejects_is_asked_again_with_aws_answer(
    make_window, qtbot, aws, monkeypatch
):
    from gui.dialogs import Ask
    from tests.helpers.faultproxy import Fault, FaultProxy

    proxy = FaultProxy(aws.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    try:
        rejected = Fault(
            403,
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
        )
        proxy.inject("sts", "AssumeRole", rejected)
        asked: list[str] = []
        codes = iter(["111111", "222222"])
        monkeypatch.setattr(
            Ask,
            "mfa_code",
            classmethod(lambda cls, parent, role, message="": asked.append(message) or next(codes)),
        )
        window = make_window()
        before = snapshot(aws.config, aws.credentials)
        which, _ = assume(qtbot, window, "mfa")
        assert which == 2  # asked for a code
        which, args = wait_any(qtbot, window.controller.mfaNeeded, window.controller.assumed)
        assert which == 0, args  # AWS said no: asked again, with AWS's answer
        wait_any(qtbot, window.controller.assumed, window.controller.assumeFailed)
        assert asked[0] == ""
        assert "MultiFactorAuthentication failed with invalid MFA one time pass code" in asked[1]
        assert "wait for a new code and try again" in asked[1]
        assert "mfa" in window.sessions.sessions
        assert snapshot(aws.config, aws.credentials) == before
    finally:
        proxy.down()


# ---- the role form -----------------------------------------------------------------------
# (field, value typed, what the form says); the other fields hold a valid role
FORM_CASES = [
    ("profile", "", "profile name:"),
    ("profile", "has space", "profile name:"),
    ("profile", "a]b", "profile name:"),
    ("profile", "reader", "a profile named 'reader' already exists"),
    ("role_arn", "", "role_arn:"),
    (
        "role_arn",
        "arn:aws:iam::123:role/X",
        "role_arn: 'arn:aws:iam::123:role/X' is not a role ARN",
    ),
    ("role_arn", "arn:aws:iam::123456789012:user/x", "is not a role ARN"),
    ("source_profile", "", "a role needs source_profile or credential_source"),
    ("source_profile", "ghost", "source_profile: profile 'ghost' does not exist"),
    ("mfa_serial", "123", "mfa_serial: '123' is not valid"),
    ("external_id", "x", "external_id: 'x' is not valid"),
    ("duration_seconds", "60", "duration_seconds: '60' must be a whole number from 900 to 43200"),
    ("duration_seconds", "1.5", "duration_seconds: '1.5' must be a whole number"),
    ("role_session_name", "a b", "role_session_name: 'a b' is not valid"),
    ("region", "EU-WEST-1", "region: 'EU-WEST-1' is not valid"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), FORM_CASES, ids=[f"{c[0]}={c[1]!r}" for c in FORM_CASES]
)
def test_role_form_cases(window, qtbot, aws, field, value, message):
    from gui.dialogs import RoleDialog

    before = snapshot(aws.config, aws.credentials)
    dialog = RoleDialog(window.controller.config, None, parent=window)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.profile.setText("deployer")
    dialog.fields["role_arn"].setText(f"arn:aws:iam::{ACCOUNT}:role/Deployer")
    dialog.fields["source_profile"].setCurrentText("base")
    assert save.isEnabled(), dialog.problems.text()
    widget = dialog.profile if field == "profile" else dialog.fields[field]
    if hasattr(widget, "setCurrentText"):
        widget.setCurrentText(value)
    else:
        widget.setText(value)
    assert message in dialog.problems.text()
    assert dialog.problems.isVisible() is dialog.isVisible()
    assert not save.isEnabled()
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)  # a disabled Save does nothing
    assert dialog.result() == 0
    dialog.reject()
    assert snapshot(aws.config, aws.credentials) == before
    assert assume(qtbot, window, "reader")[0] == 0  # and the window goes on


# ---- DynamoDB inputs ---------------------------------------------------------------------


@pytest.fixture
def inputs_browser(make_window, qtbot, aws):
    client = dynamodb_client()
    name = create_table(client, f"inputs-{uuid.uuid4().hex[:8]}", {"pk": "S", "sk": "N"})
    for i in range(3):
        client.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}})
    window = make_window()
    assume(qtbot, window, "reader")
    browser = open_table(qtbot, window, name)
    browser.run()
    qtbot.waitUntil(lambda: len(browser.model.items) == 3 and not browser.model.loading)
    browser.read_only.setChecked(False)
    browser.client = client
    return browser


def table_items(browser) -> list[dict]:
    return sorted(
        browser.client.scan(TableName=browser.table.name)["Items"], key=lambda i: i["sk"]["N"]
    )


BIG = "x" * (400 * 1024 + 1)
# (what the person does, the text given, what they read)
DYNAMO_CASES = [
    ("new", '{"pk": "p", "sk": "ten"}', "Type mismatch for key"),
    (
        "new",
        '{"pk": "p", "sk": 7, "n": 123456789012345678901234567890123456789}',
        "at most 38 significant digits",
    ),
    ("new", '{"pk": "p", "sk": 7, "tags": {"$set": []}}', "no empty sets"),
    ("new", '{"pk": "p", "sk": 7, ', "not valid JSON"),
    ("new", '["pk", "p"]', "must be a JSON object"),
    ("new", '{"pk": "p"}', "sk"),
    ("new", '{"pk": "p", "sk": 7, "b": {"$binary": "not base64!"}}', "not valid base64"),
    ("new", '{"pk": "p", "sk": 7, "n": NaN}', "NaN is not a number"),
    ("new", '{"pk": "p", "sk": 0}', "an item with this key already exists"),
    ("new", '{"pk": "p", "sk": 7, "blob": "' + BIG + '"}', "Item size has exceeded"),
    ("edit", '{"pk": "p", "sk": 99}', "the key cannot change here"),
    ("edit", '{"pk": "p", "sk": 0, "x": {"$set": [1, 1]}}', "same value twice"),
    ("cell", '"unterminated', "not valid JSON"),
    ("cell", "1E+126", "exponents from -130 to 125"),
    ("query", "ten", "sk"),
    ("filter", "|=|x|S", "a filter needs an attribute name"),
    ("filter", "n|=|abc|N", "filter on n: 'abc' is not a number"),
    ("filter", "n|between|1|N", "filter on n: '' is not a number"),
]


@pytest.mark.parametrize(
    ("action", "text", "message"),
    DYNAMO_CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(DYNAMO_CASES)],
)
def test_dynamodb_input_cases(inputs_browser, qtbot, monkeypatch, action, text, message):
    from gui.browser import BrowserAsk

    browser = inputs_browser
    rows = [dict(i) for i in browser.model.items]
    stored = table_items(browser)
    monkeypatch.setattr(BrowserAsk, "edit_json", classmethod(lambda cls, *a: text))
    browser.view.setCurrentIndex(browser.sorter.index(0, 2 if action == "cell" else 0))
    if action == "filter":
        row = browser.query.new_filter()
        name, op, value, kind = text.split("|")
        row.attribute.setText(name)
        row.operator.setCurrentText(op)
        row.value.setText(value)
        row.kind.setCurrentText(kind)
        browser.run()
    elif action == "query":
        browser.query.mode.setCurrentText("Query")
        browser.query.pk_value.setText("p")
        browser.query.sk_operator.setCurrentText("=")
        browser.query.sk_value.setText(text)
        browser.run()
    elif action == "cell":
        browser.model.columns.append("note") if "note" not in browser.model.columns else None
        browser.edit_cell(browser.sorter.index(0, browser.model.columns.index("note")))
    else:
        {"new": browser.new_item, "edit": browser.edit_item}[action]()
    qtbot.waitUntil(lambda: browser.message.isVisible(), timeout=20000)
    shown = browser.message.text()
    assert not shown[:1].islower() and message[1:] in shown  # a sentence, capitalised
    assert "Traceback" not in browser.message.text()
    assert [dict(i) for i in browser.model.items] == rows
    assert table_items(browser) == stored
    # and the browser goes on: a good write and a read both work
    monkeypatch.setattr(
        BrowserAsk, "edit_json", classmethod(lambda cls, *a: '{"pk": "q", "sk": 1}')
    )
    with qtbot.waitSignal(browser.wrote, timeout=20000):
        browser.new_item()
    assert not browser.message.isVisible()


def test_reserved_words_and_odd_names_are_plain_attribute_names(inputs_browser, qtbot, monkeypatch):
    from gui.browser import BrowserAsk

    browser = inputs_browser
    text = json.dumps({"pk": "p", "sk": 5, "status": "ok", "name": "x", "a.b": 1, "size": 2})
    monkeypatch.setattr(BrowserAsk, "edit_json", classmethod(lambda cls, *a: text))
    with qtbot.waitSignal(browser.wrote, timeout=20000):
        browser.new_item()
    row = browser.query.new_filter()
    row.attribute.setText("status")
    row.value.setText("ok")
    with qtbot.waitSignal(browser.readFinished, timeout=20000):
        browser.run()
    qtbot.waitUntil(lambda: not browser.model.loading)
    assert [i["sk"]["N"] for i in browser.model.items] == ["5"]


# ---- the Lambda handler ------------------------------------------------------------------
LAMBDA_CASES = [
    (None, 400, "the event needs a key"),
    ({}, 400, "the event needs a key"),
    ([], 400, "the event needs a key"),
    ("123", 400, "the event needs a key"),
    ({"id": "123"}, 400, "the event needs a key"),
    ({"key": "123"}, 400, "the event needs a key"),
    ({"key": {}}, 400, "the event needs a key"),
    ({"key": {"id": {"$set": []}}}, 400, "the key is not valid: id: a $set needs a non-empty list"),
    ({"key": {"id": 123456789012345678901234567890123456789}}, 400, "38 significant digits"),
    ({"key": {"wrong": "123"}}, 400, "ValidationException"),
    ({"key": {"id": "123", "extra": "x"}}, 400, "ValidationException"),
    ({"body": "not json"}, 400, "the body is not JSON"),
    ({"body": '{"id": "123"}'}, 400, "the event needs a key"),
    ({"key": {"id": "no-such-item"}}, 404, "no item with key"),
]


@pytest.mark.parametrize(
    ("event", "status", "message"), LAMBDA_CASES, ids=[repr(c[0])[:40] for c in LAMBDA_CASES]
)
def test_lambda_event_cases(lambda_env, event, status, message):
    from tests.core.test_lambda import call

    got, body = call(lambda_env, event)
    assert got == status and message in body["message"]
    assert call(lambda_env, {"key": {"id": "123"}})[0] == 200  # warm and still working
    assert call(lambda_env, {"body": '{"key": {"id": "123"}}'})[0] == 200


def test_lambda_with_an_unknown_table_is_a_configuration_error(lambda_env, monkeypatch):
    from tests.core.test_lambda import call

    monkeypatch.setenv("TABLE_NAME", "NoSuchTable")
    got, body = call(lambda_env, {"key": {"id": "123"}})
    assert got == 500 and "ResourceNotFoundException" in body["message"]
    assert "check the table name and the region" in body["message"]
    monkeypatch.setenv("TABLE_NAME", "MyTable")
    assert call(lambda_env, {"key": {"id": "123"}})[0] == 200
