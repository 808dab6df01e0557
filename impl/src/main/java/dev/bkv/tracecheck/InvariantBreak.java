package dev.bkv.tracecheck;

import java.util.OptionalInt;

/**
 * A safety invariant of QuorumVault that broke while a trace was walked: in trace
 * {@code trace} right after event {@code event}, when the counterexample TLC printed said
 * where (empty when it did not, and then no trace of the batch counts as validated).
 */
public record InvariantBreak(String invariant, OptionalInt trace, OptionalInt event) {
  public String describe() {
    return "invariant " + invariant + " broken"
        + (event.isPresent() ? " after event " + event.getAsInt() : "");
  }
}
