package dev.bkv.bundle;

import dev.bkv.base.Bytes;
import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.ConsistencyProof;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.InclusionProof;
import dev.bkv.tlog.NoteSignature;
import dev.bkv.tlog.NoteVerifier;
import dev.bkv.tlog.Rfc6962;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TlogProof;
import dev.bkv.tlog.Verdict;
import dev.bkv.tlog.VerifiedCheckpoint;
import dev.bkv.tlog.VerifiedSignature;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The client's decision on a validation bundle (spec operator {@code ClientAccepts} of
 * spec/BundleVerification/BundleAcceptance.tla), in its two modes:
 *
 * <ul>
 *   <li>pinned: the fleet is compiled in; a bundle, if one is offered, must name exactly
 *       the same keys and quorum ({@code PinnedCheckOrder});
 *   <li>OTA: the checks of {@code OtaCheckOrder}, in that order: sizes and parsing, digest,
 *       witness signature, operator countersignature, checkpoint signature, k-of-n
 *       cosignatures, inclusion, consistency with the stored checkpoint, no downgrade,
 *       validity window; then the previous-bundle chain, which the spec leaves out.
 * </ul>
 *
 * Total and pure: no clock (the caller passes {@code nowSeconds}), no I/O, no exception for
 * any input; the first failing check is returned with its reason.
 */
public final class BundleVerifier {
  private BundleVerifier() {}

  /** Pinned mode with no bundle offered: the compiled-in fleet is trusted as it is. */
  public static BundleVerdict verifyPinned(ValidationBundle pinned) {
    return new BundleVerdict.Accepted(pinned, Optional.empty());
  }

  /**
   * Pinned mode with a bundle offered (for example fetched for display): it must name
   * exactly the compiled-in fleet's keys and quorum. Signatures and logs add nothing to a
   * key set the binary already fixes.
   */
  public static BundleVerdict verifyPinned(ValidationBundle pinned, byte[] offeredBundle) {
    // PinnedCheckOrder == << "well-formed", "pinned-fleet" >>
    ValidationBundle offered;
    try {
      offered = ValidationBundle.parse(offeredBundle);
    } catch (BundleFormatException e) {
      return reject(BundleCheck.WELL_FORMED, e.getMessage());
    }
    // PinnedFleetOk(x) == x.fleet = x.pinnedFleet
    if (!Bytes.constantTimeEquals(keySetDigest(offered).toBytes(), keySetDigest(pinned).toBytes())) {
      return reject(BundleCheck.PINNED_FLEET,
          "bundle names fleet " + fleetLabel(offered) + ", the app pins " + fleetLabel(pinned));
    }
    return new BundleVerdict.Accepted(pinned, Optional.empty());
  }

  /**
   * The fleet's identity for pinning and for the spec's {@code fleet} field: SHA-256 of the
   * bundle's key lines and quorum line, in bundle order (so id, datacenter, both keys of
   * every HSM, and the quorum; not the epoch, window or evidence).
   */
  public static Sha256Digest keySetDigest(ValidationBundle bundle) {
    StringBuilder keys = new StringBuilder();
    for (String line : bundle.text().split("\n", -1)) {
      if (line.startsWith("key ") || line.startsWith("quorum ")) {
        keys.append(line).append('\n');
      }
    }
    return Sha256Digest.of(keys.toString().getBytes(StandardCharsets.US_ASCII));
  }

  static String fleetLabel(ValidationBundle bundle) {
    return bundle.fleetId() + " (keys " + Hex.encode(keySetDigest(bundle).toBytes()).substring(0, 16) + ")";
  }

