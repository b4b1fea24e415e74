"""Editing one [profile NAME] section of the AWS config, leaving every other byte alone."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import stat
import tempfile
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from core.errors import ConfigError
from core.profiles import validate_profile_name

_HEADER = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]")
_KEY = re.compile(r"^([^\s=#;\[][^=]*?)\s*=")
_PLAIN_PROFILE = re.compile(r"profile[ \t]+([^\s'\"\\]+)[ \t]*")
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


def add_sso_session(path: Path, name: str, values: Mapping[str, str]) -> None:
    """Add `[sso-session NAME]`, an IAM Identity Center portal, as `aws configure sso-session`
    writes it; a portal of that name already there is left alone and said."""
    validate_profile_name(name)
    for key, value in values.items():
        _check_value(key, value)
    title = f"sso-session {name}"
    with _locked(path):
        if _section_span(_read(path), title) is not None:
            raise ConfigError(f"a portal named '{name}' is already in {path}")
        _edit_section(path, title, values, None, False, f"portal '{name}'", None)


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


@dataclass(frozen=True)
class ConfigSection:
    """One `[TITLE]` section as the file holds it, read without configparser."""

    title: str
    start: int
    """Index of the header line."""
    end: int
    """One past its last line; the comments and blank lines that lead the next section excluded."""
    values: Mapping[str, str]
    """Settings on lines of their own, names lowercased, the first one kept when repeated; a
    nested value shows as its first line."""

    @cached_property
    def profile(self) -> str | None:
        """The profile name botocore gives this section, if any."""
        return title_profile(self.title)


def title_profile(title: str) -> str | None:
    """The profile a section title names, read as botocore reads it (`[profile  x]` and
    `[profile "x"]` are profile x too), or None."""
    if title == "default":
        return "default"
    if not title.startswith("profile"):
        return None
    plain = _PLAIN_PROFILE.fullmatch(title)
    if plain is not None:  # what shlex would say, without its cost (a sync reads thousands)
        return plain[1]
    try:
        parts = shlex.split(title)
    except ValueError:
        return None
    return parts[1] if len(parts) == 2 else None


def read_sections(lines: Sequence[str]) -> list[ConfigSection]:
    """Every section of the file's lines, in file order (duplicates included)."""
    starts = [i for i, line in enumerate(lines) if _HEADER.match(line)]
    sections = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        while end > start + 1 and _is_filler(lines[end - 1]):
            end -= 1
        values: dict[str, str] = {}
        for line in lines[start + 1 : end]:
            match = _KEY.match(line)
            if match is not None:
                values.setdefault(match[1].strip().lower(), line[match.end() :].strip())
        title = _HEADER.match(lines[start])[1]  # type: ignore[index]
        sections.append(ConfigSection(title, start, end, values))
    return sections


ProfileEdits = Mapping[str, Mapping[str, str | None] | None]


class ConfigEdit:
    """The config file as read once (under the lock, unless a dry run) and several profile
    edits applied to it in one write."""

    def __init__(self, path: Path, lines: list[str], *, dry_run: bool = False) -> None:
        self.path = path
        self.lines = lines
        self.dry_run = dry_run
        self.sections = read_sections(lines)

    def edited(
        self,
        edits: ProfileEdits,
        *,
        renames: Mapping[str, str] | None = None,
        add: Mapping[str, Mapping[str, str]] | None = None,
    ) -> list[str]:
        """The file's lines after the edits, without writing them; see `edit_profiles`."""
        return _edited_profiles(
            self.path, self.lines, self.sections, edits, renames or {}, add or {}
        )

    def apply(
        self,
        edits: ProfileEdits,
        *,
        renames: Mapping[str, str] | None = None,
        add: Mapping[str, Mapping[str, str]] | None = None,
    ) -> bool:
        """Write the edits (one write, one backup); False when they change nothing, or on a
        dry run, which checks them all the same and writes nothing."""
        lines = self.edited(edits, renames=renames, add=add)
        if lines == self.lines or self.dry_run:
            return False
        _write(self.path, lines)
        self.lines = lines
        self.sections = read_sections(lines)
        return True


