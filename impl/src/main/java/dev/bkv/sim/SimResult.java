package dev.bkv.sim;

import java.util.Optional;

/** What one simulation did: steps and ticks run, outcomes released, and the violation found, if any. */
public record SimResult(long steps, long ticks, long released, long committed, long messagesSent,
    Optional<Violation> violation) {
  public boolean ok() {
    return violation.isEmpty();
  }
}
