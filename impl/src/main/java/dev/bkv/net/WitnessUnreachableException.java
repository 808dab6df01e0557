package dev.bkv.net;

import java.io.IOException;

/** No connection to the witness could be made, so nothing was sent: a caller may undo what it prepared for the request. */
public final class WitnessUnreachableException extends IOException {
  public WitnessUnreachableException(String message, Throwable cause) {
    super(message, cause);
  }
}
