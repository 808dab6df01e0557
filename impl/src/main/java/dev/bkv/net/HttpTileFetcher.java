package dev.bkv.net;

import dev.bkv.tlog.TileFetcher;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Fetches tiled-log resources over HTTP(S) below a URL prefix, bounding every body. */
public final class HttpTileFetcher implements TileFetcher {
  private final HttpClient client;
  private final String prefix;

  /** @param prefix the log's URL prefix, e.g. {@code http://127.0.0.1:7380} (no trailing slash needed) */
  public HttpTileFetcher(HttpClient client, String prefix) {
    this.client = client;
    this.prefix = prefix.endsWith("/") ? prefix : prefix + "/";
  }

  @Override
  public byte[] fetch(String path, int bytesMax) throws IOException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(prefix + path)).timeout(WitnessHttpClient.TIMEOUT).GET().build();
    HttpResponse<InputStream> response = WitnessHttpClient.send(client, request);
    try (InputStream body = response.body()) {
      byte[] bytes = BoundedHttp.readBounded(body, bytesMax);
      if (response.statusCode() != 200) {
        throw new IOException("GET " + path + ": HTTP " + response.statusCode());
      }
      if (bytes == null) {
        throw new IOException("GET " + path + ": body longer than " + bytesMax + " bytes");
      }
      return bytes;
    }
  }
}
