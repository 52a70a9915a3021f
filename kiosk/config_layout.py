"""Layouts: which pages rotate, in what order, for how long, and the QR codes they carry."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator

from kiosk._settings_base import Section
from kiosk.core.pages import PAGE_KINDS
from kiosk.core.urltemplate import allowed_for, check_template, placeholders


class QrLabel(Section):
    """The words beside a QR code; short, so the code's column stays narrow."""

    ko: str = Field(min_length=1, max_length=12)
    en: str = Field(min_length=1, max_length=26)


class QrSpec(Section):
    """A page's QR code: a url template (kiosk/core/urltemplate.py) and its label."""

    url: Annotated[str, AfterValidator(check_template)]
    label: QrLabel = QrLabel(ko="휴대폰으로 보기", en="Open on your phone")


class FeedbackSpec(Section):
    """The station-wide feedback code, shown on one page per rotation (``page``)."""

    url: Annotated[str, AfterValidator(check_template)]
    label: QrLabel = QrLabel(ko="의견 보내기", en="Tell us what you think")
    page: str | None = Field(default=None, max_length=40)  # default: the first page without a qr


class PageSpec(Section):
    """One page in the rotation."""

    id: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")
    kind: str
    duration: float = Field(default=15.0, ge=3.0, le=600.0)  # seconds on screen
    max_items: int | None = Field(default=None, ge=1, le=12)
    qr: QrSpec | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in PAGE_KINDS:
            raise ValueError(f"unknown page kind {kind!r} (known: {', '.join(PAGE_KINDS)})")
        return kind


MAX_PAGES = 30


class Transition(Section):
    kind: Literal["fade", "cut"] = "fade"
    duration_ms: int = Field(default=600, ge=0, le=3000)


class Layout(Section):
    """Which pages rotate, in what order, for how long."""

    # A rotation of 30 pages already takes minutes; thousands took minutes to start (issue 11).
    pages: tuple[PageSpec, ...] = Field(min_length=1, max_length=MAX_PAGES)
    transition: Transition = Transition()
    feedback: FeedbackSpec | None = None

    @field_validator("pages")
    @classmethod
    def _unique_ids(cls, pages: tuple[PageSpec, ...]) -> tuple[PageSpec, ...]:
        seen: set[str] = set()
        for p in pages:
            if p.id in seen:
                raise ValueError(f"duplicate page id {p.id!r}")
            seen.add(p.id)
        return pages

    def feedback_page(self) -> str | None:
        """The id of the page that shows the feedback code (None: no feedback code)."""
        if self.feedback is None:
            return None
        if self.feedback.page is not None:
            return self.feedback.page
        return next((p.id for p in self.pages if p.qr is None), None)


def qr_problems(layout: Layout) -> list[str]:
    """What a layout's QR codes get wrong that depends on the page (``key.path: reason``)."""
    problems: list[str] = []
    for i, page in enumerate(layout.pages):
        if page.qr is None:
            continue
        allowed = allowed_for(page.kind)
        for name in placeholders(page.qr.url):
            if name not in allowed:
                problems.append(
                    f"pages[{i}].qr.url: {{{name}}} is not known on a {page.kind} page "
                    f"(here: {', '.join('{' + a + '}' for a in allowed)})"
                )
    fb = layout.feedback
    if fb is not None:
        for name in placeholders(fb.url):
            if name not in ("station", "page"):
                problems.append(
                    f"feedback.url: {{{name}}} names a page's item: the station-wide code "
                    "knows only {station} and {page}"
                )
        ids = {p.id: p for p in layout.pages}
        target = layout.feedback_page()
        if fb.page is not None and fb.page not in ids:
            problems.append(
                f"feedback.page: no page {fb.page!r} in the layout (pages: {', '.join(ids)})"
            )
        elif target is None:
            problems.append(
                "feedback: every page has its own qr; name the page for the feedback code "
                "with feedback.page and drop that page's qr"
            )
        elif ids[target].qr is not None:
            problems.append(
                f"feedback.page: page {target!r} already shows its own qr code; two codes on "
                "one page make phones pick either: choose a page without one"
            )
    return problems


# --- loading -------------------------------------------------------------------------
