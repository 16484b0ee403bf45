"""Profiles load from YAML and TOML, and invalid ones are refused with a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from interlock.engine import registry
from interlock.errors import ProfileError
from interlock.profiles import Profile, ProfileStore, load_profile_file
from interlock.profiles.model import profile_uuid


@pytest.fixture(autouse=True)
def fake_registry(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(registry.BUILTIN, "dlp", "fakes:WordDetector")
    registry.detector_class.cache_clear()
    yield
    registry.detector_class.cache_clear()


def test_yaml_and_toml(tmp_path: Path) -> None:
    y = tmp_path / "p.yaml"
    y.write_text("profiles:\n  - name: a\n    detectors: {dlp: {action: allow, on: [response]}}\n  - name: b\n")
    t = tmp_path / "p.toml"
    t.write_text('name = "c"\nfail_mode = "open"\n[detectors.dlp]\noptions = {word = "bad"}\n')
    a, b = load_profile_file(y)
    (c,) = load_profile_file(t)
    assert a.detectors["dlp"].action == "allow" and a.detectors["dlp"].on == ("response",)
    assert b.detectors == {} and c.fail_mode == "open" and c.detectors["dlp"].options == {"word": "bad"}
    assert a.id == profile_uuid("a")


def test_lookup_by_name_and_id() -> None:
    p = Profile(name="x", id="6E06EC5B-A128-4A4F-A393-FF5DA75203D9")
    store = ProfileStore([p])
    assert store.get("x") is p
    assert store.get(profile_id="6e06ec5b-a128-4a4f-a393-ff5da75203d9") is p
    with pytest.raises(ProfileError):
        store.get(profile_id="6e06ec5b-a128-4a4f-a393-ff5da75203d0")
    with pytest.raises(ProfileError, match="known: x"):
        store.get("y")
    with pytest.raises(ProfileError):
        store.get("y", profile_id=p.id)  # name and id disagree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: a\ndetectors: {url_catz: {}}\n", "not implemented"),
        ("name: a\ndetectors: {dlp: {options: {colour: red}}}\n", "invalid options"),
        ("name: a\ndetectors: {dlp: {action: maybe}}\n", "invalid profile"),
        ("name: a\nunknown_key: 1\n", "invalid profile"),
        ("name: a\nid: nope\n", "invalid profile"),
        ("name: [unclosed\n", "cannot parse"),
        ("42\n", "expected a profile"),
    ],
)
def test_invalid_profiles_are_refused(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ProfileError, match=message):
        load_profile_file(f)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile_file(tmp_path / "absent.yaml")


def test_env_files_override_builtins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text("name: mine\ndetectors: {dlp: {}}\n")
    monkeypatch.setenv("INTERLOCK_PROFILES", str(f))
    monkeypatch.setattr("interlock.profiles.loader._builtin", list)
    assert [p.name for p in ProfileStore.default()] == ["mine"]
