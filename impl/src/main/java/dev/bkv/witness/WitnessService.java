package dev.bkv.witness;

import dev.bkv.tlog.FormatException;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.TilePath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The witness's HTTP interface as a plain function from (method, path, body) to a reply, so
 * it is tested without sockets and the HTTP server in {@code dev.bkv.net} only moves bytes.
 *
 * <pre>
 * POST /add-checkpoint     C2SP tlog-witness v1.0.0: cosign another log's checkpoint
 * POST /bkv/add-bundle     log an operator-signed validation bundle (BundleSubmission);
 *                          200 with a bkv.dev/bundle-receipt@v1, else 400/403/409/429/413, 503 (queue full)
 * GET  /checkpoint         C2SP tlog-tiles: this witness's log checkpoint
 * GET  /tile/...           C2SP tlog-tiles: hash tiles and entry bundles
 * GET  /bkv/vkeys          the witness's public keys (log, cosigner, bundle), one per line
 * </pre>
 */
public final class WitnessService {
  /** Longest request body accepted: an add-checkpoint request or a signed bundle submission. */
  public static final int REQUEST_BYTES_MAX = Math.max(AddCheckpointRequest.BODY_BYTES_MAX, BundleSubmission.BODY_BYTES_MAX);

  public static final String TEXT = "text/plain; charset=utf-8";
  public static final String BINARY = "application/octet-stream";
  public static final String TLOG_SIZE = "text/x.tlog.size";
  /** Checkpoints change: clients may cache them for a few seconds at most. */
  public static final String CACHE_MUTABLE = "no-cache";
  /** Tiles and entry bundles never change once they exist. */
  public static final String CACHE_IMMUTABLE = "public, max-age=31536000, immutable";

  /**
   * An HTTP reply; {@code cacheControl} is empty when no caching header is needed, and
   * {@code retryAfter} (the Retry-After header, in seconds) is empty except on 429 and 503.
   */
  public record Reply(int status, String contentType, byte[] body, String cacheControl, String retryAfter) {
    public Reply(int status, String contentType, byte[] body, String cacheControl) {
      this(status, contentType, body, cacheControl, "");
    }

    /** A plain-text reply; a final newline is added when missing. */
    public static Reply text(int status, String text) {
      return new Reply(status, TEXT, (text + (text.endsWith("\n") ? "" : "\n")).getBytes(StandardCharsets.UTF_8), "");
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  private final Witness witness;

  WitnessService(Witness witness) {
    this.witness = witness;
  }

  public Reply handle(String method, String path, byte[] body) {
    try {
      if (body.length > REQUEST_BYTES_MAX) {
        return Reply.text(413, "request body is longer than " + REQUEST_BYTES_MAX + " bytes");
      }
      if (path.equals("/add-checkpoint")) {
        return method.equals("POST") ? addCheckpoint(body) : notAllowed("POST");
      }
      if (path.equals("/bkv/add-bundle")) {
        return method.equals("POST") ? addBundle(body) : notAllowed("POST");
      }
      if (path.equals("/checkpoint")) {
        return method.equals("GET")
            ? new Reply(200, TEXT, witness.log().checkpoint().toBytes(), CACHE_MUTABLE)
            : notAllowed("GET");
      }
      if (path.equals("/bkv/vkeys")) {
        return method.equals("GET") ? Reply.text(200, witness.keys().vkeys()) : notAllowed("GET");
      }
      if (path.startsWith("/tile/")) {
        return method.equals("GET") ? tile(path.substring(1)) : notAllowed("GET");
      }
      return Reply.text(404, "no such resource: " + path);
    } catch (IOException e) {
      return Reply.text(500, "witness storage error: " + e.getMessage());
    }
  }

  private Reply addCheckpoint(byte[] body) throws IOException {
    CheckpointWitness.Outcome outcome = witness.checkpoints().addCheckpoint(body);
    if (outcome instanceof CheckpointWitness.Cosigned cosigned) {
      StringBuilder lines = new StringBuilder();
      for (NoteSignature s : cosigned.cosignatures()) {
        lines.append(s.toLine()).append('\n');
      }
      return new Reply(200, TEXT, lines.toString().getBytes(StandardCharsets.UTF_8), "");
    }
    if (outcome instanceof CheckpointWitness.Conflict conflict) {
      // "The response body MUST consist of the tree size of the latest cosigned checkpoint in
      //  decimal, followed by a newline ... Content-Type of text/x.tlog.size."
      return new Reply(409, TLOG_SIZE, (conflict.knownSize() + "\n").getBytes(StandardCharsets.US_ASCII), "");
    }
    if (outcome instanceof CheckpointWitness.Refused refused) {
      return Reply.text(refused.refusal().status, refused.reason());
    }
    throw new AssertionError(outcome);
  }

  private Reply addBundle(byte[] body) throws IOException {
    if (body.length > BundleSubmission.BODY_BYTES_MAX) {
      return Reply.text(413, "add-bundle request must be at most " + BundleSubmission.BODY_BYTES_MAX + " bytes");
    }
    BundleGate.Outcome outcome;
    try {
      outcome = witness.gate().submit(body);
    } catch (IllegalStateException full) {
      return Reply.text(507, full.getMessage());
    }
    if (outcome instanceof BundleGate.Logged logged) {
      return new Reply(200, TEXT, logged.receipt().toBytes(), "");
    }
    if (outcome instanceof BundleGate.Refused refused) {
      Reply reply = Reply.text(refused.status(), refused.reason());
      return refused.retryAfterSeconds().isEmpty() ? reply
          : new Reply(reply.status(), TEXT, reply.body(), "", Long.toString(refused.retryAfterSeconds().getAsLong()));
    }
    throw new AssertionError(outcome);
  }

  private Reply tile(String relative) throws IOException {
    TilePath path;
    try {
      path = TilePath.parse(relative);
    } catch (FormatException e) {
      return Reply.text(404, "not a tile path: " + e.getMessage());
    }
    Optional<byte[]> bytes = witness.log().tile(path);
    return bytes.map(b -> new Reply(200, BINARY, b, CACHE_IMMUTABLE)).orElse(Reply.text(404, "no such tile: " + relative));
  }

  private static Reply notAllowed(String allowed) {
    return Reply.text(405, "method not allowed; use " + allowed);
  }
}
