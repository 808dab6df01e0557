package dev.bkv.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an audit found, step by step: the log checks first, then one section per fleet
 * epoch in log order (its five audit steps and what changed since the previous epoch). The
 * audit passes only when every step passed; the first failing step is the reason given.
 */
public final class AuditReport {
  /** One audit step and its outcome; {@code detail} says what was checked or what was wrong. */
  public record Step(String name, boolean ok, String detail) {}

  /** One epoch's bundle: where it is in the log, its steps, and the key-set diff. */
  public record EpochSection(long epoch, String fleetId, long logIndex, List<Step> steps, List<String> changes) {
    public EpochSection {
      steps = List.copyOf(steps);
      changes = List.copyOf(changes);
    }

    public boolean ok() {
      return steps.stream().allMatch(Step::ok);
    }
  }

  private final String logOrigin;
  private final List<Step> logSteps = new ArrayList<>();
  private final List<EpochSection> epochs = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  public AuditReport(String logOrigin) {
    this.logOrigin = logOrigin;
  }

  public void logStep(String name, boolean ok, String detail) {
    logSteps.add(new Step(name, ok, detail));
  }

  public void epoch(EpochSection section) {
    epochs.add(section);
  }

  /** Information that is neither a pass nor a failure (for example entries of other namespaces). */
  public void note(String text) {
    notes.add(text);
  }

  /** The log's steps (read, consistency with the last audit, fleet bundles, pinned fleet), in order. */
  public List<Step> logSteps() {
    return List.copyOf(logSteps);
  }

  public List<String> notes() {
    return List.copyOf(notes);
  }

  public String logOrigin() {
    return logOrigin;
  }

  public List<EpochSection> epochs() {
    return List.copyOf(epochs);
  }

  public boolean passed() {
    return firstFailure().isEmpty();
  }

  /** The first failing step, as "step: detail", in report order. */
  public Optional<String> firstFailure() {
    for (Step s : logSteps) {
      if (!s.ok()) {
        return Optional.of(s.name() + ": " + s.detail());
      }
    }
    for (EpochSection e : epochs) {
      for (Step s : e.steps()) {
        if (!s.ok()) {
          return Optional.of("epoch " + e.epoch() + ", " + s.name() + ": " + s.detail());
        }
      }
    }
    return Optional.empty();
  }

  /** The report as a person reads it. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append("BKV fleet audit of log ").append(logOrigin).append('\n');
    for (Step s : logSteps) {
      line(out, "  ", s);
    }
    for (EpochSection e : epochs) {
      out.append('\n').append("epoch ").append(e.epoch()).append("  fleet ").append(e.fleetId())
          .append("  log index ").append(e.logIndex()).append(e.ok() ? "" : "  FAILED").append('\n');
      for (Step s : e.steps()) {
        line(out, "  ", s);
      }
      for (String change : e.changes()) {
        out.append("    change: ").append(change).append('\n');
      }
    }
    for (String note : notes) {
      out.append("note: ").append(note).append('\n');
    }
    out.append('\n').append(passed() ? "AUDIT PASSED" : "AUDIT FAILED: " + firstFailure().get()).append('\n');
    return out.toString();
  }

  /** The report as JSON-ready maps and lists (for {@code bkv audit --json}). */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("log", logOrigin);
    out.put("passed", passed());
    firstFailure().ifPresent(f -> out.put("failure", f));
    out.put("logSteps", steps(logSteps));
    List<Object> sections = new ArrayList<>();
    for (EpochSection e : epochs) {
      Map<String, Object> section = new LinkedHashMap<>();
      section.put("epoch", e.epoch());
      section.put("fleetId", e.fleetId());
      section.put("logIndex", e.logIndex());
      section.put("steps", steps(e.steps()));
      section.put("changes", new ArrayList<Object>(e.changes()));
      sections.add(section);
    }
    out.put("epochs", sections);
    out.put("notes", new ArrayList<Object>(notes));
    return out;
  }

  private static List<Object> steps(List<Step> steps) {
    List<Object> out = new ArrayList<>();
    for (Step s : steps) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", s.name());
      m.put("ok", s.ok());
      m.put("detail", s.detail());
      out.add(m);
    }
    return out;
  }

  private static void line(StringBuilder out, String indent, Step s) {
    out.append(indent).append(s.ok() ? "[ok]   " : "[FAIL] ").append(s.name()).append(": ").append(s.detail()).append('\n');
  }
}
