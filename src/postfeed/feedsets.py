"""Which feeds a build writes, and which articles each one gets.

A feed set is one folder of feeds (rss.xml, atom.xml, feed.json): the main one in
the output folder, one per category below categories/<slug>/, and the custom
ones of `[[feeds]]` below <name>/. Each takes the newest articles its filters let
through, up to its limit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from postfeed.article import Article
from postfeed.config import Config, FeedConfig
from postfeed.fields import category_slugs, fold


class Group(Enum):
    """The kinds of feed set; the index page and feeds.opml list them by group."""

    MAIN = "main"
    CATEGORIES = "categories"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        """The heading people see."""
        return {Group.MAIN: "Main", Group.CATEGORIES: "Categories", Group.CUSTOM: "Custom"}[self]


@dataclass(frozen=True)
class FeedSet:
    folder: str  # below the output folder, "" for the main feeds; ends without "/"
    title: str
    group: Group
    limit: int
    full_content: bool
    categories: frozenset[str] = frozenset()  # folded; any of them (empty: any)
    exclude_categories: frozenset[str] = frozenset()
    authors: frozenset[str] = frozenset()  # folded; any of them (empty: any)
    keywords: tuple[str, ...] = ()  # folded; any of them in title or content
    exclude_keywords: tuple[str, ...] = ()
    since: datetime | None = None  # articles published before this are left out

    def takes(self, article: Article, names: frozenset[str]) -> bool:
        """Whether the article (whose folded category names are `names`) passes the
        filters that need no content."""
        if self.since is not None and article.published < self.since:
            return False
        if self.categories and not names & self.categories:
            return False
        if names & self.exclude_categories:
            return False
        return not self.authors or fold(article.author or "") in self.authors

    @property
    def reads_content(self) -> bool:
        return bool(self.keywords or self.exclude_keywords)

    def takes_text(self, text: str) -> bool:
        """Whether the article's title and content text pass the keyword filters."""
        text = fold(text)
        if self.keywords and not any(keyword in text for keyword in self.keywords):
            return False
        return not any(keyword in text for keyword in self.exclude_keywords)


def feed_sets(config: Config, category_counts: Mapping[str, int], now: datetime) -> list[FeedSet]:
    """Every feed set of a build: main, then categories (by name), then custom ones."""
    full = config.content.mode == "full"
    sets = [FeedSet("", config.title, Group.MAIN, config.limit, full)]
    for name, slug in category_slugs(category_names(config, category_counts)).items():
        title = f"{config.title} · {name}"
        sets.append(
            FeedSet(f"categories/{slug}", title, Group.CATEGORIES, config.limit, full,
                    categories=frozenset({fold(name)}))
        )  # fmt: skip
    sets.extend(_custom(feed, config, now) for feed in config.feeds)
    return sets


def category_names(config: Config, category_counts: Mapping[str, int]) -> list[str]:
    """The categories that get feed sets of their own, by name: at most
    `limits.feed_sets` of them, those with the most articles."""
    if not config.categories.feeds:
        return []
    excluded = {fold(name) for name in config.categories.exclude}
    eligible = [
        (-count, name)
        for name, count in category_counts.items()
        if count >= config.categories.min_posts and fold(name) not in excluded
    ]
    return sorted(name for _, name in sorted(eligible)[: config.limits.feed_sets])


def _custom(feed: FeedConfig, config: Config, now: datetime) -> FeedSet:
    return FeedSet(
        folder=feed.name,
        title=feed.title or f"{config.title} · {feed.name}",
        group=Group.CUSTOM,
        limit=feed.limit or config.limit,
        full_content=(feed.content or config.content.mode) == "full",
        categories=frozenset(fold(name) for name in feed.categories),
        exclude_categories=frozenset(fold(name) for name in feed.exclude_categories),
        authors=frozenset(fold(name) for name in feed.authors),
        keywords=tuple(fold(word) for word in feed.keywords),
        exclude_keywords=tuple(fold(word) for word in feed.exclude_keywords),
        since=now - timedelta(days=feed.since_days) if feed.since_days else None,
    )


def select(
    sets: list[FeedSet],
    newest: Iterable[Article],
    finish: Callable[[Article], Article | None],
    plain_text: Callable[[str], str],
) -> dict[FeedSet, list[Article]]:
    """The articles of every feed set, newest first.

    `newest` yields articles without content, newest first; `finish` gives an
    article its content (None when it cannot be read: it is left out). Content is
    made once per article, and only for articles some set takes; the walk stops
    as soon as every set is full.
    """
    chosen: dict[FeedSet, list[Article]] = {feed_set: [] for feed_set in sets}
    # Category sets are looked up by name: an archive may have hundreds of them,
    # and each article belongs to few.
    by_category = {next(iter(s.categories)): s for s in sets if s.group is Group.CATEGORIES}
    others = [s for s in sets if s.group is not Group.CATEGORIES]
    full: set[FeedSet] = set()
    for article in newest:
        # Articles come newest first: a set with an age limit takes nothing more.
        full.update(s for s in others if s.since is not None and article.published < s.since)
        names = frozenset(fold(name) for name in article.categories)
        candidates = [*others, *(by_category[name] for name in names if name in by_category)]
        takers = [s for s in candidates if s not in full and s.takes(article, names)]
        if not takers:
            continue
        finished = finish(article)
        if finished is None:
            continue
        text = None
        for feed_set in takers:
            if feed_set.reads_content:
                text = text or f"{finished.title}\n{plain_text(finished.content)}"
                if not feed_set.takes_text(text):
                    continue
            chosen[feed_set].append(finished)
            if len(chosen[feed_set]) == feed_set.limit:
                full.add(feed_set)
        if len(full) == len(sets):
            break  # every set is full: read no further
    return chosen
