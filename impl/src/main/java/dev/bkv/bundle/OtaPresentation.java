package dev.bkv.bundle;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.SignedNote;
import java.util.List;

/**
 * What an OTA client is handed, decoded but not yet verified: the bundle, the digest the
 * witnessed-bundle file names for it, the witness's signature over the bundle bytes, the
 * operator's countersignature over that signature, and the log proof (leaf index,
 * inclusion hashes, signed checkpoint).
 */
public record OtaPresentation(
    TrustedFleet fleet,
    byte[] declaredDigest,
    byte[] witnessSignature,
    EcdsaP256.Signature countersignature,
    long leafIndex,
    List<Hash> inclusionProof,
    SignedNote checkpoint) {

  public OtaPresentation {
    declaredDigest = declaredDigest.clone();
    witnessSignature = witnessSignature.clone();
    inclusionProof = List.copyOf(inclusionProof);
  }

  @Override
  public byte[] declaredDigest() {
    return declaredDigest.clone();
  }

  @Override
  public byte[] witnessSignature() {
    return witnessSignature.clone();
  }

  /** The bytes the operator HSM signs: the witness signature bytes, as issue 4 orders. */
  public static byte[] countersignedBytes(byte[] witnessSignature) {
    return witnessSignature.clone();
  }
}
