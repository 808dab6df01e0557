package dev.bkv.crypto.opaque;

import java.util.Objects;

/** The KE1 to send and the state to keep for KE2. */
public record ClientLoginStart(KE1 ke1, ClientLoginState state) {
  public ClientLoginStart {
    Objects.requireNonNull(ke1, "ke1");
    Objects.requireNonNull(state, "state");
  }
}
