package dev.bkv.testsupport;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;

/**
 * The status of a request whose body is over the server's cap. The server answers 413 from
 * the Content-Length and closes while the client may still be writing the body; that close
 * can reset the connection before the client has read the 413 (an HTTP/1.1 race, not a
 * refusal). Such an attempt is made again, on a new client, at most three times; a timeout
 * or any status is the answer.
 */
public final class OversizePost {
  static final int ATTEMPTS = 3;

  private OversizePost() {}

  public static int status(HttpRequest request) throws IOException, InterruptedException {
    IOException reset = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (HttpTimeoutException e) {
        throw e;
      } catch (IOException e) {
        reset = e;
      }
    }
    throw reset;
  }
}
