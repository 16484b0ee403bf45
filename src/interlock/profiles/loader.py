"""Load and look up security profiles: the built-in ones plus YAML/TOML files.

A profile file holds one profile (a mapping with ``name``) or several (``profiles: [...]``). Every profile is
checked when it loads: each enabled detector must be implemented by this engine, support the data types it is
enabled on, and accept the options given. Errors name the file and the profile.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from interlock.engine import registry
from interlock.errors import ProfileError
from interlock.profiles.model import DetectorPolicy, Profile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

__all__ = ["ProfileStore", "load_profile_file", "DEFAULT_PROFILE", "PROFILES_ENV"]

DEFAULT_PROFILE = "default"
#: Environment variable naming extra profile files (``os.pathsep``-separated).
PROFILES_ENV = "INTERLOCK_PROFILES"


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, so a key like ``on`` stays a string."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _parse(text: str, suffix: str, origin: str) -> Any:
    try:
        if suffix == ".toml":
            return tomllib.loads(text)
        return yaml.load(text, Loader=_Yaml12Loader)  # noqa: S506 - a SafeLoader subclass
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise ProfileError(f"{origin}: cannot parse profile file: {exc}") from None


def _profiles_from(data: Any, origin: str) -> list[Profile]:
    if isinstance(data, dict) and "profiles" in data:
        raw = data["profiles"]
    elif isinstance(data, dict):
        raw = [data]
    elif isinstance(data, list):
        raw = data
    else:
        raise ProfileError(f"{origin}: expected a profile mapping or a list of profiles")
    out = []
    for entry in raw:
        try:
            profile = Profile.model_validate(entry)
        except ValidationError as exc:
            raise ProfileError(f"{origin}: invalid profile: {exc}") from None
        check_profile(profile, origin)
        out.append(profile)
    return out


def check_profile(profile: Profile, origin: str = "profile") -> None:
    """Refuse a profile that enables a detector this engine cannot run as configured."""
    for name, policy in profile.detectors.items():
        where = f"{origin}: profile {profile.name!r}"
        try:
            cls = registry.detector_class(name)
        except ProfileError as exc:
            raise ProfileError(f"{where}: {exc}") from None
        if policy.on is not None:
            unsupported = set(policy.on) - set(cls.data_types)
            if unsupported:
                raise ProfileError(
                    f"{where}: detector {name!r} cannot scan {sorted(unsupported)} "
                    f"(it supports {sorted(cls.data_types)})"
                )
        try:
            options = registry.validate_options(name, policy.options)
        except ProfileError as exc:
            raise ProfileError(f"{where}: {exc}") from None
        if policy.data_patterns:
            _check_data_patterns(where, name, cls, options, policy)


def _check_data_patterns(where: str, name: str, cls: Any, options: Any, policy: DetectorPolicy) -> None:
    """``data_patterns`` names data types the detector scans here and data patterns (or groups) it reports."""
    names_of = getattr(cls, "data_pattern_names", None)
    if names_of is None:
        raise ProfileError(f"{where}: detector {name!r} has no data patterns; 'data_patterns' applies to 'dlp'")
    scanned = set(policy.on if policy.on is not None else cls.data_types)
    off = sorted(set(policy.data_patterns) - scanned)
    if off:
        raise ProfileError(f"{where}: detector {name!r} data_patterns for {off}, which it does not scan here")
    known: frozenset[str] = names_of(options)
    for data_type, rules in policy.data_patterns.items():
        unknown = sorted(set(rules) - known)
        if unknown:
            raise ProfileError(
                f"{where}: detector {name!r} data_patterns.{data_type}: unknown data pattern(s) {unknown} "
                f"(known: {', '.join(sorted(known))})"
            )


def load_profile_file(path: str | os.PathLike[str]) -> list[Profile]:
    """Load the profiles in one YAML (``.yaml``/``.yml``) or TOML (``.toml``) file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"cannot read profile file {p}: {exc.strerror}") from None
    return _profiles_from(_parse(text, p.suffix.lower(), str(p)), str(p))


def _builtin() -> list[Profile]:
    out: list[Profile] = []
    folder = resources.files("interlock.profiles") / "builtin"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml", ".toml")):
            suffix = "." + entry.name.rsplit(".", 1)[1]
            out.extend(_profiles_from(_parse(entry.read_text(encoding="utf-8"), suffix, entry.name), entry.name))
    return out


class ProfileStore:
    """The profiles a scanner can use, looked up by ``profile_name`` or ``profile_id``.

    Example:
        >>> store = ProfileStore.default()
        >>> store.get("default").name
        'default'
    """

    def __init__(self, profiles: Iterable[Profile] = ()) -> None:
        self._by_name: dict[str, Profile] = {}
        self._by_id: dict[str, Profile] = {}
        for profile in profiles:
            self.add(profile)

    @classmethod
    def default(cls, paths: Iterable[str | os.PathLike[str]] = ()) -> ProfileStore:
        """Built-in profiles, then files named in ``INTERLOCK_PROFILES``, then ``paths`` (later wins)."""
        store = cls(_builtin())
        env = os.environ.get(PROFILES_ENV, "")
        for path in [*filter(None, env.split(os.pathsep)), *paths]:
            for profile in load_profile_file(path):
                store.add(profile)
        return store

    def add(self, profile: Profile) -> None:
        """Add or replace a profile."""
        old = self._by_name.pop(profile.name, None)
        if old is not None:
            self._by_id.pop(old.id, None)
        self._by_name[profile.name] = profile
        self._by_id[profile.id] = profile

    def get(self, name: str | None = None, profile_id: str | None = None) -> Profile:
        """Return a profile by name or id (the default profile when neither is given).

        Raises:
            ProfileError: no such profile.
        """
        if profile_id is not None:
            found = self._by_id.get(profile_id.lower())
            if found is None or (name is not None and found.name != name):
                raise ProfileError(f"unknown profile id {profile_id!r}")
            return found
        key = name if name is not None else DEFAULT_PROFILE
        found = self._by_name.get(key)
        if found is None:
            raise ProfileError(f"unknown profile {key!r} (known: {', '.join(sorted(self._by_name))})")
        return found

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._by_name.values(), key=lambda p: p.name))

    def __len__(self) -> int:
        return len(self._by_name)
