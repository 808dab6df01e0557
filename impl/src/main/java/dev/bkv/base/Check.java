package dev.bkv.base;

/**
 * Invariant checks that always run. Java {@code assert} is off in production, so
 * safety-critical conditions call {@link #that} instead: one condition per call, with a
 * message that names the invariant.
 */
public final class Check {
  private Check() {}

  /** Thrown when an invariant the code relies on does not hold. Never caught to continue. */
  public static final class InvariantViolation extends RuntimeException {
    public InvariantViolation(String message) {
      super(message);
    }
  }

  public static void that(boolean condition, String invariant) {
    if (!condition) {
      throw new InvariantViolation(invariant);
    }
  }
}
