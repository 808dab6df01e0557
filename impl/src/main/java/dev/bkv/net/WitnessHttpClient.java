package dev.bkv.net;

import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
    BoundedHttp.Bounded reply = BoundedHttp.exchange(r -> send(client, r), request, REPLY_BYTES_MAX);
    if (reply.body() == null) {
      throw new IOException(request.method() + " " + request.uri().getPath() + ": reply longer than " + REPLY_BYTES_MAX);
    }
    return new Reply(reply.status(), reply.contentType(), reply.body());
  }

  /** Sends {@code request}; a failure names the witness and why, as a {@link WitnessUnreachableException} when no connection was made. */
  static HttpResponse<InputStream> send(HttpClient client, HttpRequest request) throws IOException {
    return BoundedHttp.send(client, request, "witness", TIMEOUT, TIMEOUT,
        (message, e) -> e instanceof ConnectException || e instanceof HttpConnectTimeoutException
            ? new WitnessUnreachableException(message, e) : new IOException(message, e));
  }
}
