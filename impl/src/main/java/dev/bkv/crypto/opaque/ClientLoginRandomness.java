package dev.bkv.crypto.opaque;

import dev.bkv.crypto.P256Group.Scalar;
import java.security.SecureRandom;
import java.util.Objects;

/** The client's random choices for one login: the OPRF blind, client_nonce and client_keyshare_seed. */
public record ClientLoginRandomness(Scalar blind, Nonce clientNonce, KeyshareSeed clientKeyshareSeed) {
  public ClientLoginRandomness {
    Objects.requireNonNull(blind, "blind");
    Objects.requireNonNull(clientNonce, "client_nonce");
    Objects.requireNonNull(clientKeyshareSeed, "client_keyshare_seed");
  }

  public static ClientLoginRandomness generate(SecureRandom random) {
    return new ClientLoginRandomness(Scalar.random(random), Nonce.random(random), KeyshareSeed.random(random));
  }
}
