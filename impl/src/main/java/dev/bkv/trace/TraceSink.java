package dev.bkv.trace;

/**
 * Where a fleet's trace events go. Callers build an event only when {@link #enabled()} is
 * true, so an untraced fleet pays one boolean check per step and allocates nothing.
 */
public interface TraceSink {
  /** Traces nothing: the default of every HSM and simulation. */
  TraceSink NONE = new TraceSink() {
    @Override
    public boolean enabled() {
      return false;
    }

    @Override
    public void record(TraceEvent event) {
      throw new IllegalStateException("TraceSink.NONE records nothing; check enabled() first");
    }
  };

  boolean enabled();

  /** One event, after the step it describes took effect. */
  void record(TraceEvent event);

  /**
   * Whether the client of the next {@code ClientGuess} uses the right password: only the
   * client knows, and the spec's action takes it as an argument.
   */
  default void nextGuessRight(boolean right) {}
}
