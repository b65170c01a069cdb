"""A whole /query answer of a large table is produced on more than one core
(protocol/lines_ahead.h); pages (maxFiles) and limitHint answers are produced
on one thread. Both must give the same lines in the same order: the whole
answer is compared with its pages, in both formats, filtered by a predicate
hint, from a page position onwards, and several at once. Only the signed URL
and its expiration may differ between two answers."""
import json
import os
import re
import socket
import subprocess
import threading

import pytest

from conftest import launch_server
from strict_client import StrictClient

FILES = 12000
CAPS = {"parquet": None, "delta": "responseformat=delta"}
# What differs between two answers of the same snapshot: the signed URL
# (parquet "url", delta "path") and its expiration.
VOLATILE = re.compile(r'"(url|path)":"https?:[^"]*"|"expirationTimestamp":[0-9]+')


@pytest.fixture(scope="module")
def client(lakeshare_bin, tmp_path_factory):
    base = str(tmp_path_factory.mktemp("parallel"))
    table = os.path.join(base, "big")
    subprocess.run([lakeshare_bin, "generate-delta", "--dir", table, "--files", str(FILES), "--commits", "3",
                    "--partitions", "7"], check=True, timeout=300, capture_output=True)
    config = {
        "version": 1, "host": "127.0.0.1", "port": 0, "endpoint": "/delta-sharing",
        "authorization": {"bearerToken": "tok"},
        "shares": [{"name": "s", "schemas": [{"name": "d", "tables": [{"name": "big", "location": table}]}]}],
    }
    s = launch_server(lakeshare_bin, config, base, name="parallel")
    yield StrictClient(s.endpoint_url, "tok", s)
    s.stop_and_check()


def file_lines(client, body, fmt):
    """The file lines of one answer (parsed strictly), without their volatile parts."""
    resp = client.query_raw("s", "d", "big", body=body, capabilities=CAPS[fmt])
    q = client.parse_query(resp)
    lines = resp.content.decode().split("\n")[2:-1]
    if lines and lines[-1].startswith('{"endStreamAction"'):
        lines = lines[:-1]
    assert len(lines) == len(q.files)
    q.raw_lines = lines
    return [VOLATILE.sub("", l) for l in lines], q


def paged_lines(client, body, fmt, max_files):
    out, token = [], None
    while True:
        page_body = dict(body, maxFiles=max_files)
        if token:
            page_body["pageToken"] = token
        lines, q = file_lines(client, page_body, fmt)
        out += lines
        token = q.next_page_token
        if token is None:
            return out


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_whole_answer_is_its_pages(client, fmt):
    whole, _ = file_lines(client, {}, fmt)
    assert len(whole) >= FILES
    assert paged_lines(client, {}, fmt, 5000) == whole
    # A second whole answer (the snapshot cached, the ids kept) is the same.
    assert file_lines(client, {}, fmt)[0] == whole


@pytest.mark.parametrize("fmt", ["parquet", "delta"])
def test_filtered_whole_answer_is_its_pages(client, fmt):
    whole, q = file_lines(client, {}, fmt)
    column = q.metadata["partitionColumns"][0]
    value = json.loads(q.raw_lines[len(whole) // 2])
    value = (value["file"]["partitionValues"] if fmt == "parquet"
             else value["file"]["deltaSingleAction"]["add"]["partitionValues"])[column]
    hint = {"op": "equal", "children": [{"op": "column", "name": column, "valueType": "string"},
                                        {"op": "literal", "value": value, "valueType": "string"}]}
    body = {"jsonPredicateHints": json.dumps(hint)}
    filtered, _ = file_lines(client, body, fmt)
    assert 0 < len(filtered) < len(whole)
    assert paged_lines(client, body, fmt, 3000) == filtered


def test_rest_after_a_page_is_the_tail_of_the_whole_answer(client):
    whole, _ = file_lines(client, {}, "parquet")
    first, q = file_lines(client, {"maxFiles": 2500}, "parquet")
    assert first == whole[:2500]
    # The page token without maxFiles: every file from its position on, in one answer.
    rest, _ = file_lines(client, {"pageToken": q.next_page_token}, "parquet")
    assert rest == whole[2500:]


def test_concurrent_whole_answers_are_the_same(client):
    expected, _ = file_lines(client, {}, "parquet")
    got = [None] * 6

    def run(i):
        got[i] = file_lines(client, {}, "parquet")[0]

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(got))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for lines in got:
        assert lines == expected


def test_clients_leaving_mid_answer_leave_the_server_serving(client):
    """Answers abandoned after their first bytes (ranges still being produced on
    the pool) are cancelled; the next answers are whole and the same."""
    expected, _ = file_lines(client, {}, "parquet")
    netloc = client.server.endpoint_url.split("://", 1)[1].split("/", 1)[0]
    host, port = netloc.rsplit(":", 1)
    for _ in range(8):
        s = socket.create_connection((host, int(port)), timeout=30)
        s.sendall(("POST /delta-sharing/shares/s/schemas/d/tables/big/query HTTP/1.1\r\nHost: %s\r\n"
                   "Authorization: Bearer tok\r\nContent-Type: application/json\r\n"
                   "Content-Length: 2\r\n\r\n{}" % netloc).encode())
        assert s.recv(12).startswith(b"HTTP/1.1 200")
        s.close()
    assert file_lines(client, {}, "parquet")[0] == expected
    assert client.server.alive()
