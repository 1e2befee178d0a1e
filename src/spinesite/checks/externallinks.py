"""``spinesite check --external``: every link to another site, fetched, before a patient finds it dead.

Three small steps, each testable alone:

- :func:`external_links` collects each http(s) URL of another site from the built pages, with
  the places it is written (the content file and line, or the output file the theme wrote);
- :func:`fetch_all` asks each URL once (HEAD, then GET when a server refuses HEAD), with a
  bounded number of requests at a time (and at most two per host), a timeout and retries with
  backoff (urllib3's ``Retry``, which also honours ``Retry-After``);
- :func:`link_diagnostics` turns the answers into ``path:line:`` problems: a dead link is an
  error, a redirect a warning naming where it leads.

Answers are kept in the site's cache folder (``external-links.json``: plain JSON data) for
``checks.external_cache_hours``, so a check run again soon asks each server nothing.
"""

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import urllib3

from spinesite import __version__
from spinesite.checks.site import HTML_SUFFIXES, source_line
from spinesite.diagnostics import Diagnostic, show_url
from spinesite.output.htmlscan import scan_html
from spinesite.safefiles import read_file, write_file_atomic
from spinesite.siteurls import SiteBase, browser_url, is_foreign

if TYPE_CHECKING:
    from spinesite.buildresult import BuildResult

CACHE_FILE = "external-links.json"
CACHE_VERSION = 1
PER_HOST = 2  # requests to one server at a time: polite, and servers rate-limit link checkers
MAX_REDIRECTS = 5
USER_AGENT = f"spinesite/{__version__} (link checker; +https://pypi.org/project/spinesite/)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class Answer:
    """What asking for one URL gave: ``status`` 0 when no HTTP answer came (``reason`` says why)."""

    status: int
    reason: str = ""
    final_url: str = ""  # where redirects led, when they did
    checked: float = 0.0  # time.time() of the answer


@dataclass(frozen=True)
class Settings:
    timeout: float = 10.0
    retries: int = 2
    concurrency: int = 8
    cache_hours: float = 24.0


Place = tuple[str, int]  # file, line (0: unknown)


def written_links(result: BuildResult) -> dict[str, list[tuple[str, int]]]:
    """``{file: [(url, line)]}`` of every link in the built pages, at the content file and line
    where it is written (front matter or body), or at the output file when the theme wrote it."""
    assert result.graph is not None and result.config is not None
    base = SiteBase.from_url(result.config.base)
    by_out = {p.output_path: p for p in result.graph.pages}
    found: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for out, data in sorted(result.files.items()):
        if not out.endswith(HTML_SUFFIXES[:3]):
            continue
        scan = scan_html(data.decode("utf-8", errors="replace"), base, base.doc_url(out))
        page = by_out.get(out)
        for at, url in scan.links:
            if "//" not in url:
                continue  # not a link to another site
            line = source_line(page, url, base) if page is not None else 0
            found[page.rel if page is not None and line else out].append((url, line or scan.line(at)))
    return dict(found)


def external_links(pages: Mapping[str, list[tuple[str, int]]], base: SiteBase) -> dict[str, list[Place]]:
    """``{url: places}`` for the http(s) URLs of other sites in ``pages`` (``{file: [(url, line)]}``)."""
    found: dict[str, list[Place]] = defaultdict(list)
    for where, links in pages.items():
        for url, line in links:
            try:
                u = urldefrag(browser_url(url).strip()).url  # #fragments are not sent: one request per page
                web = urlsplit(u).scheme.lower() in ("http", "https")
            except ValueError:  # e.g. "https://[x": not an address anyone can fetch; the link check reports it
                continue
            if web and is_foreign(u, base) and (where, line) not in found[u]:
                found[u].append((where, line))
    return {url: sorted(places) for url, places in sorted(found.items())}


def fetch_all(urls: Iterable[str], settings: Settings, ask: Callable[[str], Answer] | None = None) -> dict[str, Answer]:
    """Ask for every URL: at most ``settings.concurrency`` at once and ``PER_HOST`` per server."""
    todo = sorted(set(urls))
    if not todo:
        return {}
    if ask is None:
        pool = urllib3.PoolManager(num_pools=64, maxsize=PER_HOST, headers={"User-Agent": USER_AGENT})
        ask = _asker(pool, settings)
    hosts: dict[str, threading.BoundedSemaphore] = {u: threading.BoundedSemaphore(PER_HOST) for u in {_host(u) for u in todo}}

    def one(url: str) -> Answer:
        with hosts[_host(url)]:
            return ask(url)

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(settings.concurrency, len(todo)))) as executor:
        return dict(zip(todo, executor.map(one, todo), strict=True))


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def _asker(pool: urllib3.PoolManager, settings: Settings) -> Callable[[str], Answer]:
    def ask(url: str) -> Answer:
        answer = _request(pool, "HEAD", url, settings)
        if answer.status in (403, 405, 501) or (answer.status == 0 and "timed out" not in answer.reason):
            answer = _request(pool, "GET", url, settings)  # some servers refuse HEAD, or answer it badly
        return answer

    return ask


