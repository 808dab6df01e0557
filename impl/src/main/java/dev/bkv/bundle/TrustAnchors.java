package dev.bkv.bundle;

import dev.bkv.crypto.EcdsaP256;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.VerifierSet;

/**
 * What an OTA client has compiled in: the namespace it serves, the witness's bundle key
 * and log key (with the log's origin), the operator HSM's countersigning key, and the
 * independent cosigners of which {@code cosignaturesRequired} must cosign a checkpoint.
 */
public record TrustAnchors(
    String namespace,
    NoteVerifier witnessBundleKey,
    EcdsaP256.PublicKey operatorKey,
    String logOrigin,
    NoteVerifier logKey,
    VerifierSet cosigners,
    int cosignaturesRequired) {

  public TrustAnchors {
    if (cosignaturesRequired < 0 || cosignaturesRequired > cosigners.size()) {
      throw new IllegalArgumentException(
          "cosignatures required must be in [0, " + cosigners.size() + "], got " + cosignaturesRequired);
    }
  }

  /** The same trust as a {@link CheckpointPolicy}, for code that checks checkpoints alone. */
  public CheckpointPolicy checkpointPolicy() {
    return new CheckpointPolicy(logOrigin, VerifierSet.of(logKey), cosigners, cosignaturesRequired);
  }

  /** A policy that only asks for the log key's signature (the spec's checkpoint-signature check). */
  CheckpointPolicy logKeyPolicy() {
    return CheckpointPolicy.logOnly(logOrigin, logKey);
  }
}
