package dev.bkv.firmware;

import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;

/**
 * What a fleet HSM trusts when it exports records to a new fleet (fleet rotation, G8): a check
 * of the new fleet's witnessed bundle against the trust anchors the firmware was built with.
 * Implemented by {@code dev.bkv.bundle.MigrationTrust}: the bundle verifier sits above this
 * package, so the firmware names the check it needs and is given it at construction. Total
 * and pure: every input yields a {@link Target}, never an exception.
 */
public interface MigrationAnchors {
  /**
   * Checks that {@code targetWitnessed} is a witnessed bundle the anchors accept, that
   * {@code ownWitnessed} names {@code ownServerKey} (this HSM's OPAQUE server key), and that the
   * target chains to it ({@code previous} is its digest) in the same namespace.
   */
  Target check(byte[] targetWitnessed, byte[] ownWitnessed, P256Group.Element ownServerKey);

  /** The outcome of {@link #check}. */
  sealed interface Target permits Approved, Rejected {}

  /** The export may be sealed to {@code targetServerKey}, bound to both bundles' digests. */
  record Approved(Sha256Digest sourceBundle, Sha256Digest targetBundle, P256Group.Element targetServerKey)
      implements Target {}

  /** The first check that failed and why. */
  record Rejected(String reason) implements Target {
    public Rejected {
      if (reason == null || reason.isEmpty()) {
        throw new IllegalArgumentException("a rejection always says why");
      }
    }
  }
}
