// opaque-ke (via @serenity-kit/opaque-p256) as a line-oriented peer for BKV's interop test.
//
// Protocol: one JSON request per stdin line, {"id": n, "op": "<side>.<function>", "params": {...}};
// one JSON response per stdout line, {"id": n, "ok": true, "result": ...} or
// {"id": n, "ok": false, "error": "..."}. Every message and key is base64url, as the
// package gives them. client.finishLogin returns null when opaque-ke rejects the login.
"use strict";

const readline = require("readline");
const opaque = require("@serenity-kit/opaque-p256");

const handlers = {
  "server.createSetup": () => ({ serverSetup: opaque.server.createSetup() }),
  "server.getPublicKey": (p) => ({ publicKey: opaque.server.getPublicKey(p.serverSetup) }),
  "server.createRegistrationResponse": (p) => opaque.server.createRegistrationResponse(p),
  "server.startLogin": (p) => opaque.server.startLogin(p),
  "server.finishLogin": (p) => opaque.server.finishLogin(p),
  "client.startRegistration": (p) => opaque.client.startRegistration(p),
  "client.finishRegistration": (p) => opaque.client.finishRegistration(p),
  "client.startLogin": (p) => opaque.client.startLogin(p),
  "client.finishLogin": (p) => opaque.client.finishLogin(p) ?? null,
};

function respond(message) {
  process.stdout.write(JSON.stringify(message) + "\n");
}

opaque.ready.then(() => {
  respond({ id: 0, ok: true, result: { ready: true } });
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  lines.on("line", (line) => {
    let request;
    try {
      request = JSON.parse(line);
    } catch (e) {
      respond({ id: -1, ok: false, error: "request is not JSON: " + e.message });
      return;
    }
    const handler = handlers[request.op];
    if (!handler) {
      respond({ id: request.id, ok: false, error: "unknown op " + request.op });
      return;
    }
    try {
      respond({ id: request.id, ok: true, result: handler(request.params || {}) });
    } catch (e) {
      respond({ id: request.id, ok: false, error: String(e && e.message ? e.message : e) });
    }
  });
  lines.on("close", () => process.exit(0));
});
