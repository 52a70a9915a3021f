"""check-config for QR codes (per-page `qr:`, station-wide `feedback:`) and `display.pixel_shift`."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from kiosk.config import load_all
from tests.config_files import example_config as _base
from tests.config_files import problems as _problems
from tests.config_files import write_config as _write
from tests.conftest import EXAMPLES, REPO


def _layout(**changes) -> dict:
    lay = yaml.safe_load((REPO / "layouts" / "yeouido.yaml").read_text())
    lay.update(changes)
    return lay


def _with_qr(index: int, url: str) -> dict:
    lay = _layout()
    lay["pages"][index]["qr"] = {"url": url}
    return lay


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_layouts_carry_codes_and_a_feedback_code(path):
    cfg, layout = load_all(path)
    coded = [p for p in layout.pages if p.qr is not None]
    assert coded, "no page with a qr"
    assert all(p.qr.url.startswith("https://") for p in coded)
    assert layout.feedback is not None and layout.feedback.url.startswith("https://")
    fb = layout.feedback_page()
    assert fb in {p.id for p in layout.pages if p.qr is None}
    assert cfg.display.pixel_shift.pixels == 4 and cfg.display.pixel_shift.every == 180.0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://kiosk.example.kr/{stop}", "unknown placeholder {stop}"),
        ("https://kiosk.example.kr/{station", "unbalanced '{'"),
        ("https://kiosk.example.kr/station}", "unbalanced '}'"),
        ("http://kiosk.example.kr/{station}", "must start with https://"),
    ],
)
def test_a_bad_page_url_is_named_with_its_key_path(tmp_path, url, reason):
    probs = _problems(_write(tmp_path, _base(), _with_qr(2, url)))
    assert len(probs) == 1, probs
    assert probs[0].startswith("layout(layout.yaml).pages[2].qr.url: "), probs
    assert reason in probs[0]


def test_an_item_placeholder_needs_a_page_that_shows_that_item(tmp_path):
    probs = _problems(_write(tmp_path, _base(), _with_qr(2, "https://k.example.kr/{park}")))
    assert probs == [
        "layout(layout.yaml).pages[2].qr.url: {park} is not known on a air_quality page "
        "(here: {station}, {page})"
    ]
    probs = _problems(_write(tmp_path, _base(), _with_qr(1, "https://k.example.kr/{park}")))
    assert probs == [  # the buses page names its own item
        "layout(layout.yaml).pages[1].qr.url: {park} is not known on a buses page "
        "(here: {station}, {page}, {ars_id})"
    ]


def test_feedback_is_checked_too(tmp_path):
    lay = _layout(feedback={"url": "https://k.example.kr/{park}", "page": "events"})
    assert _problems(_write(tmp_path, _base(), lay)) == [
        "layout(layout.yaml).feedback.url: {park} names a page's item: the station-wide code "
        "knows only {station} and {page}"
    ]
    lay = _layout(feedback={"url": "https://k.example.kr/f", "page": "nowhere"})
    (prob,) = _problems(_write(tmp_path, _base(), lay))
    assert prob.startswith("layout(layout.yaml).feedback.page: no page 'nowhere' in the layout")
    lay = _layout(feedback={"url": "https://k.example.kr/f", "page": "arrivals"})
    (prob,) = _problems(_write(tmp_path, _base(), lay))
    assert prob.startswith("layout(layout.yaml).feedback.page: page 'arrivals' already shows")
    lay = _layout(feedback={"url": "ftp://k.example.kr/f"})
    (prob,) = _problems(_write(tmp_path, _base(), lay))
    assert prob.startswith("layout(layout.yaml).feedback.url: url must start with https://")


def test_feedback_without_a_page_goes_to_the_first_page_without_a_code(tmp_path):
    lay = _layout(feedback={"url": "https://k.example.kr/f?s={station}"})
    _cfg, layout = load_all(_write(tmp_path, _base(), lay))
    assert layout.feedback_page() == "buses"  # arrivals and parks carry their own codes
    assert layout.feedback.label.ko == "의견 보내기"


def test_a_label_too_long_for_the_column_is_refused(tmp_path):
    lay = _layout()
    lay["pages"][0]["qr"]["label"] = {"ko": "휴대폰으로 열차 도착 정보 보기", "en": "Open"}
    (prob,) = _problems(_write(tmp_path, _base(), lay))
    assert prob.startswith("layout(layout.yaml).pages[0].qr.label.ko: ")


@pytest.mark.parametrize(
    ("shift", "path", "reason"),
    [
        ({"pixels": 40}, "display.pixel_shift.pixels", "less than or equal to 16"),
        ({"every": "1s"}, "display.pixel_shift.every", "visible as motion"),
        ({"every": "soon"}, "display.pixel_shift.every", "bad duration 'soon'"),
        ({"pixel": 4}, "display.pixel_shift.pixel", "unknown key"),
    ],
)
def test_bad_pixel_shift_names_the_key(tmp_path, shift, path, reason):
    cfg = _base()
    cfg["display"]["pixel_shift"] = shift
    (prob,) = _problems(_write(tmp_path, cfg))
    assert prob.startswith(f"{path}: ") and reason in prob, prob


def test_pixel_shift_off_and_other_steps(tmp_path):
    cfg = _base()
    cfg["display"]["pixel_shift"] = {"pixels": 0}
    assert load_all(_write(tmp_path, cfg))[0].display.pixel_shift.pixels == 0
    cfg["display"]["pixel_shift"] = {"pixels": 2, "every": "90s"}
    assert load_all(_write(tmp_path, cfg))[0].display.pixel_shift.every == 90.0


def test_check_config_prints_the_key_path_and_exits_2(tmp_path):
    path = _write(tmp_path, _base(), _with_qr(2, "https://k.example.kr/{parc}"))
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "check-config", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "layout(layout.yaml).pages[2].qr.url: unknown placeholder {parc} "
        "(known: {station}, {page}, {park}, {ars_id})"
    )
