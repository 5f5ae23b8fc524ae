#!/usr/bin/env python3
"""Checks the examples under deploy/: every YAML parses; the Kubernetes objects agree with each
other (config map, network attachment, resource requests, hugepage volumes, scrape port); the
vfpath config inside the config map passes `vfpath check` in the pod each workload describes,
simulated on the k8s-pod fixture tree (its PCIDEVICE_* variables, cpuset and hugetlb limits made
from the workload's resources); the systemd unit passes `systemd-analyze verify` and scores 3.0
or lower in `systemd-analyze security`.

Usage: check_deploy.py VFPATH_BINARY SOURCE_ROOT
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

FIXTURE_VFS = ["0000:af:02.2", "0000:af:02.3"]  # on vfio-pci, node 1, in tests/fixtures/k8s-pod
FIXTURE_NODE1_CPUS = [4, 5, 6, 7]
METRICS_PORT = "9464"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def ok(msg):
    print("ok: " + msg)


def quantity_bytes(q):
    """Kubernetes quantity ("256Mi", "2Gi", "1G") in bytes."""
    m = re.fullmatch(r"(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?", str(q))
    if not m:
        raise ValueError("not a quantity: %r" % q)
    mult = {None: 1, "Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40,
            "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}[m.group(2)]
    return int(m.group(1)) * mult


def env_var(resource):
    """What the SR-IOV device plugin names a resource's variable (pkg/resources/server.go)."""
    prefix, name = resource.split("/", 1)
    return ("PCIDEVICE_" + prefix.replace(".", "_") + "_" + name).upper()


def check_prometheus(path, root):
    """A Prometheus config (not a Kubernetes object): it parses and scrapes vfpath's /metrics on
    vfpath's default metrics port."""
    rel = os.path.relpath(path, root)
    try:
        with open(path) as fh:
            doc = yaml.safe_load(fh)
    except yaml.YAMLError as e:
        fail("%s does not parse: %s" % (rel, e))
        return
    jobs = [j for j in (doc or {}).get("scrape_configs", []) if j.get("metrics_path") == "/metrics"]
    targets = [t for j in jobs for sc in j.get("static_configs", []) for t in sc.get("targets", [])]
    if not any(t.endswith(":9464") for t in targets):
        fail("%s: no scrape job of /metrics on port 9464 (vfpath's default)" % rel)
        return
    ok("%s parses and scrapes %s" % (rel, ", ".join(targets)))


def load_all(root):
    docs = []
    for d, _, files in os.walk(os.path.join(root, "deploy")):
        for f in sorted(files):
            if not f.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(d, f)
            if os.path.relpath(path, root).startswith("deploy/prometheus/"):
                check_prometheus(path, root)
                continue
            try:
                with open(path) as fh:
                    found = [x for x in yaml.safe_load_all(fh) if x is not None]
            except yaml.YAMLError as e:
                fail("%s does not parse: %s" % (path, e))
                continue
            for doc in found:
                if not isinstance(doc, dict) or not all(k in doc for k in ("apiVersion", "kind")):
                    fail("%s: a document without apiVersion/kind" % path)
                    continue
                if not doc.get("metadata", {}).get("name"):
                    fail("%s: %s without metadata.name" % (path, doc["kind"]))
                    continue
                docs.append((path, doc))
            ok("%s parses (%d objects)" % (os.path.relpath(path, root), len(found)))
    return docs


def pod_spec(doc):
    if doc["kind"] == "Pod":
        return doc["metadata"], doc["spec"]
    tmpl = doc["spec"]["template"]
    return tmpl["metadata"], tmpl["spec"]


def simulate_pod(fixture, workdir, resources):
    """A copy of the fixture whose cgroup holds what the kubelet gives this container."""
    tree = os.path.join(workdir, "root")
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(fixture, tree, symlinks=True)
    cg = os.path.join(tree, "sys/fs/cgroup")
    cpus = int(resources["limits"]["cpu"])
    with open(os.path.join(cg, "cpuset.cpus.effective"), "w") as f:
        f.write(",".join(str(c) for c in FIXTURE_NODE1_CPUS[:cpus]) + "\n")
    # The kubelet sets a limit for every page size: what was asked, 0 for the others.
    for size, key in (("2MB", "hugepages-2Mi"), ("1GB", "hugepages-1Gi")):
        limit = quantity_bytes(resources["limits"].get(key, 0))
        for name in ("hugetlb.%s.max" % size, "hugetlb.%s.rsvd.max" % size):
            with open(os.path.join(cg, name), "w") as f:
                f.write("%d\n" % limit)
    return tree


