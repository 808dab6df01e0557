package dev.bkv.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;

/**
 * The client side shared by the witness and frontend clients: sending a request so that a
 * failure names the server and why, and reading a reply body no longer than a bound.
 */
final class BoundedHttp {
  /** A reply as received; {@code body} is null when it was longer than the bound. */
  record Bounded(int status, String contentType, byte[] body) {}

  /** Sends a request, failing with an {@link IOException} that names the server. */
  interface Sender {
    HttpResponse<InputStream> send(HttpRequest request) throws IOException;
  }

  /** Makes the exception thrown for a failure to reach the server, from its message and cause. */
  interface Unreachable {
    IOException exception(String message, IOException cause);
  }

  private BoundedHttp() {}

  /** The body, or null when it is longer than {@code bytesMax}. */
  static byte[] readBounded(InputStream in, int bytesMax) throws IOException {
    byte[] body = in.readNBytes(bytesMax + 1);
    return body.length > bytesMax ? null : body;
  }

  /** Sends {@code request} through {@code sender} and reads at most {@code bytesMax} bytes of the reply's body. */
  static Bounded exchange(Sender sender, HttpRequest request, int bytesMax) throws IOException {
    HttpResponse<InputStream> response = sender.send(request);
    try (InputStream in = response.body()) {
      byte[] body = readBounded(in, bytesMax);
      return new Bounded(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), body);
    }
  }

  /**
   * Sends {@code request}; a failure to reach the server says "cannot reach {@code server}
   * scheme://authority: reason" (the JDK's connect failures carry no message).
   */
  static HttpResponse<InputStream> send(HttpClient client, HttpRequest request, String server, Duration connectTimeout,
      Duration answerTimeout, Unreachable unreachable) throws IOException {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + request.uri(), e);
    } catch (IOException e) {
      URI uri = request.uri();
      throw unreachable.exception("cannot reach " + server + " " + uri.getScheme() + "://" + uri.getRawAuthority() + ": "
          + reason(e, connectTimeout, answerTimeout), e);
    }
  }

  private static String reason(IOException e, Duration connectTimeout, Duration answerTimeout) {
    if (e instanceof HttpConnectTimeoutException) {
      return "no connection within " + connectTimeout.toSeconds() + " s";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + answerTimeout.toSeconds() + " s";
    }
    if (e instanceof ConnectException) {
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
          return "unknown host";
        }
      }
      return "connection refused";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
