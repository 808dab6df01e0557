package dev.bkv.bundle;

import java.util.Optional;

/** The role of a fleet public key in a validation bundle, in the order each HSM lists them. */
public enum KeyRole {
  /** ECDSA P-256 identity key: signs the HSM's attestation and deployment statement. */
  IDENTITY("identity"),
  /** P-256 OPAQUE AKE server key: the key a client sees in KE2 (RFC 9807). */
  OPAQUE("opaque");

  private final String word;

  KeyRole(String word) {
    this.word = word;
  }

  public String word() {
    return word;
  }

  public static Optional<KeyRole> ofWord(String word) {
    for (KeyRole role : values()) {
      if (role.word.equals(word)) {
        return Optional.of(role);
      }
    }
    return Optional.empty();
  }
}
