package dev.bkv.crypto.opaque;

import java.util.Objects;

/** The client's verdict on KE2 (RFC 9807 GenerateKE3). */
public sealed interface ClientLoginResult permits ClientLoginResult.ClientLoginSucceeded, ClientLoginResult.ClientLoginFailed {

  /** Why a login failed on the client. */
  enum Reason {
    /** Recover: the envelope's auth_tag did not verify. Wrong password, or a tampered record or response. */
    ENVELOPE_RECOVERY_FAILED("EnvelopeRecoveryError: wrong password, or the record or response was altered"),
    /** AuthClientFinalize: server_mac did not verify. */
    SERVER_AUTHENTICATION_FAILED("ServerAuthenticationError: server MAC did not verify"),
    /** The authenticated server key is not a P-256 point (a record made by a non-validating client). */
    INVALID_SERVER_PUBLIC_KEY("the server public key sealed in the envelope is not a valid P-256 point");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  boolean succeeded();

  /** Send {@code ke3}; {@code sessionKey} is shared with the server, {@code exportKey} is the client's alone. */
  record ClientLoginSucceeded(KE3 ke3, SessionKey sessionKey, ExportKey exportKey) implements ClientLoginResult {
    public ClientLoginSucceeded {
      Objects.requireNonNull(ke3, "ke3");
      Objects.requireNonNull(sessionKey, "sessionKey");
      Objects.requireNonNull(exportKey, "exportKey");
    }

    @Override
    public boolean succeeded() {
      return true;
    }
  }

  record ClientLoginFailed(Reason reason) implements ClientLoginResult {
    public ClientLoginFailed {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public boolean succeeded() {
      return false;
    }
  }
}
