# Forwarding between two real VFs (one on each PF), fed by vfpath gen on two more VFs: zero loss
# at a rate the emulator sustains, and no mbuf left in use at exit. Then an RFC 2544 search.
RATE=${VF_RATE:-2kpps}
guest_setup() { vf_topology; }
fwd_test() {  # MODE
  start_run "$1"
  gen gen "$RATE" 5; grc=$?
  stop_run; rc=$RUN_RC
  read -r s0 r0 < <(stream "$W/gen.json" g0)
  read -r s1 r1 < <(stream "$W/gen.json" g1)
  verdict gen-ran $([ $grc = 0 ] && [ "${s0:-0}" -gt 0 ] && [ "${s1:-0}" -gt 0 ]; echo $?) "gen exit $grc, sent $s0 + $s1 at $RATE per port"
  verdict zero-loss-g0-g1 $([ "$s0" -gt 0 ] && [ "$s0" = "$r0" ]; echo $?) "g0 -> p0 -> p1 -> g1: sent $s0, received $r0"
  verdict zero-loss-g1-g0 $([ "$s1" -gt 0 ] && [ "$s1" = "$r1" ]; echo $?) "g1 -> p1 -> p0 -> g0: sent $s1, received $r1"
  inuse=$(json "$W/run.json" 'sum(m["in_use_at_exit"] for m in j["mempools"])')
  clean=$(json "$W/run.json" 'j["clean_exit"]')
  verdict pool-in-use-0 $([ "$inuse" = 0 ] && [ "$clean" = True ] && [ "$rc" = 0 ]; echo $?) \
    "run exit $rc, clean_exit $clean, in use at exit $inuse"
  say "gen: $(json "$W/gen.json" '"tx %.0f pps, rx %.0f pps, lost %s" % (j["tx_pps"], j["rx_pps"], j["lost"])')"
}
t_fwd_io() { fwd_test io; }
t_fwd_l2() {
fwd_test l2
a=$(json "$W/run.json" '[p["mac"] for p in j["ports"]]')
verdict l2-own-macs $([ "$a" = "['$M1', '$M2']" ]; echo $?) "ports' MACs as the PF set them: $a"
}

t_rfc2544() {
start_run io
gen_config 1kpps > "$W/bench.yaml"
"$VFPATH" bench rfc2544 -c "$W/bench.yaml" --sizes 64 --trial 1 --warmup 0.5 --verify-trial 1 \
  --min-rate 1kpps --max-rate 16kpps --resolution 1kpps --report "$W/bench.json" \
  > "$W/bench.out" 2>&1; brc=$?
stop_run; rc=$RUN_RC
tail -8 "$W/bench.out"
ndr=$(json "$W/bench.json" 'j["results"][0]["ndr"]["rate_pps"]' 2>/dev/null)
verdict search-ran $([ $brc = 0 ] && [ -n "$ndr" ] && [ "$ndr" != None ]; echo $?) "bench exit $brc, NDR $ndr pps"
inuse=$(json "$W/run.json" 'sum(m["in_use_at_exit"] for m in j["mempools"])')
verdict pool-in-use-0 $([ "$inuse" = 0 ] && [ "$rc" = 0 ]; echo $?) "run exit $rc, in use at exit $inuse"
}
