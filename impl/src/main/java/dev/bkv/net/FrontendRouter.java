package dev.bkv.net;

import dev.bkv.crypto.DecodeException;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.node.FrontendConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The frontend's part of a client exchange, as {@code LocalFleet}'s frontend does it on
 * ticks: send the request to the node believed to lead, follow its {@code Bkv-Leader} hint on
 * NOT_LEADER, try the next node when one cannot be reached or answers garbage, and retry
 * TRY_AGAIN, 503 and 504 after a backoff, all within {@link #TOTAL_MILLIS}; then 503. The
 * frontend is untrusted: it reads a response only to route, and relays the bytes unchanged.
 *
 * <p>A node that let a request time out (504, or no reply) is passed over for {@link
 * #SUSPECT_MILLIS}, and so are hints that name it: a leader cut off from the majority still
 * says it leads, and so do the followers on its side, so following hints alone would send every
 * retry back to it until the client gives up. Once every other node has been asked in one
 * request, hints are followed again, suspect or not.
 */
final class FrontendRouter {
  /** Time one client request may spend in the frontend, across all attempts. */
  static final long TOTAL_MILLIS = 15_000;
  /** One attempt: a node answers within its answer timeout (5 s by default), or says 504 itself. */
  static final long ATTEMPT_MILLIS = 7_000;
  static final long BACKOFF_MILLIS_MIN = 20;
  static final long BACKOFF_MILLIS_MAX = 500;
  /** How long a node that let a request time out is passed over. */
  static final long SUSPECT_MILLIS = 10_000;
  /** Attempts per client request, at most, whatever the clock says. */
  static final int ATTEMPTS_MAX = 64;
  /** A node's reply body is a firmware response; anything longer is not one. */
  static final int REPLY_BYTES_MAX = FirmwareCodec.RESPONSE_BYTES_MAX + 1024;

  private final List<FrontendConfig.Node> nodes;
  private final HttpClient client;
  private final Executor executor;
  /** The node that last answered as leader; a guess, corrected by hints. */
  private volatile int leader;
  /** Per node, System.nanoTime() until which it is passed over (0: never suspected). */
  private final AtomicLongArray suspectUntil;

  FrontendRouter(List<FrontendConfig.Node> nodes, HttpClient client, Executor executor) {
    this.nodes = nodes;
    this.client = client;
    this.executor = executor;
    this.suspectUntil = new AtomicLongArray(nodes.size());
  }

  private boolean suspect(int node) {
    long until = suspectUntil.get(node);
    return until != 0 && System.nanoTime() - until < 0;
  }

  private void suspectNow(int node) {
    suspectUntil.set(node, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SUSPECT_MILLIS));
  }

  /** The first node after {@code from} that is not suspect ({@code from + 1} when all are). */
  private int nextTrusted(int from) {
    for (int k = 1; k <= nodes.size(); k++) {
      int candidate = (from + k) % nodes.size();
      if (!suspect(candidate)) {
        return candidate;
      }
    }
    return (from + 1) % nodes.size();
  }

  CompletableFuture<HttpReply> relay(byte[] request) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TOTAL_MILLIS);
    CompletableFuture<HttpReply> result = new CompletableFuture<>();
    int first = suspect(leader) ? nextTrusted(leader) : leader;
    attempt(request, first, deadline, 1, BACKOFF_MILLIS_MIN, 0, result);
    return result;
  }

  /** One attempt at {@code target}; decides the next one (or the reply) when it ends. */
  private void attempt(byte[] request, int target, long deadline, int attempt, long backoffMillis, int hintsSkipped,
      CompletableFuture<HttpReply> result) {
    long leftMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (leftMillis <= 0 || attempt > ATTEMPTS_MAX) {
      result.complete(HttpReply.busy(leftMillis <= 0 ? "no answer from the fleet within " + TOTAL_MILLIS + " ms"
          : "no answer from the fleet in " + ATTEMPTS_MAX + " attempts", AsyncHandler.RETRY_AFTER_SECONDS));
      return;
    }
    URI uri = URI.create(nodes.get(target).url() + "/bkv/vault");
    HttpRequest post = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(Math.min(ATTEMPT_MILLIS, leftMillis)))
        .header("Content-Type", HttpReply.BINARY).POST(HttpRequest.BodyPublishers.ofByteArray(request)).build();
    client.sendAsync(post, HttpResponse.BodyHandlers.ofInputStream())
        .thenApplyAsync(FrontendRouter::bounded, executor)
        .whenComplete((reply, failure) -> {
          int next = nextTrusted(target);
          if (failure != null || reply == null) {
            suspectNow(target);
            // Unreachable or garbage: the next node, after a backoff too, since a dead leader is still
            // named by every follower's hint until they time out, and that round trip costs nothing.
            again(request, next, deadline, attempt, backoffMillis, backoffMillis, hintsSkipped, result);
            return;
          }
          if (reply.status() == 503 || reply.status() == 504) {
            if (reply.status() == 504) {
              suspectNow(target); // its entry did not commit in time: cut off from the majority, perhaps
            }
            again(request, next, deadline, attempt, backoffMillis, backoffMillis, hintsSkipped, result);
            return;
          }
          if (reply.status() != 200) {
            result.complete(reply); // the node's verdict on the request itself (413, 400)
            return;
          }
          FirmwareResponse response;
          try {
            response = FirmwareCodec.decodeResponse(reply.body());
          } catch (DecodeException e) {
            again(request, next, deadline, attempt, 0, backoffMillis, hintsSkipped, result);
            return;
          }
          if (response instanceof FirmwareResponse.Refused) {
            FirmwareResponse.Reason reason = ((FirmwareResponse.Refused) response).reason();
            if (reason == FirmwareResponse.Reason.NOT_LEADER) {
              int hint = hint(reply);
              boolean fresh = hint >= 0 && hint != target;
              if (fresh && suspect(hint) && hintsSkipped < nodes.size()) {
                again(request, next, deadline, attempt, backoffMillis, backoffMillis, hintsSkipped + 1, result);
                return;
              }
              // A fresh hint is followed at once; with none, an election is on: wait, then ask around.
              again(request, fresh ? hint : next, deadline, attempt, fresh ? 0 : backoffMillis, backoffMillis,
                  hintsSkipped, result);
              return;
            }
            if (reason == FirmwareResponse.Reason.TRY_AGAIN) {
              again(request, target, deadline, attempt, backoffMillis, backoffMillis, hintsSkipped, result);
              return;
            }
          }
          leader = target;
          suspectUntil.set(target, 0);
          result.complete(HttpReply.binary(200, reply.body()));
        });
  }

  private void again(byte[] request, int target, long deadline, int attempt, long delayMillis, long backoffMillis,
      int hintsSkipped, CompletableFuture<HttpReply> result) {
    leader = target;
    long nextBackoff = delayMillis == 0 ? backoffMillis : Math.min(BACKOFF_MILLIS_MAX, backoffMillis * 2);
    Executor after = delayMillis == 0 ? executor : CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS, executor);
    after.execute(() -> attempt(request, target, deadline, attempt + 1, nextBackoff, hintsSkipped, result));
  }

  private int hint(HttpReply reply) {
    String header = reply.headers().get(NodeHttpServer.LEADER_HEADER);
    if (header == null || !header.matches("[0-9]{1,3}")) {
      return -1;
    }
    int hint = Integer.parseInt(header);
    return hint < nodes.size() ? hint : -1;
  }

  /** The reply with its body read up to {@link #REPLY_BYTES_MAX}; null when longer (not a firmware response). */
  private static HttpReply bounded(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      byte[] body = in.readNBytes(REPLY_BYTES_MAX + 1);
      if (body.length > REPLY_BYTES_MAX) {
        return null;
      }
      String leader = response.headers().firstValue(NodeHttpServer.LEADER_HEADER).orElse(null);
      return new HttpReply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(HttpReply.BINARY),
          body, leader == null ? Map.of() : Map.of(NodeHttpServer.LEADER_HEADER, leader));
    } catch (IOException e) {
      return null;
    }
  }
}
