package dev.bkv.net;

import dev.bkv.base.Check;
import dev.bkv.witness.WitnessService;
import dev.bkv.witness.WitnessService.Reply;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Jetty's side of the witness: reads a request body without holding a thread while bytes are
 * awaited, calls the service once the body is complete, and writes its reply. The only
 * replies made here rather than by the service are about the transport: 413 (body too long),
 * 408 (body too slow), 400 (body malformed) and 503 (too many requests in the service).
 * Every header a {@link Reply} carries (type, caching, Retry-After) is written as it is.
 */
final class WitnessHandler extends Handler.Abstract {
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
  static final int RETRY_AFTER_SECONDS = 1;
  /**
   * The whole body must arrive within this, however it trickles in: the idle timeout alone
   * would let one byte every few seconds hold a connection for hours.
   */
  static final long BODY_READ_TIMEOUT_MILLIS = 15_000;

  private final Service service;
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT_MAX);

  WitnessHandler(Service service) {
    this.service = service;
  }

  /**
   * Waits up to {@code timeoutMillis} for the requests inside the service to finish; requests
   * arriving meanwhile get 503. Called once, just before the server stops.
   */
  void drain(long timeoutMillis) throws InterruptedException {
    inFlight.tryAcquire(IN_FLIGHT_MAX, timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    if (request.getLength() > WitnessService.REQUEST_BYTES_MAX) {
      send(response, callback, tooLong()); // refused from its Content-Length, before any body byte
      return true;
    }
    BodyReader reader = new BodyReader(request, response, callback);
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
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    /** Set by whichever of completion, failure and timeout comes first; the others do nothing. */
    final AtomicBoolean finished = new AtomicBoolean();
    /** The body's deadline, once the body did not arrive with the headers. */
    volatile Scheduler.Task deadline;

    BodyReader(Request request, Response response, Callback callback) {
      this.request = request;
      this.response = response;
      this.callback = callback;
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
        boolean tooLong = body.size() + bytes.remaining() > WitnessService.REQUEST_BYTES_MAX;
        if (!tooLong) {
          byte[] copy = new byte[bytes.remaining()];
          bytes.get(copy);
          body.writeBytes(copy);
        }
        chunk.release();
        if (tooLong) {
          finish(tooLong());
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
      finish(Reply.text(408, "request body not received within " + BODY_READ_TIMEOUT_MILLIS + " ms"));
    }

    private void finish(Reply reply) {
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
      Reply busy = Reply.text(503, "witness is busy; retry in " + RETRY_AFTER_SECONDS + " s");
      send(response, callback, new Reply(busy.status(), busy.contentType(), busy.body(), "", Integer.toString(RETRY_AFTER_SECONDS)));
      return;
    }
    Reply reply;
    try {
      reply = service.handle(request.getMethod(), request.getHttpURI().getPath(), body);
    } catch (Check.InvariantViolation e) {
      // Never answered as if the witness could go on: the connection is dropped unanswered.
      e.printStackTrace();
      request.getConnectionMetaData().getConnection().getEndPoint().close(e);
      callback.failed(e);
      return;
    } catch (RuntimeException e) {
      e.printStackTrace();
      reply = Reply.text(500, "internal error: " + e);
    } finally {
      inFlight.release();
    }
    send(response, callback, reply);
  }

  private static Reply tooLong() {
    return Reply.text(413, "request body is longer than " + WitnessService.REQUEST_BYTES_MAX + " bytes");
  }

  /** The reply to a body that could not be read: Jetty's own status for protocol errors. */
  private static Reply readFailure(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return Reply.text(408, "request body not received in time");
    }
    if (failure instanceof HttpException http && http.getCode() >= 400 && http.getCode() < 500) {
      return Reply.text(http.getCode(), "malformed request body: " + http.getReason());
    }
    return Reply.text(400, "malformed request body: " + failure.getMessage());
  }

  private static void send(Response response, Callback callback, Reply reply) {
    response.setStatus(reply.status());
    HttpFields.Mutable headers = response.getHeaders();
    headers.put(HttpHeader.CONTENT_TYPE, reply.contentType());
    if (!reply.cacheControl().isEmpty()) {
      headers.put(HttpHeader.CACHE_CONTROL, reply.cacheControl());
    }
    if (!reply.retryAfter().isEmpty()) {
      // The service's own 429 (an operator over its rate) says when to retry, as our 503 does.
      headers.put(HttpHeader.RETRY_AFTER, reply.retryAfter());
    }
    headers.put(HttpHeader.CONTENT_LENGTH, reply.body().length);
    response.write(true, ByteBuffer.wrap(reply.body()), callback);
  }
}
