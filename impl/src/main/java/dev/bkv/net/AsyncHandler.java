package dev.bkv.net;

import dev.bkv.base.Check;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToIntFunction;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Jetty's side of a witness, node or frontend: reads a request body without holding a thread
 * while bytes are awaited, calls the service once the body is complete, and writes its reply.
 * The service is asynchronous: a request waiting for the fleet (a commit, a relay) holds an
 * in-flight slot and no thread. The only replies made here rather than by the service are
 * about the transport: 413 (body longer than the path's cap), 408 (body too slow), 400 (body
 * malformed) and 503 (in-flight cap reached). Every header a reply carries is written as it is.
 */
final class AsyncHandler extends Handler.Abstract {
  /** The server as a function of method, path and complete body. */
  interface Service {
    CompletableFuture<HttpReply> handle(String method, String path, byte[] body);
  }

  /** What a failing service costs the request. */
  enum OnFailure {
    /** A 500 naming the exception. */
    ANSWER_500,
    /**
     * As {@link #ANSWER_500}, with the stack trace on stderr; a broken invariant ({@link
     * Check.InvariantViolation}) is never answered as if the server could go on: the
     * connection is dropped unanswered.
     */
    LOG_AND_DROP_ON_INVARIANT
  }

  /** Seconds a 503 asks the client to wait: a burst of requests drains within one. */
  static final int RETRY_AFTER_SECONDS = 1;
  /**
   * The whole body must arrive within this, however it trickles in: the idle timeout alone
   * would let one byte every few seconds hold a connection for hours.
   */
  static final long BODY_READ_TIMEOUT_MILLIS = 15_000;

  private final Service service;
  private final ToIntFunction<String> bodyBytesMax;
  private final int inFlightMax;
  private final Semaphore inFlight;
  private final String busyServer;
  private final OnFailure onFailure;

  /** {@code bodyBytesMax}: the body cap of a path; {@code inFlightMax}: requests inside the service at once. */
  AsyncHandler(Service service, ToIntFunction<String> bodyBytesMax, int inFlightMax) {
    this(service, bodyBytesMax, inFlightMax, "server", OnFailure.ANSWER_500);
  }

  /** As above; {@code busyServer} names the server in the 503's text. */
  AsyncHandler(Service service, ToIntFunction<String> bodyBytesMax, int inFlightMax, String busyServer,
      OnFailure onFailure) {
    this.service = service;
    this.bodyBytesMax = bodyBytesMax;
    this.inFlightMax = inFlightMax;
    this.inFlight = new Semaphore(inFlightMax);
    this.busyServer = busyServer;
    this.onFailure = onFailure;
  }

