"""Text utilities shared by detectors: normalisation into evasion-resistant views with offset maps."""

from interlock.text.normalize import HIDDEN_VIEWS, Limits, OffsetMap, View, fold_text, views

__all__ = ["HIDDEN_VIEWS", "Limits", "OffsetMap", "View", "fold_text", "views"]
