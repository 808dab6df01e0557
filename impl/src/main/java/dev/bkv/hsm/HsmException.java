package dev.bkv.hsm;

import java.util.Locale;

/** A typed failure at the HSM boundary; the firmware turns it into a refusal, never a stack trace. */
public final class HsmException extends Exception {
  public enum Reason {
    /** {@link Hsm#tamper} ran: every key is gone and every call fails. */
    ZEROIZED,
    /** A sealed blob did not authenticate under the sealing key and the associated data given. */
    UNSEAL_FAILED,
    /** The HSM's own persistent memory (NVRAM or key store) could not be read or written. */
    NVRAM_FAILED,
    /** The PKCS#11 token refused an operation or could not be reached. */
    TOKEN_FAILED,
    /**
     * A fleet secrets transfer was refused: no pending transport offer, a message for another
     * HSM or ceremony, a signature or ciphertext that does not verify, or an HSM that has
     * already served a vault.
     */
    FLEET_SECRETS_REFUSED
  }

  private final Reason reason;

  public HsmException(Reason reason, String message) {
    super(reason.name().toLowerCase(Locale.ROOT) + ": " + message);
    this.reason = reason;
  }

  public HsmException(Reason reason, String message, Throwable cause) {
    super(reason.name().toLowerCase(Locale.ROOT) + ": " + message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