  /**
   * OTA mode. {@code witnessedBundle} is the {@code bkv.dev/witnessed-bundle@v1} file as
   * received; {@code consistency} the proof from the client's stored checkpoint to the one
   * the file carries (ignored on first use).
   */
  public static BundleVerdict verifyOta(
      TrustAnchors anchors, ClientMemory memory, long nowSeconds, byte[] witnessedBundle, List<Hash> consistency) {
    // /\ x.wellFormed (sizes first: the parser refuses oversize input before decoding it)
    if (consistency.size() > ConsistencyProof.HASHES_MAX) {
      return reject(BundleCheck.WELL_FORMED, "consistency proof has more than " + ConsistencyProof.HASHES_MAX + " hashes");
    }
    WitnessedBundle p;
    try {
      p = WitnessedBundle.parse(witnessedBundle);
    } catch (BundleFormatException e) {
      return reject(BundleCheck.WELL_FORMED, e.getMessage());
    }
    ValidationBundle fleet = p.bundle();
    byte[] bundleBytes = p.bundleBytes();
    TlogProof proof = p.proof();
    if (!fleet.namespace().equals(anchors.namespace())) {
      // Beyond the spec: a bundle for another app of the same operator is not ours.
      return reject(BundleCheck.NAMESPACE, "bundle is for namespace " + fleet.namespace() + ", not " + anchors.namespace());
    }
    // /\ x.digestOk
    if (!Bytes.constantTimeEquals(p.bundleDigest().toBytes(), p.statedDigest().toBytes())) {
      return reject(BundleCheck.DIGEST, "the digest the witnessed bundle names is not SHA-256 of the bundle bytes");
    }
    // /\ x.witnessSigOk
    if (anchors.witnessBundleKey().verify(bundleBytes, p.witnessSignature().toBytes()).isEmpty()) {
      return reject(BundleCheck.WITNESS_SIGNATURE,
          "witness signature does not verify under " + anchors.witnessBundleKey().keyName());
    }
    // /\ x.countersigOk
    if (!OperatorCountersignature.verify(anchors.operatorKey(), p.witnessSignature(), p.countersignature())) {
      return reject(BundleCheck.COUNTERSIGNATURE, "operator countersignature over the witness signature does not verify");
    }
    // /\ x.checkpointSigOk
    Verdict<VerifiedCheckpoint> logSigned = anchors.logKeyPolicy().verify(proof.checkpoint());
    if (!logSigned.isVerified()) {
      return reject(BundleCheck.CHECKPOINT_SIGNATURE, logSigned.reasonOrEmpty());
    }
    Checkpoint checkpoint = logSigned.value().checkpoint();
    // /\ CosignaturesOk(x) == x.cosignatures >= x.cosignQuorum
    List<VerifiedSignature> cosignatures = cosignatures(anchors, proof.checkpoint());
    if (cosignatures.size() < anchors.cosignaturesRequired()) {
      return reject(BundleCheck.COSIGNATURES, "checkpoint has " + cosignatures.size()
          + " valid cosignatures from trusted witnesses, policy needs " + anchors.cosignaturesRequired());
    }
    // /\ x.inclusionProofOk
    Verdict<Hash> included = new InclusionProof(proof.index(), checkpoint.size(), proof.proof())
        .verify(Rfc6962.leafHash(bundleBytes), checkpoint.rootHash());
    if (!included.isVerified()) {
      return reject(BundleCheck.INCLUSION, included.reasonOrEmpty());
    }
    // /\ ConsistencyOk(x)
    Optional<String> inconsistent = consistencyProblem(memory.storedCheckpoint(), checkpoint, consistency);
    if (inconsistent.isPresent()) {
      return reject(BundleCheck.CONSISTENCY, inconsistent.get());
    }
    // /\ EpochOk(x) == x.epoch >= x.lastEpoch
    if (fleet.epoch() < memory.lastEpoch()) {
      return reject(BundleCheck.EPOCH, "epoch " + fleet.epoch() + " is below the last accepted epoch " + memory.lastEpoch());
    }
    // /\ InValidityWindow(x) == x.notBefore <= x.now /\ x.now < x.notAfter
    if (nowSeconds < fleet.notBeforeSeconds() || nowSeconds >= fleet.notAfterSeconds()) {
      return reject(BundleCheck.VALIDITY_WINDOW, "now (" + nowSeconds + ") is outside the validity window ["
          + fleet.notBeforeSeconds() + ", " + fleet.notAfterSeconds() + ")");
    }
    Optional<String> broken = chainProblem(memory, fleet);
    if (broken.isPresent()) {
      return reject(BundleCheck.PREVIOUS_BUNDLE, broken.get());
    }
    VerifiedCheckpoint verified = new VerifiedCheckpoint(checkpoint, logSigned.value().note(), cosignatures);
    return new BundleVerdict.Accepted(fleet, Optional.of(verified));
  }

  /**
   * The valid cosignatures on {@code note} from distinct trusted cosigners. A cosignature
   * that does not verify is not counted (the spec counts valid ones); it does not void the
   * log's signature.
   */
  static List<VerifiedSignature> cosignatures(TrustAnchors anchors, SignedNote note) {
    byte[] text = note.textBytes();
    List<VerifiedSignature> valid = new ArrayList<>();
    Set<String> counted = new HashSet<>();
    for (NoteSignature line : note.signatures()) {
      Optional<NoteVerifier> key = anchors.cosigners().lookup(line.keyName(), line.keyId());
      if (key.isEmpty() || counted.contains(line.keyName() + "+" + line.keyId())) {
        continue;
      }
      Optional<VerifiedSignature> ok = key.get().verify(text, line.signature());
      if (ok.isPresent()) {
        counted.add(line.keyName() + "+" + line.keyId());
        valid.add(ok.get());
      }
    }
    return valid;
  }

  /**
   * ConsistencyOk: nothing stored yet (first use), or the presented tree is at least as
   * large and the proof from the stored one verifies (equal sizes: equal roots).
   */
  static Optional<String> consistencyProblem(Optional<Checkpoint> stored, Checkpoint presented, List<Hash> proof) {
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    Checkpoint old = stored.get();
    if (!old.origin().equals(presented.origin())) {
      return Optional.of("stored checkpoint is of log " + old.origin() + ", presented one of " + presented.origin());
    }
    if (presented.size() < old.size()) {
      return Optional.of("checkpoint size " + presented.size() + " is below the stored size " + old.size() + " (rollback)");
    }
    if (old.size() == 0) {
      return Optional.empty(); // every tree extends the empty tree
    }
    Verdict<Hash> extended = new ConsistencyProof(old.size(), presented.size(), proof).verify(old.rootHash(), presented.rootHash());
    return extended.isVerified()
        ? Optional.empty()
        : Optional.of("checkpoint does not extend the stored one: " + extended.reasonOrEmpty());
  }

  /**
   * The previous-bundle chain, where the client can check it: a bundle of the epoch right
   * after the last accepted one must name that bundle's digest. Other epochs pass: a client
   * that skipped epochs does not hold the bundle in between (the auditor checks the whole
   * chain in the log).
   */
  static Optional<String> chainProblem(ClientMemory memory, ValidationBundle fleet) {
    if (memory.lastBundle().isEmpty()) {
      return Optional.empty();
    }
    byte[] last = memory.lastBundle().get();
    if (fleet.epoch() == memory.lastEpoch() + 1) {
      byte[] expected = Sha256.hash(last);
      if (fleet.previousDigest().isEmpty() || !Bytes.constantTimeEquals(fleet.previousDigest().get().toBytes(), expected)) {
        return Optional.of("epoch " + fleet.epoch() + " does not name the digest of the epoch " + memory.lastEpoch()
            + " bundle this client accepted");
      }
    }
    return Optional.empty();
  }

  private static BundleVerdict reject(BundleCheck check, String reason) {
    return new BundleVerdict.Rejected(check, reason);
  }
}