  /**
   * Waits up to {@code timeoutMillis} for the requests inside the service to finish; requests
   * arriving meanwhile get 503. Called once, just before the server stops.
   */
  void drain(long timeoutMillis) throws InterruptedException {
    inFlight.tryAcquire(inFlightMax, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    int cap = bodyBytesMax.applyAsInt(request.getHttpURI().getPath());
    if (request.getLength() > cap) {
      send(response, callback, tooLong(cap)); // refused from its Content-Length, before any body byte
      return true;
    }
    BodyReader reader = new BodyReader(request, response, callback, cap);
    reader.run();
    if (!reader.finished.get()) {
      reader.deadline = request.getComponents().getScheduler()
          .schedule(reader::timeOut, BODY_READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
    return true;
  }

  /** Accumulates one body chunk by chunk, resuming through Jetty's demand callback. */
  private final class BodyReader implements Runnable {
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final int cap;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    /** Set by whichever of completion, failure and timeout comes first; the others do nothing. */
    final AtomicBoolean finished = new AtomicBoolean();
    /** The body's deadline, once the body did not arrive with the headers. */
    volatile Scheduler.Task deadline;

    BodyReader(Request request, Response response, Callback callback, int cap) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.cap = cap;
    }

    @Override
    public void run() {
      while (!finished.get()) {
        Content.Chunk chunk = request.read();
        if (chunk == null) {
          request.demand(this); // no thread waits: Jetty calls run() again when bytes arrive
          return;
        }
        if (Content.Chunk.isFailure(chunk)) {
          finish(readFailure(chunk.getFailure()));
          return;
        }
        ByteBuffer bytes = chunk.getByteBuffer();
        boolean tooLong = body.size() + bytes.remaining() > cap;
        if (!tooLong) {
          byte[] copy = new byte[bytes.remaining()];
          bytes.get(copy);
          body.writeBytes(copy);
        }
        chunk.release();
        if (tooLong) {
          finish(tooLong(cap));
          return;
        }
        if (chunk.isLast()) {
          if (finished.compareAndSet(false, true)) {
            cancelDeadline();
            serve(request, response, callback, body.toByteArray());
          }
          return;
        }
      }
    }

    void timeOut() {
      finish(HttpReply.text(408, "request body not received within " + BODY_READ_TIMEOUT_MILLIS + " ms"));
    }

    private void finish(HttpReply reply) {
      if (finished.compareAndSet(false, true)) {
        cancelDeadline();
        send(response, callback, reply);
      }
    }

    private void cancelDeadline() {
      Scheduler.Task task = deadline;
      if (task != null) {
        task.cancel();
      }
    }
  }

  private void serve(Request request, Response response, Callback callback, byte[] body) {
    if (!inFlight.tryAcquire()) {
      send(response, callback, HttpReply.busy(busyServer + " is busy; retry in " + RETRY_AFTER_SECONDS + " s",
          RETRY_AFTER_SECONDS));
      return;
    }
    CompletableFuture<HttpReply> reply;
    try {
      reply = service.handle(request.getMethod(), request.getHttpURI().getPath(), body);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    } catch (Error e) {
      inFlight.release();
      throw e;
    }
    reply.whenComplete((r, e) -> {
      inFlight.release();
      if (e == null) {
        send(response, callback, r);
      } else {
        fail(request, response, callback, e);
      }
    });
  }

  /** Answers a failed service with a 500, or drops the connection (see {@link OnFailure}). */
  private void fail(Request request, Response response, Callback callback, Throwable e) {
    if (onFailure == OnFailure.LOG_AND_DROP_ON_INVARIANT) {
      e.printStackTrace();
      if (e instanceof Check.InvariantViolation) {
        request.getConnectionMetaData().getConnection().getEndPoint().close(e);
        callback.failed(e);
        return;
      }
    }
    send(response, callback, HttpReply.text(500, "internal error: " + e));
  }

  /**
   * 413. The rest of the body is never read, so the server closes the connection after the
   * reply, and says so: a client that pooled it would otherwise send its next request into a
   * closed socket.
   */
  private static HttpReply tooLong(int cap) {
    HttpReply refused = HttpReply.text(413, "request body is longer than " + cap + " bytes");
    return new HttpReply(refused.status(), refused.contentType(), refused.body(), Map.of("Connection", "close"));
  }

  /** The reply to a body that could not be read: Jetty's own status for protocol errors. */
  private static HttpReply readFailure(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return HttpReply.text(408, "request body not received in time");
    }
    if (failure instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
      return HttpReply.text(http.getCode(), "malformed request body: " + http.getReason());
    }
    return HttpReply.text(400, "malformed request body: " + failure.getMessage());
  }

  private static void send(Response response, Callback callback, HttpReply reply) {
    response.setStatus(reply.status());
    HttpFields.Mutable headers = response.getHeaders();
    headers.put("Content-Type", reply.contentType());
    for (Map.Entry<String, String> h : reply.headers().entrySet()) {
      headers.put(h.getKey(), h.getValue());
    }
    headers.put("Content-Length", Long.toString(reply.body().length));
    response.write(true, ByteBuffer.wrap(reply.body()), callback);
  }
}
