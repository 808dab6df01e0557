package dev.bkv.tracecheck;

import java.util.List;

/**
 * The first event of a trace that no step of the spec could match: its number (1 is the
 * header), action and acting HSM, whether the action was possible at all when the logged
 * post-state is ignored, and the logged fields no such step produces.
 */
public record StuckEvent(int trace, int event, String action, int node, boolean actionPossible,
    List<FieldMismatch> fields) {

  /** One post-state field: the value the Java code logged, and the spec's value before the step. */
  public record FieldMismatch(String field, String logged, String before) {}

  public StuckEvent {
    fields = List.copyOf(fields);
  }

  public String describe() {
    StringBuilder out = new StringBuilder("event " + event + " " + action + " of HSM " + node);
    if (!actionPossible) {
      out.append(": the spec cannot take this step here");
    }
    for (FieldMismatch f : fields) {
      out.append("; ").append(f.field()).append(" logged ").append(f.logged()).append(", spec before the step ").append(f.before());
    }
    return out.toString();
  }
}
