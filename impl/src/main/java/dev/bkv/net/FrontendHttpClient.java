package dev.bkv.net;

import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.tlog.TileFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of a fleet's frontend (the untrusted host in front of the HSMs): its witnessed
 * bundle, its status page, and the witness log it relays under {@code /bkv/log/}. Every body
 * is bounded; every failure is an {@link IOException} naming the frontend and the reason.
 */
public final class FrontendHttpClient {
  /** Connection timeout. */
  public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Timeout of a GET. */
  public static final Duration GET_TIMEOUT = Duration.ofSeconds(30);
  /** Longest status page read. */
  public static final int STATUS_BYTES_MAX = 1024 * 1024;
  /** Characters of an error body quoted in a message. */
  static final int DETAIL_CHARS_MAX = 200;

  private final HttpClient client;
  private final String baseUrl;

  public FrontendHttpClient(HttpClient client, String baseUrl) {
    this.client = client;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** A client with this class's connection timeout, HTTP/1.1. */
  public static FrontendHttpClient to(String baseUrl) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
    return new FrontendHttpClient(http, baseUrl);
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** GET /bkv/bundle: the fleet's witnessed bundle as served, or empty when the frontend has none (404). */
  public Optional<byte[]> bundle() throws IOException {
    Reply reply = get("/bkv/bundle", WitnessedBundle.WITNESSED_BYTES_MAX);
    if (reply.status() == 404) {
      return Optional.empty();
    }
    return Optional.of(reply.okBody());
  }

  /** GET /bkv/status: the fleet status JSON as text. */
  public String status() throws IOException {
    return new String(get("/bkv/status", STATUS_BYTES_MAX).okBody(), StandardCharsets.UTF_8);
  }

  /** The witness log as the frontend relays it under /bkv/log/ (checkpoint, tiles). */
  public TileFetcher logTiles() {
    return (path, bytesMax) -> get("/bkv/log/" + path, bytesMax).okBody();
  }

  /** A reply with a bounded body (null when it was longer than the bound). */
  record Reply(String what, int status, byte[] body, int bytesMax) {
    byte[] okBody() throws IOException {
      if (status != 200) {
        throw new IOException(what + ": HTTP " + status + (body == null ? "" : detail(body)));
      }
      if (body == null) {
        throw new IOException(what + ": body longer than " + bytesMax + " bytes");
      }
      return body;
    }
  }

  Reply get(String path, int bytesMax) throws IOException {
    URI uri = uri(path);
    BoundedHttp.Bounded reply = BoundedHttp.exchange(this::send, HttpRequest.newBuilder(uri).timeout(GET_TIMEOUT).GET().build(),
        bytesMax);
    return new Reply("GET " + uri, reply.status(), reply.body(), bytesMax);
  }

  URI uri(String path) {
    return URI.create(baseUrl + path);
  }

  /** Sends {@code request}; a failure names the frontend and why. */
  HttpResponse<InputStream> send(HttpRequest request) throws IOException {
    return BoundedHttp.send(client, request, "frontend", CONNECT_TIMEOUT, request.timeout().orElse(GET_TIMEOUT),
        IOException::new);
  }

  /** ": <first line of an error body>", printable characters only, or "" for an empty body. */
  static String detail(byte[] body) {
    String line = new String(body, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
    StringBuilder clean = new StringBuilder();
    for (int i = 0; i < line.length() && clean.length() < DETAIL_CHARS_MAX; i++) {
      char c = line.charAt(i);
      clean.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return clean.length() == 0 ? "" : ": " + clean;
  }
}
