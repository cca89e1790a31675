"""Dashboard pages benchmark: a year of news, 100,000 articles and 5,000 stories.

Run on demand (not part of the test suite):

    uv run python tests/bench/bench_pages.py                       # ~1.5 min the first time
    uv run python tests/bench/bench_pages.py --articles 20000 --stories 1000   # smoke run
    uv run python tests/bench/bench_pages.py --explain             # and each page's query plans

It generates a database of ``--articles`` articles from ``--feeds`` outlets over
a year (titles and texts of the region's words, places and actors of the
shipped watch's gazetteer, a score with hits for each), ``--stories`` story
alerts of 2 to 30 reports each (every report with its outlets, two
deliveries per story, the payload the daemon records), index alerts with a
point of the index every 10 minutes, and a few corrections by hand. It is
written once in bulk through the store's own schema and cached under
``--cache`` (a file per size; a newer schema is migrated on open).

Then it times, through the real Starlette app (``make_app`` with the
dashboard's routes, Starlette's test client, each request opening the
database read-only as in the daemon): the front page ``/``, the story page of
the largest story and of a typical one, an index alert's page, an article
page of a report in the largest story, and ``/search`` for a common word, a
rare word and a common word filtered by level. The baseline, measured in the
same run through the same client, is ``/healthz`` (no database), and a plain
``SELECT`` of one article by id on a read-only connection opened for it.
Each page is requested ``--runs`` times after two warm-up requests; the
table gives the median and the slowest run in ms, the median's ratio to the
baseline page, and PASS/MISS against the issue's target (300 ms).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from monitor.config import load_config
from monitor.daemon.health import Health
from monitor.daemon.server import make_app
from monitor.models import Alert, AlertArticle, AlertHit, AlertSource, Story
from monitor.store import Store, iso
from monitor.web.pages import WebContext

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "config"
WATCH = "serbia-kosovo"
END = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
START = END - timedelta(days=365)
TARGET_MS = 300.0
# The region's common words, each in about a third of the articles or fewer ("police" in
# 35%), the rest of each text drawn from a vocabulary of 20,000 rarer made-up words.
COMMON = (
    "police officers protesters crossing bridge municipality mayor government minister "
    "statement night morning road village border patrol crowd building office court trial "
    "talks agreement energy trade election vote parliament union brussels delegation "
    "students workers farmers hospital school church monastery river valley highway "
    "checkpoint convoy trucks barricade"
).split()
SYLLABLES = "ka lo mi ne ra vi do še ju ba ze ti go ćo na pe ri sa lu ve".split()
ESCALATION = [("clashes", "clashed", 5.0), ("clashes", "tear gas", 5.0),
              ("armed-violence", "gunfire", 8.0), ("protest", "blocked", 4.0),
              ("tension-measures", "closed", 4.0), ("military-presence", "troops", 3.0)]  # fmt: skip
CALMING = [("calm", "talks", -3.0), ("stand-down", "reopened", -6.0)]
LEVELS = ["notice", "warning", "critical"]
LANGUAGES = ["en", "sh", "sq", "de", "fr", None]


class Generated:
    """A year of generated news in a monitor database, built once in bulk."""

    def __init__(self, path: Path, articles: int, stories: int, feeds: int, seed: int) -> None:
        self.path, self.articles, self.stories, self.feeds = path, articles, stories, feeds
        self.rng = random.Random(seed)
        config = load_config(CONFIG)
        (watch,) = [w for w in config.watches if w.name == WATCH]
        self.places, self.actors = list(watch.places), list(watch.actors)
        self.shares = {word: 0.35 if word == "police" else self.rng.uniform(0.02, 0.3)
                       for word in COMMON}  # fmt: skip
        self.vocabulary = ["".join(self.rng.choices(SYLLABLES, k=self.rng.randrange(2, 5)))
                           for _ in range(20_000)]  # fmt: skip

    def build(self) -> None:
        store = Store(self.path)  # the current schema, through the migrations
        db = store.db.conn
        with db:
            self._feeds(db)
            moments = sorted(self._moment() for _ in range(self.articles))
            self._articles(db, moments)
            self._stories(db, moments)
            self._index(db)
        db.execute("ANALYZE")
        store.close()

    def _moment(self) -> datetime:
        return START + timedelta(seconds=self.rng.uniform(0, (END - START).total_seconds()))

    def _feeds(self, db: sqlite3.Connection) -> None:
        db.executemany(
            """INSERT INTO feeds (id, url, name, interval, next_poll_at, last_polled_at,
                 last_status, last_status_code, consecutive_errors)
               VALUES (?, ?, ?, 600, ?, ?, 'ok', 200, 0)""",
            [(n, f"https://outlet{n}.example/rss", f"Outlet {n}", iso(END), iso(END))
             for n in range(1, self.feeds + 1)],
        )  # fmt: skip

    def _text(self, words: int, place: str, actor: str, hits: list[tuple[str, str, float]]) -> str:
        common = [word for word, share in self.shares.items() if self.rng.random() < share]
        parts = self.rng.choices(self.vocabulary, k=words - len(common)) + common
        self.rng.shuffle(parts)
        for term in [place, actor, *(text for _, text, _ in hits)]:
            parts.insert(self.rng.randrange(len(parts)), term)
        sentences = [" ".join(parts[i : i + 18]).capitalize() + "." for i in range(0, words, 18)]
        half = len(sentences) // 2
        return " ".join(sentences[:half]) + "\n" + " ".join(sentences[half:])

    def _articles(self, db: sqlite3.Connection, moments: list[datetime]) -> None:
        articles, scores, sources = [], [], []
        for article_id, moment in enumerate(moments, start=1):
            feed = self.rng.randrange(1, self.feeds + 1)
            place, actor = self.rng.choice(self.places), self.rng.choice(self.actors)
            hits = self.rng.sample(ESCALATION, self.rng.randrange(0, 4))
            hits += self.rng.sample(CALMING, self.rng.randrange(0, 2))
            title = " ".join(self.rng.choices(COMMON, k=5)).capitalize() + f" in {place}"
            text = self._text(150, place, actor, hits)
            url = f"https://outlet{feed}.example/{article_id}"
            digest = hashlib.sha256(text.encode()).hexdigest()
            articles.append((article_id, feed, f"g{article_id}", url, url, title, text,
                             iso(moment - timedelta(minutes=5)), iso(moment), digest,
                             self.rng.choice(LANGUAGES)))  # fmt: skip
            score = round(sum(points for *_, points in hits), 2)
            level = LEVELS[min(int(score // 6), 2)] if score >= 4 else None
            stored = [{"signal": signal, "term": text_, "text": text_, "field": "text",
                       "start": text.find(text_), "end": text.find(text_) + len(text_),
                       "points": points, "boosted": False, "capped": False, "negated": False}
                      for signal, text_, points in hits]  # fmt: skip
            scores.append((article_id, WATCH, score, level, 1, json.dumps(stored), "bench",
                           iso(moment), json.dumps([place]), json.dumps([actor])))  # fmt: skip
            sources.append((article_id, feed, url, iso(moment)))
        db.executemany(
            """INSERT INTO articles (id, feed_id, guid, url, canonical_url, title, summary,
                 published_at, fetched_at, content_hash, language)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            articles,
        )
        db.executemany(
            """INSERT INTO scores (article_id, watch, score, level, in_scope, hits,
                 rules_version, scored_at, places, actors)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            scores,
        )
        db.executemany(
            "INSERT INTO article_sources (article_id, feed_id, url, seen_at) VALUES (?, ?, ?, ?)",
            sources,
        )

    def _stories(self, db: sqlite3.Connection, moments: list[datetime]) -> None:
        """Story alerts of consecutive articles (a story's reports arrive together)."""
        step = len(moments) // (self.stories + 1)  # each story in a slot of its own
        for alert_id in range(1, self.stories + 1):
            # The first story is the largest: 30 reports (over two slots).
            first = 1 if alert_id == 1 else (alert_id * step) + 1
            choice = self.rng.choice([2, 3, 3, 4, 5, 6, 8, 12, 20])
            size = min(30, 2 * step) if alert_id == 1 else min(choice, step)
            members = list(range(first, first + size))
            opened, last = moments[members[0] - 1], moments[members[-1] - 1]
            rows = db.execute(
                f"""SELECT a.id, a.title, a.url, f.name, a.published_at, s.score, s.hits
                    FROM articles a JOIN feeds f ON f.id = a.feed_id
                    JOIN scores s ON s.article_id = a.id
                    WHERE a.id IN ({",".join("?" * len(members))}) ORDER BY a.id""",
                members,
            ).fetchall()
            articles = tuple(
                AlertArticle(title, url, source, published, score,
                             tuple(AlertHit.from_json(h) for h in json.loads(hits)))
                for _, title, url, source, published, score, hits in rows
            )  # fmt: skip
            level = self.rng.choice(["warning", "warning", "critical"])
            score = max(article.score or 0 for article in articles) + 10
            story = Story(("Mitrovica",), ("clashes",), len(members), len(members),
                          iso(opened), iso(last), follows=alert_id - 1 if alert_id % 50 == 0
                          else None, languages=("en", "sh"))  # fmt: skip
            payload = Alert(f"{WATCH}:article:{members[0]}", "article", "firing", WATCH, level,
                            score, opened, articles[:10],
                            tuple(AlertSource(a.source, a.url) for a in articles), story=story)  # fmt: skip
            state = "resolved" if last < END - timedelta(days=1) else "firing"
            db.execute(
                """INSERT INTO alerts (id, watch, kind, level, state, dedup_key, score,
                     article_ids, payload, opened_at, updated_at, resolved_at, follows,
                     last_report_at, resolution)
                   VALUES (?, ?, 'article', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [alert_id, WATCH, level, state, payload.key, score, json.dumps(members),
                 json.dumps(payload.to_json()), iso(opened), iso(last),
                 iso(last + timedelta(days=1)) if state == "resolved" else None,
                 story.follows, iso(last),
                 f"no new report for 24h since {iso(last)}" if state == "resolved" else None],
            )  # fmt: skip
            db.executemany(
                """UPDATE scores SET alert_id = ?, decision = ? WHERE article_id = ?""",
                [(alert_id, f"joined story #{alert_id}: shares place Mitrovica", member)
                 for member in members],
            )  # fmt: skip
            for member in members[1:4]:  # other outlets' copies of its reports
                feed = self.rng.randrange(1, self.feeds + 1)
                db.execute(
                    """INSERT OR IGNORE INTO article_sources (article_id, feed_id, url, seen_at)
                       VALUES (?, ?, ?, ?)""",
                    [member, feed, f"https://outlet{feed}.example/c{member}", iso(last)],
                )
            for channel in ("hook", "chat"):
                db.execute(
                    """INSERT INTO deliveries (alert_id, channel, event, status, attempts,
                         next_attempt_at, created_at, sent_at, last_error)
                       VALUES (?, ?, 'firing', ?, ?, ?, ?, ?, ?)""",
                    [alert_id, channel, "sent" if channel == "hook" else "dead",
                     1 if channel == "hook" else 12, iso(opened), iso(opened), iso(opened),
                     None if channel == "hook" else "mattermost answered HTTP 500"],
                )  # fmt: skip
        db.execute(
            """INSERT INTO story_corrections (kind, alert_id, other_alert_id, article_id, at)
               SELECT 'split', id - 1, id, json_extract(article_ids, '$[0]'), last_report_at
               FROM alerts WHERE id % 500 = 0 AND kind = 'article'"""
        )

    def _index(self, db: sqlite3.Connection) -> None:
        """A point of the index every 10 minutes, and an index alert for each high spell."""
        points, moment, value, level = [], START, 0.0, None
        alerts = 0
        first_id = self.stories + 1
        while moment <= END:
            burst = self.rng.expovariate(1 / 25) if self.rng.random() < 0.01 else 0.0
            value = max(0.0, value * 0.985 + burst)  # a story's weight, then decay
            new = "severe" if value >= 50 else "high" if value >= 30 else "elevated" if (
                value >= 15) else None  # fmt: skip
            if new is not None and level is None:
                alerts += 1
                db.execute(
                    """INSERT INTO alerts (id, watch, kind, level, state, dedup_key, score,
                         article_ids, payload, opened_at, updated_at, resolved_at)
                       VALUES (?, ?, 'index', ?, 'resolved', ?, ?, '[1]', '{}', ?, ?, ?)""",
                    [first_id + alerts, WATCH, new, f"{WATCH}:index:{iso(moment)}", value,
                     iso(moment), iso(moment), iso(moment + timedelta(hours=6))],
                )  # fmt: skip
            level = new
            points.append((WATCH, iso(moment), round(value, 2), level))
            moment += timedelta(minutes=10)
        db.executemany(
            "INSERT INTO index_history (watch, at, value, level) VALUES (?, ?, ?, ?)", points
        )
        db.execute(
            "INSERT INTO watch_index (watch, value, updated_at, level) VALUES (?, ?, ?, ?)",
            [WATCH, value, iso(END), level],
        )


def timed(request: Callable[[], Any], runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` calls, after two warm-up calls."""
    for _ in range(2):
        request()
    spent = []
    for _ in range(runs):
        began = time.perf_counter()
        request()
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def explain(path: Path) -> None:
    """The query plan of each query a story, article and search page runs (with --explain)."""
    store = Store(path, readonly=True)
    traced: list[str] = []
    store.db.conn.set_trace_callback(traced.append)
    store.alert_page(1)
    store.article_page(2)
    store.article_stories(2)
    store.index_stories(WATCH, END - timedelta(days=1), END)
    store.list_alerts(watch=WATCH, limit=10)
    store.feed_status(END)
    store.db.conn.set_trace_callback(None)
    for sql in dict.fromkeys(traced):
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        plan = store.db.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        print("\n" + " ".join(sql.split())[:160])
        for row in plan:
            print("   ", row[-1])
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--stories", type=int, default=5_000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/monitor-bench-pages"))
    parser.add_argument("--explain", action="store_true")
    options = parser.parse_args()

    options.cache.mkdir(parents=True, exist_ok=True)
    path = options.cache / f"a{options.articles}-s{options.stories}-f{options.feeds}.db"
    if not path.exists():
        began = time.perf_counter()
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        Generated(partial, options.articles, options.stories, options.feeds, options.seed).build()
        partial.rename(path)
        print(f"generated {path} in {time.perf_counter() - began:.0f} s")
    Store(path).close()  # migrate a cached file made by an older schema
    print(f"database {path}: {path.stat().st_size / 1e6:.0f} MB")

    config = load_config(CONFIG)
    web = WebContext(path, lambda: config.watches, lambda: END)
    client = TestClient(make_app(_Quiet(), web))
    check = Store(path, readonly=True)
    largest = check.db.execute(
        "SELECT id FROM alerts WHERE kind = 'article' ORDER BY json_array_length(article_ids) "
        "DESC, id LIMIT 1"
    ).fetchone()[0]
    typical = check.db.execute(
        "SELECT id FROM alerts WHERE kind = 'article' AND json_array_length(article_ids) = 5 "
        "ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    index = check.db.execute("SELECT max(id) FROM alerts WHERE kind = 'index'").fetchone()[0]
    report = check.db.execute(
        "SELECT json_extract(article_ids, '$[1]') FROM alerts WHERE id = ?", [largest]
    ).fetchone()[0]
    counts = check.db.execute(
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM alerts WHERE kind = "
        "'article'), (SELECT count(*) FROM alerts WHERE kind = 'index'), "
        "(SELECT count(*) FROM index_history)"
    ).fetchone()
    check.close()
    print(f"{counts[0]:,} articles, {counts[1]:,} stories, {counts[2]:,} index alerts, "
          f"{counts[3]:,} index points; now = {iso(END)}")  # fmt: skip

    def get(url: str) -> Callable[[], Any]:
        def request() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return request

    def select() -> None:
        store = Store(path, readonly=True)
        store.db.execute("SELECT id, title FROM articles WHERE id = ?", [report]).fetchone()
        store.close()

    baseline = statistics.median(timed(get("/healthz"), options.runs))
    plain = statistics.median(timed(select, options.runs))
    pages = [
        ("/ (front page)", "/"),
        ("/?range=30d", "/?range=30d"),
        (f"/alerts/{largest} (largest story)", f"/alerts/{largest}"),
        (f"/alerts/{typical} (a 5-report story)", f"/alerts/{typical}"),
        (f"/alerts/{index} (index alert)", f"/alerts/{index}"),
        (f"/articles/{report} (in the largest story)", f"/articles/{report}"),
        ("/search?q=police (common word)", "/search?q=police"),
        ("/search?q=police&level=critical", "/search?q=police&level=critical"),
        ("/search?q=Zubin (rarer word)", "/search?q=Zubin+Potok"),
        ("/search (no query)", "/search?watch=serbia-kosovo"),
    ]
    print(f"\nbaseline: /healthz {baseline:.2f} ms; open read-only + one SELECT {plain:.2f} ms")
    print(f"\n{'page':<46} {'median ms':>10} {'max ms':>8} {'x /healthz':>11}  target")
    misses = 0
    for label, url in pages:
        spent = timed(get(url), options.runs)
        median = statistics.median(spent)
        verdict = "PASS" if median < TARGET_MS else "MISS"
        misses += verdict == "MISS"
        print(f"{label:<46} {median:>10.1f} {max(spent):>8.1f} {median / baseline:>11.0f}  "
              f"{verdict} (< {TARGET_MS:.0f} ms)")  # fmt: skip
    if options.explain:
        explain(path)
    print(f"\n{misses} page(s) over {TARGET_MS:.0f} ms")


class _Quiet:
    """A daemon view that answers /healthz and nothing else."""

    def health(self) -> Health:
        return Health({"bench": "ok"})

    def metrics(self) -> bytes:
        return b""

    def status(self) -> dict[str, Any]:
        return {}


if __name__ == "__main__":
    main()
