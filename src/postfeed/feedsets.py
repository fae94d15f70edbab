"""Which feeds a build writes, and which articles each one gets.

A feed set is one folder of feeds (rss.xml, atom.xml, feed.json): the main one in
the output folder, one per category below categories/<slug>/, and the custom
ones of `[[feeds]]` below <name>/. Each takes the newest articles its filters let
through, up to its limit.

A set may convert between Simplified and Traditional Chinese (`opencc`): the main
set and the category sets follow the top-level setting (they are views of one
site), a custom set its own table's. The articles are converted when the set is
written (publish.py); its filters match an article by its original or its
converted spelling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from functools import lru_cache

from postfeed.article import Article
from postfeed.config import Config, FeedConfig
from postfeed.convert import convert_text
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
    folders: tuple[str, ...] = ()  # paths ending in "/"; an article below any of them
    authors: frozenset[str] = frozenset()  # folded; any of them (empty: any)
    keywords: tuple[str, ...] = ()  # folded; any of them in title or content
    exclude_keywords: tuple[str, ...] = ()
    since: datetime | None = None  # articles published before this are left out
    opencc: str = ""  # the conversion its articles are written in (convert.CONVERSIONS)

    def takes(self, article: Article, names: frozenset[str]) -> bool:
        """Whether the article (whose folded category names are `names`) passes the
        filters that need no content."""
        if self.since is not None and article.published < self.since:
            return False
        if self.folders and not article.source.as_posix().startswith(self.folders):
            return False
        if self.categories and not self._has_category(article, names, self.categories):
            return False
        if self.exclude_categories and self._has_category(article, names, self.exclude_categories):
            return False
        # Names of people are not converted (see convert.py): one spelling to match.
        return not self.authors or fold(article.author or "") in self.authors

    def _has_category(
        self, article: Article, names: frozenset[str], wanted: frozenset[str]
    ) -> bool:
        """Whether one of the article's categories, as written or as this set shows
        it, is in `wanted`."""
        if names & wanted:
            return True
        if not self.opencc:
            return False
        return not _converted_names(article.categories, self.opencc).isdisjoint(wanted)

    @property
    def reads_content(self) -> bool:
        return bool(self.keywords or self.exclude_keywords)

    def takes_text(self, *texts: str) -> bool:
        """Whether the article passes the keyword filters; `texts` are its title and
        content text, folded, in each spelling it has (the original, and the converted
        one of a set with a conversion): a keyword is found if it is in any of them."""
        if self.keywords and not any(k in text for k in self.keywords for text in texts):
            return False
        return not any(k in text for k in self.exclude_keywords for text in texts)


@lru_cache(maxsize=4096)
def _converted_names(categories: tuple[str, ...], conversion: str) -> frozenset[str]:
    """The folded names of `categories` after `conversion`. Cached: a site has few
    distinct combinations of categories, and most articles share one."""
    return frozenset(fold(convert_text(name, conversion)) for name in categories)


def feed_sets(config: Config, category_counts: Mapping[str, int], now: datetime) -> list[FeedSet]:
    """Every feed set of a build: main, then categories (by name), then custom ones."""
    full = config.content.mode == "full"
    opencc = config.opencc
    sets = [FeedSet("", config.title, Group.MAIN, config.limit, full, opencc=opencc)]
    for name, slug in category_slugs(category_names(config, category_counts)).items():
        # The category as its feeds show it; the folder keeps the name as written, so
        # that a change of conversion never moves a feed.
        shown = convert_text(name, opencc) if opencc else name
        title = f"{config.title} · {shown}"
        sets.append(
            FeedSet(f"categories/{slug}", title, Group.CATEGORIES, config.limit, full,
                    categories=frozenset({fold(name)}), opencc=opencc)
        )  # fmt: skip
    sets.extend(_custom(feed, config, now) for feed in config.feeds)
    return sets


def category_names(config: Config, category_counts: Mapping[str, int]) -> list[str]:
    """The categories that get feed sets of their own, by name: at most
    `limits.feed_sets` of them, those with the most articles."""
    return sorted(categories_wanting_sets(config, category_counts)[: config.limits.feed_sets])


def categories_wanting_sets(config: Config, category_counts: Mapping[str, int]) -> list[str]:
    """Every category the settings give a feed set, most articles first (then by name)."""
    if not config.categories.feeds:
        return []
    excluded = {fold(name) for name in config.categories.exclude}
    eligible = sorted(
        (-count, name)
        for name, count in category_counts.items()
        if count >= config.categories.min_posts and fold(name) not in excluded
    )
    return [name for _, name in eligible]


def _custom(feed: FeedConfig, config: Config, now: datetime) -> FeedSet:
    return FeedSet(
        folder=feed.name,
        title=feed.title or f"{config.title} · {feed.name}",
        group=Group.CUSTOM,
        limit=feed.limit or config.limit,
        full_content=(feed.content or config.content.mode) == "full",
        categories=frozenset(fold(name) for name in feed.categories),
        exclude_categories=frozenset(fold(name) for name in feed.exclude_categories),
        folders=tuple(
            f"{(config.posts / folder.strip('/')).as_posix()}/" for folder in feed.folders
        ),
        authors=frozenset(fold(name) for name in feed.authors),
        keywords=tuple(fold(word) for word in feed.keywords),
        exclude_keywords=tuple(fold(word) for word in feed.exclude_keywords),
        since=now - timedelta(days=feed.since_days) if feed.since_days else None,
        opencc=feed.opencc,
    )


def take(
    feed_set: FeedSet, articles: Iterable[Article], finish: Callable[[Article], Article | None]
) -> list[Article]:
    """The first articles of `articles` (all of which the set takes) that `finish`
    gives content, up to the set's limit."""
    taken: list[Article] = []
    for article in articles:
        finished = finish(article)
        if finished is not None:
            taken.append(finished)
            if len(taken) == feed_set.limit:
                break
    return taken


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
        text = ""
        folded: dict[str, str] = {}  # the text folded: as written (""), and converted
        for feed_set in takers:
            if feed_set.reads_content:
                text = text or f"{finished.title}\n{plain_text(finished.content)}"
                spellings = ("", feed_set.opencc) if feed_set.opencc else ("",)
                for conversion in spellings:
                    if conversion not in folded:
                        # Converted before folding: OpenCC's words are case-sensitive.
                        spelled = convert_text(text, conversion) if conversion else text
                        folded[conversion] = fold(spelled)
                if not feed_set.takes_text(*(folded[c] for c in spellings)):
                    continue
            chosen[feed_set].append(finished)
            if len(chosen[feed_set]) == feed_set.limit:
                full.add(feed_set)
        if len(full) == len(sets):
            break  # every set is full: read no further
    return chosen
