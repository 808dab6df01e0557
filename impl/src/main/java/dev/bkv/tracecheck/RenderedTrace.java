package dev.bkv.tracecheck;

import dev.bkv.base.Json;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One trace as the simulator rendered it (a JSON array of events, format {@code bkv-trace/1})
 * with what the checker reads from it without TLC: the header's fleet size, users, seed and
 * schedule, and the action of every later event.
 */
public record RenderedTrace(String json, int hsms, List<String> users, String seed, String schedule,
    List<String> actions, int outOfRangeEvent) {

  /** Largest fleet a trace may describe (the spec's Server set is enumerated by TLC). */
  public static final int HSMS_MAX = 15;
  /** Most users in a header. */
  public static final int USERS_MAX = 64;
  /** Most events in one trace, header included. */
  public static final int EVENTS_MAX = 100_000;
  /** Longest rendered trace, in characters. */
  public static final int TRACE_CHARS_MAX = 64 << 20;

  /** A user name that can stand in a TLA+ string literal as it is. */
  private static final Pattern USER = Pattern.compile("[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,64}");

  public RenderedTrace {
    users = List.copyOf(users);
    actions = List.copyOf(actions);
  }

  /** Reads trace {@code number} (1-based, as TLC numbers it) of a batch. */
  public static RenderedTrace parse(String json, int number) {
    String where = "trace " + number + ": ";
    if (json.length() > TRACE_CHARS_MAX) {
      throw new TraceCheckException(where + "longer than " + TRACE_CHARS_MAX + " characters");
    }
    Object value;
    try {
      value = Json.parse(json);
    } catch (Json.ParseException e) {
      throw new TraceCheckException(where + "not valid JSON: " + e.getMessage());
    }
    if (!(value instanceof List) || ((List<?>) value).isEmpty()) {
      throw new TraceCheckException(where + "must be a non-empty JSON array of events");
    }
    List<?> events = (List<?>) value;
    if (events.size() > EVENTS_MAX) {
      throw new TraceCheckException(where + "more than " + EVENTS_MAX + " events");
    }
    Map<?, ?> header = object(events.get(0), where + "event 1");
    if (!"Init".equals(header.get("action"))) {
      throw new TraceCheckException(where + "event 1 must be the header, with action \"Init\"");
    }
    Object hsms = header.get("hsms");
    if (!(hsms instanceof BigInteger) || ((BigInteger) hsms).signum() <= 0
        || ((BigInteger) hsms).compareTo(BigInteger.valueOf(HSMS_MAX)) > 0) {
      throw new TraceCheckException(where + "header's hsms must be an integer in 1.." + HSMS_MAX);
    }
    List<String> actions = new ArrayList<>();
    int outOfRange = 0;
    for (int i = 1; i < events.size(); i++) {
      if (outOfRange == 0 && !fitsTlc(events.get(i))) {
        outOfRange = i + 1;
      }
      Object action = object(events.get(i), where + "event " + (i + 1)).get("action");
      if (!(action instanceof String)) {
        throw new TraceCheckException(where + "event " + (i + 1) + " has no string action");
      }
      actions.add((String) action);
    }
    return new RenderedTrace(json, ((BigInteger) hsms).intValueExact(), users(header.get("users"), where),
        string(header, "seed", where), string(header, "schedule", where), actions, outOfRange);
  }

  /**
   * Whether every integer in {@code value} fits TLC's 32-bit integers. One that does not (a
   * term a tampered message carried, say) is no value of any spec behaviour, whose bounds are
   * far smaller; such a trace is rejected without TLC, so that it cannot stop TLC's batch.
   */
  private static boolean fitsTlc(Object value) {
    if (value instanceof BigInteger) {
      return ((BigInteger) value).bitLength() < Integer.SIZE;
    }
    if (value instanceof List) {
      return ((List<?>) value).stream().allMatch(RenderedTrace::fitsTlc);
    }
    if (value instanceof Map) {
      return ((Map<?, ?>) value).values().stream().allMatch(RenderedTrace::fitsTlc);
    }
    return true;
  }

  private static Map<?, ?> object(Object value, String where) {
    if (!(value instanceof Map)) {
      throw new TraceCheckException(where + " must be a JSON object");
    }
    return (Map<?, ?>) value;
  }

  private static String string(Map<?, ?> header, String field, String where) {
    Object value = header.get(field);
    if (!(value instanceof String)) {
      throw new TraceCheckException(where + "header's " + field + " must be a string");
    }
    return (String) value;
  }

  private static List<String> users(Object value, String where) {
    if (!(value instanceof List) || ((List<?>) value).size() > USERS_MAX) {
      throw new TraceCheckException(where + "header's users must be an array of at most " + USERS_MAX + " names");
    }
    List<String> users = new ArrayList<>();
    for (Object user : (List<?>) value) {
      if (!(user instanceof String) || !USER.matcher((String) user).matches()) {
        throw new TraceCheckException(where + "user " + Json.write(user)
            + " must be 1 to 64 printable ASCII characters without quote or backslash");
      }
      users.add((String) user);
    }
    return users;
  }
}
