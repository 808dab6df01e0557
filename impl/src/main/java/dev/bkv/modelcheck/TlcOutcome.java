package dev.bkv.modelcheck;

/**
 * What one TLC run concluded, read from its output (never from its exit code alone: with
 * {@code -continue} TLC exits 0 after printing violations). The same type states what a
 * manifest expects, where only {@link Ok}, {@link InvariantViolated}, {@link TemporalViolated}
 * and {@link Deadlock} make sense.
 */
public sealed interface TlcOutcome
    permits TlcOutcome.Ok, TlcOutcome.InvariantViolated, TlcOutcome.TemporalViolated,
        TlcOutcome.Deadlock, TlcOutcome.Failed {

  /** Every state was checked (or every trace simulated) and nothing was violated. */
  record Ok() implements TlcOutcome {
    @Override
    public String describe() {
      return "ok";
    }
  }

  /** TLC reached a state that violates the named invariant. */
  record InvariantViolated(String invariant) implements TlcOutcome {
    public InvariantViolated {
      Names.requireIdentifier(invariant, "invariant");
    }

    @Override
    public String describe() {
      return "violates " + invariant;
    }
  }

  /** A temporal property (liveness) was violated. TLC does not say which one. */
  record TemporalViolated() implements TlcOutcome {
    @Override
    public String describe() {
      return "temporal property violated";
    }
  }

  /** TLC reached a state without successors while deadlock checking was on. */
  record Deadlock() implements TlcOutcome {
    @Override
    public String describe() {
      return "deadlock";
    }
  }

  /** TLC did not reach a verdict: parse error, evaluation error, timeout, crash. */
  record Failed(String reason) implements TlcOutcome {
    @Override
    public String describe() {
      return "failed: " + reason;
    }
  }

  /** One short phrase, used in progress lines, tables and verdict reasons. */
  String describe();
}
