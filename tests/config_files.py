"""Config files for tests: a station config and layout written to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kiosk.config import load_all
from kiosk.errors import ConfigError
from tests.conftest import REPO


def write_config(tmp_path: Path, cfg: dict, layout: dict | str | None = None) -> Path:
    lay = tmp_path / "layout.yaml"
    if layout is None:
        layout = yaml.safe_load((REPO / "layouts" / "yeouido.yaml").read_text())
    lay.write_text(
        layout if isinstance(layout, str) else yaml.safe_dump(layout, allow_unicode=True)
    )
    cfg.setdefault("layout", str(lay))
    p = tmp_path / "config.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return p


def example_config() -> dict:
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text())
    cfg.pop("layout")
    return cfg


def problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as e:
        load_all(path)
    return e.value.problems
