package dev.bkv.fleet;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.hsm.HsmId;
import dev.bkv.tlog.Verdict;

/**
 * Whether an HSM is genuine: its identity key carries a device certificate that chains to a
 * trusted HSM vendor root. The key ceremony asks this of every HSM before any secret moves;
 * {@code dev.bkv.evidence.VendorRoot} answers it with X.509.
 */
public interface DeviceTrust {
  /**
   * Verified with the HSM id when {@code deviceCertificate} is a device certificate issued by
   * the trusted vendor for exactly {@code identityKey}, valid at {@code atSeconds}.
   */
  Verdict<HsmId> checkDevice(byte[] deviceCertificate, EcdsaP256.PublicKey identityKey, long atSeconds);

  /** SHA-256 of the trusted root certificate, as the ceremony transcript records it. */
  Sha256Digest rootFingerprint();
}
