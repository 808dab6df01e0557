package dev.bkv.crypto.opaque;

import java.security.SecureRandom;
import java.util.Objects;

/**
 * The server's random choices for one login: masking_nonce, server_nonce,
 * server_keyshare_seed, and the masking_key of the fake record. The last is drawn on every
 * login, registered user or not, so both paths consume the same randomness.
 */
public record ServerLoginRandomness(
    Nonce maskingNonce, Nonce serverNonce, KeyshareSeed serverKeyshareSeed, MaskingKey fakeMaskingKey) {
  public ServerLoginRandomness {
    Objects.requireNonNull(maskingNonce, "masking_nonce");
    Objects.requireNonNull(serverNonce, "server_nonce");
    Objects.requireNonNull(serverKeyshareSeed, "server_keyshare_seed");
    Objects.requireNonNull(fakeMaskingKey, "fake masking_key");
  }

  public static ServerLoginRandomness generate(SecureRandom random) {
    return new ServerLoginRandomness(
        Nonce.random(random), Nonce.random(random), KeyshareSeed.random(random), MaskingKey.random(random));
  }
}
