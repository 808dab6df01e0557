package dev.bkv.net;

import dev.bkv.witness.WitnessService;
import dev.bkv.witness.WitnessService.Reply;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The witness's side of {@link AsyncHandler}: every body is capped at the witness's request
 * size, the service answers at once, a failing service is logged and a broken invariant drops
 * the connection. Every header a {@link Reply} carries (type, caching, Retry-After) is
 * written as it is.
 */
final class WitnessHandler {
  /** The witness as a function; {@link WitnessService#handle} in production. */
  interface Service {
    Reply handle(String method, String path, byte[] body);
  }

  /**
   * Requests inside the service at once; more get 503 at once rather than a queue. Eight
   * covers 2 cores plus requests waiting on an fsync and leaves half of the pool's handler
   * threads free to read, refuse and answer.
   */
  static final int IN_FLIGHT_MAX = 8;
  /** Seconds a 503 asks the client to wait: a burst of witness requests drains within one. */
  static final int RETRY_AFTER_SECONDS = AsyncHandler.RETRY_AFTER_SECONDS;

  private WitnessHandler() {}

  static AsyncHandler create(Service service) {
    return new AsyncHandler(
        (method, path, body) -> CompletableFuture.completedFuture(httpReply(service.handle(method, path, body))),
        path -> WitnessService.REQUEST_BYTES_MAX, IN_FLIGHT_MAX, "witness", AsyncHandler.OnFailure.LOG_AND_DROP_ON_INVARIANT);
  }

  static HttpReply httpReply(Reply reply) {
    Map<String, String> headers = new HashMap<>();
    if (!reply.cacheControl().isEmpty()) {
      headers.put("Cache-Control", reply.cacheControl());
    }
    if (!reply.retryAfter().isEmpty()) {
      // The service's own 429 (an operator over its rate) says when to retry, as our 503 does.
      headers.put("Retry-After", reply.retryAfter());
    }
    return new HttpReply(reply.status(), reply.contentType(), reply.body(), headers);
  }
}
