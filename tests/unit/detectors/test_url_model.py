"""The lexical URL model (``url_cats``): artifact, calibrated risk, ordinary links allowed, held-out quality."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

from interlock.datasets import read_jsonl
from interlock.detectors.url_filtering import UrlFilteringDetector, UrlFilteringOptions
from interlock.detectors.url_filtering.canon import canonicalize
from interlock.detectors.url_filtering.model import MODEL_FILE, N_BUCKETS, hashed_features, load_model, training_fold
from interlock.engine.base import ScanItem

#: Links people paste every day (written for this test, none from the training data): all must be allowed.
ORDINARY_LINKS = [
    "https://github.com/psf/requests/issues/6432",
    "https://github.com/pallets/flask/blob/main/src/flask/app.py#L120",
    "https://github.com/rust-lang/rust/pull/118093/files",
    "https://gist.github.com/anonymous/3f2a9c1e7b",
    "https://raw.githubusercontent.com/python/cpython/main/README.rst",
    "https://docs.python.org/3/library/urllib.parse.html#urllib.parse.urlsplit",
    "https://docs.djangoproject.com/en/5.0/topics/db/queries/",
    "https://fastapi.tiangolo.com/tutorial/query-params/",
    "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.merge.html",
    "https://numpy.org/doc/stable/reference/generated/numpy.einsum.html",
    "https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API/Using_Fetch",
    "https://learn.microsoft.com/en-us/azure/storage/blobs/storage-quickstart-blobs-python",
    "https://cloud.google.com/storage/docs/uploading-objects?hl=de",
    "https://kubernetes.io/docs/concepts/workloads/pods/",
    "https://stackoverflow.com/questions/231767/what-does-the-yield-keyword-do-in-python",
    "https://pypi.org/project/tldextract/5.1.2/",
    "https://www.npmjs.com/package/express?activeTab=versions",
    "https://en.wikipedia.org/wiki/Public_Suffix_List",
    "https://de.wikipedia.org/wiki/Uniform_Resource_Locator",
    "https://www.bbc.co.uk/news/technology-67890123",
    "https://www.nytimes.com/2024/03/14/technology/ai-chips-export.html",
    "https://www.theguardian.com/world/2024/jan/05/climate-report-europe",
    "https://www.reuters.com/markets/europe/ecb-holds-rates-2024-04-11/",
    "https://www.spiegel.de/wirtschaft/unternehmen/a-1234567.html",
    "https://www.lemonde.fr/economie/article/2024/02/01/inflation_6214589_3234.html",
    "https://news.ycombinator.com/item?id=39012345",
    "https://www.reddit.com/r/Python/comments/1a2b3c/whats_new_in_python_313/",
    "https://www.amazon.com/dp/B08N5WRWNW?ref=ppx_yo_dt_b_asin_title&th=1",
    "https://www.amazon.de/s?k=usb+c+kabel&crid=2M3N4&sprefix=usb%2Caps%2C98",
    "https://www.ebay.com/itm/285431234567?hash=item42757b8c07:g:abcAAOSw",
    "https://www.etsy.com/listing/1234567890/handmade-ceramic-mug?ref=hp_rv-1",
    "https://www.ikea.com/us/en/p/billy-bookcase-white-00263850/",
    "https://www.zalando.de/nike-sportswear-sneaker-low-ni112o0kq-a11.html?size=42",
    "https://www.bestbuy.com/site/apple-airpods-pro/6447382.p?skuId=6447382",
    "https://shop.example-bakery.co.uk/products/sourdough-loaf?variant=4012345",
    "https://www.booking.com/hotel/fr/le-petit-paris.html?checkin=2025-05-01&checkout=2025-05-04",
    "https://www.airbnb.com/rooms/12345678?adults=2&check_in=2025-06-01",
    "https://maps.google.com/?q=52.5200,13.4050",
    "https://www.google.com/search?q=how+to+parse+urls+in+python",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
    "https://vimeo.com/76979871",
    "https://www.linkedin.com/in/jane-doe-1234/",
    "https://medium.com/@someone/understanding-python-descriptors-5d3b2c1a",
    "https://arxiv.org/abs/2310.06825",
    "https://www.nature.com/articles/s41586-023-06291-2",
    "https://www.gov.uk/government/publications/tax-return-guide",
    "https://www.irs.gov/forms-pubs/about-form-1040",
    "https://www.ox.ac.uk/admissions/graduate/courses",
    "https://www.meetup.com/python-berlin/events/298765432/",
    "https://zoom.us/j/91234567890?pwd=abcDEF123",
    "https://calendar.google.com/calendar/u/0/r/week",
    "https://www.dropbox.com/s/abc123def456/report.pdf?dl=0",
]

#: Phishing-shaped URLs written for this test (brand in a subdomain, look-alikes, throwaway hosts, kit paths).
PHISHING_LINKS = [
    "http://paypal.com.account-verify.secure-login.xyz/webscr?cmd=_login",
    "http://appleid.apple.com.verify-id.info/signin/",
    "http://secure-chase-online.com/login/verify.php",
    "http://amaz0n-billing-update.com/ap/signin",
    "http://microsoft-office365-login.net/owa/auth.php",
    "http://login.microsoftonline.com.session-expired.top/common/oauth2",
    "http://www.wellsfargo.com.alert-update.ru/online/",
    "https://netflix-account-suspended.com/billing/update",
    "http://dropbox-shared-files.tk/doc/view.php?id=88213",
    "http://192.168.4.20/paypal/webscr/login.php",
    "http://bankofamerica.com-secure-verify.online/login",
    "https://docusign-review-document.web.app/sign/index.html",
]


def _check(url: str, **options: object) -> dict[str, object]:
    det = UrlFilteringDetector(UrlFilteringOptions.model_validate(options))
    res = det.detect(ScanItem(text=f"Please check this link for me: {url}", field="prompt", data_type="prompt"))
    (entry,) = res.detail["urlf_report"]
    return entry  # type: ignore[no-any-return]


def test_artifact_is_small_and_loads_without_sklearn() -> None:
    raw = resources.files("interlock.detectors.url_filtering").joinpath(MODEL_FILE).read_bytes()
    assert len(raw) < 5 * 1024 * 1024
    model = load_model()
    assert len(model.weights) == N_BUCKETS
    assert 0.0 < model.thresholds["medium"] <= model.thresholds["block"] < 1.0
    assert model.provenance["script"] == "scripts/train_url_model.py"
    code = (
        "import sys; from interlock.detectors.url_filtering.model import load_model; "
        "from interlock.detectors.url_filtering.canon import canonicalize; "
        "load_model().probability(canonicalize('http://example.com/')); "
        "sys.exit(int(any(m.split('.')[0] in ('sklearn', 'scipy', 'numpy') for m in sys.modules)))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_features_are_format_invariant() -> None:
    """Scheme, ``www.``, case, default port and a trailing slash do not change what the model sees."""
    forms = ["http://example.org/a/b", "HTTPS://WWW.Example.org:443/a/b/", "example.org/a/b", "www.example.org/a/b"]
    feats = []
    for f in forms:
        url = canonicalize(f)
        assert url is not None
        feats.append(hashed_features(url))
    assert all(f == feats[0] for f in feats)


@pytest.mark.parametrize("url", ORDINARY_LINKS)
def test_ordinary_links_are_allowed(url: str) -> None:
    entry = _check(url)
    assert entry["action"] == "allow", entry


#: Ordinary sites written bare, as people type them in prose (none from the training data): all must be allowed.
ORDINARY_HOSTS = [
    "github.com",
    "docs.python.org",
    "en.wikipedia.org",
    "stackoverflow.com",
    "pypi.org",
    "news.ycombinator.com",
    "www.bbc.co.uk",
    "maps.google.com",
    "mail.google.com",
    "login.microsoftonline.com",
    "www.amazon.de",
    "facebook.com",
    "developer.mozilla.org",
    "www.nytimes.com",
    "support.apple.com",
    "www.gov.uk",
    "www.spiegel.de",
    "www.lemonde.fr",
    "readthedocs.io",
    "kubernetes.io",
    "docs.github.com",
    "www.reddit.com",
    "zoom.us",
    "example.com",
]


@pytest.mark.parametrize("host", ORDINARY_HOSTS)
def test_ordinary_bare_hosts_are_allowed(host: str) -> None:
    entry = _check(host)
    assert entry["action"] == "allow", entry


def test_ordinary_links_are_mostly_low_risk() -> None:
    levels = [_check(u)["risk_level"] for u in ORDINARY_LINKS]
    assert levels.count("low") >= 0.9 * len(levels), levels


def test_brand_login_pages_are_not_blocked_by_the_model() -> None:
    """The brands' own domains (bundled reputation) never reach high risk from the model alone."""
    for url in ("https://accounts.google.com/signin", "https://www.paypal.com/signin?country.x=DE"):
        entry = _check(url)
        assert entry["action"] == "allow", entry


