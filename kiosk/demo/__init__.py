"""Bundled demo recordings, in the real API body formats, replayed through the real parsers.

Recorded (synthesised) for Friday 2026-11-20 08:14 KST, a weekday morning rush:

- ``subway_<station>.json``  realtimeStationArrival bodies for 여의도, 홍대입구, 창동
- ``air.json``               RealtimeCityAir, all 25 districts, measured 08:00
- ``air_history.json``       a JSON *list* of 24 RealtimeCityAir bodies, one per hour from
                             2026-11-19 09:00 to 2026-11-20 08:00, each holding the rows of
                             영등포구, 마포구 and 도봉구
- ``parks.json``             SearchParkInfoService (WGS84 + GRS80 TM coordinates)
- ``trails.json``            SeoulGilWalkCourse course points (GRS80 TM X/Y)
- ``bikes.json``             bikeList (wrapper ``rentBikeStatus``)
- ``events.json``            culturalEventInfo, with the API's known quirks left in
- ``bus_<station>.json``     getStationByUid (JSON) for one stop at each station (demo ARS ids)

``kiosk.demo._build`` regenerates them (``python -m kiosk.demo._build``); ``kiosk.sources.demo``
loads them. Park, trail and bike positions are approximate (hand-placed, meant to be within
~150 m); phone numbers, areas and counts are illustrative.
"""
