// Raw libzmq benchmarks (see include/CZeroMQRawBench.h). Plain C against <zmq.h>, no helpers from
// the Swift binding, so that the binding's overhead shows up as the difference between the two.
//
// Every run: one context, one socket per side, the bound socket on tcp://127.0.0.1:* (the port
// read back with ZMQ_LAST_ENDPOINT), the peer side in a pthread. Both sockets are created, bound
// and connected on the calling thread and the peer's socket is handed to the thread (pthread_create
// and pthread_join are full memory barriers, which is all libzmq asks for when a socket changes
// thread). On any failure the failing side records errno and calls zmq_ctx_shutdown, which makes
// the other side's blocking calls return ETERM; then the thread is joined, the sockets closed
// (linger 0) and the context terminated.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "CZeroMQRawBench.h"

#include <zmq.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Receive/send timeout of the calling thread's socket: a stall (e.g. a ROUTER dropping replies
// because too many are in flight) ends as EAGAIN instead of a hang. Only libzmq's slow path (a
// call that has to wait) looks at it.
enum { RAW_TIMEOUT_MS = 30000 };

// Written after every run so the compiler cannot drop the reads of received data.
static volatile unsigned char raw_sink;

typedef struct {
    void *ctx;
    pthread_mutex_t lock;
    int error; // first failure wins
} raw_shared;

static void raw_fail(raw_shared *s, int err) {
    pthread_mutex_lock(&s->lock);
    if (s->error == 0) s->error = err != 0 ? err : EIO;
    pthread_mutex_unlock(&s->lock);
    if (s->ctx != NULL) zmq_ctx_shutdown(s->ctx);
}

static int raw_error(raw_shared *s) {
    pthread_mutex_lock(&s->lock);
    int e = s->error;
    pthread_mutex_unlock(&s->lock);
    return e;
}

static double raw_seconds(const struct timespec *a, const struct timespec *b) {
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void *raw_socket(raw_shared *s, int type) {
    void *sock = zmq_socket(s->ctx, type);
    if (sock == NULL) return NULL;
    int zero = 0;
    if (zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero) != 0) {
        int e = errno;
        zmq_close(sock);
        errno = e;
        return NULL;
    }
    return sock;
}

// Creates the context, binds a `bind_type` socket to tcp://127.0.0.1:* and connects a
// `connect_type` socket to it. The calling thread's socket (`local`) gets the timeouts.
// Returns 0, or -1 with s->error set (whatever was created is left in *bound / *connected).
static int raw_open(raw_shared *s, int bind_type, void **bound, int connect_type, void **connected,
                    int bound_is_local) {
    char endpoint[256];
    size_t len = sizeof endpoint;
    int timeout = RAW_TIMEOUT_MS;
    void *local;
    s->error = 0;
    pthread_mutex_init(&s->lock, NULL);
    *bound = NULL;
    *connected = NULL;
    s->ctx = zmq_ctx_new();
    if (s->ctx == NULL) goto fail;
    *bound = raw_socket(s, bind_type);
    if (*bound == NULL) goto fail;
    if (zmq_bind(*bound, "tcp://127.0.0.1:*") != 0) goto fail;
    if (zmq_getsockopt(*bound, ZMQ_LAST_ENDPOINT, endpoint, &len) != 0) goto fail;
    *connected = raw_socket(s, connect_type);
    if (*connected == NULL) goto fail;
    local = bound_is_local ? *bound : *connected;
    if (zmq_setsockopt(local, ZMQ_RCVTIMEO, &timeout, sizeof timeout) != 0) goto fail;
    if (zmq_setsockopt(local, ZMQ_SNDTIMEO, &timeout, sizeof timeout) != 0) goto fail;
    if (zmq_connect(*connected, endpoint) != 0) goto fail;
    return 0;
fail:
    s->error = errno != 0 ? errno : EIO;
    return -1;
}

static void raw_close(raw_shared *s, void *a, void *b) {
    if (a != NULL) zmq_close(a);
    if (b != NULL) zmq_close(b);
    if (s->ctx != NULL) {
        while (zmq_ctx_term(s->ctx) != 0 && errno == EINTR) {
        }
        s->ctx = NULL;
    }
    pthread_mutex_destroy(&s->lock);
}

// zmq_send of a buffer, retried on EINTR. Returns 0 or errno.
static int raw_send(void *sock, const void *buf, size_t len, int flags) {
    while (zmq_send(sock, buf, len, flags) < 0) {
        if (errno != EINTR) return errno;
    }
    return 0;
}

