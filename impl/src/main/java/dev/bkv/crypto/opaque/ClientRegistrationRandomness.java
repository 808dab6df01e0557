package dev.bkv.crypto.opaque;

import dev.bkv.crypto.P256Group.Scalar;
import java.security.SecureRandom;
import java.util.Objects;

/** The client's random choices for one registration: the OPRF blind and the envelope nonce. */
public record ClientRegistrationRandomness(Scalar blind, Nonce envelopeNonce) {
  public ClientRegistrationRandomness {
    Objects.requireNonNull(blind, "blind");
    Objects.requireNonNull(envelopeNonce, "envelope_nonce");
  }

  public static ClientRegistrationRandomness generate(SecureRandom random) {
    return new ClientRegistrationRandomness(Scalar.random(random), Nonce.random(random));
  }
}
