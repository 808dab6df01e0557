package dev.bkv.net;

import dev.bkv.client.VaultTransport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A minimal client transport for tests: {@code POST <base>/bkv/vault}, the 200 body is the answer. */
final class TestVaultHttpTransport implements VaultTransport {
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final URI uri;

  TestVaultHttpTransport(String baseUrl) {
    this.uri = URI.create(baseUrl + "/bkv/vault");
  }

  @Override
  public byte[] exchange(byte[] request) throws TransportException {
    try {
      HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(), HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new TransportException("HTTP " + response.statusCode() + ": " + new String(response.body()).strip());
      }
      return response.body();
    } catch (IOException e) {
      throw new TransportException(e.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransportException("interrupted", e);
    }
  }
}
