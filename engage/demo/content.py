"""The demo site's articles: fixed, fictional content for the /demo pages.

Each article's comment thread and view count live under ``key`` (what the page passes as
``data-article``), which is the article's own demo path, the way a real site would key them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    section: str
    title: str
    standfirst: str
    author: str
    published: str  # ISO date, shown as the dateline
    minutes: int
    paragraphs: tuple[str, ...]
    quote: str = ""

    @property
    def key(self) -> str:
        return f"/demo/articles/{self.slug}"


ARTICLES: tuple[DemoArticle, ...] = (
    DemoArticle(
        slug="river-bridge-reopens",
        section="City",
        title="Old river bridge reopens to cyclists after two years of repairs",
        standfirst="The 1911 steel bridge closed after inspectors found corroded rivets. "
                   "It now carries a two-way cycle lane and a wider footpath.",
        author="Mara Lindqvist",
        published="2026-11-24",
        minutes=4,
        paragraphs=(
            "The Ferry Street bridge reopened on Monday morning, two years and three months "
            "after engineers closed it to all traffic. Several hundred people walked and rode "
            "across in the first hour, many of them commuters who had spent the closure on a "
            "2.4-kilometre detour through the harbour district.",
            "Inspectors found in 2024 that a third of the rivets in the bridge's lower chord had "
            "lost more than half of their cross-section to corrosion. The city replaced them "
            "with high-strength bolts, repainted the whole structure and rebuilt the deck with "
            "lighter composite panels, which let the council add a separated cycle lane "
            "without strengthening the piers.",
            "The works cost 14.2 million, about 9 percent over the budget approved in 2024. "
            "The overrun came mostly from lead paint that had to be removed under containment, "
            "the project's engineer said.",
            "Motor traffic will not return. Delivery vans may cross before 7 a.m. under a "
            "permit scheme that starts in January; buses will keep using the Harbour Road "
            "bridge, which the council says has spare capacity until at least 2035.",
        ),
        quote="We kept the bridge the city remembers, and made it useful for the city we have now.",
    ),
    DemoArticle(
        slug="library-late-fees",
        section="Culture",
        title="Public libraries drop late fees, and most missing books come back",
        standfirst="A year after fines ended, returns of overdue books rose and lapsed members "
                   "renewed their cards.",
        author="Tomás Ferreira",
        published="2026-11-20",
        minutes=3,
        paragraphs=(
            "When the library service stopped charging late fees last November, some "
            "councillors predicted that books would simply stop coming back. A year on, the "
            "service's own figures show the opposite: overdue returns rose by a fifth.",
            "About 3,400 members whose cards had been blocked by unpaid fines renewed them in "
            "the first six months, the service said. Staff spend less time at the desk "
            "arguing about small sums.",
            "Items more than 60 days late are still billed as lost, and the bill is cancelled "
            "when the book comes back.",
        ),
    ),
    DemoArticle(
        slug="heat-pump-grants",
        section="Environment",
        title="Heat pump grants open to flats and terraced houses",
        standfirst="The scheme's second round drops the rule that excluded homes without a "
                   "garden, the most common complaint about the first.",
        author="Aisha Rahman",
        published="2026-11-18",
        minutes=5,
        paragraphs=(
            "Owners of flats and terraced houses can apply for heat pump grants from next "
            "month, after the energy agency changed rules that had limited the first round "
            "to homes with space for an outdoor unit on their own land.",
            "Shared outdoor units on roofs and in courtyards now qualify when every owner "
            "served by the unit agrees.",
        ),
    ),
    DemoArticle(
        slug="night-trains-return",
        section="Travel",
        title="Night trains return to the northern line this spring",
        standfirst="Sleeper services end in a dawn arrival at the coast, with bicycle "
                   "spaces on every train.",
        author="Jonas Becker",
        published="2026-11-15",
        minutes=3,
        paragraphs=(
            "Overnight trains will run three times a week from April, the rail operator "
            "announced, ending a 12-year gap on the northern line.",
            "Each train will have couchettes, two sleeping cars and twelve bicycle spaces.",
        ),
    ),
)

FEATURED = ARTICLES[0]


def find(slug: str) -> DemoArticle | None:
    """The article with ``slug``, or None."""
    return next((article for article in ARTICLES if article.slug == slug), None)


def related(article: DemoArticle) -> tuple[DemoArticle, ...]:
    """Every other demo article, newest first (the order of ``ARTICLES``)."""
    return tuple(other for other in ARTICLES if other.slug != article.slug)
