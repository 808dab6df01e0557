package dev.bkv.tlog;

/**
 * Malformed input to one of this package's decoders: a note, checkpoint, proof, key, tile
 * path or entry bundle that does not follow its format. The message names what was wrong.
 * Decoders throw nothing else for any input, which the fuzz tests check.
 */
public final class FormatException extends Exception {
  public FormatException(String message) {
    super(message);
  }
}
