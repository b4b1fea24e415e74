"""Small parsers for the fish and PowerShell lines Rolecall prints (neither shell is in Debian's
base image; bash output is checked by running bash itself)."""

from __future__ import annotations

import re


def parse_fish(text: str) -> dict[str, str]:
    """`set -gx NAME 'value';` with fish's single-quote escapes (\\\\ and \\')."""
    found = {}
    for line in text.splitlines():
        m = re.fullmatch(r"set -gx (\w+) '((?:[^'\\]|\\.)*)';", line)
        assert m, f"not a fish assignment: {line!r}"
        found[m[1]] = re.sub(r"\\(.)", r"\1", m[2])
    return found


def parse_powershell(text: str) -> dict[str, str]:
    """`$Env:NAME = 'value'` with PowerShell's doubled single quotes."""
    found = {}
    for line in text.splitlines():
        m = re.fullmatch(r"\$Env:(\w+) = '((?:[^']|'')*)'", line)
        assert m, f"not a PowerShell assignment: {line!r}"
        found[m[1]] = m[2].replace("''", "'")
    return found


def parse_cmd(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        m = re.fullmatch(r'set "(\w+)=([^"%]*)"', line)
        assert m, f"not a cmd assignment: {line!r}"
        found[m[1]] = m[2]
    return found
