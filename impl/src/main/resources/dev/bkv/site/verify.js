// The page's own checks, in the reader's browser, of the data block bkv site wrote: the
// checkpoint's signatures (C2SP signed-note Ed25519 and cosignature/v1), every entry's RFC 9162
// inclusion proof against the checkpoint's root, and the witness's signature on every published
// bundle. Only WebCrypto is used: Ed25519 and SHA-256. Nothing here trusts what the page's HTML
// says; a check that cannot run is a failure to verify, never a pass.
"use strict";
(function () {
  const verdict = document.getElementById("browser-verdict");
  const data = JSON.parse(document.getElementById("bkv-data").textContent);
  const failures = [];
  let checked = 0;

  function show(state, title, detail) {
    verdict.dataset.state = state;
    verdict.className = "verdict " + (state === "verified" ? "pass" : state === "pending" ? "pending" : "fail");
    verdict.replaceChildren();
    const strong = document.createElement("strong");
    strong.textContent = "Your browser: " + title;
    verdict.appendChild(strong);
    for (const line of detail) {
      const div = document.createElement("div");
      div.textContent = line;
      verdict.appendChild(div);
    }
  }

  function mark(name, ok, text) {
    checked += 1;
    if (!ok) {
      failures.push(name + ": " + text);
    }
    for (const element of document.querySelectorAll('[data-check="' + name + '"]')) {
      element.textContent = (ok ? "verified: " : "FAILED: ") + text;
      element.className = ok ? "ok" : "bad";
      element.dataset.result = ok ? "ok" : "failed";
    }
  }

  function fromBase64(text) {
    const raw = atob(text);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function concat(...parts) {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  function equal(a, b) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }

  async function sha256(bytes) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  }

  async function ed25519(publicKey, signature, message) {
    const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
    return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  }

  // A vkey is <name>+<8 hex key id>+<base64(type || key)>; names hold no '+', base64 may.
  function parseVkey(vkey) {
    const first = vkey.indexOf("+");
    const second = vkey.indexOf("+", first + 1);
    const key = fromBase64(vkey.slice(second + 1));
    return { name: vkey.slice(0, first), id: vkey.slice(first + 1, second), type: key[0], publicKey: key.slice(1) };
  }

  function hex(bytes) {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // A signed note is its text (ending in a newline), a blank line, and one signature line each.
  function parseNote(bytes) {
    let split = -1;
    for (let i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] === 10 && bytes[i + 1] === 10) {
        split = i;
        break;
      }
    }
    if (split < 0) {
      throw new Error("the checkpoint has no blank line before its signatures");
    }
    const text = bytes.slice(0, split + 1);
    const lines = new TextDecoder().decode(bytes.slice(split + 2)).split("\n").filter((l) => l.length > 0);
    const signatures = lines.map((line) => {
      const match = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!match) {
        throw new Error("a signature line does not parse: " + line);
      }
      const raw = fromBase64(match[2]);
      return { name: match[1], id: hex(raw.slice(0, 4)), signature: raw.slice(4) };
    });
    return { text, signatures };
  }

  async function checkSignature(note, signature, keys) {
    const key = keys.find((k) => k.name === signature.name && k.id === signature.id);
    if (!key) {
      return { ok: false, text: "no key of this page has this name and id" };
    }
    if (key.type === 0x01) {
      const ok = await ed25519(key.publicKey, signature.signature, note.text);
      return { ok, text: ok ? "Ed25519 signature of " + key.name : "the Ed25519 signature does not verify" };
    }
    if (key.type === 0x04 && signature.signature.length === 72) {
      let time = 0n;
      for (const b of signature.signature.slice(0, 8)) {
        time = (time << 8n) | BigInt(b);
      }
      const message = concat(new TextEncoder().encode("cosignature/v1\ntime " + time + "\n"), note.text);
      const ok = await ed25519(key.publicKey, signature.signature.slice(8), message);
      return { ok, text: ok ? "cosignature of " + key.name + " at " + new Date(Number(time) * 1000).toISOString()
        : "the cosignature does not verify" };
    }
    return { ok: false, text: "a key of type " + key.type + " is not checked here" };
  }

  // RFC 9162 section 2.1.3.2: the root an inclusion proof gives for a leaf hash.
  async function rootFromProof(index, size, leafHash, proof) {
    if (index >= size) {
      throw new Error("entry " + index + " is not below the tree size " + size);
    }
    let fn = index;
    let sn = size - 1;
    let r = leafHash;
    for (const p of proof) {
      if (sn === 0) {
        throw new Error("the proof is longer than the path to the root");
      }
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256(concat(Uint8Array.of(1), p, r));
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = await sha256(concat(Uint8Array.of(1), r, p));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    if (sn !== 0) {
      throw new Error("the proof is shorter than the path to the root");
    }
    return r;
  }

  async function run() {
    if (!window.crypto || !crypto.subtle) {
      show("unsupported", "CANNOT CHECK", ["This browser offers no WebCrypto here, so nothing on this page was verified by it."]);
      return;
    }
    const logKey = parseVkey(data.logKey);
    try {
      await crypto.subtle.importKey("raw", logKey.publicKey, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      show("unsupported", "CANNOT CHECK", ["This browser's WebCrypto has no Ed25519 (" + e.name + "), so the signatures on"
        + " this page were not verified. Current releases of Chromium, Firefox and Safari have it."]);
      return;
    }
    const keys = data.vkeys.map(parseVkey);
    let note;
    try {
      note = parseNote(fromBase64(data.checkpoint));
    } catch (e) {
      failures.push("checkpoint: " + e.message);
      finish();
      return;
    }
    let signedByLog = false;
    for (let i = 0; i < note.signatures.length; i++) {
      const result = await checkSignature(note, note.signatures[i], keys);
      mark("signature-" + i, result.ok, result.text);
      const s = note.signatures[i];
      if (result.ok && s.name === logKey.name && s.id === logKey.id) {
        signedByLog = true;
      }
    }
    if (!signedByLog) {
      failures.push("checkpoint: no valid signature by the witness's log key " + logKey.name);
    }
    const lines = new TextDecoder().decode(note.text).split("\n");
    const size = Number(lines[1]);
    const root = fromBase64(lines[2] || "");
    if (!/^[0-9]+$/.test(lines[1] || "") || root.length !== 32) {
      failures.push("checkpoint: its text is not origin, size and root hash");
    } else {
      if (data.entries.length !== size) {
        failures.push("log: the page holds " + data.entries.length + " entries, the checkpoint says " + size);
      }
      for (const e of data.entries) {
        const leaf = await sha256(concat(Uint8Array.of(0), fromBase64(e.entry)));
        let ok = false;
        let text;
        try {
          ok = equal(await rootFromProof(e.index, size, leaf, e.proof.map(fromBase64)), root);
          text = ok ? "proved in the checkpoint of size " + size : "the proof does not lead to the checkpoint's root";
        } catch (err) {
          text = err.message;
        }
        mark("inclusion-" + e.index, ok, text);
      }
    }
    const bundleKey = parseVkey(data.bundleKey);
    for (const s of data.bundleSignatures) {
      const entry = data.entries.find((e) => e.index === s.index);
      const ok = entry !== undefined && await ed25519(bundleKey.publicKey, fromBase64(s.signature), fromBase64(entry.entry));
      mark("bundle-signature-" + s.index, ok, ok ? "signed by " + bundleKey.name : "the witness's signature does not verify");
    }
    finish();
  }

  function finish() {
    if (failures.length === 0) {
      show("verified", "VERIFIED", ["The checkpoint is signed by the witness's log key, and " + data.entries.length
        + " entries and " + data.bundleSignatures.length + " witness signatures verify against it (" + checked + " checks)."]);
    } else {
      show("failed", "FAILED", failures);
    }
  }

  show("pending", "checking...", ["Verifying signatures and proofs with WebCrypto."]);
  run().catch((e) => {
    failures.push("the check stopped: " + e.message);
    finish();
  });
})();
