"""Saving the roles of an IAM Identity Center portal as `[profile NAME]` sections of the AWS
config, and keeping them in step on later runs without touching any section Rolecall did not
write."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.configfile import ConfigSection, edit_config, section_title
from core.errors import ConfigError
from core.profiles import PROFILE_NAME

if TYPE_CHECKING:
    from core.sso import Portal, PortalRole

DEFAULT_TEMPLATE = "{account_name}/{role_name}"
TEMPLATE_FIELDS = ("account_name", "account_id", "role_name", "portal")
MARKER = "rolecall_sso_sync"
"""The setting that marks a section as written by the sync for a portal (its value); the AWS
CLI ignores settings it does not know, so it survives `aws configure` and the CLI's reads."""
MAX_NAME = 128

_UNSAFE = re.compile(r"[^\w+=,.@:/-]")
_SUFFIXED = re.compile(r"(.+)-([0-9]+)")
_RoleKey = tuple[str, str]


@dataclass(frozen=True)
class SyncResult:
    """What a sync did (or, on a dry run, would do), by profile name."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    """Sections it wrote before whose settings or name changed (the new name)."""
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    renamed_for_collision: dict[str, str] = field(default_factory=dict)
    """Profile written -> the name the template gave it, which another section holds."""
    renamed: dict[str, str] = field(default_factory=dict)
    """Old name -> new name, for sections it wrote before that now get another name."""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


def check_template(template: str) -> None:
    """Refuse a template that names anything but the fields, or is not a template at all."""
    allowed = ", ".join(f"{{{name}}}" for name in TEMPLATE_FIELDS)
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise ConfigError(
            f"the profile name template '{template}' has an unmatched brace: "
            f"use fields such as {allowed}, and {{{{ or }}}} for a brace itself"
        ) from None
    for _, name, spec, _ in parsed:
        if name is not None and name not in TEMPLATE_FIELDS:
            raise ConfigError(
                f"the profile name template uses {{{name}}}, which is not a field: use {allowed}"
            )
        if spec and "{" in spec:
            raise ConfigError(f"the profile name template '{template}' nests a field in a field")


def profile_name(template: str, role: PortalRole, portal: Portal) -> str:
    """The template filled in for the role (each field trimmed) and made a usable profile
    name: white space becomes `-`, characters a profile name cannot hold are dropped, runs of
    `-` become one, `-` at the ends goes, and the name stops at 128 characters. A template
    that leaves nothing gives ACCOUNT_ID/ROLE_NAME."""
    check_template(template)
    fields = {
        "account_name": role.account_name.strip(),
        "account_id": role.account_id.strip(),
        "role_name": role.role_name.strip(),
        "portal": portal.name.strip(),
    }
    try:
        filled = template.format_map(fields)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"the profile name template '{template}' cannot be filled in: {exc}"
        ) from None
    name = _safe(filled) or _safe(f"{role.account_id}/{role.role_name}")
    if not name:
        raise ConfigError(
            f"the profile name template '{template}' gives no usable name for account "
            f"'{role.account_id}', role '{role.role_name}'"
        )
    return name


def _safe(text: str) -> str:
    text = _UNSAFE.sub("", re.sub(r"\s", "-", text))
    return re.sub(r"-{2,}", "-", text).strip("-")[:MAX_NAME].rstrip("-")


def _candidate(name: str, n: int) -> str:
    if n == 1:
        return name
    suffix = f"-{n}"
    return name[: MAX_NAME - len(suffix)] + suffix


def _is_suffixed(current: str, name: str) -> bool:
    match = _SUFFIXED.fullmatch(current)
    return match is not None and int(match[2]) >= 2 and _candidate(name, int(match[2])) == current


def _settings(portal: Portal, role: PortalRole, region: str | None) -> dict[str, str | None]:
    settings: dict[str, str | None]
    if portal.legacy:
        settings = {
            "sso_start_url": portal.start_url,
            "sso_region": portal.region,
            "sso_session": None,
        }
    else:
        settings = {"sso_session": portal.name, "sso_start_url": None, "sso_region": None}
    settings |= {"sso_account_id": role.account_id, "sso_role_name": role.role_name}
    if region or portal.region:
        settings["region"] = region or portal.region
    settings[MARKER] = portal.name
    return settings


def _is_current(section: ConfigSection, settings: Mapping[str, str | None]) -> bool:
    return all(
        (key not in section.values) if value is None else section.values.get(key) == value
        for key, value in settings.items()
    )


def _own_sections(
    sections: Iterable[ConfigSection], portal: Portal
) -> dict[_RoleKey, list[ConfigSection]]:
    """The sections it wrote for this portal, by account and role, in file order; one it cannot
    tell for its own (no account or role, a title or name it would not write) is not."""
    own: dict[_RoleKey, list[ConfigSection]] = {}
    for section in sections:
        profile = section.profile
        account = section.values.get("sso_account_id", "")
        role = section.values.get("sso_role_name", "")
        if (
            profile is not None
            and profile != "default"  # never its own, even with a copied marker
            and PROFILE_NAME.match(profile)
            and section.title == section_title(profile)
            and section.values.get(MARKER) == portal.name
            and account
            and role
        ):
            own.setdefault((account, role), []).append(section)
    return own


@dataclass
class SyncPlan:
    """A sync worked out: its result, and the edits of the config that carry it out."""

    result: SyncResult
    edits: dict[str, dict[str, str | None] | None]
    renames: dict[str, str]
    add: dict[str, dict[str, str]]


def plan_sync(
    sections: list[ConfigSection],
    portal: Portal,
    roles: Iterable[PortalRole],
    *,
    template: str = DEFAULT_TEMPLATE,
    region: str | None = None,
) -> SyncPlan:
    """What a sync of these sections does: the result and the edits that carry it out."""
    wanted: dict[_RoleKey, PortalRole] = {}
    for role in roles:
        wanted.setdefault((role.account_id, role.role_name), role)
    names = {key: profile_name(template, role, portal) for key, role in wanted.items()}
    own = _own_sections(sections, portal)
    # The first of its sections for a role is the one kept in step; copies of it (a person's
    # variant of it, say) are left alone while the role is there and go with it.
    kept = {key: own[key][0] for key in wanted if key in own}
    mine = {section.start for section in kept.values()}
    mine.update(s.start for key, found in own.items() if key not in wanted for s in found)
    held = {"default"} | {s.profile for s in sections if s.profile and s.start not in mine}
    given: dict[_RoleKey, str] = {}
    claimed = set(held)

    def claim(key: _RoleKey, name: str) -> None:
        given[key] = name
        claimed.add(name)

    for key, section in kept.items():
        if section.profile == names[key] and names[key] not in claimed:
            claim(key, names[key])
    for key, section in kept.items():
        current = section.profile or ""
        # a suffix stays while the plain name is still taken, so names do not shuffle
        if (
            key not in given
            and names[key] in claimed
            and _is_suffixed(current, names[key])
            and current not in claimed
        ):
            claim(key, current)
    for key in wanted:
        if key not in given:
            n = 1
            while _candidate(names[key], n) in claimed:
                n += 1
            claim(key, _candidate(names[key], n))

    result = SyncResult()
    plan = SyncPlan(result, {}, {}, {})
    for key, role in wanted.items():
        name = given[key]
        settings = _settings(portal, role, region)
        if name != names[key]:
            result.renamed_for_collision[name] = names[key]
        before = kept.get(key)
        if before is None:
            plan.add[name] = {k: v for k, v in settings.items() if v is not None}
            result.added.append(name)
            continue
        current = before.profile or ""
        if current != name:
            plan.renames[current] = name
            result.renamed[current] = name
        if current != name or not _is_current(before, settings):
            plan.edits[current] = settings
            result.updated.append(name)
        else:
            result.unchanged.append(name)
    for key, found in own.items():
        if key not in wanted:
            for gone in found:
                plan.edits[gone.profile or ""] = None
                result.removed.append(gone.profile or "")
    return plan


def sync_profiles(
    path: Path,
    portal: Portal,
    roles: list[PortalRole],
    *,
    template: str = DEFAULT_TEMPLATE,
    region: str | None = None,
    dry_run: bool = False,
) -> SyncResult:
    """Save the portal's roles as profiles of the config at `path`, in one locked
    read-edit-write: add the new ones, update in place (comments and extra settings kept) or
    rename the ones it wrote before, remove those it wrote whose account and role are gone, and
    never touch a section it did not write for this portal; a name held by one gets -2, -3 ….
    A dry run reports the same and writes nothing."""
    with edit_config(path, dry_run=dry_run) as config:
        plan = plan_sync(config.sections, portal, roles, template=template, region=region)
        config.apply(plan.edits, renames=plan.renames, add=plan.add)
    return plan.result
