"""The config and credentials files when writing goes wrong: the original stays byte for byte,
the person gets a sentence, and two writers at once both keep their change."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap

import pytest

from core import configfile
from core.configfile import BACKUP_SUFFIX, delete_profile, set_profile, set_section
from core.errors import ConfigError
from core.profiles import load_config
from tests.conftest import ROOT

ORIGINAL = b"""# hand-written, keep me
[profile base]
region = eu-west-1

[profile reader]
role_arn = arn:aws:iam::123456789012:role/Reader
source_profile = base
"""

# Every step of a save that touches the disk, and the errors a full or read-only disk gives.
STEPS = [
    ("backup copy", "shutil.copy2"),
    ("temporary file", "tempfile.mkstemp"),
    ("write", "os.fdopen"),
    ("flush to disk", "os.fsync"),
    ("file mode", "os.chmod"),
    ("replace", "os.replace"),
]
ERRORS = [
    (errno.ENOSPC, "No space left on device"),
    (errno.EROFS, "Read-only file system"),
    (errno.EACCES, "Permission denied"),
]
WRITES = [
    ("edit", lambda p: set_profile(p, "reader", {"region": "us-east-1"})),
    ("add", lambda p: set_profile(p, "new", {"region": "us-east-1"})),
    ("delete", lambda p: delete_profile(p, "reader")),
    ("keys", lambda p: set_section(p, "base", {"aws_access_key_id": "AKIA"}, private=True)),
]


def _failing(code: int, text: str):
    def fail(*args, **kwargs):
        raise OSError(code, text)

    return fail


@pytest.mark.parametrize(("step", "target"), STEPS, ids=[s for s, _ in STEPS])
@pytest.mark.parametrize(("code", "text"), ERRORS, ids=["disk-full", "read-only", "denied"])
@pytest.mark.parametrize(("what", "write"), WRITES, ids=[w for w, _ in WRITES])
def test_a_failed_save_leaves_the_file_as_it_was_and_says_why(
    tmp_path, monkeypatch, step, target, code, text, what, write
):
    folder = tmp_path / "aws"
    folder.mkdir()
    path = folder / "config"
    path.write_bytes(ORIGINAL)
    module, name = target.split(".")
    monkeypatch.setattr(getattr(configfile, module), name, _failing(code, text))
    with pytest.raises(ConfigError) as caught:
        write(path)
    monkeypatch.undo()
    assert str(caught.value) == f"cannot write {path}: {text}; it was left as it was"
    assert path.read_bytes() == ORIGINAL
    leftovers = {p.name for p in folder.iterdir()} - {"config", "config" + BACKUP_SUFFIX}
    assert not leftovers
    # and the next save, with the disk back, works
    set_profile(path, "reader", {"output": "json"})
    assert "output = json" in path.read_text()


def test_a_folder_that_cannot_be_created_is_a_sentence(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(
        ConfigError, match=r"cannot write .*not-a-folder/config: .*not-a-folder is not a folder"
    ):
        set_profile(blocker / "config", "x", {"region": "eu-west-1"})
    assert blocker.read_text() == ""


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from core.configfile import set_profile

    path, who, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    print("ready", flush=True)
    sys.stdin.readline()  # all writers start together
    for i in range(count):
        set_profile(path, f"{who}-{i}", {"region": "eu-west-1", "output": who})
        set_profile(path, "shared", {f"x_{who}": str(i)})
    """
)


def test_two_processes_saving_at_once_both_keep_every_change(tmp_path):
    path = tmp_path / "config"
    path.write_bytes(ORIGINAL)
    count = 40
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), who, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for who in ("left", "right")
    ]
    for proc in writers:
        assert proc.stdout.readline() == "ready\n"
    for proc in writers:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in writers:
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
        proc.stdout.close()
    text = path.read_text()
    assert text.startswith(ORIGINAL.decode())
    config = load_config({**os.environ, "AWS_CONFIG_FILE": str(path)})
    for who in ("left", "right"):
        for i in range(count):
            assert config.profiles[f"{who}-{i}"]["output"] == who
    assert config.profiles["shared"] == {"x_left": str(count - 1), "x_right": str(count - 1)}
    assert text.count("[profile shared]") == 1
