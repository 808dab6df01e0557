package dev.bkv.tracecheck;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads TraceQuorumVault's reports from TLC's output, line by line: {@code TRACE_OK} and
 * {@code TRACE_STUCK} values (which TLC wraps over several lines when they are long), and
 * invariant violations with the trace and event of the state that broke them.
 */
final class TraceOutput {
  /** Longest report value read, in characters; a longer one makes the run unreadable. */
  static final int RECORD_CHARS_MAX = 1 << 20;
  /** Most distinct (invariant, trace) violations kept. */
  static final int BREAKS_MAX = 1000;
  /** Longest excerpt of an unreadable line quoted in the problem. */
  static final int EXCERPT_CHARS_MAX = 200;

  private static final Pattern REPORT_START = Pattern.compile("^<<\\s*\"TRACE_");
  private static final Pattern INVARIANT = Pattern.compile("^Error: Invariant (\\w+) is violated");
  private static final Pattern STATE_VAR = Pattern.compile("^/\\\\ ([tl]) = (\\d+)$");
  private static final String FINISHED = "Finished in ";

  private final Set<Integer> accepted = new TreeSet<>();
  private final Map<Integer, StuckEvent> stuck = new HashMap<>();
  private final Map<String, InvariantBreak> breaks = new java.util.LinkedHashMap<>();
  private StringBuilder report;
  private int reportDepth;
  private String invariant;
  private int stateTrace = -1;
  private int stateEvent = -1;
  private boolean finished;
  private String problem;

  void accept(String line) {
    if (report != null) {
      append(line);
      return;
    }
    if (REPORT_START.matcher(line).find()) {
      endViolation();
      report = new StringBuilder();
      reportDepth = 0;
      append(line);
      return;
    }
    Matcher m = INVARIANT.matcher(line);
    if (m.find()) {
      endViolation();
      invariant = m.group(1);
      return;
    }
    if (invariant != null) {
      m = STATE_VAR.matcher(line);
      if (m.find()) {
        int value = Integer.parseInt(m.group(2));
        if (m.group(1).equals("t")) {
          stateTrace = value;
        } else {
          stateEvent = value;
        }
        return;
      }
      // A counterexample is "State n:" headers, "/\ var = value" lines, their wrapped
      // continuations (indented) and blank lines; anything else ends it.
      if (line.isEmpty() || line.startsWith("State ") || line.startsWith("/\\ ") || line.startsWith(" ")
          || line.startsWith("Error: The behavior")) {
        return;
      }
      endViolation();
    }
    if (line.startsWith(FINISHED)) {
      finished = true;
    }
  }

  private void append(String line) {
    if (report.length() + line.length() + 1 > RECORD_CHARS_MAX) {
      problem("a report of TLC longer than " + RECORD_CHARS_MAX + " characters", report.toString());
      report = null;
      return;
    }
    report.append(line).append('\n');
    // TLC never breaks a line inside a string or a bracket token, so depths add up by line.
    reportDepth += TlaText.depth(line);
    if (reportDepth <= 0) {
      String text = TlaText.normalize(report.toString());
      report = null;
      if (reportDepth < 0 || !read(text)) {
        problem("an unreadable report of TLC", text);
      }
    }
  }

  /** One {@code <<"TRACE_OK", t>>} or {@code <<"TRACE_STUCK", t, l, action, i, possible, fields>>}. */
  private boolean read(String text) {
    List<String> items = TlaText.tuple(text);
    if (items.size() == 2 && "TRACE_OK".equals(TlaText.string(items.get(0))) && isInt(items.get(1))) {
      accepted.add(Integer.parseInt(items.get(1)));
      return true;
    }
    if (items.size() != 7 || !"TRACE_STUCK".equals(TlaText.string(items.get(0))) || !isInt(items.get(1))
        || !isInt(items.get(2)) || TlaText.string(items.get(3)) == null || !isInt(items.get(4))) {
      return false;
    }
    List<StuckEvent.FieldMismatch> fields = new ArrayList<>();
    if (!items.get(6).equals("<<>>")) {
      List<String[]> record = TlaText.record(items.get(6));
      if (record.isEmpty()) {
        return false;
      }
      for (String[] field : record) {
        List<String> pair = TlaText.tuple(field[1]);
        if (pair.size() != 2) {
          return false;
        }
        fields.add(new StuckEvent.FieldMismatch(field[0], pair.get(0), pair.get(1)));
      }
    }
    StuckEvent event = new StuckEvent(Integer.parseInt(items.get(1)), Integer.parseInt(items.get(2)),
        TlaText.string(items.get(3)), Integer.parseInt(items.get(4)), items.get(5).equals("TRUE"), fields);
    // Each branch that stops prints its own report: the one that got furthest explains the trace.
    stuck.merge(event.trace(), event, (old, now) -> now.event() > old.event() ? now : old);
    return true;
  }

  private void endViolation() {
    if (invariant == null) {
      return;
    }
    OptionalInt trace = stateTrace > 0 ? OptionalInt.of(stateTrace) : OptionalInt.empty();
    // The state's cursor points at the next event: the one that led to it is the one before.
    OptionalInt event = stateTrace > 0 && stateEvent > 1 ? OptionalInt.of(stateEvent - 1) : OptionalInt.empty();
    String key = invariant + " " + trace;
    InvariantBreak found = new InvariantBreak(invariant, trace, event);
    InvariantBreak old = breaks.get(key);
    if (old == null && breaks.size() < BREAKS_MAX) {
      breaks.put(key, found);
    } else if (old != null && event.orElse(0) < old.event().orElse(0)) {
      breaks.put(key, found);
    }
    invariant = null;
    stateTrace = -1;
    stateEvent = -1;
  }

  private void problem(String what, String text) {
    if (problem == null) {
      problem = what + ": " + (text.length() > EXCERPT_CHARS_MAX ? text.substring(0, EXCERPT_CHARS_MAX) + "..." : text);
    }
  }

  private static boolean isInt(String text) {
    return text.matches("-?\\d{1,9}");
  }

  /** Call once the output has ended. */
  void end() {
    endViolation();
    if (report != null) {
      problem("a report of TLC cut off by the end of the output", report.toString());
      report = null;
    }
  }

  Set<Integer> accepted() {
    return accepted;
  }

  Optional<StuckEvent> stuck(int trace) {
    return Optional.ofNullable(stuck.get(trace));
  }

  List<InvariantBreak> breaks() {
    return List.copyOf(breaks.values());
  }

  /** TLC printed its closing line: the output was not cut short. */
  boolean finished() {
    return finished;
  }

  Optional<String> problem() {
    return Optional.ofNullable(problem);
  }
}
