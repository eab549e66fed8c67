#!/usr/bin/python3
# A one-node OpenStack Swift with its S3 API (s3api + tempauth, user test:tester / testing) for the
# S3 tests and `scripts/bench s3`: rings of one device in a folder, servers run as the current user
# on free loopback ports, nothing outside the folder touched.
#
#   swift_server.py start DIR [OWNER_PID]
#                               starts memcached and the proxy, account, container and object
#                               servers; waits until the S3 API answers; writes DIR/endpoint
#                               ("http://127.0.0.1:PORT") and prints the same line. With
#                               OWNER_PID, a watchdog stops them once that process is gone (a
#                               test that crashed before it could stop them).
#   swift_server.py stop DIR    stops what start started (the pids in DIR/pids) and removes DIR
#
# Runs with Debian's python3 (python3-swift), whatever python3 comes first on PATH.
import getpass
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ACCESS_KEY = "test:tester"
SECRET_KEY = "testing"
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def server_conf(root, kind, port):
    common = f"""[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
user = {getpass.getuser()}
swift_dir = {root}
devices = {root}/srv
mount_check = false
disable_fallocate = true
log_level = WARNING

[pipeline:main]
pipeline = {kind}-server

[app:{kind}-server]
use = egg:swift#{kind}
"""
    extra = {"account": "", "container": "", "object": ""}[kind]
    return common + extra + f"\n[{kind}-replicator]\n[{kind}-auditor]\n"


def proxy_conf(root, port, memcached_port):
    return f"""[DEFAULT]
bind_ip = 127.0.0.1
bind_port = {port}
workers = 0
swift_dir = {root}
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:s3api]
use = egg:swift#s3api
location = {REGION}

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = {SECRET_KEY} .admin

[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:{memcached_port}

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
"""


def build_rings(root, ports):
    from swift.common.ring import RingBuilder
    for kind, port in ports.items():
        builder = RingBuilder(6, 1, 1)  # 64 partitions, one replica
        builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": port,
                         "device": "sdb1", "weight": 1.0})
        builder.rebalance()
        builder.get_ring().save(os.path.join(root, f"{kind}.ring.gz"))


def start(root, owner=0):
    os.makedirs(os.path.join(root, "srv", "sdb1"), mode=0o700, exist_ok=True)
    ports = {k: free_port() for k in ("account", "container", "object")}
    proxy_port = free_port()
    memcached_port = free_port()
    build_rings(root, ports)
    for kind, port in ports.items():
        write(os.path.join(root, f"{kind}-server.conf"), server_conf(root, kind, port))
    write(os.path.join(root, "proxy-server.conf"), proxy_conf(root, proxy_port, memcached_port))
    log = open(os.path.join(root, "servers.log"), "ab")
    memcached = ["memcached", "-l", "127.0.0.1", "-p", str(memcached_port), "-U", "0", "-m", "16"]
    if os.getuid() == 0:
        memcached += ["-u", "root"]  # memcached refuses root otherwise
    procs = [subprocess.Popen(memcached,
                              stdout=log, stderr=log, start_new_session=True)]
    for kind in ("account", "container", "object", "proxy"):
        procs.append(subprocess.Popen(["/usr/bin/python3", f"/usr/bin/swift-{kind}-server",
                                       os.path.join(root, f"{kind}-server.conf")],
                                      stdout=log, stderr=log, start_new_session=True))
    write(os.path.join(root, "pids"), "".join(f"{p.pid}\n" for p in procs))
    endpoint = f"http://127.0.0.1:{proxy_port}"
    deadline = time.monotonic() + 60
    while True:
        for p in procs:
            if p.poll() is not None:
                stop(root, remove=False)
                sys.exit(f"swift_server: {p.args[-1]} exited with {p.returncode}; see {root}/servers.log")
        try:
            # Unsigned: the S3 API answers 403 once the proxy and its middleware are up.
            urllib.request.urlopen(endpoint + "/", timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if time.monotonic() > deadline:
                stop(root)
                sys.exit(f"swift_server: no answer from {endpoint} within 60 s; see {root}/servers.log")
            time.sleep(0.1)
    write(os.path.join(root, "endpoint"), endpoint + "\n")
    print(endpoint, flush=True)
    if owner:
        watch(root, owner)


def watch(root, owner):
    if os.fork() != 0:
        return
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)  # the caller reads start's output to its end: never hold it open
    while os.path.exists(os.path.join(root, "pids")):
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            stop(root)
            break
        time.sleep(1)
    os._exit(0)


def stop(root, remove=True):
    try:
        pids = [int(x) for x in open(os.path.join(root, "pids")).read().split()]
    except OSError:
        pids = []
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    if remove:
        subprocess.run(["rm", "-rf", root])


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4) or sys.argv[1] not in ("start", "stop") or (sys.argv[1] == "stop" and len(sys.argv) == 4):
        sys.exit("usage: swift_server.py start DIR [OWNER_PID] | stop DIR")
    if sys.argv[1] == "start":
        start(os.path.abspath(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) == 4 else 0)
    else:
        stop(os.path.abspath(sys.argv[2]))
