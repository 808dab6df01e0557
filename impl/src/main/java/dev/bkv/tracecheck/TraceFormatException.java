package dev.bkv.tracecheck;

/** A trace file that cannot become TLA+ values; the message names the file and the place. */
public final class TraceFormatException extends RuntimeException {
  public TraceFormatException(String message) {
    super(message);
  }
}
