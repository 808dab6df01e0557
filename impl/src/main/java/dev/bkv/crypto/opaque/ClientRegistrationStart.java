package dev.bkv.crypto.opaque;

import java.util.Objects;

/** The registration request to send and the state to keep for the response. */
public record ClientRegistrationStart(RegistrationRequest request, ClientRegistrationState state) {
  public ClientRegistrationStart {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(state, "state");
  }
}
