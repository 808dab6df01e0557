package dev.bkv.crypto.opaque;

import dev.bkv.crypto.P256Group;

/**
 * The sizes of RFC 9807's OPAQUE-3DH configuration P256-SHA256 (OPRF P256-SHA256, HKDF-SHA256,
 * HMAC-SHA256, SHA-256, group P-256), under the RFC's names, and the limits BKV puts on the
 * variable-length inputs.
 */
public final class OpaqueSuite {
  /** Nn: nonce length. */
  public static final int NONCE_BYTES = 32;
  /** Nseed: key-derivation seed length. */
  public static final int SEED_BYTES = 32;
  /** Nh: hash output length (SHA-256). */
  public static final int HASH_BYTES = 32;
  /** Nm: MAC output length (HMAC-SHA256). */
  public static final int MAC_BYTES = 32;
  /** Nx: KDF output length (HKDF-SHA256). */
  public static final int KDF_BYTES = 32;
  /** Npk: serialized public key (compressed P-256 point). */
  public static final int PUBLIC_KEY_BYTES = P256Group.ELEMENT_BYTES;
  /** Nsk: serialized private key. */
  public static final int PRIVATE_KEY_BYTES = P256Group.SCALAR_BYTES;
  /** Noe: serialized OPRF element. */
  public static final int OPRF_ELEMENT_BYTES = P256Group.ELEMENT_BYTES;
  /** Nok: OPRF private key (and its derivation seed) length. */
  public static final int OPRF_KEY_BYTES = P256Group.SCALAR_BYTES;
  /** Ne: envelope length, Nn + Nm. */
  public static final int ENVELOPE_BYTES = NONCE_BYTES + MAC_BYTES;
  /** masked_response length, Npk + Ne. */
  public static final int MASKED_RESPONSE_BYTES = PUBLIC_KEY_BYTES + ENVELOPE_BYTES;

  /** Passwords and recovery codes; the OPRF itself allows up to 2^16 - 1 bytes. */
  public static final int PASSWORD_BYTES_MAX = 4096;
  /** Credential identifiers (user ids, UUIDs, e-mail addresses). */
  public static final int CREDENTIAL_IDENTIFIER_BYTES_MAX = 1024;
  /** Client and server identities; the RFC's encoding allows 2^16 - 1, nothing real needs that. */
  public static final int IDENTITY_BYTES_MAX = 1024;
  /** The shared context string bound into every transcript. */
  public static final int CONTEXT_BYTES_MAX = 1024;

  private OpaqueSuite() {}
}
