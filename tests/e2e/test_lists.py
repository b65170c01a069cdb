"""List endpoints: /shares, /shares/{s}, /shares/{s}/schemas,
/shares/{s}/schemas/{sc}/tables, /shares/{s}/all-tables — content, page
walking with small maxResults, bad maxResults, tampered page tokens, case
insensitive and percent-encoded names."""

import json

import pytest

from strict_client import parse_media_type


def layout_of(main, share):
    return dict(next(s for s in main.shares_layout if s[0] == share)[1])


ALL_SHARES = ["share1", "share2", "share3", "secret", "all"]


def test_list_shares_per_recipient(main):
    def names(client):
        items = client.walk(client.list_shares)
        n = [i["name"] for i in items]
        assert len(n) == len(set(n)), "duplicate shares: %r" % n
        return sorted(n)

    assert names(main.admin) == sorted(ALL_SHARES)
    assert names(main.dave) == sorted(ALL_SHARES)
    assert names(main.alice) == sorted(["share1", "share2", "all"])
    assert names(main.bob) == ["secret"]
    assert names(main.eve) == []


def test_get_share(main):
    assert main.alice.get_share("share1")["name"] == "share1"
    assert main.bob.get_share("secret")["name"] == "secret"


def test_list_schemas_and_tables(main):
    c = main.alice
    schemas = c.walk(c.list_schemas, "share1")
    assert sorted(s["name"] for s in schemas) == sorted(layout_of(main, "share1"))
    for s in schemas:
        assert s["share"].lower() == "share1"
    expected_all = []
    for schema, tables in layout_of(main, "share1").items():
        items = c.walk(c.list_tables, "share1", schema)
        assert sorted(i["name"] for i in items) == sorted(tables)
        for i in items:
            assert i["share"].lower() == "share1" and i["schema"].lower() == schema
        expected_all += [(schema, t) for t in tables]
    all_items = c.walk(c.list_all_tables, "share1")
    got = sorted((i["schema"], i["name"]) for i in all_items)
    assert got == sorted(expected_all)
    for i in all_items:
        assert i["share"].lower() == "share1"


def test_table_ids_from_config(main):
    items = main.alice.walk(main.alice.list_all_tables, "share1")
    by_name = {(i["schema"], i["name"]): i for i in items}
    for key, tid in ((("default", "simple"), "00000000-0000-0000-0000-000000000001"),
                     (("extra", "types"), "00000000-0000-0000-0000-000000000002")):
        if "id" in by_name[key]:
            assert by_name[key]["id"] == tid
    ids = [i["id"] for i in items if i.get("id")]
    assert len(ids) == len(set(ids)), "table ids must be unique"


@pytest.mark.parametrize("max_results", [1, 2, 3])
def test_pagination_walks_everything_once(main, max_results):
    c = main.admin

    def check_walk(fn, *args):
        full = c.walk(fn, *args)
        paged = c.walk(fn, *args, max_results=max_results)
        key = lambda i: json.dumps(i, sort_keys=True)
        assert len(paged) == len({key(i) for i in paged}), "duplicates when paging with maxResults=%d" % max_results
        assert sorted(map(key, paged)) == sorted(map(key, full)), "paging with maxResults=%d lost or added items" % max_results
        return paged

    check_walk(c.list_shares)
    check_walk(c.list_schemas, "share1")
    check_walk(c.list_tables, "share1", "default")
    check_walk(c.list_tables, "share1", "extra")
    check_walk(c.list_all_tables, "share1")
    if max_results == 1:
        # the big schema: ~50 pages
        check_walk(c.list_all_tables, "all")
        check_walk(c.list_tables, "all", "delta")


def test_first_page_respects_max_results(main):
    c = main.admin
    items, tok = c.list_shares(max_results=1)
    assert len(items) <= 1
    assert tok is not None, "5 shares and maxResults=1: a nextPageToken is needed"
    items, tok = c.list_all_tables("all", max_results=2)
    assert len(items) <= 2 and tok is not None


def _list_paths():
    return ["/shares", "/shares/share1/schemas", "/shares/share1/schemas/default/tables",
            "/shares/share1/all-tables"]


@pytest.mark.parametrize("path", _list_paths())
@pytest.mark.parametrize("bad", ["-1", "abc", "1.5", "1e3", "99999999999999999999"])
def test_bad_max_results(main, path, bad):
    resp = main.admin.raw("GET", path, params={"maxResults": bad})
    main.admin.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")


@pytest.mark.parametrize("path", _list_paths())
def test_max_results_zero(main, path):
    """maxResults=0 is refused: an empty page with a token to the same place
    would make a client page forever."""
    c = main.admin
    resp = c.raw("GET", path, params={"maxResults": "0"})
    c.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")


def _mutations(tok):
    mid = len(tok) // 2
    flip = lambda ch: "A" if ch != "A" else "B"
    return [
        tok[:mid] + flip(tok[mid]) + tok[mid + 1:],
        flip(tok[0]) + tok[1:],
        tok[:-2] if len(tok) > 4 else tok + "x",
        tok + "AAAA",
        "not-a-valid-token",
        "%%%",
    ]


