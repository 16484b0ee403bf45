"""Security profiles: model and loader."""

from __future__ import annotations

from interlock.profiles.loader import DEFAULT_PROFILE, ProfileStore, load_profile_file
from interlock.profiles.model import DetectorPolicy, Profile

__all__ = ["DEFAULT_PROFILE", "DetectorPolicy", "Profile", "ProfileStore", "load_profile_file"]
