package dev.bkv.bundle;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.P256Group;
import dev.bkv.firmware.MigrationAnchors;
import java.util.List;
import java.util.Optional;

/**
 * The old fleet's check of the fleet it exports records to (fleet rotation, G8): the new
 * fleet's witnessed bundle must pass the OTA checks under this fleet's trust anchors (witness
 * signature, operator countersignature, inclusion under a log-key-signed checkpoint with the
 * cosignatures the anchors require, no epoch below the old bundle's) and chain to the old
 * fleet's own witnessed bundle, which must name this HSM's OPAQUE server key.
 *
 * <p>The validity window is not checked: the HSM has no trusted clock (time would come from
 * the host it does not trust). What binds the target in time is the chain: the new bundle
 * names this fleet's own bundle as its previous one, and is logged after it.
 */
public final class MigrationTrust implements MigrationAnchors {
  private final TrustAnchors anchors;

  public MigrationTrust(TrustAnchors anchors) {
    this.anchors = anchors;
  }

  @Override
  public Target check(byte[] targetWitnessed, byte[] ownWitnessed, P256Group.Element ownServerKey) {
    WitnessedBundle own;
    WitnessedBundle target;
    try {
      own = WitnessedBundle.parse(ownWitnessed);
      target = WitnessedBundle.parse(targetWitnessed);
    } catch (BundleFormatException e) {
      return new Rejected("a bundle is malformed: " + e.getMessage());
    }
    if (!Bytes.constantTimeEquals(own.bundleDigest().toBytes(), own.statedDigest().toBytes())) {
      return new Rejected("the own bundle's stated digest is not SHA-256 of its bytes");
    }
    if (!own.bundle().opaqueServerKey().equals(ownServerKey)) {
      return new Rejected("the own bundle names OPAQUE key " + own.bundle().opaqueServerKey()
          + ", not this HSM's " + ownServerKey);
    }
    ValidationBundle fleet = target.bundle();
    if (!fleet.namespace().equals(own.bundle().namespace())) {
      return new Rejected("the new bundle is for namespace " + fleet.namespace() + ", the own one for "
          + own.bundle().namespace());
    }
    if (fleet.previousDigest().isEmpty()
        || !Bytes.constantTimeEquals(fleet.previousDigest().get().toBytes(), own.bundleDigest().toBytes())) {
      return new Rejected("the new bundle does not name the own bundle (" + own.bundleDigest().toHex()
          + ") as its previous one");
    }
    ClientMemory memory = new ClientMemory(Optional.empty(), own.bundle().epoch(), Optional.of(own.bundleBytes()));
    // No trusted clock: the window check is given the bundle's own start (see the class comment).
    BundleVerdict verdict = BundleVerifier.verifyOta(anchors, memory, fleet.notBeforeSeconds(), targetWitnessed, List.of());
    if (verdict instanceof BundleVerdict.Rejected) {
      return new Rejected("the new bundle is not trusted: " + verdict.describe());
    }
    return new Approved(own.bundleDigest(), target.bundleDigest(), fleet.opaqueServerKey());
  }
}
