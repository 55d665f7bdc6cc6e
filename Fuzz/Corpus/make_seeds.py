#!/usr/bin/env python3
"""Writes the hand-written seed corpus of every fuzz target (Fuzz/Corpus/<target>/).

The messages are the examples of docs/PROTOCOL.md and the fixtures of Tests/VeritasProtocolTests,
plus a few edge cases. Multi-frame targets get the Frames layout of FuzzSupport/Frames.swift:
byte 0 = frame count - 1, then the little-endian length of the last frame (and of the middle
one for 3 frames), then frame 1, (frame 2,) last frame. Run it from anywhere; it rewrites the
seed folders from scratch.
"""
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

AUDIT_ID = "0192f7a4-3b1c-7d2e-8f00-0123456789ab"
EVENT_ID = "0192f7a4-3b1d-7000-8000-00000000000e"
TIME = "2026-11-26T15:08:43.123Z"
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
PNG = (bytes([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) + b"IHDR"
       + bytes([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE])
       + bytes([0, 0, 0, 0]) + b"IEND" + bytes([0xAE, 0x42, 0x60, 0x82]))
JPEG = bytes([0xFF, 0xD8, 0xFF, 0xE0, 0, 16]) + b"JFIF\x00" + bytes(9) + bytes([0xFF, 0xD9])
WEBP_BODY = b"WEBPVP8L" + struct.pack("<I", 5) + bytes([0x2F, 0, 0, 0, 0])
WEBP = b"RIFF" + struct.pack("<I", len(WEBP_BODY)) + WEBP_BODY


def dumps(value, compact=True):
    if compact:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return json.dumps(value, indent=1, ensure_ascii=False).encode()


def frames(*parts):
    parts = [p.encode() if isinstance(p, str) else p for p in parts]
    out = bytes([len(parts) - 1])
    if len(parts) >= 2:
        out += struct.pack("<H", len(parts[-1]))
    if len(parts) == 3:
        out += struct.pack("<H", len(parts[1]))
    return out + b"".join(parts)


def write(target, seeds):
    folder = os.path.join(HERE, target)
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as handle:
            handle.write(data)


# MARK: model objects

audit = {
    "id": AUDIT_ID, "url": "https://example.com", "tier": "standard", "verdict_mode": "expert",
    "status": "completed", "trust_score": 42, "risk_level": "high",
    "narrative": "Pressure tactics everywhere.\nBe careful.",
    "signal_scores": {"https": 100, "hsts": 0, "csp": 37.5}, "site_type": "shop",
    "security_results": {"https": True, "hsts": {"max_age": 0}, "cookies": [{"name": "sid", "secure": False}], "grade": "C"},
    "error_message": None, "runner_id": "runner-1", "attempts": 1, "created_at": TIME,
    "started_at": "2026-11-26T15:08:44.000Z", "completed_at": "2026-11-26T15:09:01.5+01:00", "source": "database",
}
queued_audit = {k: None for k in audit}
queued_audit.update(id=AUDIT_ID, url="http://[::1]:8080/shop?x=1#top", tier="quick", verdict_mode="simple",
                    status="queued", attempts=0, created_at=TIME, source="memory")
findings = [
    {"category": "urgency", "pattern_type": "countdown_timer", "severity": "high", "confidence": 0.92,
     "evidence": "Offer ends in 04:59", "location": "#timer"},
    {"category": "scarcity", "pattern_type": "low_stock", "severity": "medium", "confidence": 0.5,
     "evidence": "Only 2 left!\nHurry", "location": None},
    {"category": "misdirection", "pattern_type": "confirmshaming", "severity": "low", "confidence": 1,
     "evidence": "No thanks, I hate saving money"},
]
screenshot_info = {
    "audit_id": AUDIT_ID, "index": 0, "label": "viewport", "content_type": "image/png",
    "file_size_bytes": len(PNG), "sha256": SHA, "file_path": f"screenshots/{AUDIT_ID}/20261126T150843123Z-0.png",
    "created_at": TIME,
}
health = {
    "status": "ok", "persistence_enabled": True, "database": "ok", "version": "0.1.0", "protocol_version": 1,
    "uptime_seconds": 12.5, "counts": {"queued": 1, "running": 2, "completed": 3, "error": 0},
    "queue_depth": 1, "connected_runners": 2, "memory_audits": 6,
}
completed_payload = {
    "trust_score": 42, "risk_level": "high", "narrative": "Pressure tactics everywhere.\nBe careful.",
    "signal_scores": {"https": 100, "hsts": 0, "csp": 37.5}, "site_type": "shop",
    "security_results": audit["security_results"],
    "dark_pattern_summary": {"findings": findings, "summary": {"total": 3, "by_category": {"urgency": 1}}},
}


def event(name, payload, seq=2):
    return {"type": "event", "event_id": EVENT_ID, "audit_id": AUDIT_ID, "seq": seq, "event": name,
            "timestamp": TIME, "runner_id": "runner-1", "payload": payload}


# MARK: targets

write("FuzzJSONValue", {
    "object": dumps({"a": [1, -0, 0.5, 1e300, -2.5e-300, True, False, None], "b": {"c": "d"}}),
    "pretty": dumps(audit, compact=False),
    "escapes": br'["\"\\\/\b\f\n\r\t", "\u00e9\u0000", "\ud83d\ude00", "caf\u00c3\u00a9 \xe2\x82\xac"]',
    "numbers": b"[0,-0,1E5,1e-7,123456789012345678,1234567890123456789,0.1,9007199254740993,-1.5e+308]",
    "scalar-string": b'"just a string"',
    "scalar-number": b" 42 ",
    "nested": b"[" * 32 + b"]" * 32,
    "too-deep": b"[" * 33 + b"]" * 33,
    "duplicate-key": b'{"op":"status","op":"health"}',
    "lone-surrogate": b'"\\ud800"',
    "overlong-utf8": b'"\xc0\xaf"',
    "empty-object": b"{}",
})

write("FuzzQueryEnvelope", {
    "submit": b'{"op": "submit", "url": "https://example.com", "tier": "standard", "verdict_mode": "expert", "request_id": "1"}',
    "submit-port": dumps({"op": "submit", "url": "HTTP://[::1]:65535/path?q=1#f", "tier": "deep"}),
    "status": dumps({"op": "status", "audit_id": AUDIT_ID}),
    "status-upper": dumps({"op": "status", "audit_id": AUDIT_ID.upper(), "request_id": ""}),
    "list": b'{"op": "list", "status": "completed", "limit": 20, "offset": 40}',
    "list-defaults": b'{"op":"list","status":null,"limit":50.0}',
    "findings": dumps({"op": "findings", "audit_id": AUDIT_ID}),
    "screenshots": dumps({"op": "screenshots", "audit_id": AUDIT_ID}),
    "screenshot": dumps({"op": "screenshot", "audit_id": AUDIT_ID, "index": 0}),
    "health": b'{"op": "health", "request_id": "req-17", "extra": [1, {"x": null}]}',
    "unsupported": b'{"op": "delete", "request_id": "9"}',
    "credentials": dumps({"op": "submit", "url": "https://user:pass@example.com"}),
})


def reply(fields, request_id="1"):
    fields = dict(fields)
    if request_id is not None:
        fields["request_id"] = request_id
    return dumps(fields)


write("FuzzQueryReply", {
    "submit": frames(reply({"ok": True, "op": "submit", "audit_id": AUDIT_ID, "status": "queued", "audit": queued_audit})),
    "status": frames(reply({"ok": True, "op": "status", "audit": audit}, None)),
    "list": frames(reply({"ok": True, "op": "list", "audits": [audit, queued_audit], "limit": 2, "offset": 0,
                          "next_offset": 2, "source": "database"})),
    "findings": frames(reply({"ok": True, "op": "findings", "audit_id": AUDIT_ID, "findings": findings, "source": "memory"})),
    "screenshots": frames(reply({"ok": True, "op": "screenshots", "audit_id": AUDIT_ID, "screenshots": [screenshot_info],
                                 "source": "database"})),
    "screenshot": frames(reply({"ok": True, "op": "screenshot", "screenshot": screenshot_info, "source": "database"}), PNG),
    "screenshot-missing-image": frames(reply({"ok": True, "op": "screenshot", "screenshot": screenshot_info, "source": "memory"})),
    "health": frames(reply({"ok": True, "op": "health", "health": health})),
    "failure": frames(b'{"ok": false, "error": {"code": "bad_request", "message": "field \'tier\' must be one of quick, standard, deep; got \'fast\'"}, "request_id": "1"}'),
    "failure-unknown-code": frames(reply({"ok": False, "error": {"code": "teapot", "message": "new code"}}, None)),
    "three-frames": frames(reply({"ok": True, "op": "health", "health": health}), b"", b"x"),
})

write("FuzzRunnerMessage", {
    "hello": frames(b'{"type":"hello","protocol":1,"runner_id":"runner-1","capacity":4,"active":[],"version":"1.0.0"}'),
    "hello-active": frames(dumps({"type": "hello", "protocol": 1, "runner_id": "host-7.pid-4242", "capacity": 256,
                                  "active": [AUDIT_ID, AUDIT_ID.upper()], "version": "2.0"})),
    "heartbeat": frames(dumps({"type": "heartbeat", "runner_id": "runner-1", "capacity": 2, "active": [AUDIT_ID]})),
    "started": frames(dumps(event("audit.started", {"url": "https://example.com/shop", "tier": "quick", "verdict_mode": "simple"}, 1))),
    "progress": frames(b'{"type":"event","event_id":"0192f7a4-3b1d-7000-8000-00000000000e","audit_id":"0192f7a4-3b1c-7d2e-8f00-0123456789ab","seq":2,"event":"audit.progress","timestamp":"2026-11-26T15:08:43.123Z","runner_id":"runner-1","payload":{"phase":"fetch","percent":10}}'),
    "screenshot-png": frames(dumps(event("audit.screenshot", {"index": 0, "label": "viewport", "content_type": "image/png",
                                                             "byte_count": len(PNG), "sha256": SHA.upper()}, 3)), PNG),
    "screenshot-jpeg": frames(dumps(event("audit.screenshot", {"index": 999, "label": "full page", "content_type": "image/jpeg",
                                                              "byte_count": len(JPEG)}, 4)), JPEG),
    "screenshot-no-image": frames(dumps(event("audit.screenshot", {"index": 1, "label": "x", "content_type": "image/webp",
                                                                  "byte_count": 1}, 5))),
    "completed": frames(dumps(event("audit.completed", completed_payload, 6))),
    "error": frames(dumps(event("audit.error", {"error_message": "DNS lookup failed\nfor example.com"}, 7))),
    "queued-from-runner": frames(dumps(event("audit.queued", {}, 8))),
    "release": frames(dumps({"type": "release", "runner_id": "runner-1", "audit_id": AUDIT_ID, "reason": "shutting down"})),
    "bye": frames(b'{"type":"bye","runner_id":"runner-1"}'),
})

write("FuzzWriterMessage", {
    "welcome": frames(b'{"type":"welcome","protocol":1,"writer_id":"host-a-4242","heartbeat_interval_ms":1000,"heartbeat_timeout_ms":5000}'),
    "job": frames(dumps({"type": "job", "audit_id": AUDIT_ID, "url": "https://example.com", "tier": "standard",
                         "verdict_mode": "simple", "attempt": 1, "created_at": TIME})),
    "ack": frames(b'{"type":"ack","event_ids":["0192f7a4-3b1d-7000-8000-00000000000e"]}'),
    "reject": frames(b'{"type":"reject","event_id":"0192f7a4-3b1d-7000-8000-00000000000e","error":{"code":"bad_request","message":"field \'payload.percent\' must be a number between 0 and 100; got 150"}}'),
    "reject-null": frames(b'{"type":"reject","event_id":null,"error":{"code":"too_large","message":"runner message header is 2000000 bytes"}}'),
    "heartbeat": frames(b'{"type":"heartbeat","writer_id":"writer-a"}'),
    "error": frames(b'{"type":"error","error":{"code":"bad_request","message":"this connection belongs to runner runner-1, not runner-2"}}'),
    "two-frames": frames(b'{"type":"heartbeat","writer_id":"writer-a"}', b"{}"),
})


def feed(name, status, payload, seq=None, event_id=None):
    return frames(AUDIT_ID, dumps({"event": name, "audit_id": AUDIT_ID, "status": status, "seq": seq,
                                   "event_id": event_id, "timestamp": TIME, "payload": payload}))


write("FuzzFeedMessage", {
    "queued": feed("audit.queued", "queued", {"url": "https://example.com", "tier": "standard", "verdict_mode": "simple"}),
    "progress": feed("audit.progress", "running", {"phase": "fetch", "percent": 10}, 2, EVENT_ID),
    "screenshot": feed("audit.screenshot", "running", {"index": 0, "label": "viewport", "content_type": "image/png",
                                                        "byte_count": 45}, 3, EVENT_ID),
    "completed": feed("audit.completed", "completed", completed_payload, 6, EVENT_ID),
    "requeued": feed("audit.requeued", "queued", {"reason": "runner runner-1 went silent"}),
    "wrong-topic": frames(AUDIT_ID.upper(), dumps({"event": "audit.error", "audit_id": AUDIT_ID, "status": "error",
                                                    "timestamp": TIME, "payload": {"error_message": "gave up"}})),
})

write("FuzzIdentifiers", {
    "audit-id": b"\x00" + AUDIT_ID.encode(),
    "audit-id-upper": b"\x00" + AUDIT_ID.upper().encode(),
    "audit-id-v4": b"\x00" + b"3f2b8c1e-9a4d-4f6b-8e21-7c5d9a0b1e2f",
    "audit-id-path": b"\x00" + b"../../etc/passwd-0000-0000-000000000",
    "runner-id": b"\x01host-7.pid-4242",
    "runner-id-dot": b"\x01.hidden",
    "timestamp": b"\x02" + TIME.encode(),
    "timestamp-offset": b"\x022026-11-26t15:08:43.123456789-05:30",
    "timestamp-leap-day": b"\x022024-02-29T23:59:59Z",
    "timestamp-year0": b"\x020000-01-01T00:00:00.000Z",
    "timestamp-max": b"\x029999-12-31T23:59:59.999Z",
    "timestamp-overflow": b"\x029999-12-31T23:59:59.999-00:01",
    "url": b"\x03https://example.com/shop?x=1#top",
    "url-ipv6-port": b"\x03HTTP://[2001:db8::1]:8080/",
    "url-credentials": b"\x03https://user:pass@example.com",
    "url-unicode": "\x03https://bücher.example/straße".encode(),
    "url-bad-port": b"\x03http://example.com:65536",
    "format-epoch": b"\x04" + struct.pack(">q", 62_167_219_200_000),
    "format-max": b"\x04" + struct.pack(">Q", 315_569_519_999_999),
})

KEY = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"  # the public key of RFC 32 / zmq_curve test vectors
write("FuzzZ85", {
    "hello-world": b"\x00HelloWorld",
    "max-group": b"\x00%nSc0",
    "overflow-group": b"\x00%nSc1",
    "key": b"\x01" + KEY.encode(),
    "key-whitespace": b"\x01 \t" + KEY.encode() + b"\n",
    "encode": b"\x02" + bytes([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]),
    "encode-odd": b"\x02abc",
})

write("FuzzImageFormat", {
    "png": PNG,
    "jpeg": JPEG,
    "jpeg-minimal": bytes([0xFF, 0xD8, 0xFF, 0xD9]),
    "webp": WEBP,
    "png-truncated": PNG[:-1],
    "webp-bad-size": WEBP[:4] + struct.pack("<I", 0xFFFFFFFF) + WEBP[8:],
})
