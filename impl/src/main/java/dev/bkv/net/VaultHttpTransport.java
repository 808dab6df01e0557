package dev.bkv.net;

import dev.bkv.client.VaultTransport;
import dev.bkv.hsm.FirmwareCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The phone's vault transport over HTTP: each {@code FirmwareCodec} request is one
 * {@code POST <frontend>/bkv/vault}, its 200 body the response. Nothing here is trusted:
 * the caller decodes the answer strictly and OPAQUE authenticates what matters, so this
 * class only bounds the sizes and the time and says plainly what went wrong.
 */
public final class VaultHttpTransport implements VaultTransport {
  /** Longest answer body read: the codec's own bound on a response. */
  public static final int RESPONSE_BYTES_MAX = FirmwareCodec.RESPONSE_BYTES_MAX;
  /** Per-request timeout: above the frontend's bounded relay time, so the frontend's 503 arrives first. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private final FrontendHttpClient frontend;
  private final Duration timeout;

  public VaultHttpTransport(FrontendHttpClient frontend) {
    this(frontend, REQUEST_TIMEOUT);
  }

  public VaultHttpTransport(FrontendHttpClient frontend, Duration timeout) {
    this.frontend = frontend;
    this.timeout = timeout;
  }

  @Override
  public byte[] exchange(byte[] request) throws TransportException {
    if (request.length > FirmwareCodec.REQUEST_BYTES_MAX) {
      throw new TransportException("vault request of " + request.length + " bytes exceeds " + FirmwareCodec.REQUEST_BYTES_MAX);
    }
    URI uri = frontend.uri("/bkv/vault");
    HttpRequest post = HttpRequest.newBuilder(uri).timeout(timeout)
        .header("Content-Type", "application/octet-stream")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build();
    try {
      HttpResponse<InputStream> response = frontend.send(post);
      try (InputStream in = response.body()) {
        byte[] body = BoundedHttp.readBounded(in, RESPONSE_BYTES_MAX);
        if (response.statusCode() != 200) {
          throw new TransportException("POST " + uri + ": HTTP " + response.statusCode()
              + (body == null ? "" : FrontendHttpClient.detail(body)));
        }
        if (body == null) {
          throw new TransportException("POST " + uri + ": answer longer than " + RESPONSE_BYTES_MAX + " bytes");
        }
        return body;
      }
    } catch (IOException e) {
      throw new TransportException(e.getMessage(), e);
    }
  }
}
