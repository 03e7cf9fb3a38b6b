"""robots.txt as RFC 9309 reads it: the RFC's own examples (§2.2, §5), group selection, status handling (§2.3.1)
and crawl delays, for the identifying agent the fetcher sends."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.domain.enrichment.robots import RobotsPolicy

AGENT = "JenguBot/1.0 (+https://jengu.example/bot; hotel outreach research)"

# RFC 9309 §5.1 "Simple Example"
RFC_EXAMPLE = """User-Agent: *
Disallow: *.gif$
Disallow: /example/
Allow: /publications/

User-Agent: foobot
Disallow:/
Allow:/example/page.html
Allow:/example/allowed.gif

User-Agent: barbot
User-Agent: bazbot
Disallow: /example/page.html

User-Agent: quxbot

EOF
"""


@pytest.mark.parametrize(
    ("agent", "path", "allowed"),
    [
        ("foobot/2.1", "/example/page.html", True),
        ("foobot/2.1", "/example/allowed.gif", True),
        ("foobot/2.1", "/example/other.html", False),
        ("foobot/2.1", "/", False),
        ("barbot", "/example/page.html", False),
        ("bazbot", "/example/page.html", False),
        ("barbot", "/example/other.html", True),  # its own group only: the * group does not apply
        ("barbot", "/images/logo.gif", True),
        ("quxbot", "/example/page.html", True),  # an empty group allows everything
        (AGENT, "/images/logo.gif", False),
        (AGENT, "/example/", False),
        (AGENT, "/publications/2024/report.html", True),
        (AGENT, "/zimmer/", True),
    ],
)
def test_rfc_9309_simple_example(agent: str, path: str, allowed: bool) -> None:
    assert RobotsPolicy.parse(RFC_EXAMPLE).allows(f"https://www.example.com{path}", agent) is allowed


def test_rfc_9309_longest_match() -> None:
    """§5.2: the most specific rule wins."""
    policy = RobotsPolicy.parse("User-Agent: foobot\nAllow: /example/page/\nDisallow: /example/page/disallowed.gif\n")
    assert policy.allows("https://www.example.com/example/page/", "foobot")
    assert policy.allows("https://www.example.com/example/page/index.html", "foobot")
    assert not policy.allows("https://www.example.com/example/page/disallowed.gif", "foobot")


def test_an_equally_long_allow_beats_a_disallow_and_rule_order_does_not_matter() -> None:
    for text in ("User-agent: *\nDisallow: /page\nAllow: /page\n", "User-agent: *\nAllow: /page\nDisallow: /page\n"):
        assert RobotsPolicy.parse(text).allows("https://h.example/page", AGENT)
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /\nAllow: /$\n")
    assert policy.allows("https://h.example/", AGENT)
    assert not policy.allows("https://h.example/zimmer/", AGENT)


@pytest.mark.parametrize(
    ("rule", "path", "matches"),
    [
        ("/*.php$", "/index.php", True),
        ("/*.php$", "/index.php?lang=de", False),
        ("/*.php", "/index.php?lang=de", True),
        ("/fish*", "/fishheads/yummy.html", True),
        ("/fish*", "/Fish.asp", False),  # paths are case-sensitive
        ("/this/path/is/exact$", "/this/path/is/exact", True),
        ("/this/path/is/exact$", "/this/path/is/exact/more", False),
        ("/foo/bar/ツ", "/foo/bar/%E3%83%84", True),
        ("/foo/bar/%E3%83%84", "/foo/bar/ツ", True),
        ("/foo/bar?baz=quz", "/foo/bar?baz=quz", True),
        ("/intern/", "/intern", False),
    ],
)
def test_special_characters(rule: str, path: str, matches: bool) -> None:
    """§2.2.3: "*" matches any run, a final "$" anchors the end, percent-encoding compares decoded."""
    policy = RobotsPolicy.parse(f"User-agent: *\nDisallow: {rule}\n")
    assert policy.allows(f"https://h.example{path}", AGENT) is not matches


def test_groups_naming_our_agent_are_combined_and_matched_by_product_token_case_insensitively() -> None:
    text = "User-agent: jengubot\nDisallow: /a/\n\nUser-agent: *\nDisallow: /\n\nUser-agent: JenguBot\nDisallow: /b/\n"
    policy = RobotsPolicy.parse(text)
    assert not policy.allows("https://h.example/a/x", AGENT)
    assert not policy.allows("https://h.example/b/x", AGENT)
    assert policy.allows("https://h.example/zimmer/", AGENT)
    assert policy.allows("https://h.example/zimmer/", "Mozilla/5.0 (compatible; JenguBot/1.0; +https://jengu.example)")
    assert not policy.allows("https://h.example/zimmer/", "Googlebot/2.1")


def test_the_world_hotels_robots_and_robots_txt_itself() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /intern/\n")
    assert not policy.allows("https://alpenrose-innsbruck.example/intern/preise.html", AGENT)
    assert policy.allows("https://alpenrose-innsbruck.example/de/zimmer-suiten/", AGENT)
    assert RobotsPolicy.parse("User-agent: *\nDisallow: /\n").allows("https://h.example/robots.txt", AGENT)


def test_comments_blank_lines_bom_and_an_empty_disallow() -> None:
    text = (
        "\ufeff# robots for www.sonnenhof-hotel.example\nUser-agent: * # everyone\nDisallow:\n\n"
        "Sitemap: https://www.sonnenhof-hotel.example/sitemap_index.xml\n"
    )
    policy = RobotsPolicy.parse(text)
    assert policy.allows("https://www.sonnenhof-hotel.example/wp-admin/", AGENT)
    assert policy.sitemaps == ("https://www.sonnenhof-hotel.example/sitemap_index.xml",)


def test_wordpress_default_robots() -> None:
    policy = RobotsPolicy.parse("User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n")
    assert not policy.allows("https://h.example/wp-admin/options.php", AGENT)
    assert policy.allows("https://h.example/wp-admin/admin-ajax.php", AGENT)
    assert policy.allows("https://h.example/ueber-uns/", AGENT)


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(404, True), (410, True), (401, True), (403, True), (500, False), (503, False), (429, False), (None, False)],
)
def test_status_rules_of_rfc_9309_2_3_1(status: int | None, allowed: bool) -> None:
    policy = RobotsPolicy.for_status(status, "User-agent: *\nAllow: /\n")
    assert policy.allows("https://h.example/zimmer/", AGENT) is allowed


def test_a_2xx_is_parsed() -> None:
    policy = RobotsPolicy.for_status(200, "User-agent: *\nDisallow: /intern/\n")
    assert not policy.allows("https://h.example/intern/", AGENT)
    assert policy.allows("https://h.example/", AGENT)


def test_crawl_delay_of_our_group_else_the_star_group() -> None:
    text = "User-agent: *\nCrawl-delay: 10\nDisallow: /cgi-bin/\n\nUser-agent: JenguBot\nCrawl-delay: 2.5\nDisallow:\n"
    policy = RobotsPolicy.parse(text)
    assert policy.crawl_delay(AGENT) == 2.5
    assert policy.crawl_delay("Bingbot/2.0") == 10
    assert RobotsPolicy.parse("User-agent: *\nDisallow: /x\n").crawl_delay(AGENT) is None
    assert RobotsPolicy.allow_all().crawl_delay(AGENT) is None


@given(st.text(max_size=600), st.text(max_size=80))
def test_never_raises(text: str, path: str) -> None:
    policy = RobotsPolicy.parse(text)
    assert isinstance(policy.allows("https://h.example/" + path, AGENT), bool)
