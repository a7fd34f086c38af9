#!/usr/bin/env python3
"""Helpers of benches/opensearch.sh (the bench, not the product):

  proxy UPSTREAM PORTFILE LOGDIR   a logging HTTP/1.1 proxy on 127.0.0.1 (an ephemeral port,
                                   written to PORTFILE): every request is forwarded to UPSTREAM
                                   unchanged and written to LOGDIR as NNNNNN.json (method, path,
                                   content type) and NNNNNN.body (the bytes as sent)
  readback BASE INDEX OUT          every document of INDEX (_source exactly as stored, which is
                                   what the client sent), in export order (source_file,
                                   source_line), as "id<TAB>source" lines
  batches DOCS INDEX DIR           _bulk NDJSON files (DIR/000000.ndjson, …) cut as litsearch
                                   cuts them (1,000 documents or 8 MiB), action lines as
                                   litsearch writes them, for INDEX
  verify LOGDIR DIR INDEX          the _bulk bodies the proxy logged hold the same documents
                                   (byte for byte, index name aside) in as many requests of the
                                   same sizes as the files in DIR (exit 1 and say where not)
  curl-config LOGDIR BASE OUT [MAIN]
                                   a curl config (-K) replaying the logged requests in order on
                                   one connection; with MAIN, only the largest _search request
"""

import glob
import http.client
import json
import os
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# As in src/engine/opensearch/ingest.rs.
BULK_DOCS = 1000
BULK_BYTES = 8 * 1024 * 1024


