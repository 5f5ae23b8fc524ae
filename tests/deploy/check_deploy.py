#!/usr/bin/env python3
"""Checks the examples under deploy/: every YAML parses; the Kubernetes objects agree with each
other (config map, network attachment, resource requests, hugepage volumes, scrape port); the
vfpath config inside the config map passes `vfpath check` in the pod each workload describes,
simulated on the k8s-pod fixture tree (its PCIDEVICE_* variables, cpuset and hugetlb limits made
from the workload's resources); the systemd unit passes `systemd-analyze verify`.

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


def load_all(root):
    docs = []
    for d, _, files in os.walk(os.path.join(root, "deploy")):
        for f in sorted(files):
            if not f.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(d, f)
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


def main():
    binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
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
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
