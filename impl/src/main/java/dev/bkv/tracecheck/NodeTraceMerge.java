package dev.bkv.tracecheck;

import dev.bkv.base.Json;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the trace files of a fleet's node processes ({@code bkv-node-trace/1}, one per node,
 * spec/FORMATS.md "Trace events") into one {@code bkv-trace/1} trace that TLC can check:
 * events merged by their machine-wide monotonic timestamp (each node stamps an event after its
 * step and before its sends, so every send comes before its receipt), registrations numbered
 * across the fleet in order of first appearance, every user's vault view filled in, and each
 * {@code ClientGuess} given the rightness of the client operation it served.
 *
 * <p>A node killed in the middle of writing a line leaves a last line that does not parse; it
 * is dropped, which is right because the step's writes and sends come after its line. Any
 * other line that does not parse, or an event the node could not render, fails the merge.
 */
public final class NodeTraceMerge {
  public static final String NODE_FORMAT = "bkv-node-trace/1";
  /** Events of one merged trace, at most (as a recorded trace). */
  public static final int EVENTS_MAX = 200_000;
  /** Bytes of one node's trace file, at most. */
  public static final long FILE_BYTES_MAX = 1L << 30;

  /** One client operation of a user, between two timestamps of the same clock: its guesses had this rightness. */
  public record ClientOp(String user, long startNanos, long endNanos, boolean right) {}

  /** A merged trace and what was dropped while merging. */
  public record Merged(String traceJson, int events, int truncatedLines) {}

  private NodeTraceMerge() {}

  /**
   * Merges {@code files} (any order) into one trace of {@code hsms} HSMs placed as {@code sites}
   * (datacenters as lists of HSM numbers) serving {@code users}; {@code ops} are the clients'
   * operations, each user's strictly one after the other.
   */
  public static Merged merge(List<Path> files, int hsms, List<List<Integer>> sites, List<String> users,
      List<ClientOp> ops) throws IOException {
    List<Map<String, Object>> events = new ArrayList<>();
    int truncated = 0;
    for (Path file : files) {
      truncated += read(file, events);
    }
    events.sort(Comparator.comparing(e -> (BigInteger) e.get("t")));
    Map<String, Integer> regs = new HashMap<>();
    List<Object> trace = new ArrayList<>(events.size() + 1);
    trace.add(init(hsms, sites, users));
    for (Map<String, Object> e : events) {
      BigInteger t = (BigInteger) e.remove("t");
      if (e.containsKey("unrendered")) {
        throw new TraceFormatException("node " + e.get("node") + "'s " + e.get("action") + " event at t=" + t
            + " could not be rendered: " + e.get("unrendered"));
      }
      if ("ClientGuess".equals(e.get("action"))) {
        e.put("right", rightness(ops, userOf(e), t.longValue()));
      }
      renumber(e, regs);
      Object post = e.get("post");
      if (post instanceof Map) {
        fillVault(cast(post), users);
      }
      trace.add(e);
    }
    return new Merged(Json.write(trace), events.size(), truncated);
  }

  private static int read(Path file, List<Map<String, Object>> into) throws IOException {
    if (Files.size(file) > FILE_BYTES_MAX) {
      throw new TraceFormatException(file + ": longer than " + FILE_BYTES_MAX + " bytes");
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new TraceFormatException(file + ": empty, not a " + NODE_FORMAT + " file");
    }
    int truncated = 0;
    for (int k = 0; k < lines.size(); k++) {
      Map<String, Object> line;
      try {
        line = cast(mutable(Json.parseObject(lines.get(k))));
      } catch (Json.ParseException e) {
        if (k == lines.size() - 1 || isHeader(lines.get(k + 1))) {
          truncated++;
          continue; // the node was killed while writing this line (a restart's header may follow)
        }
        throw new TraceFormatException(file + " line " + (k + 1) + ": " + e.getMessage());
      }
      if (NODE_FORMAT.equals(line.get("format"))) {
        continue; // the header, written again by each start of the node
      }
      if (k == 0) {
        throw new TraceFormatException(file + ": first line is not a " + NODE_FORMAT + " header");
      }
      if (!(line.get("t") instanceof BigInteger) || !(line.get("action") instanceof String)) {
        throw new TraceFormatException(file + " line " + (k + 1) + ": an event needs 't' and 'action'");
      }
      into.add(line);
      if (into.size() > EVENTS_MAX) {
        throw new TraceFormatException("more than " + EVENTS_MAX + " events in the node traces");
      }
    }
    return truncated;
  }

