package dev.bkv.tracecheck;

import dev.bkv.base.Json;
import dev.bkv.modelcheck.SpecCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** The hand-made batch of three traces, and corrupted copies of its valid trace 1. */
final class HandTraces {
  private HandTraces() {}

  /** Generous: one run takes a few seconds. */
  static final Duration TIMEOUT = Duration.ofMinutes(3);

  static List<String> batch() throws IOException {
    String text;
    try (InputStream in = HandTraces.class.getResourceAsStream("/tracecheck/hand.json")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> traces = new ArrayList<>();
    for (Object trace : (List<?>) Json.parse(text)) {
      traces.add(Json.write(trace));
    }
    return traces;
  }

  /** A copy of the valid trace with {@code change} applied to its events (0 is the header). */
  @SuppressWarnings("unchecked")
  static String corrupted(Consumer<List<Map<String, Object>>> change) throws IOException {
    List<Map<String, Object>> events = (List<Map<String, Object>>) mutable(Json.parse(batch().get(0)));
    change.accept(events);
    return Json.write(events);
  }

  /** A copy of a parsed JSON value whose maps and lists can be changed. */
  private static Object mutable(Object json) {
    if (json instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      ((Map<?, ?>) json).forEach((k, v) -> copy.put((String) k, mutable(v)));
      return copy;
    }
    if (json instanceof List) {
      List<Object> copy = new ArrayList<>();
      ((List<?>) json).forEach(v -> copy.add(mutable(v)));
      return copy;
    }
    return json;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> field(Map<String, Object> event, String name) {
    return (Map<String, Object>) event.get(name);
  }

  static TraceValidation.Settings settings(Path workDir, Set<String> bugs) throws Exception {
    return new TraceValidation.Settings(SpecCatalog.locateSpecRoot(Path.of("")), workDir, bugs, 1, TIMEOUT);
  }
}