// zmq_msg_recv into an initialised message, retried on EINTR. Returns 0 or errno.
static int raw_recv(void *sock, zmq_msg_t *msg) {
    while (zmq_msg_recv(msg, sock, 0) < 0) {
        if (errno != EINTR) return errno;
    }
    return 0;
}

static unsigned char raw_touch(zmq_msg_t *msg) {
    return zmq_msg_size(msg) > 0 ? *(const unsigned char *)zmq_msg_data(msg) : 0;
}

// A preallocated payload (never NULL, even for size 0).
static void *raw_payload(size_t size) {
    void *buf = malloc(size > 0 ? size : 1);
    if (buf != NULL) memset(buf, 0x5a, size);
    return buf;
}

typedef struct {
    raw_shared *shared;
    void *sock;
    size_t size;      // payload to send (push) or reply size (rep)
    uint64_t count;
} raw_peer;

// MARK: PUSH -> PULL

static void *push_sender(void *arg) {
    raw_peer *p = (raw_peer *)arg;
    void *buf = raw_payload(p->size);
    if (buf == NULL) {
        raw_fail(p->shared, ENOMEM);
        return NULL;
    }
    for (uint64_t i = 0; i < p->count; i++) {
        int e = raw_send(p->sock, buf, p->size, 0);
        if (e != 0) {
            raw_fail(p->shared, e);
            break;
        }
    }
    free(buf);
    return NULL;
}

veritas_raw_result veritas_raw_push_pull(size_t message_size, uint64_t count) {
    veritas_raw_result r = {0, 0, 0, 0};
    if (count == 0) return r;
    raw_shared s;
    void *pull, *push;
    if (raw_open(&s, ZMQ_PULL, &pull, ZMQ_PUSH, &push, 1) != 0) {
        r.error = s.error;
        raw_close(&s, pull, push);
        return r;
    }
    raw_peer peer = {&s, push, message_size, count};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, push_sender, &peer);
    if (rc != 0) {
        r.error = rc;
        raw_close(&s, pull, push);
        return r;
    }

    struct timespec first = {0, 0}, last = {0, 0};
    unsigned char sink = 0;
    uint64_t received = 0, bytes = 0;
    zmq_msg_t msg;
    while (received < count) {
        zmq_msg_init(&msg);
        int e = raw_recv(pull, &msg);
        if (e != 0) {
            zmq_msg_close(&msg);
            raw_fail(&s, e);
            break;
        }
        sink ^= raw_touch(&msg);
        bytes += zmq_msg_size(&msg);
        zmq_msg_close(&msg);
        if (received == 0) clock_gettime(CLOCK_MONOTONIC, &first);
        received++;
    }
    clock_gettime(CLOCK_MONOTONIC, &last);
    pthread_join(thread, NULL);
    raw_sink = sink;

    r.seconds = received > 0 ? raw_seconds(&first, &last) : 0;
    r.messages = received;
    r.bytes = bytes;
    r.error = raw_error(&s);
    raw_close(&s, pull, push);
    return r;
}

// MARK: DEALER -> ROUTER (echo)

static void *router_echo(void *arg) {
    raw_peer *p = (raw_peer *)arg;
    zmq_msg_t id, body;
    for (uint64_t i = 0; i < p->count; i++) {
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        int e = raw_recv(p->sock, &id);
        if (e == 0 && !zmq_msg_more(&id)) e = EPROTO; // expected [routing id, payload]
        if (e == 0) e = raw_recv(p->sock, &body);
        if (e == 0 && zmq_msg_more(&body)) e = EPROTO;
        if (e == 0 && zmq_msg_send(&id, p->sock, ZMQ_SNDMORE) < 0) e = errno;
        if (e == 0 && zmq_msg_send(&body, p->sock, 0) < 0) e = errno;
        zmq_msg_close(&id);
        zmq_msg_close(&body);
        if (e != 0) {
            raw_fail(p->shared, e);
            break;
        }
    }
    return NULL;
}