def test_phishing_shaped_links_are_blocked_by_the_model() -> None:
    """Without the model the rules catch few of these; with it, nearly all are blocked."""
    with_model = sum(_check(u)["action"] == "block" for u in PHISHING_LINKS)
    rules_only = sum(_check(u, use_model=False)["action"] == "block" for u in PHISHING_LINKS)
    assert with_model >= len(PHISHING_LINKS) - 2, with_model
    assert with_model > rules_only


def test_model_risk_is_calibrated_and_reported() -> None:
    model = load_model()
    benign = canonicalize("https://github.com/psf/requests/issues/6432")
    phish = canonicalize("http://paypal.com.account-verify.secure-login.xyz/webscr?cmd=_login")
    assert benign is not None and phish is not None
    assert model.probability(benign) < model.thresholds["medium"]
    assert model.thresholds["medium"] < model.thresholds["block"] <= model.probability(phish)
    entry = _check("http://paypal.com.account-verify.secure-login.xyz/webscr?cmd=_login")
    assert entry["risk_level"] == "high"
    assert "phishing" in entry["categories"]  # type: ignore[operator]


def test_allow_list_overrides_the_model() -> None:
    url = "http://secure-chase-online.com/login/verify.php"
    assert _check(url)["action"] == "block"
    assert _check(url, allow_domains=["secure-chase-online.com"])["action"] == "allow"


