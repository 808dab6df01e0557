package dev.bkv.tracecheck;

/** A batch of traces that cannot be checked as given; the message says what was wrong. */
public final class TraceCheckException extends IllegalArgumentException {
  public TraceCheckException(String message) {
    super(message);
  }
}
