"""Seoul Metropolitan Subway lines: subwayId -> names and official colours."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    line_id: str
    ko: str
    en: str
    short: str  # what goes inside the round badge
    colour: str  # official line colour, #RRGGBB


LINES: dict[str, Line] = {
    line.line_id: line
    for line in (
        Line("1001", "1호선", "Line 1", "1", "#0052A4"),
        Line("1002", "2호선", "Line 2", "2", "#00A84D"),
        Line("1003", "3호선", "Line 3", "3", "#EF7C1C"),
        Line("1004", "4호선", "Line 4", "4", "#00A5DE"),
        Line("1005", "5호선", "Line 5", "5", "#996CAC"),
        Line("1006", "6호선", "Line 6", "6", "#CD7C2F"),
        Line("1007", "7호선", "Line 7", "7", "#747F00"),
        Line("1008", "8호선", "Line 8", "8", "#E6186C"),
        Line("1009", "9호선", "Line 9", "9", "#BDB092"),
        Line("1032", "GTX-A", "GTX-A", "A", "#9A6292"),
        Line("1063", "경의중앙선", "Gyeongui–Jungang", "경의", "#77C4A3"),
        Line("1065", "공항철도", "AREX", "공항", "#0090D2"),
        Line("1067", "경춘선", "Gyeongchun", "경춘", "#0C8E72"),
        Line("1075", "수인분당선", "Suin–Bundang", "수인", "#FABE00"),
        Line("1077", "신분당선", "Shinbundang", "신분", "#D4003B"),
        Line("1081", "경강선", "Gyeonggang", "경강", "#0054A6"),
        Line("1092", "우이신설선", "Ui LRT", "우이", "#B0CE18"),
        Line("1093", "서해선", "Seohae", "서해", "#81A914"),
        Line("1094", "신림선", "Sillim", "신림", "#6789CA"),
    )
}


def line_for(line_id: str) -> Line:
    """The line for a subwayId; an unknown id gets a neutral grey badge with the raw id."""
    return LINES.get(line_id) or Line(line_id, line_id, line_id, line_id[-2:], "#8A8F98")
