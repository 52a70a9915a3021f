from datetime import timedelta

from kiosk.core.models import BikeStation, CulturalEvent
from kiosk.core.views.bikes import bikes_view, station_name
from kiosk.core.views.common import DataState
from kiosk.core.views.events import category_en, events_view
from tests.ui_data import NOW

LAT, LON = 37.5216, 126.9243


def test_nearest_bike_stations_first_with_docks_never_negative():
    far = BikeStation("ST-1", "101. 먼 곳", LAT + 0.02, LON, 10, 3)
    near = BikeStation("ST-2", "207. 여의나루역 1번출구 앞", LAT + 0.001, LON, 10, 14)
    v = bikes_view([far, near], LAT, LON, DataState.FRESH)
    assert [r.name_ko for r in v.stations] == ["여의나루역 1번출구 앞", "먼 곳"]
    assert v.stations[0].name_en == "Yeouinaru Stn. Exit 1"
    assert (v.stations[0].bikes, v.stations[0].docks_free) == (14, 0)  # more bikes than racks
    assert bikes_view([near], LAT, LON, DataState.NO_DATA).stations == ()
    assert station_name(" 12) 망원역 ") == "망원역"


def _event(title, district, start_days, end_days, lat=None, lon=None):
    day = NOW.replace(hour=0, minute=0, second=0)
    return CulturalEvent(
        title,
        "콘서트",
        district,
        "영등포아트홀",
        day + timedelta(days=start_days),
        day + timedelta(days=end_days),
        True,
        lat=lat,
        lon=lon,
    )


def test_events_this_week_drop_past_and_far_ones_and_fill_from_nearby():
    events = [
        _event("지난 공연", "영등포구", -10, -2),
        _event("다음 달 공연", "영등포구", 20, 21),
        _event("진행 중 전시", "영등포구", -3, 4),
        _event("내일 공연", "영등포구", 1, 1),
        _event("옆 동네 축제", "마포구", 2, 3, lat=LAT + 0.02, lon=LON),
        _event("먼 동네 축제", "노원구", 2, 3, lat=LAT + 0.2, lon=LON),
    ]
    v = events_view(events, "영등포구", NOW, DataState.FRESH, max_items=4, lat=LAT, lon=LON)
    assert [r.title for r in v.events] == ["진행 중 전시", "내일 공연", "옆 동네 축제"]
    assert v.events[0].when_en.startswith("On now, until 24 Nov")
    assert (v.events[1].when_ko, v.events[1].when_en) == ("내일", "Tomorrow")  # a one-day event
    assert (v.events[2].district_ko, v.events[2].district_en) == ("마포구", "Mapo-gu")
    assert events_view(events, "영등포구", NOW, DataState.NO_DATA).events == ()


def test_category_names():
    assert category_en("축제-문화/예술") == "Festival"
    assert category_en("전시/미술") == "Exhibition"


def test_event_times_in_words():
    from kiosk.core.views.events import _when

    assert _when(_event("a", "x", 0, 0), NOW) == ("오늘", "Today")
    assert _when(_event("a", "x", 1, 3), NOW) == ("내일부터", "From tomorrow")
    assert _when(_event("a", "x", 3, 5), NOW) == ("11.23 (월)부터", "From Mon 23 Nov")
    assert _when(_event("a", "x", -2, 0), NOW) == ("오늘까지", "Ends today")