def check_workload(path, doc, by_kind, binary, fixture, workdir):
    kind, name = doc["kind"], doc["metadata"]["name"]
    what = "%s/%s" % (kind, name)
    meta, spec = pod_spec(doc)
    ann = meta.get("annotations", {})
    containers = [c for c in spec["containers"] if c["name"] == "vfpath"]
    if len(containers) != 1:
        fail("%s: no container named vfpath" % what)
        return
    c = containers[0]
    res = c.get("resources", {})
    if res.get("requests") != res.get("limits"):
        fail("%s: requests differ from limits: not Guaranteed QoS, no exclusive CPUs" % what)
    if not re.fullmatch(r"\d+", str(res.get("limits", {}).get("cpu", ""))):
        fail("%s: cpu must be whole CPUs for the CPU manager's static policy" % what)

    # The config the container reads: -c PATH inside a config map volume.
    cmd = c.get("command", []) + c.get("args", [])
    if "-c" not in cmd:
        fail("%s: vfpath is started without -c" % what)
        return
    cfg_path = cmd[cmd.index("-c") + 1]
    mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    cfg_dir, cfg_key = os.path.split(cfg_path)
    cm_name = volumes.get(mounts.get(cfg_dir), {}).get("configMap", {}).get("name")
    cms = [d for d in by_kind.get("ConfigMap", []) if d["metadata"]["name"] == cm_name]
    if not cms or cfg_key not in cms[0].get("data", {}):
        fail("%s: %s is not a key of a config map mounted at %s" % (what, cfg_key, cfg_dir))
        return
    config_text = cms[0]["data"][cfg_key]

    # Hugepages: a limit per size and an emptyDir of that medium at /dev/hugepages.
    huge = [k for k in res.get("limits", {}) if k.startswith("hugepages-")]
    medium = volumes.get(mounts.get("/dev/hugepages"), {}).get("emptyDir", {}).get("medium", "")
    if not huge:
        fail("%s: no hugepages-2Mi/1Gi limit" % what)
    elif medium not in ("HugePages", "HugePages-" + huge[0][len("hugepages-"):]) or len(huge) > 1:
        fail("%s: /dev/hugepages is not an emptyDir of medium HugePages for %s" % (what, huge))

    # SR-IOV: the config's resource, requested once per port, one network attachment per VF,
    # each attachment's network tied to that resource.
    config = yaml.safe_load(config_text.replace("${", "_{"))  # a look at its shape only
    refs = [p["device"]["resource"] for p in config["ports"] if isinstance(p.get("device"), dict)]
    for resource in set(refs):
        want = refs.count(resource)
        got = int(res.get("limits", {}).get(resource, 0))
        if got < want:
            fail("%s: %d ports use %s but the container asks for %d" % (what, want, resource, got))
    nets = [n.strip() for n in ann.get("k8s.v1.cni.cncf.io/networks", "").split(",") if n.strip()]
    nads = {d["metadata"]["name"]: d for d in by_kind.get("NetworkAttachmentDefinition", [])}
    for n in nets:
        nad = nads.get(n)
        if not nad:
            fail("%s: network %s has no NetworkAttachmentDefinition" % (what, n))
            continue
        if nad["metadata"].get("annotations", {}).get("k8s.v1.cni.cncf.io/resourceName") not in refs:
            fail("%s: network %s is not tied to a resource the config uses" % (what, n))
        cni = json.loads(nad["spec"]["config"])
        if cni.get("type") != "sriov":
            fail("%s: network %s does not use the sriov CNI plugin" % (what, n))
    if len(nets) != len(refs):
        fail("%s: %d network attachments for %d device plugin ports" % (what, len(nets), len(refs)))

    # Prometheus scrapes the metrics port.
    if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/port") != METRICS_PORT:
        fail("%s: prometheus.io/scrape and prometheus.io/port: \"%s\" missing" % (what, METRICS_PORT))
    if not any(str(p.get("containerPort")) == METRICS_PORT for p in c.get("ports", [])):
        fail("%s: no containerPort %s" % (what, METRICS_PORT))
    # Probes: readiness and liveness (and startup, for EAL's start) on /metrics, the one path
    # vfpath serves, at the metrics port (by number or by the port's name).
    port_names = {p.get("name"): str(p.get("containerPort")) for p in c.get("ports", [])}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = c.get(probe, {}).get("httpGet")
        if not get:
            fail("%s: no %s with httpGet" % (what, probe))
            continue
        port = port_names.get(get.get("port"), str(get.get("port")))
        if get.get("path") != "/metrics" or port != METRICS_PORT:
            fail("%s: %s asks %s on port %s, not /metrics on %s"
                 % (what, probe, get.get("path"), port, METRICS_PORT))
    if "/metrics$" not in open(os.path.join(ROOT, "lib/control/cp/metrics_server.cpp")).read():
        fail("lib/control/cp/metrics_server.cpp no longer serves /metrics, which the probes use")

    # `vfpath check` inside the simulated pod: the container's environment, the device plugin's
    # variables, the kubelet's cgroup limits.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    for e in c.get("env", []):
        if "value" in e:
            env[e["name"]] = str(e["value"])
        elif "fieldRef" in e.get("valueFrom", {}):
            env[e["name"]] = name + "-test-0"
    for resource in set(refs):
        vfs = FIXTURE_VFS[:int(res["limits"][resource])]
        env[env_var(resource)] = ",".join(vfs)
        env[env_var(resource) + "_INFO"] = json.dumps(
            {b: {"generic": {"deviceID": b}, "vfio": {"mount": "/dev/vfio/vfio"}} for b in vfs})
    tree = simulate_pod(fixture, workdir, res)
    cfg_file = os.path.join(workdir, "vfpath.yaml")
    with open(cfg_file, "w") as f:
        f.write(config_text)
    r = subprocess.run([binary, "check", "-c", cfg_file, "--root", tree], env=env,
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        fail("%s: vfpath check of the config map failed (exit %d):\n%s%s"
             % (what, r.returncode, r.stdout, r.stderr))
    else:
        ok("%s: vfpath check passes in the simulated pod (%s, %s)"
           % (what, ", ".join(sorted(k for k in env if k.startswith("PCIDEVICE") and
                                    not k.endswith("_INFO"))), ", ".join(huge)))


def check_systemd(root, binary, workdir):
    unit_dir = os.path.join(root, "deploy/systemd")
    unit = os.path.join(unit_dir, "vfpath.service")
    with open(unit) as f:
        text = f.read()
    env_file = os.path.join(unit_dir, "vfpath.env")
    env = {}
    with open(env_file) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                k, _, v = line.partition("=")
                env[k] = v.strip('"')
    for k in re.findall(r"\$\{?([A-Z_]+)", text):
        if k.startswith("VFPATH_") and k not in env and "${%s:-" % k not in text:
            fail("vfpath.service uses %s, which vfpath.env does not set" % k)
    for key in ("Restart=on-failure", "vfpath host bind", "dev-hugepages.mount", "NoNewPrivileges=yes"):
        if key not in text:
            fail("vfpath.service lacks %s" % key)
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("skip: systemd-analyze is not installed; the unit was only read")
        return
    # Verify a copy whose commands exist here; any message is a defect (verify exits 0 on them).
    modprobe = shutil.which("modprobe") or "/bin/true"
    copy = os.path.join(workdir, "vfpath.service")
    with open(copy, "w") as f:
        f.write(text.replace("/usr/local/bin/vfpath", binary).replace("/sbin/modprobe", modprobe))
    r = subprocess.run([analyze, "verify", copy], capture_output=True, text=True, timeout=60)
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0 or out:
        fail("systemd-analyze verify vfpath.service:\n" + out)
    else:
        ok("deploy/systemd/vfpath.service passes systemd-analyze verify")

    # Exposure: `systemd-analyze security` of the unit file itself (--offline, systemd >= 252),
    # 3.0 or lower ("OK"). It was 5.9 (MEDIUM): root with every capability, no system call
    # filter, every device.
    r = subprocess.run([analyze, "security", "--offline=yes", "--no-pager", copy],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", r.stdout + r.stderr)
    if not m:
        fail("systemd-analyze security --offline=yes gave no exposure level (exit %d):\n%s%s"
             % (r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    elif float(m.group(1)) > 3.0:
        fail("vfpath.service: systemd-analyze security exposure %s > 3.0:\n%s"
             % (m.group(1), "\n".join(l for l in r.stdout.splitlines() if "\u2717" in l)))
    else:
        ok("deploy/systemd/vfpath.service: systemd-analyze security exposure %s (<= 3.0)"
           % m.group(1))
    caps = re.search(r"^CapabilityBoundingSet=(.*)$", text, re.M)
    if not caps or sorted(caps.group(1).split()) != ["CAP_IPC_LOCK", "CAP_NET_ADMIN"]:
        fail("vfpath.service: CapabilityBoundingSet is not CAP_IPC_LOCK CAP_NET_ADMIN")

# The PMDs the image must carry (package names of Debian 12's DPDK 22.11): what vfpath's docs and
# tests use, and the Intel VF driver the Kubernetes example's VFs need.
REQUIRED_PMDS = ["librte-net-null23", "librte-net-ring23", "librte-net-memif23", "librte-net-tap23",
                 "librte-net-pcap23", "librte-net-iavf23", "librte-mempool-ring23",
                 "librte-bus-pci23", "librte-bus-vdev23"]
HEADERS = ["civetweb.h", "yaml-cpp/yaml.h", "spdlog/spdlog.h", "fmt/format.h", "numa.h",
           "nlohmann/json.hpp", "CLI/CLI.hpp", "pcap/pcap.h", "libmnl/libmnl.h", "dpdk/rte_eal.h"]


def containerfile_stages(path):
    """[(FROM line, [packages of its apt-get install], [COPY lines])] of a Containerfile."""
    with open(path) as f:
        text = f.read().replace("\\\n", " ")
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("FROM "):
            stages.append((line, [], []))
        elif stages and line.startswith("RUN ") and "apt-get install" in line:
            words = line.split("apt-get install", 1)[1].split("&&")[0].split()
            stages[-1][1].extend(w for w in words if not w.startswith("-"))
        elif stages and line.startswith("COPY "):
            stages[-1][2].append(line)
    return stages


def closure(packages):
    """The packages apt installs for `packages` without recommends (this host's apt cache)."""
    r = subprocess.run(["apt-cache", "depends", "--recurse", "--no-recommends", "--no-suggests",
                        "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]
                       + packages, capture_output=True, text=True, timeout=300)
    names = set()
    for line in r.stdout.splitlines():
        if line and not line.startswith(" "):
            names.add(line.strip("<>").split(":")[0])
    return names


_owners = None


def owner(path):
    """The Debian package that ships `path` (usr-merge aware), or None. Reads dpkg's file lists
    once (a dpkg -S per library took minutes)."""
    global _owners
    if _owners is None:
        _owners = {}
        info = "/var/lib/dpkg/info"
        for f in os.listdir(info):
            if f.endswith(".list"):
                pkg = f[:-5].split(":")[0]
                with open(os.path.join(info, f), errors="replace") as fh:
                    for line in fh:
                        _owners.setdefault(line.rstrip("\n"), pkg)
    tries = [path, os.path.realpath(path)]
    for p in list(tries):
        tries.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for p in tries:
        if p in _owners:
            return _owners[p]
    return None


def libraries(path):
    """(resolved library paths, names ldd could not find) of an ELF file."""
    r = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=60)
    found, missing = [], []
    for line in r.stdout.splitlines():
        if "=> not found" in line:
            missing.append(line.split()[0])
        elif "=>" in line and "/" in line.split("=>", 1)[1]:
            found.append(line.split("=>", 1)[1].split()[0])
        elif line.strip().startswith("/"):
            found.append(line.split()[0])
    return found, missing


def check_image(root, binary):
    """Item by item what the Containerfile's stages must hold; no image is built (podman on this
    CI costs minutes), the same Debian release's packages answer instead."""
    if not (shutil.which("apt-cache") and shutil.which("dpkg") and shutil.which("ldd")):
        print("skip: apt-cache, dpkg or ldd missing: the Containerfile was not checked")
        return
    stages = containerfile_stages(os.path.join(root, "deploy/Containerfile"))
    if len(stages) != 2:
        fail("deploy/Containerfile: expected a build and a runtime stage, found %d" % len(stages))
        return
    (build_from, build_pkgs, _), (run_from, run_pkgs, copies) = stages
    # The answer comes from this host's packages, so it holds only for the release the image is
    # built from (debian:12 -> VERSION_ID 12): on another (the Debian 13 CI lane) the package
    # names differ (librte-*25, libyaml-cpp0.8) and the check would judge another image.
    m = re.search(r"debian:(\d+)", run_from)
    host = ""
    try:
        for line in open("/etc/os-release"):
            if line.startswith("VERSION_ID="):
                host = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    if m and host != m.group(1):
        print("skip: deploy/Containerfile is built from debian:%s and this host is Debian %s: its "
              "package lists can only be checked on Debian %s" % (m.group(1), host or "(unknown)",
                                                                  m.group(1)))
        return
    build, runtime = closure(build_pkgs), closure(run_pkgs)
    for h in HEADERS:
        pkg = owner("/usr/include/" + h)
        if pkg is None:
            fail("build stage: /usr/include/%s is not installed here, cannot tell its package" % h)
        elif pkg not in build:
            fail("build stage: %s (for %s) is not in its package list or their Depends" % (pkg, h))
    copied = " ".join(copies)
    bad = 0

    def need_libs(what, path):
        nonlocal bad
        found, missing = libraries(path)
        for m in missing:
            fail("%s: %s is not found even on this host" % (what, m))
            bad += 1
        for lib in found:
            pkg = owner(lib)
            if pkg is None:
                continue  # not from a package (this build's own libraries): nothing to install
            if re.match(r"lib(asan|ubsan|tsan|lsan|hwasan)\d*$", pkg):
                # A sanitizer build's runtime: the image builds vfpath without sanitizers.
                print("note: %s needs %s (%s) only because this build is instrumented; the "
                      "Containerfile's build is not" % (what, lib, pkg))
                continue
            if pkg not in runtime:
                fail("runtime stage: %s needs %s from %s, which is not in the stage's package "
                     "list or their Depends" % (what, lib, pkg))
                bad += 1

    need_libs("vfpath", binary)
    for pkg in REQUIRED_PMDS:
        if pkg not in runtime:
            fail("runtime stage: PMD package %s is missing" % pkg)
            bad += 1
    # Every PMD the image installs is loaded by EAL at start: each must find its libraries.
    pmd_dirs = [d for d in (os.path.join("/usr/lib/x86_64-linux-gnu/dpdk", x)
                            for x in os.listdir("/usr/lib/x86_64-linux-gnu/dpdk"))
                if os.path.basename(d).startswith("pmds-")]
    pmds = 0
    for d in pmd_dirs:
        for f in sorted(os.listdir(d)):
            path = os.path.join(d, f)
            pkg = owner(path)
            if pkg in runtime and re.search(r"\.so\.\d+$", f):
                pmds += 1
                need_libs("PMD " + f, path)
    # Packet capture and the telemetry client (docs/operations.md, "Packet capture"): copied from the build stage.
    for tool in ("dpdk-dumpcap", "dpdk-telemetry.py"):
        pkg = owner("/usr/bin/" + tool)
        if pkg not in runtime and not ("--from=build" in copied and "/usr/bin/" + tool in copied):
            fail("runtime stage: no /usr/bin/%s (package %s is not installed, nor is it copied "
                 "from the build stage)" % (tool, pkg))
            bad += 1
        elif pkg not in runtime and pkg not in build:
            fail("build stage: %s is copied from it but %s is not installed there" % (tool, pkg))
            bad += 1
    need_libs("dpdk-dumpcap", "/usr/bin/dpdk-dumpcap")
    if "python3" not in runtime:
        fail("runtime stage: dpdk-telemetry.py needs python3")
        bad += 1
    if not bad:
        ok("deploy/Containerfile: vfpath, %d PMDs and dpdk-dumpcap find every library in the "
           "runtime stage's packages (%d with Depends); the build stage has every header"
           % (pmds, len(runtime)))


ROOT = None


def main():
    global ROOT
    binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    ROOT = root
    fixture = os.path.join(root, "tests/fixtures/k8s-pod")
    docs = load_all(root)
    by_kind = {}
    for _, d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    workloads = [(p, d) for p, d in docs if d["kind"] in ("Pod", "DaemonSet", "Deployment")]
    if not workloads:
        fail("no Pod or DaemonSet under deploy/")
    with tempfile.TemporaryDirectory(prefix="vfpath-deploy-") as work:
        for path, doc in workloads:
            check_workload(path, doc, by_kind, binary, fixture, work)
        check_systemd(root, binary, work)
    check_image(root, binary)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
