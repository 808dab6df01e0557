package dev.bkv.hsm;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.storage.NvramImage;
import java.security.SecureRandom;

/**
 * The trust boundary as the firmware sees it. Keys are generated inside and never leave:
 * the identity signing key (ECDSA P-256, so a PKCS#11 token can hold it and a vendor
 * certificate can vouch for it), the sealing key (AES-256-GCM), and the OPAQUE server
 * setup (oprf_seed and AKE key), which only code running inside the boundary may use.
 *
 * <p>Sealing uses a fresh random 96-bit nonce per call. Counter nonces would need an NVRAM
 * write before every seal, and a crash between sealing and that write would reuse a nonce,
 * which breaks GCM outright; random nonces need no state. NIST SP 800-38D §8.3 allows
 * 2^32 random-nonce seals per key: the firmware seals one log entry per state change (and
 * a snapshot every {@code SNAPSHOT_INTERVAL_ENTRIES}) and refuses to go past
 * {@link #SEALS_PER_KEY_MAX} versions.
 *
 * <p>NVRAM is {@link NvramImage#SLOTS} cells, each a counter that never decreases with up
 * to {@link NvramImage#SLOT_BYTES_MAX} bytes bound to it; a write replaces one cell
 * atomically. Implementations enforce monotonicity with {@link NvramRules#checkAdvance}.
 *
 * <p>After {@link #tamper}, every key is zeroized and every method throws
 * {@link HsmException.Reason#ZEROIZED}.
 */
public interface Hsm {
  /** Sealed blobs are {@code nonce (12) || ciphertext || tag (16)}. */
  int SEAL_OVERHEAD_BYTES = 12 + 16;

  /** SP 800-38D §8.3: at most 2^32 invocations of GCM with random 96-bit nonces per key. */
  long SEALS_PER_KEY_MAX = 1L << 32;

  HsmId id() throws HsmException;

  EcdsaP256.PublicKey identityPublicKey() throws HsmException;

  /**
   * Signs with the identity key. Messages must be self-describing (begin with a format line
   * such as "BKV HSM attestation v1") so that a signature for one purpose is never valid for
   * another.
   */
  EcdsaP256.Signature signWithIdentity(byte[] message) throws HsmException;

  /** AES-256-GCM under the sealing key, with a fresh random nonce. */
  byte[] seal(byte[] associatedData, byte[] plaintext) throws HsmException;

  /** Opens a sealed blob; {@link HsmException.Reason#UNSEAL_FAILED} when it does not authenticate. */
  byte[] unseal(byte[] associatedData, byte[] sealed) throws HsmException;

  NvramImage.Cell readNvram(int slot) throws HsmException;

  /** Replaces one cell atomically; its counter never goes down (an invariant, checked). */
  void writeNvram(int slot, NvramImage.Cell cell) throws HsmException;

  /** The OPAQUE server keys, for the firmware running inside the boundary only. */
  ServerSetup opaqueServerSetup() throws HsmException;

  /** The HSM's random source (a hardware RNG on a real HSM). */
  SecureRandom random();

  /** A tamper event: zeroize every key at once. Irreversible. */
  void tamper();

  boolean isZeroized();

  /** A statement of this HSM's id and public keys, signed by its identity key. */
  default HsmAttestation attest() throws HsmException {
    return HsmAttestation.sign(this);
  }

  /**
   * Key ceremony, recipient side: generates a one-time ECDH transport key bound to the
   * ceremony's {@code context} and returns it signed by the identity key. The private half
   * stays inside until {@link #importFleetSecrets} uses it or the next offer replaces it.
   */
  TransportOffer offerTransportKey(Sha256Digest context) throws HsmException;

  /**
   * Key ceremony, sender side: encrypts this HSM's OPAQUE server setup (the fleet secrets) to
   * another HSM's verified offer and signs the result. The caller has checked that the
   * offer's identity key chains to the HSM vendor; the secrets leave only encrypted.
   */
  WrappedFleetSecrets exportFleetSecrets(TransportOffer recipient) throws HsmException;

  /**
   * Key ceremony, recipient side: checks {@code wrapped} (addressed here, for the pending
   * offer's ceremony, signed by the HSM {@code sender} attests, decrypting to the stated
   * key), then replaces this HSM's OPAQUE server setup with it, durably. Refused with
   * {@link HsmException.Reason#FLEET_SECRETS_REFUSED} on any mismatch, and in an HSM whose
   * NVRAM shows it has served a vault.
   */
  void importFleetSecrets(WrappedFleetSecrets wrapped, HsmAttestation sender) throws HsmException;
}
