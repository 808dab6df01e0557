package dev.bkv.hsm;

import java.util.Locale;

/** Why the firmware refused to start from what the host handed it. Nothing is answered until it does. */
public final class BootException extends Exception {
  public enum Reason {
    /** The host's storage is older than the version the HSM's NVRAM acknowledged. */
    ROLLBACK,
    /** The host's storage claims versions the HSM never acknowledged or could not have written. */
    AHEAD,
    /** The storage reaches the acknowledged version by a different history (a substituted entry). */
    FORKED,
    /** A sealed snapshot or log entry does not authenticate or does not decode. */
    TAMPERED,
    /** The storage could not be read or is not in the storage format. */
    STORAGE,
    /** The HSM refused (zeroized, NVRAM unreadable). */
    HSM
  }

  private final Reason reason;

  public BootException(Reason reason, String message) {
    super(reason.name().toLowerCase(Locale.ROOT) + ": " + message);
    this.reason = reason;
  }

  public BootException(Reason reason, String message, Throwable cause) {
    super(reason.name().toLowerCase(Locale.ROOT) + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
