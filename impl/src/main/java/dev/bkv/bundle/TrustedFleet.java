package dev.bkv.bundle;

import dev.bkv.base.Hex;
import java.util.Optional;

/**
 * A validation bundle as the client relies on it once it is accepted: its exact bytes and
 * the fields the verifier reads. {@code keySetDigest} identifies the fleet's keys (what
 * pinned mode compares); {@code previousDigest} is SHA-256 of the previous epoch's bundle,
 * empty for epoch 1.
 */
public record TrustedFleet(
    byte[] bundleBytes,
    String namespace,
    String fleetId,
    long epoch,
    long notBefore,
    long notAfter,
    Optional<byte[]> previousDigest,
    byte[] keySetDigest) {

  public TrustedFleet {
    bundleBytes = bundleBytes.clone();
    previousDigest = previousDigest.map(byte[]::clone);
    keySetDigest = keySetDigest.clone();
  }

  @Override
  public byte[] bundleBytes() {
    return bundleBytes.clone();
  }

  @Override
  public Optional<byte[]> previousDigest() {
    return previousDigest.map(byte[]::clone);
  }

  @Override
  public byte[] keySetDigest() {
    return keySetDigest.clone();
  }

  /** The fleet id and the start of its key-set digest, for messages. */
  public String fleetLabel() {
    return fleetId + " (keys " + Hex.encode(keySetDigest).substring(0, 16) + ")";
  }
}
