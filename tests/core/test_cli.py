"""The `rolecall` command, run as a real process against moto over HTTP."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest

from tests.conftest import (
    ACCOUNT,
    BASE_SECRET,
    ROLECALL,
    ROOT,
    STANDARD_CONFIG,
    assume_role_calls,
    run_cli,
)

ROLECALL_BIN = Path(sys.executable).parent / "rolecall"


def assert_one_error_line(result, code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("rolecall: error: ")
    assert text in result.stderr


def exports(result) -> dict[str, str]:
    assert result.returncode == 0, result.stderr
    script = result.stdout + "\nenv -0"
    out = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    )
    return dict(line.split("=", 1) for line in out.stdout.split("\0") if "=" in line)


def test_list_shows_every_role_with_account_source_and_flags(aws):
    result = run_cli("list", "--json")
    rows = {r["profile"]: r for r in json.loads(result.stdout)}
    assert sorted(rows) == ["admin", "mfa", "partner", "reader"]
    assert rows["admin"]["source"] == "reader -> base" and rows["admin"]["chained"]
    assert rows["mfa"]["mfa"] and rows["partner"]["external_id"]
    assert rows["reader"]["account"] == ACCOUNT and rows["reader"]["region"] == "eu-west-1"


def test_list_as_a_table(aws):
    result = run_cli("list")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "PROFILE",
        "ACCOUNT",
        "ROLE",
        "REGION",
        "SOURCE",
        "FLAGS",
        "SESSION",
    ]
    assert any(line.split()[:3] == ["admin", ACCOUNT, "Admin"] for line in lines)


def test_export_env_sets_the_role_keys_in_bash(aws):
    env = exports(run_cli("export", "reader", "--no-cache"))
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
    assert env["AWS_REGION"] == "eu-west-1"
    arn = subprocess.run(
        [
            sys.executable,
            "-c",
            "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])",
        ],
        env={**env, "AWS_ENDPOINT_URL": aws.endpoint, "PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/")


@pytest.mark.parametrize("fmt", ["env", "fish", "powershell", "cmd", "ini", "json"])
def test_every_export_format_prints_the_keys(aws, fmt):
    result = run_cli("export", "reader", "--no-cache", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert "ASIA" in result.stdout and result.stderr == ""


def test_exec_runs_the_command_with_the_role_and_without_aws_profile(aws):
    env = aws.env(AWS_PROFILE="base", AWS_SESSION_TOKEN="stale")
    result = run_cli(
        "exec",
        "reader",
        "--no-cache",
        "--",
        "sh",
        "-c",
        'echo "$AWS_PROFILE|$ROLECALL_PROFILE|$AWS_ACCESS_KEY_ID"; exit 7',
        env=env,
    )
    assert result.returncode == 7
    profile, rolecall_profile, key = result.stdout.strip().split("|")
    assert (profile, rolecall_profile) == ("", "reader") and key.startswith("ASIA")


def test_exec_without_a_command_is_a_usage_error(aws):
    assert_one_error_line(run_cli("exec", "reader", "--no-cache"), 2, "exec needs a command")


def test_exec_of_a_missing_program_says_so(aws):
    assert_one_error_line(
        run_cli("exec", "reader", "--no-cache", "--", "no-such-program-xyz"),
        2,
        "command not found: no-such-program-xyz",
    )


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (("export", "ghost", "--no-cache"), 2, "unknown profile 'ghost'"),
        (("export", "base", "--no-cache"), 2, "profile 'base' has no role_arn"),
        (("export", "--no-cache"), 2, "name a profile, or set AWS_PROFILE"),
        (("export", "reader", "--format", "xml"), 2, "invalid choice: 'xml'"),
        (("export", "reader", "--duration", "60", "--no-cache"), 2, "900 to 43200"),
        (("export", "reader", "--duration", "abc"), 2, "invalid int value"),
        (("export", "mfa", "--no-cache", "--mfa-code", "12345"), 2, "exactly 6 digits"),
        (("export", "mfa", "--no-cache"), 2, "needs an MFA code"),
        (("frobnicate",), 2, "invalid choice: 'frobnicate'"),
        (("forget",), 2, "name a profile, or pass --all"),
        (("add-keys", "bad name"), 2, "not a usable profile name"),
    ],
)
def test_bad_input_is_one_line_and_the_right_exit_code(aws, args, code, text):
    before = aws.config.read_bytes()
    assert_one_error_line(run_cli(*args), code, text)
    assert aws.config.read_bytes() == before


def test_a_bad_config_is_exit_2(aws):
    aws.config.write_text("[profile broken\n")
    assert_one_error_line(run_cli("list"), 2, "cannot parse the AWS config")


def test_a_config_without_roles_says_how_to_get_one(aws):
    aws.config.write_text("[profile base]\nregion = eu-west-1\n")
    listed = run_cli("list", env=aws.env(PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring"))
    assert listed.returncode == 0 and listed.stdout == ""
    assert listed.stderr.splitlines() == [
        f"rolecall: no role profiles in {aws.config}: add one in the app (File > Add role) or"
        " as a profile with role_arn there, or an Identity Center portal with `rolecall sso"
        " add`; `rolecall --demo list` shows some without an AWS account"
    ]  # and no note about the keyring: there is no session to show


def test_an_invalid_role_names_the_profile_and_field(aws):
    aws.config.write_text(
        aws.config.read_text() + "\n[profile bad]\nrole_arn = arn:aws:iam::1:role/x"
        "\nsource_profile = base\n"
    )
    assert_one_error_line(run_cli("export", "bad", "--no-cache"), 2, "profile 'bad': role_arn:")
    listed = run_cli("list")
    assert listed.returncode == 0 and "rolecall: warning: profile 'bad': role_arn" in listed.stderr


def test_an_unreachable_endpoint_is_exit_1(aws):
    env = aws.env(AWS_ENDPOINT_URL="http://127.0.0.1:9")
    assert_one_error_line(run_cli("export", "reader", "--no-cache", env=env), 1, "no answer from")


def test_mfa_code_is_asked_on_the_terminal(aws):
    pid, fd = pty.fork()
    if pid == 0:  # the child: rolecall with the pty as its terminal
        os.execvpe(ROLECALL[0], [*ROLECALL, "export", "mfa", "--no-cache"], os.environ)  # noqa: S606
    output = b""
    while b"MFA code for" not in output:
        output += os.read(fd, 1024)
    assert f"arn:aws:iam::{ACCOUNT}:mfa/alice".encode() in output
    os.write(fd, b"123456\n")
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert b"export AWS_SESSION_TOKEN=" in output
    after_prompt = output.split(b"mfa/alice: ", 1)[1]
    assert after_prompt.startswith(b"\r\nexport")  # the code was not echoed


def test_verbose_logs_are_redacted(aws):
    result = run_cli("-vv", "export", "reader", "--no-cache", "--format", "json")
    assert result.returncode == 0
    secret = json.loads(result.stdout)["SecretAccessKey"]
    token = json.loads(result.stdout)["SessionToken"]
    assert "DEBUG" in result.stderr and "AssumeRole" in result.stderr
    assert secret not in result.stderr and token not in result.stderr
    assert BASE_SECRET not in result.stderr


def test_a_real_sdk_process_uses_rolecall_as_credential_process(aws, tmp_path):
    command = f"{ROLECALL_BIN} credential-process reader --no-cache"
    if not ROLECALL_BIN.exists():
        command = f"{sys.executable} -m core.cli credential-process reader --no-cache"
    aws.config.write_text(
        aws.config.read_text()
        + textwrap.dedent(f"""
        [profile via-rolecall]
        credential_process = {command}
        region = eu-west-1
    """)
    )
    script = (
        "import boto3; print(boto3.Session(profile_name='via-rolecall')"
        ".client('sts').get_caller_identity()['Arn'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=aws.env(), timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/")


def test_console_print_builds_the_federation_url(aws):
    import urllib.parse

    from tests.helpers.federation import federation

    with federation("tok-123456789") as (url, seen):
        result = run_cli(
            "console",
            "reader",
            "--print",
            "--show",
            "--no-cache",
            "--duration",
            "3600",
            env=aws.env(ROLECALL_FEDERATION_URL=url),
        )
    assert result.returncode == 0, result.stderr
    session = json.loads(seen[0]["Session"][0])
    assert seen[0]["Action"] == ["getSigninToken"] and seen[0]["SessionDuration"] == ["3600"]
    assert session["sessionId"].startswith("ASIA")
    url = urllib.parse.urlsplit(result.stdout.strip())
    query = urllib.parse.parse_qs(url.query)
    assert url.path == "/federation" and query["Action"] == ["login"]
    assert query["SigninToken"] == ["tok-123456789"]
    assert query["Destination"] == ["https://console.aws.amazon.com/console/home?region=eu-west-1"]


def test_console_print_masks_the_token_unless_shown_and_lands_where_asked(aws):
    import urllib.parse

    from tests.helpers.federation import federation

    with federation("tok-123456789") as (url, seen):
        result = run_cli(
            "console",
            "reader",
            "--print",
            "--service",
            "dynamodb",
            "--region",
            "us-east-2",
            "--no-cache",
            env=aws.env(ROLECALL_FEDERATION_URL=url),
        )
    assert result.returncode == 0, result.stderr
    assert "tok-123456789" not in result.stdout + result.stderr
    assert "--show" in result.stderr
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(result.stdout.strip()).query)
    assert query["SigninToken"] == ["****"]
    assert query["Destination"] == [
        "https://console.aws.amazon.com/dynamodbv2/home?region=us-east-2"
    ]
    # As long as the session is valid: a fresh one has about an hour left.
    assert 3000 <= int(seen[0]["SessionDuration"][0]) <= 3600


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["--service", "nosuch"], "'nosuch' is not a console service Rolecall knows"),
        (["--browser", "netscape"], "'netscape' is not a browser Rolecall knows"),
        (["--browser", "template", "--template", "open-it"], "needs {url}"),
    ],
    ids=["service", "browser", "template"],
)
def test_console_bad_input_is_a_sentence(aws, args, sentence):
    result = run_cli("console", "reader", *args, env=aws.env())
    assert result.returncode != 0
    assert sentence in result.stderr and "Traceback" not in result.stderr


def test_a_chained_roles_console_for_more_than_an_hour_is_refused_before_any_assume(aws):
    before = len(assume_role_calls())
    result = run_cli("console", "admin", "--print", "--duration", "7200", env=aws.env())
    assert_one_error_line(result, 2, "a chained role's console session lasts at most one hour")
    assert len(assume_role_calls()) == before
    result = run_cli("console", "reader", "--show", env=aws.env())
    assert_one_error_line(result, 2, "--show goes with --print")


def test_console_close_opens_the_sign_out_in_the_roles_own_browser(aws, tmp_path):
    opened = tmp_path / "opened"
    os.mkfifo(opened)  # the browser writes the address it was given; the test waits for it
    write = "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"
    template = f'{sys.executable} -c "{write}" {opened} {{url}}'
    reader = os.open(opened, os.O_RDONLY | os.O_NONBLOCK)
    try:
        result = run_cli(
            "console",
            "reader",
            "--close",
            "--browser",
            "template",
            "--template",
            template,
            env=aws.env(ROLECALL_FEDERATION_URL="http://127.0.0.1:9/federation"),
        )
        assert result.returncode == 0, result.stderr
        assert "signed the console of 'reader' out" in result.stderr
        assert select.select([reader], [], [], 30)[0], "the browser was never started"
        address = os.read(reader, 4096).decode()
    finally:
        os.close(reader)
    assert address.startswith("http://127.0.0.1:9/oauth?Action=logout&redirect_uri=")


def test_no_keyring_is_a_one_line_error_naming_the_fix(aws):
    env = aws.env(PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    assert_one_error_line(
        run_cli("export", "reader", env=env),
        2,
        "no usable keyring: start a Secret Service such as gnome-keyring",
    )


@pytest.mark.keyring
def test_sessions_are_cached_in_the_keyring_between_processes(aws, real_keyring):
    first = exports(run_cli("export", "reader"))
    second = exports(run_cli("export", "reader"))
    assert first["AWS_ACCESS_KEY_ID"] == second["AWS_ACCESS_KEY_ID"]
    listed = {r["profile"]: r for r in json.loads(run_cli("list", "--json").stdout)}
    assert listed["reader"]["session_remaining"] > 3000
    forgot = run_cli("forget", "reader")
    assert "forgot the cached session of 'reader'" in forgot.stderr
    third = exports(run_cli("export", "reader"))
    assert third["AWS_ACCESS_KEY_ID"] != first["AWS_ACCESS_KEY_ID"]
    assert "forgot" in run_cli("forget", "--all").stderr


@pytest.mark.keyring
def test_a_cached_session_is_not_served_once_the_profile_names_another_role(aws, real_keyring):
    first = exports(run_cli("export", "reader"))
    aws.write_config(STANDARD_CONFIG.replace("role/Reader", "role/Auditor"))
    served = json.loads(run_cli("credential-process", "reader").stdout)
    assert served["AccessKeyId"] != first["AWS_ACCESS_KEY_ID"]
    caller = boto3.client(
        "sts",
        aws_access_key_id=served["AccessKeyId"],
        aws_secret_access_key=served["SecretAccessKey"],
        aws_session_token=served["SessionToken"],
        region_name="eu-west-1",
    ).get_caller_identity()
    assert ":assumed-role/Auditor/" in caller["Arn"]


@pytest.mark.keyring
def test_add_keys_keeps_keys_in_the_keyring_not_on_disk(aws, real_keyring):
    aws.write_config(f"""
        [profile deployer]
        role_arn = arn:aws:iam::{ACCOUNT}:role/Deployer
        source_profile = person
    """)
    secret = "Zq" * 20
    added = run_cli("add-keys", "person", input=f"AKIAIOSFODNN7EXAMPLE\n{secret}\n")
    assert added.returncode == 0, added.stderr
    assert "[profile person]" in aws.config.read_text()
    assert secret not in aws.config.read_text() + aws.credentials.read_text()
    env = exports(run_cli("export", "deployer", "--no-cache"))
    assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")


def test_with_no_command_the_cli_starts_the_window_it_was_handed(capsys):
    from core import cli

    started = []

    def start_window(**how):
        started.append(how)
        return 3

    assert cli.main(["--demo", "--theme", "dark"], start_window=start_window) == 3
    assert started == [{"demo": True, "exit_when_shown": False, "theme": "dark"}]


def test_without_a_launcher_no_command_is_a_sentence(capsys):
    from core import cli

    assert cli.main([]) == 1
    assert capsys.readouterr().err == (
        "rolecall: error: the desktop app starts from the `rolecall` command (gui.launcher), "
        "not from core alone: use the commands in `rolecall --help`\n"
    )


@pytest.mark.keyring
def test_a_cached_credential_process_reads_the_secret_service_without_keyring(aws, real_keyring):
    first = exports(run_cli("export", "reader"))
    probe = (
        "import json, sys; from core.cli import main; code = main(['credential-process', "
        "'reader']); print(json.dumps(sorted(m for m in sys.modules if m.startswith("
        "'keyring'))), file=sys.stderr); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["AccessKeyId"] == first["AWS_ACCESS_KEY_ID"]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []  # keyring never imported
    aws.write_config(STANDARD_CONFIG.replace("role/Reader", "role/Auditor"))
    served = json.loads(run_cli("credential-process", "reader").stdout)
    assert served["AccessKeyId"] != first["AWS_ACCESS_KEY_ID"]  # the role check still holds


@pytest.mark.parametrize(
    ("argv", "quick"),
    [
        (["credential-process", "reader"], True),
        (["credential-process", "team-a.reader@prod"], True),
        (["credential-process"], False),
        (["credential-process", "--no-cache", "reader"], False),
        (["credential-process", "reader", "--duration", "900"], False),
        (["-v", "credential-process", "reader"], False),
        (["export", "reader"], False),
    ],
)
def test_the_quick_reading_of_credential_process_is_the_grammar_s(argv, quick):
    from core.arguments import build_parser, quick_parse

    read = quick_parse(argv)
    assert (read is not None) == quick  # only the plain form; the rest is the grammar's
    if read is not None:
        assert read == build_parser().parse_args(argv)
