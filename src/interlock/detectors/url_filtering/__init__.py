"""URL filtering (AIRS ``url_cats``): extract, canonicalise and categorise every URL in a text, offline."""

from interlock.detectors.url_filtering.detector import (
    DEFAULT_BLOCK_CATEGORIES,
    FeedSpec,
    UrlFilteringDetector,
    UrlFilteringOptions,
)

__all__ = ["DEFAULT_BLOCK_CATEGORIES", "FeedSpec", "UrlFilteringDetector", "UrlFilteringOptions"]