def test_block_threshold_option() -> None:
    """``model_block_threshold`` moves the model's block point (rules alone do not block this URL)."""
    url = "http://amaz0n-billing-update.com/ap/signin"
    canon = canonicalize(url)
    assert canon is not None
    p = load_model().probability(canon)
    assert _check(url)["action"] == "block"
    assert _check(url, use_model=False)["action"] == "allow"
    assert p < 1.0
    assert _check(url, model_block_threshold=(1.0 + p) / 2)["action"] == "allow"


@pytest.mark.data
def test_held_out_domains_auc_and_recall_at_one_percent_fpr(shared_data) -> None:  # type: ignore[no-untyped-def]
    """On registrable domains never fitted (the ``test`` fold), one URL per domain: AUC >= 0.95, TPR >= 0.60 at
    1 % FPR, and the shipped block threshold keeps FPR on the benign sources <= 2 %. (Every 5th row, for speed;
    ``benchmarks/eval_urls.py`` and the training report cover all rows.)"""
    model = load_model()
    by_domain: dict[tuple[str, int], tuple[str, float]] = {}
    for n, row in enumerate(read_jsonl(shared_data / "malicious_url.jsonl.gz")):
        if n % 5:
            continue
        url = canonicalize(str(row["text"]).strip())
        if url is None or not url.host or training_fold(url.registered_domain) != "test":
            continue
        key = (url.registered_domain, int(row["label"]))
        if key not in by_domain:
            by_domain[key] = (str(row["source"]), model.probability(url))
    items = list(by_domain.items())
    pos = sorted(p for (_, lab), (_, p) in items if lab == 1)
    neg = sorted(p for (_, lab), (_, p) in items if lab == 0)
    assert len(pos) > 500 and len(neg) > 500
    # AUC by ranks (Mann-Whitney)
    wins = 0.0
    j = 0
    for p in pos:
        while j < len(neg) and neg[j] < p:
            j += 1
        wins += j
    auc = wins / (len(pos) * len(neg))
    thr = neg[int(0.99 * len(neg))]
    tpr = sum(p > thr for p in pos) / len(pos)
    fpr_block = sum(p >= model.threshold for p in neg) / len(neg)
    assert auc >= 0.95, auc
    assert tpr >= 0.60, tpr
    assert fpr_block <= 0.02, fpr_block