def proxy(upstream, portfile, logdir):
    up = urllib.parse.urlsplit(upstream)
    os.makedirs(logdir, exist_ok=True)
    counter = [0]
    lock = threading.Lock()
    local = threading.local()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            ctype = self.headers.get("Content-Type")
            with lock:
                n = counter[0]
                counter[0] += 1
            with open(os.path.join(logdir, f"{n:06d}.body"), "wb") as f:
                f.write(body)
            with open(os.path.join(logdir, f"{n:06d}.json"), "w") as f:
                json.dump({"method": self.command, "path": self.path, "content_type": ctype,
                           "has_body": length > 0 or ctype is not None}, f)
            headers = {"Content-Type": ctype} if ctype else {}
            conn = getattr(local, "conn", None)
            if conn is None:
                conn = local.conn = http.client.HTTPConnection(up.hostname, up.port, timeout=600)
            conn.request(self.command, self.path, body=body if body or ctype else None, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            self.send_response(resp.status)
            for k, v in resp.getheaders():
                if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()


def post(url, body):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.load(r)


def readback(base, index, out):
    """_source as stored, re-encoded compactly (serde_json's form: no spaces, UTF-8, the
    key order kept), sorted into export order by GNU sort."""
    tmp = out + ".unsorted"
    after = None
    n = 0
    with open(tmp, "w", encoding="utf-8") as f:
        while True:
            body = {"size": 5000, "query": {"match_all": {}}, "sort": [{"id": "asc"}],
                    "track_total_hits": False}
            if after is not None:
                body["search_after"] = after
            hits = post(f"{base}/{index}/_search", body)["hits"]["hits"]
            for h in hits:
                s = h["_source"]
                doc = json.dumps(s, ensure_ascii=False, separators=(",", ":"))
                f.write(f"{s['source_file']}\t{s['source_line']:012d}\t{h['_id']}\t{doc}\n")
                n += 1
            if len(hits) < 5000:
                break
            after = hits[-1]["sort"]
    env = dict(os.environ, LC_ALL="C")
    with open(out, "w") as f:
        sort = subprocess.Popen(["sort", "-t", "\t", "-k1,1", "-k2,2", "-S", "512M", tmp],
                                stdout=subprocess.PIPE, env=env)
        cut = subprocess.run(["cut", "-f3-"], stdin=sort.stdout, stdout=f, check=True)
        sort.stdout.close()
        if sort.wait() != 0 or cut.returncode != 0:
            sys.exit("readback: sort failed")
    os.remove(tmp)
    print(n)


def batches(docs, index, outdir):
    os.makedirs(outdir, exist_ok=True)
    batch, count, files = bytearray(), 0, 0

    def flush():
        nonlocal batch, count, files
        if count:
            with open(os.path.join(outdir, f"{files:06d}.ndjson"), "wb") as f:
                f.write(batch)
            files += 1
        batch, count = bytearray(), 0

    with open(docs, "rb") as f:
        for line in f:
            doc_id, doc = line.rstrip(b"\n").split(b"\t", 1)
            action = json.dumps({"index": {"_index": index, "_id": doc_id.decode()}},
                                separators=(",", ":"), ensure_ascii=False)
            batch += action.encode() + b"\n" + doc + b"\n"
            count += 1
            if count >= BULK_DOCS or len(batch) >= BULK_BYTES:
                flush()
    flush()
    print(files)


def logged(logdir):
    for meta in sorted(glob.glob(os.path.join(logdir, "*.json"))):
        with open(meta) as f:
            m = json.load(f)
        m["body_file"] = meta[:-5] + ".body"
        yield m


def pairs(body):
    lines = body.split(b"\n")
    return [(lines[i], lines[i + 1]) for i in range(0, len(lines) - 1, 2)]


def verify(logdir, outdir, index):
    """The same documents (action and source lines byte for byte, index name aside) in as many
    _bulk requests of the same sizes. The order of the stream differs: litsearch's reader
    hands records over in the order its parsing threads finish, not in export order."""
    sent = [m for m in logged(logdir) if m["path"].startswith("/_bulk")]
    files = sorted(glob.glob(os.path.join(outdir, "*.ndjson")))
    a_pairs, b_pairs, a_sizes, b_sizes, a_bytes, b_bytes = [], [], [], [], 0, 0
    for m in sent:
        with open(m["body_file"], "rb") as f:
            body = f.read()
        first = json.loads(body.split(b"\n", 1)[0])["index"]["_index"]
        body = body.replace(f'"_index":"{first}"'.encode(), f'"_index":"{index}"'.encode())
        p = pairs(body)
        a_pairs += p
        a_sizes.append(len(p))
        a_bytes += len(body)
    for path in files:
        with open(path, "rb") as f:
            body = f.read()
        p = pairs(body)
        b_pairs += p
        b_sizes.append(len(p))
        b_bytes += len(body)
    if a_sizes != b_sizes:
        sys.exit(f"verify: litsearch sent {len(a_sizes)} _bulk requests of {a_sizes[:5]}… documents, the files are {len(b_sizes)} of {b_sizes[:5]}…")
    if sorted(a_pairs) != sorted(b_pairs):
        sys.exit("verify: the documents differ from those litsearch sent")
    print(f"{len(b_pairs)} documents in {len(files)} _bulk requests, identical byte for byte "
          f"({b_bytes} bytes) to those litsearch sent")


def curl_config(logdir, base, out, main=None):
    reqs = list(logged(logdir))
    if main:
        searches = [m for m in reqs if "/_search" in m["path"]]
        reqs = [max(searches, key=lambda m: os.path.getsize(m["body_file"]))]
    with open(out, "w") as f:
        for i, m in enumerate(reqs):
            if i:
                f.write("next\n")
            f.write(f'url = "{base}{m["path"]}"\n')
            f.write("fail\noutput = /dev/null\n")
            if m["method"] == "HEAD":
                f.write("head\n")
            else:
                f.write(f'request = "{m["method"]}"\n')
            if m["has_body"]:
                f.write(f'header = "Content-Type: {m["content_type"]}"\n')
                f.write(f'data-binary = "@{m["body_file"]}"\n')
    print(len(reqs))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"proxy": proxy, "readback": readback, "batches": batches, "verify": verify,
     "curl-config": curl_config}[cmd](*args)
