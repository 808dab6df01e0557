package dev.bkv.net;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** One HTTP answer of a node or frontend: status, content type, body, and extra headers (Bkv-Leader, Retry-After). */
record HttpReply(int status, String contentType, byte[] body, Map<String, String> headers) {
  static final String TEXT = "text/plain; charset=utf-8";
  static final String JSON = "application/json";
  static final String BINARY = "application/octet-stream";

  HttpReply {
    headers = Map.copyOf(headers);
  }

  static HttpReply text(int status, String text) {
    return new HttpReply(status, TEXT, (text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8),
        Map.of());
  }

  static HttpReply busy(String text, int retryAfterSeconds) {
    HttpReply t = text(503, text);
    return new HttpReply(503, t.contentType(), t.body(), Map.of("Retry-After", Integer.toString(retryAfterSeconds)));
  }

  static HttpReply binary(int status, byte[] body) {
    return new HttpReply(status, BINARY, body, Map.of());
  }

  static HttpReply json(String json) {
    return new HttpReply(200, JSON, json.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  static HttpReply notAllowed(String allowed) {
    HttpReply t = text(405, "method not allowed; use " + allowed);
    return new HttpReply(405, t.contentType(), t.body(), Map.of("Allow", allowed));
  }
}
