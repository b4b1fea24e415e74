"""Editing one [profile NAME] section of the AWS config, leaving every other byte alone."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from core.errors import ConfigError
from core.profiles import validate_profile_name

_HEADER = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]")
_KEY = re.compile(r"^([^\s=#;\[][^=]*?)\s*=")
BACKUP_SUFFIX = ".rolecall-backup"
LOCK_SUFFIX = ".rolecall-lock"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time for this file, across processes: read, edit and replace happen
    under an exclusive lock, so two saves never lose each other's edit. POSIX locks the folder
    itself (nothing left behind in ~/.aws); Windows, which cannot, a small side file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "nt":  # pragma: no cover - exercised on Windows only
            fd = os.open(path.with_name(path.name + LOCK_SUFFIX), os.O_RDWR | os.O_CREAT, 0o600)
        else:
            fd = os.open(path.parent, os.O_RDONLY)
    except (FileExistsError, NotADirectoryError):
        raise ConfigError(f"cannot write {path}: {path.parent} is not a folder") from None
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        if os.name == "nt":  # pragma: no cover
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def section_title(profile: str) -> str:
    return "default" if profile == "default" else f"profile {profile}"


def _newline(lines: list[str]) -> str:
    crlf = sum(1 for line in lines if line.endswith("\r\n"))
    return "\r\n" if crlf > len(lines) // 2 and crlf else "\n"


def _is_filler(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped[0] in "#;"


def _section_span(lines: list[str], title: str) -> tuple[int, int] | None:
    """(header index, end index) of the section; end excludes comments that lead the next one."""
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    found = [i for i in starts if _HEADER.match(lines[i])[1] == title]  # type: ignore[index]
    if not found:
        return None
    if len(found) > 1:
        raise ConfigError(f"the section [{title}] appears {len(found)} times in the AWS config")
    start = found[0]
    later = [i for i in starts if i > start]
    end = later[0] if later else len(lines)
    while end > start + 1 and _is_filler(lines[end - 1]):
        end -= 1
    return start, end


def _check_value(key: str, value: str) -> None:
    if not re.fullmatch(r"[a-z0-9_]+", key):
        raise ConfigError(f"'{key}' is not a config setting name")
    if "\n" in value or "\r" in value:
        raise ConfigError(f"{key}: the value must fit on one line")


def _read(path: Path) -> list[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not valid UTF-8 text, so Rolecall will not edit it") from None
    return text.splitlines(keepends=True)


def _write(path: Path, lines: list[str], mode: int | None = None) -> None:
    """Atomic replace that keeps the file's mode (or sets `mode`) and leaves one backup.
    Any failure (read-only folder, disk full) leaves the original byte for byte."""
    wanted = mode
    data = "".join(lines).encode("utf-8")
    tmp: str | None = None
    try:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            backup = path.with_name(path.name + BACKUP_SUFFIX)
            shutil.copy2(path, backup)
            os.chmod(backup, mode & 0o600)
        except FileNotFoundError:
            mode = 0o600
        if wanted is not None:
            mode = wanted
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise ConfigError(
            f"cannot write {path}: {exc.strerror or exc}; it was left as it was"
        ) from None


def set_profile(
    path: Path,
    profile: str,
    values: Mapping[str, str | None],
    *,
    rename_to: str | None = None,
    must_exist: bool = False,
) -> None:
    """Create or update `[profile NAME]` of the config file: set the given keys, drop those set
    to None. Keys not named stay as they are, with their comments and order; new keys go after
    the section's last setting."""
    validate_profile_name(profile)
    if rename_to is not None:
        validate_profile_name(rename_to)
    _set_section(
        path,
        section_title(profile),
        values,
        rename_to=section_title(rename_to) if rename_to else None,
        must_exist=must_exist,
        what=f"profile '{profile}'",
    )


def set_section(
    path: Path, name: str, values: Mapping[str, str | None], *, private: bool = False
) -> None:
    """Create or update `[NAME]` of the credentials file; `private` makes the file 0600."""
    validate_profile_name(name)
    _set_section(path, name, values, what=f"[{name}]", mode=0o600 if private else None)


def _set_section(
    path: Path,
    title: str,
    values: Mapping[str, str | None],
    *,
    rename_to: str | None = None,
    must_exist: bool = False,
    what: str,
    mode: int | None = None,
) -> None:
    for key, value in values.items():
        if value is not None:
            _check_value(key, value)
    with _locked(path):
        _edit_section(path, title, values, rename_to, must_exist, what, mode)


def _edit_section(
    path: Path,
    title: str,
    values: Mapping[str, str | None],
    rename_to: str | None,
    must_exist: bool,
    what: str,
    mode: int | None,
) -> None:
    lines = _read(path)
    nl = _newline(lines)
    span = _section_span(lines, title)
    if rename_to and rename_to != title and _section_span(lines, rename_to):
        raise ConfigError(f"a profile named '{rename_to.removeprefix('profile ')}' already exists")
    if span is None:
        if must_exist:
            raise ConfigError(f"{what} is not in {path}")
        if lines and not lines[-1].endswith(("\n", "\r")):
            lines[-1] += nl
        if lines and lines[-1].strip():
            lines.append(nl)
        lines.append(f"[{rename_to or title}]{nl}")
        lines += [f"{k} = {v}{nl}" for k, v in values.items() if v is not None]
        _write(path, lines, mode)
        return
    start, end = span
    out = _edited_body(lines[start + 1 : end], values, nl)
    header = lines[start]
    if rename_to and rename_to != title:
        header = header.replace(title, rename_to, 1)
    if not header.endswith(("\n", "\r")) and out:
        header += nl
    _write(path, [*lines[:start], header, *out, *lines[end:]], mode)


def _edited_body(body: list[str], values: Mapping[str, str | None], nl: str) -> list[str]:
    """A section's lines with `values` set in place (None removes), new keys after the last
    setting, and every other line (comments, nested values) as it was."""
    remaining = dict(values)
    out: list[str] = []
    last_setting = 0
    i = 0
    while i < len(body):
        line = body[i]
        j = i + 1
        while j < len(body) and body[j][:1] in (" ", "\t") and body[j].strip():
            j += 1  # continuation lines of a nested value
        match = _KEY.match(line)
        setting = match[1].strip().lower() if match else None
        if match is not None and setting in remaining:
            new_value = remaining.pop(setting)
            if new_value is not None:
                ending = nl if not line.endswith(("\n", "\r")) else line[len(line.rstrip("\r\n")) :]
                out.append(f"{match[1].strip()} = {new_value}{ending}")
                last_setting = len(out)
        else:
            out.extend(body[i:j])
            if setting is not None:
                last_setting = len(out)
        i = j
    additions = [f"{k} = {v}{nl}" for k, v in remaining.items() if v is not None]
    if additions and last_setting and not out[last_setting - 1].endswith(("\n", "\r")):
        out[last_setting - 1] += nl
    out[last_setting:last_setting] = additions
    return out


def delete_profile(path: Path, profile: str) -> None:
    """Remove `[profile NAME]` and its settings; the lines around it stay as they were."""
    with _locked(path):
        lines = _read(path)
        span = _section_span(lines, section_title(profile))
        if span is None:
            raise ConfigError(f"profile '{profile}' is not in {path}")
        start, end = span
        # Take the blank line that separated this section from the previous one with it
        # (the one an add puts there); a blank line with nothing above it is the file's own.
        if start > 1 and not lines[start - 1].strip() and lines[start - 2].strip():
            start -= 1
        _write(path, [*lines[:start], *lines[end:]])
