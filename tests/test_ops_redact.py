"""Redaction: configured secrets and key-shaped tokens are masked; ordinary text is not."""

from __future__ import annotations

from urllib.parse import quote

from kiosk.ops.redact import MASK, SECRET_ENV_VARS, Redactor, scrub_patterns, secrets_from_environ

KEY = "4d46796d7366726f3833774a774955"


def test_configured_secret_is_masked_plain_and_percent_encoded():
    r = Redactor(["ab+cd/ef==xyz9"])
    assert (
        r("key ab+cd/ef==xyz9 and " + quote("ab+cd/ef==xyz9", safe="")) == f"key {MASK} and {MASK}"
    )


def test_short_or_empty_secrets_are_ignored_so_words_survive():
    r = Redactor(["", "  ", "abc"])
    assert r("abc def") == "abc def"


def test_longest_secret_is_masked_whole():
    r = Redactor(["secret1", "secret1-extended"])
    assert r("x secret1-extended y") == f"x {MASK} y"


def test_key_shaped_url_segments_and_named_values_are_masked_without_configuration():
    assert scrub_patterns(f"http://swopenapi.seoul.go.kr/api/subway/{KEY}/json/x") == (
        f"http://swopenapi.seoul.go.kr/api/subway/{MASK}/json/x"
    )
    assert scrub_patterns(f"http://openapi.seoul.go.kr:8088/{KEY}/json/RealtimeCityAir/1/5/") == (
        f"http://openapi.seoul.go.kr:8088/{MASK}/json/RealtimeCityAir/1/5/"
    )
    assert (
        scrub_patterns("GET /x?serviceKey=a%2Bb%3D&type=json")
        == f"GET /x?serviceKey={MASK}&type=json"
    )
    assert scrub_patterns("api_key: 'hunter2'") == f"api_key: '{MASK}'"
    assert scrub_patterns("Authorization: Bearer eyJ0eXAi.abc") == f"Authorization: Bearer {MASK}"


def test_ordinary_text_is_left_alone():
    for text in (
        "/var/lib/kiosk/screen.jsonl",
        "http://openapi.seoul.go.kr:8088/sample/json/RealtimeCityAir/1/5/",
        "page arrivals shown 2025-11-26T08:14:00+09:00",
        "5호선 방화행 2분 후 (여의나루)",
        "/opt/kiosk/app/station_kiosk_information_display/x",  # long, but no digits
        "train_no=5123 destination=방화",
    ):
        assert scrub_patterns(text) == text


def test_scrub_walks_json_values_and_keeps_non_strings():
    r = Redactor(["topsecret-1"])
    value = {"a": ["x topsecret-1", 3, None, {"b": "topsecret-1"}], "n": 1.5, "t": ("topsecret-1",)}
    assert r.scrub(value) == {"a": [f"x {MASK}", 3, None, {"b": MASK}], "n": 1.5, "t": [MASK]}


def test_update_replaces_the_secret_set():
    r = Redactor(["old-secret-1"])
    r.update(["new-secret-2"])
    assert r("old-secret-1 new-secret-2") == f"old-secret-1 {MASK}"


def test_secrets_from_environ_reads_the_two_key_variables():
    env = {"SEOUL_API_KEY": "k1", "SEOUL_SUBWAY_API_KEY": "", "OTHER": "x"}
    assert secrets_from_environ(env) == ["k1"]


def test_a_data_go_kr_key_is_masked_in_both_its_forms_whichever_was_configured():
    decoded = "BUSKEY+test/0123456789=="  # the "Decoding" form, with + / =
    encoded = quote(decoded, safe="")  # the "Encoding" form, what the URL carries
    lower = encoded.replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d")
    for configured in (decoded, encoded, lower):
        r = Redactor([configured])
        for form in (decoded, encoded, quote(decoded)):
            assert r(f"GET /x?serviceKey={form}&arsId=19007") == (
                f"GET /x?serviceKey={MASK}&arsId=19007"
            ), (configured, form)
            assert r.secrets_only(f"[{form}]") == f"[{MASK}]", (configured, form)
            assert r.data(f"<{form}>".encode()) == f"<{MASK}>".encode(), (configured, form)
            assert r.found_in(form.encode())


def test_secrets_from_environ_reads_the_bus_key_too():
    assert secrets_from_environ({"SEOUL_BUS_API_KEY": "busKey-0123456789"}) == ["busKey-0123456789"]


def test_every_api_key_variable_of_the_registry_is_a_secret_variable():
    from kiosk.sources.registry import APIS

    # kiosk status reads these to mask keys it was never told about; a new API must add its own.
    assert set(SECRET_ENV_VARS) == {api.key_env for api in APIS.values()}
