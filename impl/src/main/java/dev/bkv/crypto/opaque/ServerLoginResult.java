package dev.bkv.crypto.opaque;

import java.util.Objects;

/** The server's verdict on KE3 (RFC 9807 ServerFinish). */
public sealed interface ServerLoginResult permits ServerLoginResult.LoginSucceeded, ServerLoginResult.LoginFailed {

  /** Why a login failed on the server. */
  enum Reason {
    /** AuthServerFinalize: client_mac did not verify (wrong password, tampering, or replay). */
    CLIENT_AUTHENTICATION_FAILED("ClientAuthenticationError: client MAC did not verify");

    private final String description;

    Reason(String description) {
      this.description = description;
    }

    public String description() {
      return description;
    }
  }

  boolean succeeded();

  /** The client proved knowledge of the password; both sides hold {@code sessionKey}. */
  record LoginSucceeded(SessionKey sessionKey) implements ServerLoginResult {
    public LoginSucceeded {
      Objects.requireNonNull(sessionKey, "sessionKey");
    }

    @Override
    public boolean succeeded() {
      return true;
    }
  }

  record LoginFailed(Reason reason) implements ServerLoginResult {
    public LoginFailed {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public boolean succeeded() {
      return false;
    }
  }
}
