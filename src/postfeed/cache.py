"""The incremental cache: what was learned about each post file, kept between runs.

Keyed by a post's path, size and modification time, it holds the post's
normalized metadata (an Article without content) or the problems that rejected
it, so a run reads only new and changed files. Rendered content is kept per post
with the hash of the link and file it was made from; while that hash is the one
taken when the post was last read, the content is current, and neither the post
nor its content is read or made again.

It is an SQLite file, safe to delete. A cache written by another version or for
another configuration is discarded and rebuilt; so is one SQLite cannot read.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from postfeed import urls
from postfeed.article import Article, PostResult, Problem
from postfeed.fields import fold

SCHEMA_VERSION = "10"

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE posts (
    path TEXT PRIMARY KEY,   -- relative to the posts folder
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    skipped INTEGER NOT NULL,  -- 1: a draft or unpublished post
    problems TEXT,           -- JSON list of [field, message, fatal, detail], NULL if none
    digest TEXT,             -- of the article's link and file (PostResult.digest); NULL
                             -- until its content is made, for a post read by a cold build
    -- The article's fields; title is NULL for a rejected or skipped post.
    title TEXT, link TEXT, id TEXT, published REAL, updated REAL,
    categories TEXT, tags TEXT, author TEXT, image TEXT,
    own_id TEXT              -- the id derived from the path, for a post whose id is taken
);
CREATE INDEX posts_newest ON posts (published DESC, path) WHERE title IS NOT NULL;
CREATE INDEX posts_by_id ON posts (id, path) WHERE title IS NOT NULL;
-- Counting drafts and listing problems each run reads only those rows.
CREATE INDEX posts_skipped ON posts (path) WHERE skipped;
CREATE INDEX posts_with_problems ON posts (path) WHERE problems IS NOT NULL;
-- Each article's categories and tags again, one a row: a category's articles are
-- an index range, and so are the rows that choose a name's one spelling.
CREATE TABLE categories (
    path TEXT NOT NULL,
    key TEXT NOT NULL,       -- the name after NFKC and case folding
    name TEXT NOT NULL,      -- as written
    is_tag INTEGER NOT NULL, -- 0: a category (it may get a feed set), 1: a tag
    published REAL NOT NULL  -- the article's (as in posts), to read a category newest first
);
-- A key's first spelling is one index lookup, its count one index range.
CREATE INDEX categories_by_key ON categories (key, is_tag, path);
CREATE INDEX categories_by_path ON categories (path);
-- The newest articles of a category, read in index order: a build stops after the few a
-- feed shows instead of sorting every article of the category (33,000 in one at 100k posts).
CREATE INDEX categories_newest ON categories (key, is_tag, published DESC, path);
-- Each folded name's one spelling and its count of articles, kept up to date as posts
-- are stored and forgotten, so a build does not recount 300,000 rows (see Cache.spellings).
CREATE TABLE spellings (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    articles INTEGER NOT NULL  -- articles that have it as a category (0: only as a tag)
) WITHOUT ROWID;
CREATE TABLE content (
    path TEXT PRIMARY KEY,    -- the post it was made for
    digest TEXT NOT NULL,     -- of the post's link and file when it was made
    html TEXT NOT NULL,
    summary TEXT NOT NULL
);
"""
# The indexes Cache.bulk makes last, as (name, statement): all but the primary keys' and
# those in path order (posts come in path order: those grow at their end, cheaply).
_INDEXES = [
    (match[1], match[0])
    for match in re.finditer(r"CREATE INDEX (\w+) ON \w+ \((?!path\))[^;]*", _SCHEMA)
]
_INSERT_POST = "INSERT OR REPLACE INTO posts VALUES (" + ", ".join("?" * 16) + ")"
_INSERT_CATEGORY = "INSERT INTO categories VALUES (?, ?, ?, ?, ?)"
# Of the posts that share an id, the one that keeps it: a post whose id is its own
# (derived from its path) first, then the oldest, then the first in path order. A
# post cannot take away another's id by copying it; the others use their own_id.
_KEEPER_OF_ID = (
    "(SELECT keeper.path FROM posts AS keeper"
    " WHERE keeper.id = posts.id AND keeper.title IS NOT NULL"
    " ORDER BY keeper.id != keeper.own_id, keeper.published, keeper.path LIMIT 1)"
)
# Qualified: newest_in reads them joined with the categories table.
_ARTICLE_COLUMNS = (
    "posts.path, posts.title, posts.link,"
    " CASE WHEN posts.path = " + _KEEPER_OF_ID + " THEN posts.id ELSE posts.own_id END,"
    " posts.published, posts.updated, posts.categories, posts.tags, posts.author, posts.image"
)
# Separates categories in one column; no category can contain it (XML forbids it).
_SEPARATOR = "\x1f"


