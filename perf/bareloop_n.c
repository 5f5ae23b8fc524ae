/* The floor for a forwarder on net_null as one lcore serves N ports: ../shared/bench/bareloop.c's
 * loop (rx_burst -> tx_burst, nothing else) over every port the EAL has, in the topology of
 * perf/flatness.py: one port reflects to itself, more are cross-connected in pairs (0<->1, 2<->3,
 * ...; an odd last port reflects). With QUEUES > 1 each port has that many rx queues and the loop
 * polls every (port, queue) pair, queue by queue (p0:0, p1:0, p0:1, ...), each sending on its
 * peer's tx queue 0, as perf/flatness.py --layout queues configures vfpath. Its pool packs its mbufs (RTE_MEMPOOL_F_NO_IOVA_CONTIG), as
 * vfpath's vdev-only pools do, so on 4 KiB pages both programs have the same mbuf layout and the
 * ratio to N = 1 is what the PMD and ethdev lose as ports are added.
 *
 * Usage: bareloop_n EAL-ARGS -- [SECONDS [POOL_MBUFS [QUEUES]]]
 *        prints "bareloop_n Mpps: X ports: N queues: Q" */
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <stdio.h>
#include <stdlib.h>

#define BURST 32

static volatile int stop;
static uint64_t fwd_total;
#define MAX_QUEUES 16

static uint16_t n_ports, n_queues = 1;

static uint16_t peer(uint16_t p) {
    uint16_t q = p ^ 1;
    return q < n_ports ? q : p;
}

static int worker(void *arg) {
    (void)arg;
    struct rte_mbuf *b[BURST];
    uint64_t n = 0;
    while (!stop) {
        for (uint16_t q = 0; q < n_queues; q++) {
            for (uint16_t p = 0; p < n_ports; p++) {
                uint16_t nb = rte_eth_rx_burst(p, q, b, BURST);
                if (!nb) continue;
                uint16_t sent = rte_eth_tx_burst(peer(p), 0, b, nb);
                n += sent;
                if (sent < nb) rte_pktmbuf_free_bulk(b + sent, nb - sent);
            }
        }
    }
    fwd_total = n;
    return 0;
}

int main(int argc, char **argv) {
    int r = rte_eal_init(argc, argv);
    if (r < 0) {
        fprintf(stderr, "bareloop_n: rte_eal_init failed\n");
        return 1;
    }
    argc -= r;
    argv += r;
    double secs = argc > 1 ? atof(argv[1]) : 5.0;
    unsigned pool = argc > 2 ? (unsigned)atoi(argv[2]) : 8191;
    int queues = argc > 3 ? atoi(argv[3]) : 1;
    n_ports = rte_eth_dev_count_avail();
    if (n_ports == 0 || secs <= 0 || pool < 64 || queues < 1 || queues > MAX_QUEUES) {
        fprintf(stderr, "bareloop_n: need at least one port (--vdev=net_null0), SECONDS > 0, "
                        "POOL_MBUFS >= 64 and QUEUES 1-%d\n", MAX_QUEUES);
        return 2;
    }
    struct rte_pktmbuf_pool_private priv = {.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE};
    struct rte_mempool *mp = rte_mempool_create(
        "mp", pool, sizeof(struct rte_mbuf) + RTE_MBUF_DEFAULT_BUF_SIZE, 256, sizeof(priv),
        rte_pktmbuf_pool_init, &priv, rte_pktmbuf_init, NULL, (int)rte_socket_id(),
        RTE_MEMPOOL_F_NO_IOVA_CONTIG);
    if (!mp) {
        fprintf(stderr, "bareloop_n: pool of %u mbufs: %s\n", pool, rte_strerror(rte_errno));
        return 3;
    }
    n_queues = (uint16_t)queues;
    struct rte_eth_conf conf = {0};
    for (uint16_t p = 0; p < n_ports; p++) {
        int err = rte_eth_dev_configure(p, n_queues, 1, &conf);
        for (uint16_t q = 0; q < n_queues && !err; q++)
            err = rte_eth_rx_queue_setup(p, q, 1024, 0, NULL, mp);
        if (err || rte_eth_tx_queue_setup(p, 0, 1024, 0, NULL) || rte_eth_dev_start(p)) {
            fprintf(stderr, "bareloop_n: port %u failed to start\n", p);
            return 4;
        }
    }
    unsigned lc = rte_get_next_lcore(-1, 1, 0);
    if (lc >= RTE_MAX_LCORE) {
        fprintf(stderr, "bareloop_n: needs a worker lcore (-l 0-1)\n");
        return 5;
    }
    rte_eal_remote_launch(worker, NULL, lc);
    uint64_t t0 = rte_get_tsc_cycles();
    rte_delay_us_sleep((unsigned)(secs * 1e6));
    stop = 1;
    rte_eal_wait_lcore(lc);
    double el = (double)(rte_get_tsc_cycles() - t0) / rte_get_tsc_hz();
    printf("bareloop_n Mpps: %.2f ports: %u queues: %u\n", fwd_total / el / 1e6, n_ports, n_queues);
    rte_eal_cleanup();
    return 0;
}
