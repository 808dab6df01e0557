package dev.bkv.net;

import dev.bkv.witness.WitnessService;
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
 * Talks to a witness over HTTP: posts bundles and add-checkpoint requests and returns the
 * status and body as they came, for the caller to interpret. Bodies are bounded.
 */
public final class WitnessHttpClient {
  /** Per-request timeout. */
  public static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Longest reply body read. */
  public static final int REPLY_BYTES_MAX = WitnessService.REQUEST_BYTES_MAX + 64 * 1024;

  /** A reply as received. */
  public record Reply(int status, String contentType, byte[] body) {
    public String bodyText() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final HttpClient client;
  private final String baseUrl;

  public WitnessHttpClient(HttpClient client, String baseUrl) {
    this.client = client;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  public static HttpClient newHttpClient() {
    return HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
  }

  /** POST /bkv/add-bundle with a signed request body (see {@code dev.bkv.witness.BundleSubmission#sign}). */
  public Reply addBundle(byte[] signedRequest) throws IOException {
    return post("/bkv/add-bundle", signedRequest);
  }

  /** POST /add-checkpoint (C2SP tlog-witness). */
  public Reply addCheckpoint(byte[] requestBody) throws IOException {
    return post("/add-checkpoint", requestBody);
  }

  public Reply get(String path) throws IOException {
    return exchange(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(TIMEOUT).GET().build());
  }

  public Reply post(String path, byte[] body) throws IOException {
    return exchange(
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(TIMEOUT)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  private Reply exchange(HttpRequest request) throws IOException {
    HttpResponse<InputStream> response = send(client, request);
    try (InputStream in = response.body()) {
      byte[] body = WitnessHttpServer.readBounded(in, REPLY_BYTES_MAX);
      if (body == null) {
        throw new IOException(request.method() + " " + request.uri().getPath() + ": reply longer than " + REPLY_BYTES_MAX);
      }
      return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), body);
    }
  }

  static HttpResponse<InputStream> send(HttpClient client, HttpRequest request) throws IOException {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + request.uri(), e);
    } catch (IOException e) {
      // The JDK's connect failures carry no message ("null"); say which witness and why.
      URI uri = request.uri();
      String message = "cannot reach witness " + uri.getScheme() + "://" + uri.getRawAuthority() + ": " + reason(e);
      throw e instanceof ConnectException || e instanceof HttpConnectTimeoutException
          ? new WitnessUnreachableException(message, e) : new IOException(message, e);
    }
  }

  private static String reason(IOException e) {
    if (e instanceof HttpConnectTimeoutException) {
      return "no connection within " + TIMEOUT.toSeconds() + " s";
    }
    if (e instanceof HttpTimeoutException) {
      return "no answer within " + TIMEOUT.toSeconds() + " s";
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