veritas_raw_result veritas_raw_dealer_router(size_t message_size, uint64_t count, unsigned in_flight) {
    veritas_raw_result r = {0, 0, 0, 0};
    if (count == 0) return r;
    if (in_flight == 0) in_flight = 1;
    raw_shared s;
    void *router, *dealer;
    if (raw_open(&s, ZMQ_ROUTER, &router, ZMQ_DEALER, &dealer, 0) != 0) {
        r.error = s.error;
        raw_close(&s, router, dealer);
        return r;
    }
    // Without ROUTER_MANDATORY a ROUTER silently drops replies to a full peer pipe, which
    // happens at ~800 in flight (libzmq's coarse HWM credit); with it, the send waits.
    int mandatory = 1;
    if (zmq_setsockopt(router, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory) != 0) {
        r.error = errno;
        raw_close(&s, router, dealer);
        return r;
    }
    void *buf = raw_payload(message_size);
    if (buf == NULL) {
        r.error = ENOMEM;
        raw_close(&s, router, dealer);
        return r;
    }
    raw_peer peer = {&s, router, 0, count};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, router_echo, &peer);
    if (rc != 0) {
        r.error = rc;
        free(buf);
        raw_close(&s, router, dealer);
        return r;
    }

    struct timespec start, end;
    unsigned char sink = 0;
    uint64_t sent = 0, done = 0;
    zmq_msg_t msg;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (done < count) {
        int e = 0;
        while (e == 0 && sent < count && sent - done < in_flight) {
            e = raw_send(dealer, buf, message_size, 0);
            if (e == 0) sent++;
        }
        if (e == 0) {
            zmq_msg_init(&msg);
            e = raw_recv(dealer, &msg);
            if (e == 0) sink ^= raw_touch(&msg);
            zmq_msg_close(&msg);
        }
        if (e != 0) {
            raw_fail(&s, e);
            break;
        }
        done++;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    pthread_join(thread, NULL);
    raw_sink = sink;
    free(buf);

    r.seconds = raw_seconds(&start, &end);
    r.messages = done;
    r.bytes = done * (uint64_t)message_size * 2;
    r.error = raw_error(&s);
    raw_close(&s, router, dealer);
    return r;
}

// MARK: REQ -> REP

static void *rep_server(void *arg) {
    raw_peer *p = (raw_peer *)arg;
    void *reply = raw_payload(p->size);
    if (reply == NULL) {
        raw_fail(p->shared, ENOMEM);
        return NULL;
    }
    zmq_msg_t req;
    for (uint64_t i = 0; i < p->count; i++) {
        zmq_msg_init(&req);
        int e = raw_recv(p->sock, &req);
        zmq_msg_close(&req);
        if (e == 0) e = raw_send(p->sock, reply, p->size, 0);
        if (e != 0) {
            raw_fail(p->shared, e);
            break;
        }
    }
    free(reply);
    return NULL;
}

veritas_raw_result veritas_raw_req_rep(size_t req_size, size_t rep_size, uint64_t count, double *latencies_us) {
    veritas_raw_result r = {0, 0, 0, 0};
    if (count == 0) return r;
    raw_shared s;
    void *rep, *req;
    if (raw_open(&s, ZMQ_REP, &rep, ZMQ_REQ, &req, 0) != 0) {
        r.error = s.error;
        raw_close(&s, rep, req);
        return r;
    }
    void *buf = raw_payload(req_size);
    if (buf == NULL) {
        r.error = ENOMEM;
        raw_close(&s, rep, req);
        return r;
    }
    raw_peer peer = {&s, rep, rep_size, count};
    pthread_t thread;
    int rc = pthread_create(&thread, NULL, rep_server, &peer);
    if (rc != 0) {
        r.error = rc;
        free(buf);
        raw_close(&s, rep, req);
        return r;
    }

    struct timespec start, end, t0, t1;
    unsigned char sink = 0;
    uint64_t done = 0;
    zmq_msg_t msg;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (done < count) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int e = raw_send(req, buf, req_size, 0);
        if (e == 0) {
            zmq_msg_init(&msg);
            e = raw_recv(req, &msg);
            if (e == 0) sink ^= raw_touch(&msg);
            zmq_msg_close(&msg);
        }
        if (e != 0) {
            raw_fail(&s, e);
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (latencies_us != NULL) latencies_us[done] = raw_seconds(&t0, &t1) * 1e6;
        done++;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    pthread_join(thread, NULL);
    raw_sink = sink;
    free(buf);

    r.seconds = raw_seconds(&start, &end);
    r.messages = done;
    r.bytes = done * ((uint64_t)req_size + (uint64_t)rep_size);
    r.error = raw_error(&s);
    raw_close(&s, rep, req);
    return r;
}
