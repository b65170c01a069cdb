"""Bounds on what one recipient's costly requests can take from the others
(issue 18, item 5): a recipient may have only so many /query and /changes
answers in progress at once (more get a 429 with Retry-After, other
recipients are not affected), and a predicate hint too costly for the table
is skipped (every file returned) instead of burning CPU per file."""
import json
import os
import socket
import subprocess
import time

import pytest
import requests

from conftest import launch_server

FILES = 20000


@pytest.fixture(scope="module")
def server(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("costly"))
    table = os.path.join(base, "big")
    subprocess.run([lakeshare_bin, "generate-delta", "--dir", table, "--files", str(FILES), "--commits", "1"],
                   check=True, timeout=300, capture_output=True)
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "maxConcurrentQueriesPerRecipient": 1,
        "recipients": [{"name": "greedy", "token": "tok-greedy", "shares": ["s"]},
                       {"name": "other", "token": "tok-other", "shares": ["s"]}],
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [{"name": "big", "location": table}]}]}],
    }
    s = launch_server(lakeshare_bin, config, base, name="costly")
    yield s
    s.stop_and_check()


def query(server, token, body=None, stream=False):
    return requests.post(server.endpoint_url + "/shares/s/schemas/d/tables/big/query", json=body or {},
                         headers={"Authorization": "Bearer " + token}, stream=stream, timeout=60)


def test_a_recipient_gets_a_429_beyond_its_concurrent_answers(server):
    # Warm the snapshot, so the held answer below is a stream, not a load.
    warm = query(server, "tok-greedy")
    assert len(warm.text.splitlines()) == FILES + 2
    assert len(warm.content) > 8 << 20  # far more than socket buffers hold
    # An answer of ~10 MB that nobody reads: the server's stream waits on
    # the socket and holds the recipient's only slot.
    netloc = server.endpoint_url.split("://", 1)[1].split("/", 1)[0]
    host, port = netloc.rsplit(":", 1)
    held = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    held.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting: a small window
    held.settimeout(30)
    held.connect((host, int(port)))
    held.sendall(("POST /delta-sharing/shares/s/schemas/d/tables/big/query HTTP/1.1\r\nHost: %s\r\n"
                  "Authorization: Bearer tok-greedy\r\nContent-Type: application/json\r\n"
                  "Content-Length: 2\r\n\r\n{}" % netloc).encode())
    assert held.recv(12).startswith(b"HTTP/1.1 200")
    try:
        busy = query(server, "tok-greedy")
        assert busy.status_code == 429
        assert busy.headers["Retry-After"] == "1"
        err = busy.json()
        assert err["errorCode"] and "in progress" in err["message"]
        # Cheap requests of the same recipient and costly ones of others go on.
        shares = requests.get(server.endpoint_url + "/shares", headers={"Authorization": "Bearer tok-greedy"},
                              timeout=30)
        assert shares.status_code == 200
        assert query(server, "tok-other").status_code == 200
    finally:
        held.close()
    # Once the held answer is gone, the slot is free again.
    for _ in range(100):
        r = query(server, "tok-greedy")
        if r.status_code != 429:
            break
        time.sleep(0.05)
    assert r.status_code == 200 and len(r.text.splitlines()) == FILES + 2


def wide_or(first_date, n):
    """An `or` of n equalities on the partition column (3n + 1 nodes); only
    the first names a date of the table."""
    dates = [first_date] + ["1999-01-%05d" % i for i in range(1, n)]
    return {"op": "or", "children": [
        {"op": "equal", "children": [{"op": "column", "name": "date", "valueType": "string"},
                                     {"op": "literal", "value": d, "valueType": "string"}]} for d in dates]}


def files_of(response):
    assert response.status_code == 200
    return [json.loads(l)["file"] for l in response.text.splitlines() if "file" in json.loads(l)]


def test_a_hint_too_costly_for_the_table_is_skipped(server):
    date = files_of(query(server, "tok-other"))[0]["partitionValues"]["date"]
    small = files_of(query(server, "tok-other", {"jsonPredicateHints": json.dumps(wide_or(date, 3))}))
    assert 0 < len(small) < FILES  # applied
    assert {f["partitionValues"]["date"] for f in small} == {date}
    # 10 000 nodes over 20 000 files is past the budget: every file comes back.
    big = files_of(query(server, "tok-other", {"jsonPredicateHints": json.dumps(wide_or(date, 3333))}))
    assert len(big) == FILES
    # Over the node limit: an invalid hint, also skipped.
    over = files_of(query(server, "tok-other", {"jsonPredicateHints": json.dumps(wide_or(date, 3334))}))
    assert len(over) == FILES
