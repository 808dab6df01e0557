package dev.bkv.sim;

/**
 * An invariant of spec/QuorumVault (or G9) that a simulation broke: which one, at which step
 * and tick, and the HSMs and entries involved.
 */
public record Violation(String invariant, long step, long tick, String detail) {
  @Override
  public String toString() {
    return invariant + " violated at step " + step + ", tick " + tick + ": " + detail;
  }

  /** Thrown by the checker; the simulator turns it into its result. */
  public static final class Found extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final transient Violation violation;

    public Found(Violation violation) {
      super(violation.toString(), null, false, false);
      this.violation = violation;
    }
  }
}