def _request(pool: urllib3.PoolManager, method: str, url: str, settings: Settings) -> Answer:
    retry = urllib3.Retry(
        total=settings.retries + MAX_REDIRECTS,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        redirect=MAX_REDIRECTS,
        backoff_factor=0.5,
        backoff_max=10,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"HEAD", "GET"}),
        raise_on_status=False,
        raise_on_redirect=False,
        respect_retry_after_header=True,
    )
    timeout = urllib3.Timeout(connect=settings.timeout, read=settings.timeout)
    now = time.time()
    try:
        response = pool.request(method, url, retries=retry, timeout=timeout, preload_content=False, redirect=True)
    except urllib3.exceptions.MaxRetryError as exc:
        return Answer(0, _why(exc.reason), checked=now)
    except (urllib3.exceptions.HTTPError, ValueError, OSError) as exc:
        return Answer(0, _why(exc), checked=now)
    try:
        history = response.retries.history if response.retries else ()
        final = url
        for step in history:
            if step.redirect_location:
                final = urljoin(final, step.redirect_location)
        return Answer(response.status, response.reason or "", final if final != url else "", now)
    finally:
        response.release_conn()


def _why(exc: BaseException | None) -> str:
    text = str(exc or "no answer")
    low = text.lower()
    # checked in this order: urllib3's NameResolutionError and NewConnectionError are also TimeoutErrors
    if isinstance(exc, urllib3.exceptions.NameResolutionError) or "name or service not known" in low or "failed to resolve" in low:
        return "no such server (the address does not exist)"
    if "refused" in low:
        return "the server refused the connection"
    if "certificate" in low or "ssl" in low:
        return "its HTTPS certificate is not valid"
    if "timed out" in low or isinstance(exc, urllib3.exceptions.TimeoutError):
        return "timed out"
    return "no answer from the server"


def link_diagnostics(links: Mapping[str, list[Place]], answers: Mapping[str, Answer], settings: Settings) -> list[Diagnostic]:
    """A dead link is an error at every place it is written; a redirect is a warning."""
    tries = settings.retries + 1
    out = []
    for url, places in links.items():
        answer = answers[url]
        level: Literal["error", "warning"] = "error"
        message = ""
        if answer.status == 0:
            message = f"external link {show_url(url)} could not be reached: {answer.reason} ({_count(tries, 'try', 'tries')})"
        elif answer.status == 429:
            level, message = "warning", f"external link {show_url(url)} was not checked: the server asked us to slow down (HTTP 429)"
        elif answer.status >= 400:
            dead = "is dead" if answer.status in (404, 410) else "does not work"
            message = f"external link {show_url(url)} {dead}: HTTP {answer.status} {answer.reason}".rstrip()
        elif answer.final_url:
            level, message = (
                "warning",
                f"external link {show_url(url)} redirects to {show_url(answer.final_url)}: link to that address instead",
            )
        if message:
            out += [Diagnostic(path, line, message, level, "external-link") for path, line in places]
    return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def load_answers(cache_dir: Path, settings: Settings, now: float) -> dict[str, Answer]:
    """Recent answers kept by an earlier check (data only; anything unexpected is ignored)."""
    try:
        data: Any = json.loads(read_file(cache_dir / CACHE_FILE))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(data.get("answers"), dict):
        return {}
    oldest = now - settings.cache_hours * 3600
    kept = {}
    for url, item in data["answers"].items():
        try:
            answer = Answer(int(item["status"]), str(item["reason"]), str(item["final_url"]), float(item["checked"]))
        except (KeyError, TypeError, ValueError):
            continue
        if oldest <= answer.checked <= now and _keep(answer):
            kept[str(url)] = answer
    return kept


def _keep(answer: Answer) -> bool:
    """Failures that may pass on their own (no answer, 429, 5xx) are asked again next time."""
    return answer.status != 0 and answer.status != 429 and answer.status < 500


def save_answers(cache_dir: Path, answers: Mapping[str, Answer], previous: Mapping[str, Answer]) -> None:
    keep = {**previous, **{u: a for u, a in answers.items() if _keep(a)}}
    data = {"version": CACHE_VERSION, "answers": {u: asdict(a) for u, a in sorted(keep.items())}}
    write_file_atomic(cache_dir / CACHE_FILE, json.dumps(data, indent=1, sort_keys=True).encode())


def check_external(
    pages: Mapping[str, list[tuple[str, int]]],
    base: SiteBase,
    settings: Settings,
    cache_dir: Path | None,
    ask: Callable[[str], Answer] | None = None,
) -> list[Diagnostic]:
    """The whole check: collect, reuse recent answers, ask for the rest, report."""
    links = external_links(pages, base)
    now = time.time()
    previous = load_answers(cache_dir, settings, now) if cache_dir is not None and settings.cache_hours > 0 else {}
    fresh = fetch_all((u for u in links if u not in previous), settings, ask)
    if cache_dir is not None and settings.cache_hours > 0:
        save_answers(cache_dir, fresh, previous)
    return link_diagnostics(links, {**previous, **fresh}, settings)


def run_external_check(
    result: BuildResult, site: Path, ask: Callable[[str], Answer] | None = None, *, cache_dir: Path | None = None
) -> list[Diagnostic]:
    """``check --external`` on a finished in-memory build, with the site's settings and cache
    folder (``cache_dir``, default ``SITE/.spinesite-cache``)."""
    from spinesite.incremental.store import CacheFolderError, cache_folder

    assert result.config is not None
    checks = result.config.checks
    settings = Settings(
        float(checks.external_timeout),
        checks.external_retries,
        checks.external_concurrency,
        float(checks.external_cache_hours),
    )
    try:
        folder: Path | None = cache_folder(site, cache_dir)
    except (CacheFolderError, OSError):
        folder = None  # a link or a file there: check without remembering
    return check_external(written_links(result), SiteBase.from_url(result.config.base), settings, folder, ask)
