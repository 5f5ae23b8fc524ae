// Placement of the forwarding and generator loops.
#pragma once

// A hot loop function starts on a 64-byte line. Without this, its start moved with whatever code
// the compiler put before it, and with it how its branches and loop heads fall in the front end's
// 32- and 64-byte windows: one unchanged io loop ran at 0.91 of the bare loop in one build and
// 0.99 in another that differed only in macswap's body (perf/RESULTS.md, set 6). Aligned, a
// loop's layout depends on its own code only, so A/B runs of two builds compare their code.
#define VFPATH_HOT_LOOP __attribute__((aligned(64)))
