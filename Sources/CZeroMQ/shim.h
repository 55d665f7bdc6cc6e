#ifndef VERITAS_CZEROMQ_SHIM_H
#define VERITAS_CZEROMQ_SHIM_H
// The system libzmq C API (Debian: libzmq3-dev). Only the ZeroMQ Swift module imports this.
#include <zmq.h>
#endif
