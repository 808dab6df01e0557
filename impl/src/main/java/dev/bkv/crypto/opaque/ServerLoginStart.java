package dev.bkv.crypto.opaque;

import java.util.Objects;

/** The server's answer to KE1: the KE2 to send and the state to keep for KE3. */
public record ServerLoginStart(KE2 ke2, ServerLoginState state) {
  public ServerLoginStart {
    Objects.requireNonNull(ke2, "ke2");
    Objects.requireNonNull(state, "state");
  }
}
