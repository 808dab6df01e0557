package dev.bkv.tracecheck;

import java.util.List;
import java.util.Optional;

/**
 * What TLC concluded about one trace of a batch, with the seed and schedule that replay it.
 * A trace is accepted only when some behaviour of the spec matched all its events and no
 * safety invariant broke on the way.
 */
public record TraceVerdict(int trace, String seed, String schedule, Status status, Optional<StuckEvent> stuck,
    List<InvariantBreak> breaks) {

  public enum Status {
    /** Every event matched a step of the spec. */
    ACCEPTED,
    /** No step of the spec matched event {@code stuck().event()}. */
    REJECTED,
    /** The spec has no initial state for the header (a placement it refuses, say). */
    NO_INITIAL_STATE,
    /** A safety invariant of the spec broke while the trace was walked. */
    INVARIANT_BROKEN,
    /** An event logs an integer outside TLC's 32-bit range: no behaviour of the spec has it. */
    OUT_OF_RANGE,
    /** TLC stopped (an error, a time limit, cut output) before deciding. */
    UNCHECKED
  }

  public TraceVerdict {
    breaks = List.copyOf(breaks);
  }

  public boolean accepted() {
    return status == Status.ACCEPTED;
  }

  /** One line: which trace, how to replay it, and why it was not accepted. */
  public String describe() {
    String head = "trace " + trace + " (seed " + seed + ", schedule " + schedule + "): ";
    switch (status) {
      case ACCEPTED:
        return head + "accepted";
      case REJECTED:
        return head + "rejected at " + stuck.orElseThrow().describe();
      case NO_INITIAL_STATE:
        return head + "rejected: no initial state of the spec matches its header";
      case OUT_OF_RANGE:
        return head + "rejected: an event logs an integer outside TLC's 32-bit range, which no behaviour of the spec"
            + " reaches";
      case INVARIANT_BROKEN:
        return head + "rejected: " + String.join("; ", breaks.stream().map(InvariantBreak::describe).toList());
      default:
        return head + "not checked: TLC stopped before deciding";
    }
  }
}