# What the cache keeps of one post file, made from its PostResult (see stored()).
Stored = tuple[tuple[object, ...], tuple[tuple[str, str, int], ...], float]


def stored(result: PostResult) -> Stored:
    """A PostResult as the cache keeps it: (the posts row after path, size and time;
    the (key, name, is_tag) of each category and tag; the date). Plain values: workers
    send these to the building process, which only inserts them."""
    article = result.article
    problems = [[p.field, p.message, p.fatal, p.detail] for p in result.problems]
    head = (int(result.skipped), json.dumps(problems, ensure_ascii=False) if problems else None,
            result.digest or None)  # fmt: skip
    if article is None:
        return (*head, *(None,) * 10), (), 0.0
    fields = (
        (*head, article.title, article.link, article.id, article.published.timestamp(),
         article.updated.timestamp(), _SEPARATOR.join(article.categories),
         _SEPARATOR.join(article.tags), article.author, article.image, result.own_id)
    )  # fmt: skip
    names = [(fold(name), name, 0) for name in article.categories]
    names += [(fold(name), name, 1) for name in article.tags]
    return fields, tuple(names), article.published.timestamp()


class CacheDamaged(ValueError):
    """The cache holds what no build wrote: it is discarded and built again."""


class Cache:
    """An open cache. Use as a context manager; changes are committed on success."""

    def __init__(self, path: Path | None, fingerprint: str, respell: bool = True) -> None:
        """`path` None gives a cache that remembers nothing (for --force and tests).
        `respell`: articles name their categories and tags in the site's one spelling
        of each (see `spellings`); False: as each post writes them."""
        self.path = path
        self.fingerprint = fingerprint
        self.respell = respell
        # With track_changes(): the folded categories of every post stored or forgotten
        # since, as they were and as they are, and the spelling each name of those posts
        # had before (a build then renders only the feed sets a change can reach).
        self._tracking = False
        self._touched: set[str] = set()
        self._spelt_before: dict[str, str | None] = {}
        self._db = self._open()
        self._spellings: dict[str, str] | None = None  # until a post is stored or forgotten
        self._unsettled: set[str] = set()  # keys whose row in `spellings` may be stale
        self._duplicates: list[tuple[str, str, str, str]] | None = None  # as _spellings
        # Inside bulk(): the rows of posts and of categories not inserted yet.
        self._bulk: tuple[list[tuple[object, ...]], list[tuple[object, ...]]] | None = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, error_type: object, *_: object) -> None:
        if error_type is None:
            self._settle()
            self._db.commit()
        self._db.close()

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._create(":memory:")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_symlink():  # planted: never read or write a cache through a link
            self.discard(self.path)
        try:
            db = sqlite3.connect(self.path)
            stored = dict(db.execute("SELECT key, value FROM meta"))
            if stored.get("fingerprint") == self.fingerprint:
                return db
            db.close()
        except sqlite3.DatabaseError:
            with contextlib.suppress(NameError):
                db.close()
        # Another version, another configuration, or not a cache at all: start afresh.
        self.discard(self.path)
        return self._create(str(self.path))

    @staticmethod
    def discard(path: Path) -> None:
        """Remove the cache file at `path` (it is built again from the posts)."""
        for stale in (path, Path(f"{path}-journal")):
            stale.unlink(missing_ok=True)

    def _create(self, location: str) -> sqlite3.Connection:
        db = sqlite3.connect(location)
        # Rows are large (long paths, links and ids, each in several indexes): pages four
        # times the default size take a cold build's inserts and index sorts in fewer
        # reads and writes (a quarter less of its SQLite time, at 20,000 posts).
        db.execute("PRAGMA page_size = 16384")
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (self.fingerprint,))
        db.commit()
        return db

    # Posts -----------------------------------------------------------------

    def stats(self, folders: set[str] | None = None) -> set[tuple[str, int, int]]:
        """(path, size, mtime_ns) of every post the cache knows, or of those whose
        folder (path without the file name, "" for the top) is one of `folders`."""
        if folders is None:
            return set(self._db.execute("SELECT path, size, mtime_ns FROM posts"))
        found = set()
        for folder in folders:
            if not folder:
                rows = self._db.execute(
                    "SELECT path, size, mtime_ns FROM posts WHERE instr(path, '/') = 0"
                )
                found.update(rows)
                continue
            # Every path below the folder, as a range of the primary key ('0' follows '/').
            rows = self._db.execute(
                "SELECT path, size, mtime_ns FROM posts WHERE path >= ? AND path < ?",
                (f"{folder}/", f"{folder}0"),
            )
            found.update(row for row in rows if "/" not in row[0][len(folder) + 1 :])
        return found

    def count(self) -> int:
        """Post files the cache knows."""
        return self._db.execute("SELECT count(*) FROM posts").fetchone()[0]

    def is_empty(self) -> bool:
        """Whether the cache knows no post file (a cold build reads every one)."""
        return self._db.execute("SELECT 1 FROM posts LIMIT 1").fetchone() is None

    def track_changes(self) -> None:
        self._tracking = True

    def touched_categories(self) -> set[str]:
        """The folded categories of the posts stored or forgotten since track_changes()."""
        return set(self._touched)

    def respelt(self) -> bool:
        """Whether a category or tag of a post stored or forgotten since track_changes()
        is now spelt otherwise across the site (articles elsewhere show that spelling)."""
        return self.respell and any(
            self._spelling(key) != before for key, before in self._spelt_before.items()
        )

    def _spelling(self, key: str) -> str | None:
        row = self._db.execute(
            "SELECT name FROM categories WHERE key = ? ORDER BY is_tag, path LIMIT 1", (key,)
        ).fetchone()
        return row[0] if row else None

    def _touch(self, path: str, names: tuple[tuple[str, str, int], ...] = ()) -> None:
        """Note the categories `path` has in the cache, and those it is given now
        (`names`: the (key, name, is_tag) of its categories and tags, see stored())."""
        if not self._tracking:
            return
        rows = self._db.execute("SELECT key, is_tag FROM categories WHERE path = ?", (path,))
        keys = {key: bool(is_tag) for key, is_tag in rows}
        new = {key for key, _, _ in names}
        self._touched.update(key for key, is_tag in keys.items() if not is_tag)
        self._touched.update(key for key, _, is_tag in names if not is_tag)
        for key in keys.keys() | new:
            if key not in self._spelt_before:
                self._spelt_before[key] = self._spelling(key)

    @contextlib.contextmanager
    def bulk(self) -> Iterator[None]:
        """A block that stores many posts. Into an empty cache (a cold build), rows are
        inserted in batches, without the indexes in another order than the posts come
        in, which are made once at the end from all the rows: keeping them up to date
        row by row costs more."""
        if self._tracking or self._bulk is not None or self.count():
            yield
            return
        if not self._db.in_transaction:  # the indexes come back if the build fails
            self._db.execute("BEGIN")
        for name, _ in _INDEXES:
            self._db.execute(f"DROP INDEX IF EXISTS {name}")
        self._bulk = ([], [])
        try:
            yield
            self._flush()
        finally:
            self._bulk = None
            # SQLite's sorter may use helper threads to build them (0.6 s to 0.4 s at 100,000).
            (threads,) = self._db.execute("PRAGMA threads").fetchone()
            self._db.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")
            for _, statement in _INDEXES:
                self._db.execute(statement)
            self._db.execute(f"PRAGMA threads = {int(threads)}")

    def _flush(self) -> None:
        if self._bulk:
            posts, categories = self._bulk
            self._db.executemany(_INSERT_POST, posts)
            self._db.executemany(_INSERT_CATEGORY, categories)
            posts.clear()
            categories.clear()

    def store(self, path: str, size: int, mtime_ns: int, result: PostResult | Stored) -> None:
        """Keep what reading the post file `path` gave (a PostResult, or its stored())."""
        fields, names, published = result if isinstance(result, tuple) else stored(result)
        self._touch(path, names)
        row = (path, size, mtime_ns, *fields)
        rows = [(path, key, name, is_tag, published) for key, name, is_tag in names]
        if self._bulk is not None:  # a new post in an empty cache: it has no rows to drop
            self._spellings = self._duplicates = None
            self._unsettled.update(key for key, _, _ in names)
            self._bulk[0].append(row)
            self._bulk[1].extend(rows)
            if len(self._bulk[0]) >= 512:
                self._flush()
            return
        self._drop_categories(path)
        if rows:
            self._unsettled.update(key for key, _, _ in names)
            self._db.executemany(_INSERT_CATEGORY, rows)
        self._db.execute(_INSERT_POST, row)

    def forget(self, paths: Iterable[str]) -> None:
        rows = [(path,) for path in paths]
        for (path,) in rows:
            self._touch(path)
            self._drop_categories(path)
        self._db.executemany("DELETE FROM posts WHERE path = ?", rows)

    def _drop_categories(self, path: str) -> None:
        """Delete the category rows of `path`; their keys' spellings are settled later."""
        self._spellings = self._duplicates = None
        deleted = self._db.execute("DELETE FROM categories WHERE path = ? RETURNING key", (path,))
        self._unsettled.update(key for (key,) in deleted)

    def clear(self) -> None:
        """Forget everything: the next build reads every post again."""
        self._spellings = self._duplicates = None
        self._unsettled.clear()
        self._db.execute("DELETE FROM posts")
        self._db.execute("DELETE FROM categories")
        self._db.execute("DELETE FROM spellings")
        self._db.execute("DELETE FROM content")
        self._db.execute("DELETE FROM meta WHERE key != 'fingerprint'")

    def newest(self, root: Path, until: datetime | None = None) -> Iterator[Article]:
        """Cached articles (without content), newest first, equal dates in path order.

        With `until`, articles dated after it are left out.
        """
        query = f"SELECT {_ARTICLE_COLUMNS} FROM posts WHERE title IS NOT NULL"
        parameters: tuple[float, ...] = ()
        if until is not None:
            query += " AND published <= ?"
            parameters = (until.timestamp(),)
        spellings = self.spellings() if self.respell else {}
        cursor = self._db.execute(query + " ORDER BY published DESC, path", parameters)
        while rows := cursor.fetchmany(64):
            yield from (_article(root, row, spellings) for row in rows)

    def newest_in(self, root: Path, key: str, until: datetime | None = None) -> Iterator[Article]:
        """Cached articles of the category `key` (folded), newest first, as `newest`."""
        # In the order of the index categories_newest: rows are read (and each one's
        # keeper of its id looked up) only as far as the caller goes.
        query = (
            f"SELECT {_ARTICLE_COLUMNS} FROM categories AS c JOIN posts ON posts.path = c.path"
            " WHERE c.key = ? AND c.is_tag = 0 AND posts.title IS NOT NULL"
        )
        parameters: tuple[str | float, ...] = (key,)
        if until is not None:
            query += " AND c.published <= ?"
            parameters += (until.timestamp(),)
        spellings = self.spellings() if self.respell else {}
        cursor = self._db.execute(query + " ORDER BY c.published DESC, c.path", parameters)
        while rows := cursor.fetchmany(64):
            yield from (_article(root, row, spellings) for row in rows)

    def categories_of(self, paths: Iterable[str]) -> set[str]:
        """The folded categories of the posts `paths`."""
        rows = self._db.execute(
            "SELECT DISTINCT key FROM categories WHERE NOT is_tag"
            " AND path IN (SELECT value FROM json_each(?))",
            (json.dumps(list(paths), ensure_ascii=False),),
        )
        return {key for (key,) in rows}

    def duplicate_ids(self) -> list[tuple[str, str, str, str]]:
        """(path, id, path of the post that keeps the id, the id used instead) of every
        article whose id another post keeps."""
        if self._duplicates is not None:
            return list(self._duplicates)
        rows = self._db.execute(
            f"SELECT path, id, {_KEEPER_OF_ID} AS keeper, own_id FROM posts"
            " WHERE title IS NOT NULL AND id IN ("
            "  SELECT id FROM posts WHERE title IS NOT NULL GROUP BY id HAVING COUNT(*) > 1"
            ") AND path != keeper ORDER BY path"
        )
        self._duplicates = list(rows)
        return list(self._duplicates)

    def articles_after(self, root: Path, after: datetime) -> list[Article]:
        """Cached articles dated after `after`, in path order."""
        rows = self._db.execute(
            f"SELECT {_ARTICLE_COLUMNS} FROM posts"
            " WHERE title IS NOT NULL AND published > ? ORDER BY path",
            (after.timestamp(),),
        )
        spellings = self.spellings() if self.respell else {}
        return [_article(root, row, spellings) for row in rows]

    def problems(self, root: Path) -> list[Problem]:
        """Every problem of every cached post, in path order."""
        rows = self._db.execute(
            "SELECT path, problems FROM posts WHERE problems IS NOT NULL ORDER BY path"
        )
        return [
            Problem(root / path, field, message, fatal, detail)
            for path, problems in rows
            for field, message, fatal, detail in json.loads(problems)
        ]

    def category_counts(self) -> dict[str, int]:
        """Articles per category; names equal after NFKC and case folding count as one,
        under the site's one spelling of it (see `spellings`)."""
        self._settle()
        rows = self._db.execute(
            "SELECT name, articles FROM spellings WHERE articles > 0 ORDER BY key"
        )
        return dict(rows)

    def spellings(self) -> dict[str, str]:
        """One spelling of each category and tag for the whole site, by folded name:
        the first met in path order, a category's before a tag's. (`ＡＩ` in one post
        and `AI` in another are one category, and the feeds call it one thing.)"""
        if self._spellings is None:
            self._settle()
            self._spellings = dict(self._db.execute("SELECT key, name FROM spellings"))
        return self._spellings

    def _settle(self) -> None:
        """Bring the `spellings` rows of the keys whose categories changed up to date:
        per key, one index lookup and one count over an index range (not a pass over
        every category row of the site, as a build without this table made)."""
        for key in sorted(self._unsettled):
            name = self._spelling(key)
            if name is None:
                self._db.execute("DELETE FROM spellings WHERE key = ?", (key,))
                continue
            (articles,) = self._db.execute(
                "SELECT COUNT(*) FROM categories WHERE key = ? AND is_tag = 0", (key,)
            ).fetchone()
            self._db.execute(
                "INSERT OR REPLACE INTO spellings VALUES (?, ?, ?)", (key, name, articles)
            )
        self._unsettled.clear()

    def skipped(self) -> int:
        return self._db.execute("SELECT count(*) FROM posts WHERE skipped").fetchone()[0]

    # Rendered content --------------------------------------------------------

    def content(self, path: str) -> tuple[str, str] | None:
        """The rendered (html, summary) of a post, if made from its current bytes
        (the digest taken when the post was last read)."""
        row = self._db.execute(
            "SELECT c.html, c.summary FROM content AS c JOIN posts AS p USING (path)"
            " WHERE path = ? AND c.digest = p.digest",
            (path,),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def store_content(self, path: str, digest: str, html: str, summary: str) -> None:
        """Keep the content made from a post whose link and file have this digest.
        A post read without one (by a cold build) takes it now: it was read moments
        ago, and were it changed since, its size or time tells the next build."""
        self._db.execute(
            "INSERT OR REPLACE INTO content VALUES (?, ?, ?, ?)", (path, digest, html, summary)
        )
        self._db.execute(
            "UPDATE posts SET digest = ? WHERE path = ? AND digest IS NULL", (digest, path)
        )

    def unrendered(self, paths: list[str]) -> list[str]:
        """Those of `paths` with no content made from their current bytes, in order."""
        rows = self._db.execute(
            "SELECT c.path FROM content AS c JOIN posts AS p USING (path)"
            " WHERE c.digest = p.digest AND path IN (SELECT value FROM json_each(?))",
            (json.dumps(paths, ensure_ascii=False),),
        )
        done = {path for (path,) in rows}
        return [path for path in paths if path not in done]

    def keep_content(self, paths: set[str]) -> None:
        """Forget the rendered content of posts no feed shows any more."""
        self._db.execute(
            "DELETE FROM content WHERE path NOT IN (SELECT value FROM json_each(?))",
            (json.dumps(sorted(paths), ensure_ascii=False),),
        )

    # The last build ----------------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def _article(root: Path, row: tuple, spellings: dict[str, str]) -> Article:
    path, title, link, id_, published, updated, categories, tags, author, image = row

    # The cache is read as untrusted input: a link or image no build would have
    # written means someone else wrote it.
    if not urls.is_web_url(link) or (image is not None and not urls.is_web_url(image)):
        raise CacheDamaged(f"{path}: a link that is not http(s)")

    def spelt(names: str) -> tuple[str, ...]:
        return tuple(spellings.get(fold(name), name) for name in names.split(_SEPARATOR))

    return Article(
        source=root / path,
        title=title,
        link=link,
        id=id_,
        published=datetime.fromtimestamp(published, UTC),
        updated=datetime.fromtimestamp(updated, UTC),
        categories=spelt(categories) if categories else (),
        tags=spelt(tags) if tags else (),
        author=author,
        image=image,
    )
