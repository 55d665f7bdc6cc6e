#ifndef VERITAS_CZEROMQ_RAW_BENCH_H
#define VERITAS_CZEROMQ_RAW_BENCH_H
// Raw libzmq benchmarks, written directly against the C API, so that `veritas-bench` can compare
// the Swift binding (ZeroMQ module) with plain C in the same run. All transports are
// tcp://127.0.0.1 on an ephemeral port; socket options are libzmq's defaults (HWMs untouched)
// except ZMQ_LINGER = 0 and a generous receive timeout on the measuring thread, so that a stall
// is reported as an error instead of hanging. Each call uses its own context and thread, joins the
// thread and terminates the context before returning. This header does not include <zmq.h>.

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    double seconds;    // measured interval, see each function
    uint64_t messages; // messages (push_pull) or completed round trips (dealer_router, req_rep)
    uint64_t bytes;    // payload bytes: received (push_pull); both directions (round trips)
    int error;         // 0, or the errno of the first failure (then the other fields are partial)
} veritas_raw_result;

// PUSH (sender pthread) -> PULL (calling thread). The sender zmq_send()s one preallocated buffer
// `count` times; the receiver uses zmq_msg_init/zmq_msg_recv/zmq_msg_close per message and reads
// the data. `seconds` runs from the first message received to the last (CLOCK_MONOTONIC).
veritas_raw_result veritas_raw_push_pull(size_t message_size, uint64_t count);

// DEALER client (calling thread) -> ROUTER echo server (pthread, ZMQ_ROUTER_MANDATORY so that
// replies to a full pipe wait instead of being dropped). The client keeps `in_flight`
// requests outstanding (0 is treated as 1); the server receives [routing id, payload] with
// zmq_msg_recv and sends both back (ZMQ_SNDMORE on the id). `seconds` runs from the first send to
// the last reply; `messages` = completed round trips.
veritas_raw_result veritas_raw_dealer_router(size_t message_size, uint64_t count, unsigned in_flight);

// REQ (calling thread) / REP (pthread) round trips: a request of `req_size` bytes, a reply of
// `rep_size` bytes. Each round trip's latency in microseconds goes to latencies_us[i]
// (caller allocates `count` doubles; NULL skips them). `seconds` is the whole run.
veritas_raw_result veritas_raw_req_rep(size_t req_size, size_t rep_size, uint64_t count, double *latencies_us);

#ifdef __cplusplus
}
#endif

#endif // VERITAS_CZEROMQ_RAW_BENCH_H
