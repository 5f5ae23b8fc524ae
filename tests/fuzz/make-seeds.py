#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Seeds are meaningful inputs: the project's own configs, probe frames as the generator builds
them, rtnetlink replies (captured from this kernel when run as root, plus PF replies shaped as
the kernel's rtnl_fill_vfinfo writes them), sysfs/procfs values shaped like the fixture trees
and this machine's, and ixgbe/virtchnl mailbox requests. Names say what the target must do:
ok-* accepted, bad-* refused (tests/fuzz/corpus_test.cpp checks both).

The seeds are committed; run this only to change them:  tests/fuzz/make-seeds.py
"""
import os
import shutil
import socket
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- config ------------------------------------------------------------------------------------

def config_seeds():
    fixtures = os.path.join(ROOT, "tests", "fixtures", "configs")
    copies = {
        "ok-default.yaml": os.path.join(ROOT, "config", "default.yaml"),
        "ok-annotated.yaml": os.path.join(fixtures, "annotated.yaml"),
        "ok-full.yaml": os.path.join(fixtures, "full.yaml"),
        "ok-reflect.yaml": os.path.join(fixtures, "reflect.yaml"),
        "ok-numa-wrong-node.yaml": os.path.join(fixtures, "numa-wrong-node.yaml"),
        "bad-several-errors.yaml": os.path.join(fixtures, "several_errors.yaml"),
    }
    for name, src in copies.items():
        with open(src, "rb") as f:
            put("config", name, f.read())
    # The keys the fixtures leave out: recovery, faults, vf_policy, standby, ports[].vf, numa,
    # ports[].latency_clock.
    put("config", "ok-recovery-faults.yaml", """eal: {lcores: 0-1}
ports:
  - {name: p0, device: net_null0, latency_clock: hw}
  - {name: p1, device: net_null1, standby: sb, latency_clock: tsc}
  - {name: sb, device: net_tap0}
forward: {mode: macswap, pairs: [[p0, p1]]}
recovery:
  ladder: [reset, reattach]
  max_attempts: 3
  backoff_ms: 20
  quiesce_timeout_ms: 500
  link_poll_ms: 100
  tx_stall_ms: 1000
  rx_stall_ms: 0
  journal: /tmp/vfpath-journal.jsonl
faults: ["reset:p0@1s,every=10ms,count=100", "link-down:p1@2s,for=500ms", "remove:p1@5s"]
""")
    put("config", "ok-vf-policy.yaml", """numa: strict
eal: {lcores: "0-2", main_lcore: 0}
ports:
  - name: pf0
    device: "0000:af:00.0"
    vf: {mac: "02:00:00:00:00:10", vlan: 100, qos: 3, spoofchk: true, trust: false, max_rate: 1000}
  - {name: pf1, device: "af:00.1", rx_queues: 4, rss: true}
vf_policy:
  - {pf: pf0, vf: all, allow_multicast: true}
  - {pf: pf0, vf: 3, trusted: true}
  - {pf: pf1, vf: 0, allow_mac_change: true, allow_vlan: true, allow_promisc: true,
     allow_mtu_change: true}
""")
    put("config", "ok-sink-workers.yaml", """eal: {lcores: 0-3, main_lcore: 3}
ports:
  - {name: a, device: "net_pcap0,rx_pcap=/tmp/in.pcap,tx_pcap=/tmp/out.pcap", rx_queues: 2}
  - {name: b, device: net_ring0}
forward: {mode: sink, burst: 128}
workers:
  - {lcore: 0, queues: ["a:0"]}
  - {lcore: 1, queues: ["a:1", b]}
mempool: {cache_size: 0, data_room: 2176}
run: {duration_s: 10, stats_interval_s: 0, log_level: warn}
""")
    bad = {
        "bad-empty.yaml": "",
        "bad-syntax.yaml": "ports: [{device: net_null0\n",
        "bad-unknown-key.yaml": "ports: [{device: net_null0, rxqueues: 2}]\n",
        "bad-type.yaml": "ports: [{device: net_null0, rx_queues: two}]\n",
        "bad-second-document.yaml": "ports: [{device: net_null0}]\n---\nports: []\n",
        "bad-main-lcore-worker.yaml":
            "eal: {lcores: 0-1}\nports: [{device: net_null0}]\nworkers: [{lcore: 0, queues: [p0]}]\n",
        "bad-l2-no-next-hop.yaml": "ports: [{device: net_null0}, {device: net_null1}]\n"
                                   "forward: {mode: l2}\n",
        "bad-duplicate-device.yaml": "ports: [{device: 0000:3b:02.0}, {device: 3B:02.0}]\n",
        "bad-mempool-too-small.yaml": "ports: [{device: net_null0}]\nmempool: {size: 100}\n",
    }
    for name, text in bad.items():
        put("config", name, text)


# ---- probe -------------------------------------------------------------------------------------

MAGIC = 0x5646504154485031
ETH_PROBE = 0x88B5


def probe(stream=7, flags=0, seq=0, tsc=123456789, version=1, hdr_len=32, magic=MAGIC):
    return struct.pack(">QIHBBQQ", magic, stream, flags, version, hdr_len, seq, tsc)


def eth(ethertype, tags=()):
    hdr = bytes.fromhex("020000000002") + bytes.fromhex("020000000001")
    for tpid, tci in tags:
        hdr += struct.pack(">HH", tpid, tci)
    return hdr + struct.pack(">H", ethertype)


def ipv4_udp(payload, frag=0, proto=17, total_extra=0, udp_len=None):
    udp_len = 8 + len(payload) if udp_len is None else udp_len
    total = 20 + 8 + len(payload) + total_extra
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, total, 1, frag, 64, proto, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    udp = struct.pack(">HHHH", 5000, 5001, udp_len, 0)
    return ip + udp + payload


def frames(*fs):
    """The probe target's input: each frame preceded by its length (2 bytes big-endian)."""
    return b"".join(struct.pack(">H", len(f)) + f for f in fs)


def probe_seeds():
    l2 = lambda **k: eth(ETH_PROBE) + probe(**k)
    put("probe", "ok-l2.bin", frames(l2()))
    put("probe", "ok-vlan.bin", frames(eth(ETH_PROBE, [(0x8100, 100)]) + probe(seq=1)))
    put("probe", "ok-qinq.bin",
        frames(eth(ETH_PROBE, [(0x88A8, 10), (0x8100, 100)]) + probe(seq=2)))
    put("probe", "ok-udp.bin", frames(eth(0x0800) + ipv4_udp(probe(flags=1, seq=3))))
    put("probe", "ok-udp-vlan-padded.bin",
        frames(eth(0x0800, [(0x8100, 5)]) + ipv4_udp(probe(flags=2, seq=4)) + bytes(18)))
    # A stream as the analyzer sees it: in order, a gap, a late frame, a duplicate.
    put("probe", "ok-stream-reordered.bin",
        frames(*[l2(seq=s, tsc=1000 + s) for s in (0, 1, 2, 5, 3, 3, 6)]))
    put("probe", "ok-stream-last.bin",
        frames(*[l2(seq=s, tsc=5000 + 100 * s, flags=1 if s == 9 else 0) for s in range(10)]))
    put("probe", "bad-magic.bin", frames(l2(magic=MAGIC ^ 1)))
    put("probe", "bad-version.bin", frames(l2(version=2)))
    put("probe", "bad-hdr-len.bin", frames(l2(hdr_len=200)))
    put("probe", "bad-flags.bin", frames(l2(flags=0x80)))
    put("probe", "bad-zero-tsc.bin", frames(l2(tsc=0)))
    put("probe", "bad-seq-too-large.bin", frames(l2(seq=(1 << 48) + 1)))
    put("probe", "bad-truncated.bin", frames(l2()[:40]))
    put("probe", "bad-runt.bin", frames(bytes(10)))
    put("probe", "bad-three-tags.bin",
        frames(eth(ETH_PROBE, [(0x88A8, 1), (0x8100, 2), (0x8100, 3)]) + probe()))
    put("probe", "bad-fragment.bin", frames(eth(0x0800) + ipv4_udp(probe(), frag=0x2000)))
    put("probe", "bad-tcp.bin", frames(eth(0x0800) + ipv4_udp(probe(), proto=6)))
    put("probe", "bad-ip-total-too-long.bin",
        frames(eth(0x0800) + ipv4_udp(probe(), total_extra=100)))
    put("probe", "bad-udp-len-short.bin", frames(eth(0x0800) + ipv4_udp(probe(), udp_len=20)))
    put("probe", "bad-arp.bin", frames(eth(0x0806) + bytes(28)))


# ---- netlink -----------------------------------------------------------------------------------

RTM_NEWLINK, RTM_GETLINK, RTM_SETLINK, NLMSG_ERROR = 16, 18, 19, 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CAPPED, NLM_F_ACK_TLVS = 1, 4, 0x100, 0x200
IFLA_IFNAME, IFLA_MTU, IFLA_NUM_VF, IFLA_VFINFO_LIST, IFLA_EXT_MASK = 3, 4, 21, 22, 29
IFLA_VF_INFO = 1
(IFLA_VF_MAC, IFLA_VF_VLAN, IFLA_VF_TX_RATE, IFLA_VF_SPOOFCHK, IFLA_VF_LINK_STATE, IFLA_VF_RATE,
 IFLA_VF_RSS_QUERY_EN, IFLA_VF_STATS, IFLA_VF_TRUST, IFLA_VF_IB_NODE_GUID, IFLA_VF_IB_PORT_GUID,
 IFLA_VF_VLAN_LIST, IFLA_VF_BROADCAST) = range(1, 14)
RTEXT_FILTER_VF, RTEXT_FILTER_SKIP_STATS = 1, 8
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2


def attr(t, payload):
    a = struct.pack("=HH", 4 + len(payload), t) + payload
    return a + bytes(-len(a) % 4)


def nlmsg(t, flags, payload, seq=1, pid=0):
    return struct.pack("=IHHII", 16 + len(payload), t, flags, seq, pid) + payload


def ifinfo(index=2, flags=0x1003):
    return struct.pack("=BBHiII", 0, 0, 1, index, flags, 0)


def vf_info(vf, mac, vlan=0, qos=0, spoof=1, link=0, min_rate=0, max_rate=0, trust=0):
    """One IFLA_VF_INFO in the order the kernel's rtnl_fill_vfinfo writes it (no stats)."""
    a = attr(IFLA_VF_MAC, struct.pack("=I", vf) + mac + bytes(32 - len(mac)))
    a += attr(IFLA_VF_BROADCAST, b"\xff" * 6 + bytes(26))
    a += attr(IFLA_VF_VLAN, struct.pack("=III", vf, vlan, qos))
    a += attr(IFLA_VF_RATE, struct.pack("=III", vf, min_rate, max_rate))
    a += attr(IFLA_VF_TX_RATE, struct.pack("=II", vf, max_rate))
    a += attr(IFLA_VF_SPOOFCHK, struct.pack("=II", vf, spoof))
    a += attr(IFLA_VF_LINK_STATE, struct.pack("=II", vf, link))
    a += attr(IFLA_VF_RSS_QUERY_EN, struct.pack("=II", vf, 0))
    a += attr(IFLA_VF_TRUST, struct.pack("=II", vf, trust))
    vlan_info = struct.pack("=III", vf, vlan, qos) + struct.pack(">H", 0x8100) + bytes(2)
    a += attr(IFLA_VF_VLAN_LIST, attr(1, vlan_info))
    return attr(IFLA_VF_INFO, a)


def newlink(name, vfs, extra=b""):
    attrs = attr(IFLA_IFNAME, name.encode() + b"\0") + attr(IFLA_MTU, struct.pack("=I", 1500))
    attrs += extra
    attrs += attr(IFLA_NUM_VF, struct.pack("=I", len(vfs)))
    attrs += attr(IFLA_VFINFO_LIST, b"".join(vfs))
    return nlmsg(RTM_NEWLINK, 0, ifinfo() + attrs)


def ack(error, request=b"", flags=0, tlvs=b""):
    req = request or nlmsg(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, ifinfo())
    echoed = req if error and not flags & NLM_F_CAPPED else req[:16]
    return nlmsg(NLMSG_ERROR, flags | (NLM_F_ACK_TLVS if tlvs else 0),
                 struct.pack("=i", error) + echoed + tlvs)


def capture(request):
    """This kernel's answer to a request (root not needed for GETLINK; SETLINK needs it)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    try:
        s.setsockopt(270, 11, 1)  # SOL_NETLINK, NETLINK_EXT_ACK
        s.bind((0, 0))
        s.send(request)
        return s.recv(65536)
    finally:
        s.close()


def netlink_seeds():
    i40e = [vf_info(v, bytes([0x02, 0, 0, 0, 0, 0x10 + v]), vlan=100 * v, qos=v % 8,
                    link=v % 3, max_rate=1000 * v, trust=v & 1) for v in range(4)]
    put("netlink", "ok-pf-4-vfs.bin", newlink("ens1f0", i40e))
    put("netlink", "ok-pf-no-vfs.bin", newlink("ens1f1", []))
    put("netlink", "ok-pf-drv-no-spoofchk.bin",
        newlink("eth2", [vf_info(0, bytes(6), spoof=0xffffffff, trust=0xffffffff)]))
    put("netlink", "ok-ack-success.bin", ack(0))
    put("netlink", "ok-ack-eopnotsupp-msg.bin",
        ack(-95, tlvs=attr(NLMSGERR_ATTR_MSG, b"VF does not support this\0")))
    put("netlink", "ok-ack-capped-einval.bin",
        ack(-22, flags=NLM_F_CAPPED,
            tlvs=attr(NLMSGERR_ATTR_MSG, b"Attribute failed policy validation\0") +
            attr(NLMSGERR_ATTR_OFFS, struct.pack("=I", 36))))
    put("netlink", "bad-truncated-vfinfo.bin", newlink("ens1f0", i40e)[:-9])
    put("netlink", "bad-vf-without-mac.bin",
        newlink("ens1f0", [attr(IFLA_VF_INFO, attr(IFLA_VF_VLAN, struct.pack("=III", 0, 5, 0)))]))
    put("netlink", "bad-length-past-end.bin", struct.pack("=IHHII", 4096, RTM_NEWLINK, 0, 1, 0) +
        ifinfo())
    put("netlink", "bad-getlink-request.bin", nlmsg(RTM_GETLINK, NLM_F_REQUEST, ifinfo()))
    put("netlink", "bad-short.bin", b"\x10\x00\x00")
    # This kernel's own answers (kept when not root or without rtnetlink).
    getlink = lambda name: nlmsg(RTM_GETLINK, NLM_F_REQUEST, ifinfo(0, 0) + attr(IFLA_IFNAME, name) +
                                 attr(IFLA_EXT_MASK, struct.pack("=I", RTEXT_FILTER_VF |
                                                                 RTEXT_FILTER_SKIP_STATS)))
    captures = {
        "ok-captured-lo.bin": getlink(b"lo\0"),
        "ok-captured-no-such-device.bin": getlink(b"vfpath-nosuch\0"),
        "ok-captured-name-too-long.bin": getlink(b"a-name-longer-than-ifnamsiz\0"),
        "ok-captured-setvf-on-lo.bin": nlmsg(
            RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK,
            # flags and change 0: the kernel leaves lo's flags alone (do_setlink).
            ifinfo(1, 0) + attr(IFLA_VFINFO_LIST, attr(IFLA_VF_INFO, attr(
                IFLA_VF_TRUST, struct.pack("=II", 0, 1))))),
    }
    for name, req in captures.items():
        try:
            put("netlink", name, capture(req))
        except OSError as e:
            print(f"make-seeds: {name} not captured ({e}); keeping the committed one",
                  file=sys.stderr)


# ---- sysfs -------------------------------------------------------------------------------------

# Field order of tests/fuzz/sysfs.cpp (enum Field).
SYSFS_FIELDS = [
    "cpu_online", "node0_name", "node0_cpulist", "node1_name", "node1_cpulist", "hugepages_name",
    "hugepages_nr", "hugepages_free", "cpu_isolated", "cpu_nohz_full", "proc_cmdline",
    "proc_status", "cpu0_package", "pf_numa_node", "pf_local_cpus", "pf_totalvfs", "pf_numvfs",
    "pf_autoprobe", "pf_override", "virtfn_name", "vf_numa_node", "netdev_flags", "proc_route",
    "proc_ipv6_route", "proc_if_inet6", "state_file", "vfio_noiommu", "group_name",
    "netdev_name",
]
ROUTE_HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"


def sysfs(**values):
    """The sysfs target's input; fields not given are left out (missing files)."""
    last = max(SYSFS_FIELDS.index(k) for k in values)
    out = []
    for k in SYSFS_FIELDS[:last + 1]:
        v = values.get(k, "")
        out.append(v.encode() if isinstance(v, str) else v)
    return b"\0".join(out)


def read(path, default=""):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return default.encode()


def sysfs_seeds():
    two_socket = dict(
        cpu_online="0-7\n", node0_name="0", node0_cpulist="0-3\n", node1_name="1",
        node1_cpulist="4-7\n", hugepages_name="hugepages-2048kB", hugepages_nr="512\n",
        hugepages_free="64\n", cpu_isolated="2-3,6-7\n", cpu_nohz_full="2-3,6-7\n",
        proc_cmdline="BOOT_IMAGE=/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt "
                     "isolcpus=2-3,6-7 nohz_full=2-3,6-7\n",
        proc_status="Name:\tvfpath\nCpus_allowed:\tff\nCpus_allowed_list:\t0-7\n",
        cpu0_package="0\n", pf_numa_node="1\n", pf_local_cpus="4-7\n", pf_totalvfs="64\n",
        pf_numvfs="4\n", pf_autoprobe="1\n", pf_override="(null)\n", virtfn_name="0",
        vf_numa_node="1\n", netdev_flags="0x1003\n",
        proc_route=ROUTE_HEADER + "ens1f0\t0000010A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n",
        proc_ipv6_route="20010db8000000000000000000000000 40 00000000000000000000000000000000 00 "
                        "00000000000000000000000000000000 00000100 00000001 00000000 00000001 "
                        "ens1f0\n",
        proc_if_inet6="20010db8000000000000000000000001 02 40 00 80   ens1f0\n",
        state_file="# vfpath: drivers to restore (BDF DRIVER OVERRIDE, - for none)\n"
                   "0000:af:02.0 iavf -\n",
        vfio_noiommu="N\n", group_name="41", netdev_name="ens1f0")
    put("sysfs", "ok-2socket-i40e.bin", sysfs(**two_socket))
    one_node = dict(two_socket, cpu_online="0-3\n", node0_cpulist="0-3\n", node1_name="",
                    node1_cpulist="", cpu_isolated="\n", cpu_nohz_full="(null)\n",
                    proc_cmdline="root=/dev/vda1 isolcpus=nohz,domain,1-3\n",
                    pf_numa_node="0\n", pf_local_cpus="0-3\n", vf_numa_node="0\n",
                    pf_numvfs="0\n", netdev_flags="0x1002\n", proc_route=ROUTE_HEADER,
                    proc_ipv6_route="", proc_if_inet6="", state_file="")
    put("sysfs", "ok-1node-no-vfs.bin", sysfs(**one_node))
    # VMs and some single-socket BIOSes: numa_node -1 (no affinity reported).
    put("sysfs", "ok-numa-minus1.bin",
        sysfs(**dict(two_socket, pf_numa_node="-1\n", vf_numa_node="-1\n", pf_local_cpus="0-7\n",
                     vfio_noiommu="Y\n", hugepages_name="hugepages-1048576kB")))
    # This machine's own CPU, NUMA and procfs values (the PF and VF stay made up).
    here = dict(two_socket)
    for key, path in [("cpu_online", "/sys/devices/system/cpu/online"),
                      ("node0_cpulist", "/sys/devices/system/node/node0/cpulist"),
                      ("proc_cmdline", "/proc/cmdline"), ("proc_status", "/proc/self/status"),
                      ("proc_route", "/proc/net/route"), ("proc_ipv6_route", "/proc/net/ipv6_route"),
                      ("proc_if_inet6", "/proc/net/if_inet6")]:
        here[key] = read(path, two_socket[key])
    here.update(node1_name="", node1_cpulist="")
    put("sysfs", "ok-this-machine.bin", sysfs(**here))
    put("sysfs", "sparse-few-files.bin", sysfs(cpu_online="0\n", pf_totalvfs="8\n"))
    put("sysfs", "bad-numvfs-word.bin", sysfs(**dict(two_socket, pf_numvfs="four\n")))
    put("sysfs", "bad-numa-node-garbage.bin", sysfs(**dict(two_socket, pf_numa_node="0x1\n")))
    put("sysfs", "bad-flags-decimal.bin", sysfs(**dict(two_socket, netdev_flags="4099\n")))
    put("sysfs", "bad-autoprobe-empty.bin", sysfs(**dict(two_socket, pf_autoprobe="")))


# ---- mailbox -----------------------------------------------------------------------------------

IXGBE, I40E = 0, 1
TRUSTED, MAC_OK, VLAN_OK, PROMISC_OK, MCAST_OK, MTU_OK, ASSIGNED = (2, 4, 8, 16, 32, 64, 128)


def mbox(driver, policy, op, vf, msg=b""):
    return bytes([driver | policy]) + struct.pack("<HH", op, vf) + msg


def ixgbe_words(op, info=0, *words, ack=False):
    w0 = op | info << 16 | (0x80000000 if ack else 0)
    return struct.pack("<I", w0) + b"".join(struct.pack("<I", w) for w in words)


def ixgbe_mac(op, mac, info=0, ack=False):
    return struct.pack("<I", op | info << 16 | (0x80000000 if ack else 0)) + mac


def vc_list(entries, size, vsi=3):
    return struct.pack("<HH", vsi, len(entries)) + b"".join(e.ljust(size, b"\0") for e in entries)


def queue_pair(max_pkt):
    txq = struct.pack("<HHHHQQ", 3, 0, 512, 0, 0x1000, 0)
    rxq = struct.pack("<HHIHHIIBBBBQiI", 3, 0, 512, 0, 0, 2048, max_pkt, 0, 0, 0, 0, 0x2000, 0, 0)
    return txq + rxq


def mailbox_seeds():
    mac = bytes.fromhex("021122334455")
    other = bytes.fromhex("02aabbccddee")
    mcast = bytes.fromhex("01005e000001")
    d = MCAST_OK  # the default policy: untrusted, multicast allowed
    put("mailbox", "ok-ixgbe-reset-ack-mac.bin", mbox(IXGBE, d, 0x01, 2, ixgbe_mac(0x01, mac, ack=True)))
    put("mailbox", "ok-ixgbe-set-mac-assigned.bin",
        mbox(IXGBE, d | ASSIGNED, 0x02, 2, ixgbe_mac(0x02, mac)))
    put("mailbox", "ok-ixgbe-set-mac-other.bin", mbox(IXGBE, d, 0x02, 2, ixgbe_mac(0x02, other)))
    put("mailbox", "ok-ixgbe-multicast-3.bin",
        mbox(IXGBE, d, 0x03, 1, ixgbe_words(0x03, 3, 0x0123, 0x0456, 0x0789)))
    put("mailbox", "ok-ixgbe-vlan-100.bin", mbox(IXGBE, d, 0x04, 1, ixgbe_words(0x04, 1, 100)))
    put("mailbox", "ok-ixgbe-vlan-100-allowed.bin",
        mbox(IXGBE, d | VLAN_OK, 0x04, 1, ixgbe_words(0x04, 1, 100)))
    put("mailbox", "ok-ixgbe-lpe-1518.bin", mbox(IXGBE, d, 0x05, 0, ixgbe_words(0x05, 0, 1518)))
    put("mailbox", "ok-ixgbe-lpe-9018.bin",
        mbox(IXGBE, d | MTU_OK, 0x05, 0, ixgbe_words(0x05, 0, 9018)))
    put("mailbox", "ok-ixgbe-macvlan.bin", mbox(IXGBE, d, 0x06, 0, ixgbe_mac(0x06, other, info=1)))
    put("mailbox", "ok-ixgbe-xcast-promisc.bin",
        mbox(IXGBE, TRUSTED, 0x0c, 0, ixgbe_words(0x0c, 0, 3)))
    put("mailbox", "ok-ixgbe-api-negotiate.bin", mbox(IXGBE, d, 0x08, 0, ixgbe_words(0x08, 0, 5)))
    put("mailbox", "ok-i40e-add-mac.bin", mbox(I40E, d | ASSIGNED, 10, 4, vc_list([mac + b"\1"], 8)))
    put("mailbox", "ok-i40e-add-macs.bin",
        mbox(I40E, d | MAC_OK, 10, 4, vc_list([mac + b"\1", other + b"\2", mcast], 8)))
    put("mailbox", "ok-i40e-del-mac.bin", mbox(I40E, d, 11, 4, vc_list([other], 8)))
    put("mailbox", "ok-i40e-add-multicast.bin", mbox(I40E, d, 10, 4, vc_list([mcast], 8)))
    put("mailbox", "ok-i40e-add-vlan.bin",
        mbox(I40E, d, 12, 5, vc_list([struct.pack("<H", 0), struct.pack("<H", 42)], 2)))
    put("mailbox", "ok-i40e-promisc.bin",
        mbox(I40E, d | PROMISC_OK, 14, 5, struct.pack("<HH", 3, 3)))
    put("mailbox", "ok-i40e-vsi-queues.bin",
        mbox(I40E, d, 6, 6, struct.pack("<HHI", 3, 2, 0) + queue_pair(1522) + queue_pair(9022)))
    put("mailbox", "ok-i40e-reset.bin", mbox(I40E, d, 2, 7))
    put("mailbox", "ok-i40e-get-stats.bin", mbox(I40E, d, 15, 7, struct.pack("<HH", 3, 0)))
    put("mailbox", "bad-i40e-list-longer-than-message.bin",
        mbox(I40E, d, 10, 4, struct.pack("<HH", 3, 200) + mac + b"\0\0"))
    put("mailbox", "bad-i40e-promisc-short.bin", mbox(I40E, d, 14, 5, b"\3"))
    put("mailbox", "bad-i40e-vsi-queues-cut.bin",
        mbox(I40E, d, 6, 6, struct.pack("<HHI", 3, 2, 0) + queue_pair(1522)))
    put("mailbox", "bad-i40e-vlan-empty.bin", mbox(I40E, d, 12, 5))
    put("mailbox", "bad-ixgbe-multicast-31.bin", mbox(IXGBE, d, 0x03, 1, ixgbe_words(0x03, 31)))
    put("mailbox", "bad-ixgbe-xcast-7.bin", mbox(IXGBE, TRUSTED, 0x0c, 0, ixgbe_words(0x0c, 0, 7)))


def main():
    for target in ["config", "probe", "netlink", "sysfs", "mailbox"]:
        d = os.path.join(CORPUS, target)
        keep = [n for n in os.listdir(d) if n.startswith("ok-captured-")] if os.path.isdir(d) else []
        if os.path.isdir(d):
            for n in os.listdir(d):
                if n not in keep:
                    os.remove(os.path.join(d, n))
    config_seeds()
    probe_seeds()
    netlink_seeds()
    sysfs_seeds()
    mailbox_seeds()
    for target in sorted(os.listdir(CORPUS)):
        print(f"{target}: {len(os.listdir(os.path.join(CORPUS, target)))} seeds")


if __name__ == "__main__":
    main()