@pytest.mark.parametrize("which", ["shares", "schemas", "tables", "all-tables"])
def test_tampered_page_token(main, which):
    c = main.admin
    fn, args, path = {
        "shares": (c.list_shares, (), "/shares"),
        "schemas": (c.list_schemas, ("share1",), "/shares/share1/schemas"),
        "tables": (c.list_tables, ("share1", "default"), "/shares/share1/schemas/default/tables"),
        "all-tables": (c.list_all_tables, ("share1",), "/shares/share1/all-tables"),
    }[which]
    items, tok = fn(*args, max_results=1)
    assert tok, "need a page token to tamper with"
    # the genuine token works
    fn(*args, max_results=1, page_token=tok)
    for bad in _mutations(tok):
        resp = c.raw("GET", path, params={"maxResults": 1, "pageToken": bad})
        c.parse_error(resp, 400, "INVALID_PARAMETER_VALUE")


def test_names_are_case_insensitive(main):
    c = main.alice
    assert c.get_share("SHARE1")["name"].lower() == "share1"
    assert sorted(s["name"].lower() for s in c.walk(c.list_schemas, "Share1")) == \
        sorted(layout_of(main, "share1"))
    tables = c.walk(c.list_tables, "SHARE1", "DeFault")
    assert sorted(t["name"].lower() for t in tables) == sorted(layout_of(main, "share1")["default"])
    assert len(c.walk(c.list_all_tables, "sHaRe1")) == sum(len(v) for v in layout_of(main, "share1").values())
    v1 = c.table_version("share1", "default", "simple")
    assert c.table_version("SHARE1", "DEFAULT", "SIMPLE") == v1
    md = c.metadata("Share1", "Default", "Simple")
    assert md.metadata["id"] == c.metadata("share1", "default", "simple").metadata["id"]
    q = c.query("SHARE1", "default", "SiMpLe")
    assert len(q.files) == len(c.query("share1", "default", "simple").files)


def _pct_all(name):
    """Percent-encodes every character (as a client may do; e.g. %73hare1)."""
    return "".join("%%%02X" % b for b in name.encode())


def test_percent_encoded_names(main):
    c = main.alice
    p = c.prefix
    status, headers, body = c.raw_http("GET", "%s/shares/%s/schemas" % (p, _pct_all("share1")))
    assert status == 200, body[:300]
    assert sorted(i["name"] for i in json.loads(body)["items"]) == sorted(layout_of(main, "share1"))

    status, headers, body = c.raw_http("GET", "%s/shares/share1/schemas/%s/tables" % (p, _pct_all("default")))
    assert status == 200, body[:300]
    assert sorted(i["name"] for i in json.loads(body)["items"]) == sorted(layout_of(main, "share1")["default"])

    path = "%s/shares/%s/schemas/%s/tables/%s/version" % (p, _pct_all("share1"), "d%65fault", _pct_all("simple"))
    status, headers, body = c.raw_http("GET", path)
    assert status == 200, body[:300]
    assert int(headers["delta-table-version"]) == c.table_version("share1", "default", "simple")

    # '_' percent-encoded
    path = "%s/shares/all/schemas/delta/tables/covid%%5F19%%5Fnyt/version" % p
    status, headers, body = c.raw_http("GET", path)
    assert status == 200, body[:300]


@pytest.mark.parametrize("path", [
    "/shares/nosuch", "/shares/nosuch/schemas", "/shares/nosuch/all-tables",
    "/shares/nosuch/schemas/default/tables", "/shares/share1/schemas/nosuch/tables",
])
def test_unknown_objects_are_404(main, path):
    main.admin.parse_error(main.admin.raw("GET", path), 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize("path", [
    "/shares/share1/schemas/default/tables/nosuch/version",
    "/shares/share1/schemas/default/tables/nosuch/metadata",
    "/shares/share1/schemas/nosuch/tables/simple/version",
    "/shares/nosuch/schemas/default/tables/simple/metadata",
])
def test_unknown_tables_are_404(main, path):
    main.admin.parse_error(main.admin.raw("GET", path), 404, "RESOURCE_DOES_NOT_EXIST")


@pytest.mark.parametrize("coords", [("share1", "default", "nosuch"), ("share1", "nosuch", "simple"),
                                    ("nosuch", "default", "simple")])
def test_unknown_table_query_is_404(main, coords):
    main.admin.parse_error(main.admin.query_raw(*coords, body={}), 404, "RESOURCE_DOES_NOT_EXIST")


def test_unknown_route_is_4xx(main):
    c = main.admin
    for method, path in (("GET", "/nope"), ("GET", "/shares/share1/schemas/default/tables/simple/nope"),
                         ("DELETE", "/shares"), ("PUT", "/shares/share1/schemas/default/tables/simple/query")):
        resp = c.raw(method, path)
        assert 400 <= resp.status_code < 500, "%s %s -> %d" % (method, path, resp.status_code)


def test_page_token_is_bound_to_its_listing(main):
    """A token from one listing is refused by another (the reference binds
    tokens to share/schema)."""
    c = main.admin
    _, tok_schemas = c.list_schemas("share1", max_results=1)
    _, tok_tables = c.list_tables("share1", "default", max_results=1)
    assert tok_schemas and tok_tables
    for path, tok in (("/shares", tok_schemas), ("/shares/all/schemas", tok_schemas),
                      ("/shares/share1/schemas/extra/tables", tok_tables),
                      ("/shares/share1/all-tables", tok_tables)):
        c.parse_error(c.raw("GET", path, params={"maxResults": 1, "pageToken": tok}), 400, "INVALID_PARAMETER_VALUE")
