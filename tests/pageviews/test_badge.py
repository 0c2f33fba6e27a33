"""The badge says "views │ 1.2k", never overstates, is accessible and cacheable."""

import re

import pytest

from engage.pageviews.badge import badge_svg, format_count


@pytest.mark.parametrize("count, text", [
    (0, "0"), (7, "7"), (999, "999"), (1_000, "1k"), (1_234, "1.2k"), (1_299, "1.2k"),
    (9_999, "9.9k"), (12_345, "12.3k"), (99_999, "99.9k"), (123_456, "123k"),
    (999_999, "999k"), (1_000_000, "1M"), (3_400_000, "3.4M"), (2_500_000_000, "2.5B"),
    (-5, "0"),
])
def test_counts_are_shortened_without_rounding_up(count, text):
    assert format_count(count) == text


def test_badge_has_label_value_and_an_exact_accessible_title():
    svg = badge_svg(1_234)
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title>1,234 views</title>" in svg
    assert 'aria-label="1,234 views"' in svg
    assert re.findall(r"<text[^>]*>([^<]*)</text>", svg) == ["views", "1.2k"]


def test_one_view_is_singular():
    assert "<title>1 view</title>" in badge_svg(1)


def test_labels_are_escaped():
    assert "<script>" not in badge_svg(3, label="<script>")