  private static boolean isHeader(String line) {
    try {
      return NODE_FORMAT.equals(Json.parseObject(line).get("format"));
    } catch (Json.ParseException e) {
      return false;
    }
  }

  private static Map<String, Object> init(int hsms, List<List<Integer>> sites, List<String> users) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("action", "Init");
    m.put("hsms", hsms);
    m.put("sites", sites);
    m.put("users", users);
    m.put("seed", "processes");
    m.put("schedule", "node processes");
    return m;
  }

  private static String userOf(Map<String, Object> event) {
    Object cmd = event.get("cmd");
    if (!(cmd instanceof Map) || !(cast(cmd).get("user") instanceof String)) {
      throw new TraceFormatException("a ClientGuess without its user: " + Json.write(event));
    }
    return (String) cast(cmd).get("user");
  }

  private static boolean rightness(List<ClientOp> ops, String user, long t) {
    for (ClientOp op : ops) {
      if (op.user().equals(user) && op.startNanos() <= t && t <= op.endNanos()) {
        return op.right();
      }
    }
    throw new TraceFormatException("a guess of " + user + " at t=" + t + " within no client operation of that user");
  }

  /** Registration ids, logged per node as hex, become 1, 2, ... in order of first appearance in the merged trace. */
  private static void renumber(Object value, Map<String, Integer> regs) {
    if (value instanceof Map) {
      Map<String, Object> m = cast(value);
      for (Map.Entry<String, Object> entry : m.entrySet()) {
        if (entry.getKey().equals("reg") && entry.getValue() instanceof String) {
          entry.setValue(regs.computeIfAbsent((String) entry.getValue(), r -> regs.size() + 1));
        } else {
          renumber(entry.getValue(), regs);
        }
      }
    } else if (value instanceof List) {
      for (Object item : (List<?>) value) {
        renumber(item, regs);
      }
    }
  }

  /** Every user of the trace in the acting HSM's vault view, in the header's order; a user it lacks has no record. */
  private static void fillVault(Map<String, Object> post, List<String> users) {
    Map<String, Object> logged = post.get("vault") instanceof Map ? cast(post.get("vault")) : Map.of();
    Map<String, Object> vault = new LinkedHashMap<>();
    for (String u : users) {
      Object v = logged.get(u);
      if (v == null) {
        Map<String, Object> none = new LinkedHashMap<>();
        none.put("reg", 0);
        none.put("phase", "None");
        none.put("used", 0);
        v = none;
      }
      vault.put(u, v);
    }
    for (String u : logged.keySet()) {
      if (!users.contains(u)) {
        throw new TraceFormatException("the vault holds user '" + u + "', who is not one of the trace's users " + users);
      }
    }
    post.put("vault", vault);
  }

  /** A deep copy of parsed JSON that can be changed in place (the parser's maps and lists cannot). */
  private static Object mutable(Object value) {
    if (value instanceof Map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<String, Object> entry : cast(value).entrySet()) {
        copy.put(entry.getKey(), mutable(entry.getValue()));
      }
      return copy;
    }
    if (value instanceof List) {
      List<Object> copy = new ArrayList<>();
      for (Object item : (List<?>) value) {
        copy.add(mutable(item));
      }
      return copy;
    }
    return value;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object o) {
    return (Map<String, Object>) o;
  }
}