@contextmanager
def edit_config(path: Path, *, dry_run: bool = False) -> Iterator[ConfigEdit]:
    """The config read under the writers' lock, held until the block ends, so what is decided
    from it is still true when it is written. A dry run takes no lock and creates nothing."""
    if dry_run:
        yield ConfigEdit(path, _read(path), dry_run=True)
        return
    with _locked(path):
        yield ConfigEdit(path, _read(path))


def edit_profiles(
    path: Path,
    edits: ProfileEdits,
    *,
    renames: Mapping[str, str] | None = None,
    add: Mapping[str, Mapping[str, str]] | None = None,
) -> bool:
    """Several `[profile NAME]` edits in one locked read-edit-write, one backup.

    `edits`: a name -> the settings to set (None drops a setting), as `set_profile` does, creating
    the section when it is missing; or -> None, which removes the section and the blank line right
    before it. `renames`: a present name -> its new name, body kept. `add`: sections created even
    when their name is held now by a section this same call removes or renames. New sections go
    after the file's last non-blank line, each after a blank line. False when nothing changed."""
    with edit_config(path) as config:
        return config.apply(edits, renames=renames, add=add)


def _edited_profiles(
    path: Path,
    lines: list[str],
    sections: list[ConfigSection],
    edits: ProfileEdits,
    renames: Mapping[str, str],
    add: Mapping[str, Mapping[str, str]],
) -> list[str]:
    for name in (*edits, *renames, *renames.values(), *add):
        validate_profile_name(name)
    for values in (*edits.values(), *add.values()):
        for key, value in (values or {}).items():
            if value is not None:
                _check_value(key, value)
    by_title: dict[str, list[ConfigSection]] = {}
    for section in sections:
        by_title.setdefault(section.title, []).append(section)
    nl = _newline(lines)
    changes: dict[int, tuple[ConfigSection, Mapping[str, str | None] | None, str | None]] = {}
    created: list[tuple[str, Mapping[str, str | None]]] = []
    for name in {**dict.fromkeys(edits), **dict.fromkeys(renames)}:
        title = section_title(name)
        found = by_title.get(title, [])
        if len(found) > 1:
            raise ConfigError(
                f"the section [{title}] appears {len(found)} times in {path}: "
                "remove all but one, then try again"
            )
        values = edits.get(name, {})
        if not found:
            if values is None or name in renames:
                raise ConfigError(f"profile '{name}' is not in {path}")
            created.append((name, values))
            continue
        new_title = section_title(renames[name]) if name in renames else None
        changes[found[0].start] = (found[0], values, new_title)
    created += list(add.items())

    final: Counter[str] = Counter(name for name, _ in created)
    for section in sections:
        change = changes.get(section.start)
        if change is None:
            profile = section.profile
        elif change[1] is None:
            continue
        else:
            profile = title_profile(change[2] or section.title)
        if profile is not None:
            final[profile] += 1
    for name in (*renames.values(), *(name for name, _ in created)):
        if final[name] > 1:
            raise ConfigError(f"a profile named '{name}' already exists in {path}")

    out: list[str] = []
    done = 0
    for start in sorted(changes):
        section, values, new_title = changes[start]
        if values is None:
            cut = start - 1 if start > done and not lines[start - 1].strip() else start
            out += lines[done:cut]
        else:
            out += lines[done:start]
            header = lines[start]
            if new_title is not None and new_title != section.title:
                header = header.replace(section.title, new_title, 1)
            body = _edited_body(lines[start + 1 : section.end], values, nl)
            if not header.endswith(("\n", "\r")) and body:
                header += nl
            out += [header, *body]
        done = section.end
    out += lines[done:]

    if created:
        last = max((i for i, line in enumerate(out) if line.strip()), default=-1)
        if last >= 0 and not out[last].endswith(("\n", "\r")):
            out[last] += nl
        block: list[str] = []
        for name, values in created:
            if last >= 0 or block:
                block.append(nl)
            block.append(f"[{section_title(name)}]{nl}")
            block += [f"{k} = {v}{nl}" for k, v in values.items() if v is not None]
        out[last + 1 : last + 1] = block
    return out
