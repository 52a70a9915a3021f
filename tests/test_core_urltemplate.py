"""QR url templates: what check-config accepts and rejects, and how a page fills them."""

from __future__ import annotations

import pytest

from kiosk.core.urltemplate import (
    MAX_URL_CHARS,
    allowed_for,
    check_template,
    expand,
    placeholders,
    station_slug,
)


def test_placeholders_in_order_and_escaped_braces_are_literal():
    t = "https://kiosk.example.kr/{station}/{page}?park={park}&x={{y}}"
    assert placeholders(t) == ("station", "page", "park")
    assert check_template(t) == t
    assert (
        expand(t, {"station": "hongik-univ", "page": "parks", "park": "119"})
        == "https://kiosk.example.kr/hongik-univ/parks?park=119&x={y}"
    )


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("https://a.kr/{stop}", "unknown placeholder {stop}"),
        ("https://a.kr/{Station}", "bad placeholder {Station}"),
        ("https://a.kr/{}", "bad placeholder {}"),
        ("https://a.kr/{station", "unbalanced '{' at character 14"),
        ("https://a.kr/{sta{tion}", "unbalanced '{' at character 14"),
        ("https://a.kr/station}", "unbalanced '}' at character 21"),
        ("http://a.kr/{page}", "must start with https:// (scheme is http)"),
        ("kiosk.kr/{page}", "must start with https:// (scheme is none)"),
        ("https:///{page}", "no host name"),
        ("https://a.kr/a b", "whitespace"),
        ("", "empty url"),
        ("https://a.kr/" + "x" * MAX_URL_CHARS, "too fine to scan"),
    ],
)
def test_bad_templates_are_rejected_with_one_line(template, reason):
    with pytest.raises(ValueError) as e:
        check_template(template)
    assert reason in str(e.value)
    assert "\n" not in str(e.value)


def test_values_are_percent_encoded_and_a_missing_one_is_a_key_error():
    assert expand("https://a.kr/{park}", {"park": "한강 공원/1"}) == (
        "https://a.kr/%ED%95%9C%EA%B0%95%20%EA%B3%B5%EC%9B%90%2F1"
    )
    with pytest.raises(KeyError):
        expand("https://a.kr/{park}", {"station": "x"})


def test_each_page_kind_fills_its_own_item():
    assert allowed_for("parks") == ("station", "page", "park")
    assert allowed_for("buses") == ("station", "page", "ars_id")
    assert allowed_for("arrivals") == ("station", "page")


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Yeouido", "yeouido"), ("Hongik Univ.", "hongik-univ"), ("Changdong", "changdong")],
)
def test_station_slug(name, slug):
    assert station_slug(name) == slug
