package dev.bkv.fleet;

/** A fleet configuration text that does not follow its format; the message names what was wrong. */
public final class FleetFormatException extends Exception {
  public FleetFormatException(String message) {
    super(message);
  }
}
