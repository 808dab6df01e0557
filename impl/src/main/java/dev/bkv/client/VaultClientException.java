package dev.bkv.client;

import dev.bkv.hsm.FirmwareResponse;
import java.util.Locale;
import java.util.Optional;

/** Why a client operation could not complete, typed for callers and worded for users. */
public final class VaultClientException extends Exception {
  public enum Kind {
    /** The firmware refused the request; {@link #refusal} says why. */
    REFUSED,
    /** The transport failed. */
    TRANSPORT,
    /** An answer was malformed, unexpected, or failed its authentication. */
    PROTOCOL,
    /** The server's OPAQUE key is not the one this client trusts. */
    UNTRUSTED_SERVER
  }

  private final Kind kind;
  private final FirmwareResponse.Reason refusal;

  public VaultClientException(Kind kind, String message) {
    this(kind, null, message, null);
  }

  public VaultClientException(Kind kind, FirmwareResponse.Reason refusal, String message, Throwable cause) {
    super(kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + message, cause);
    this.kind = kind;
    this.refusal = refusal;
  }

  public Kind kind() {
    return kind;
  }

  public Optional<FirmwareResponse.Reason> refusal() {
    return Optional.ofNullable(refusal);
  }
}
