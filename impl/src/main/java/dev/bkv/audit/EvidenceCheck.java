package dev.bkv.audit;

import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.EvidenceFacts;
import dev.bkv.evidence.EvidenceVerifier;
import dev.bkv.evidence.VendorRoot;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.Verdict;
import java.util.Optional;

/**
 * Audit step 4: the fleet a bundle names is the fleet the published evidence describes. The
 * evidence (the one whose SHA-256 the bundle names) must hold by {@link EvidenceVerifier}:
 * every certificate chains to the vendor root, every statement is signed by its HSM, the
 * transcript is the ceremony, and every HSM ran the expected vault jar. Then its
 * configuration and each HSM's keys must be exactly the bundle's: namespace, fleet id, HSMs
 * in order with their datacenters, identity and OPAQUE keys, and the quorum. Verified
 * carries the operator HSM's key, which countersigns the bundles.
 */
public final class EvidenceCheck {
  private EvidenceCheck() {}

  /**
   * @param root the vendor root the auditor trusts (the evidence's own, when none is pinned)
   * @param expectedJar the vault jar the auditor rebuilt (the evidence's own, when none is given)
   */
  public static Verdict<EcdsaP256.PublicKey> check(
      ValidationBundle bundle, DeploymentEvidence evidence, VendorRoot root, Sha256Digest expectedJar) {
    byte[] bytes = evidence.toBytes();
    Verdict<EvidenceFacts> verified = EvidenceVerifier.verify(bytes, root, expectedJar);
    if (!verified.isVerified()) {
      return Verdict.rejected("evidence does not verify: " + verified.reasonOrEmpty());
    }
    EvidenceFacts facts = verified.value();
    if (!facts.evidenceDigest().equals(bundle.evidenceDigest())) {
      return Verdict.rejected("the evidence's SHA-256 is not the digest the bundle names");
    }
    var config = facts.config();
    if (!config.namespace().equals(bundle.namespace()) || !config.fleetId().equals(bundle.fleetId())) {
      return Verdict.rejected("evidence is for " + config.namespace() + " fleet " + config.fleetId() + ", the bundle for "
          + bundle.namespace() + " fleet " + bundle.fleetId());
    }
    if (config.quorum() != bundle.quorum()) {
      return Verdict.rejected("evidence quorum " + config.quorum() + " differs from the bundle's " + bundle.quorum());
    }
    Optional<String> keys = keysProblem(facts, bundle);
    if (keys.isPresent()) {
      return Verdict.rejected(keys.get());
    }
    return Verdict.verified(facts.operatorKey());
  }

  private static Optional<String> keysProblem(EvidenceFacts facts, ValidationBundle bundle) {
    if (facts.members().size() != bundle.members().size()) {
      return Optional.of("evidence lists " + facts.members().size() + " HSMs, the bundle " + bundle.members().size());
    }
    for (int i = 0; i < bundle.members().size(); i++) {
      MemberKeys attested = facts.members().get(i);
      MemberKeys named = bundle.members().get(i);
      String id = named.hsmId().toHex();
      if (!attested.hsmId().equals(named.hsmId())) {
        return Optional.of("HSM " + (i + 1) + " is " + attested.hsmId().toHex() + " in the evidence, " + id + " in the bundle");
      }
      if (!attested.datacenter().equals(named.datacenter())) {
        return Optional.of("HSM " + id + " is in " + attested.datacenter() + " per the evidence, " + named.datacenter()
            + " per the bundle");
      }
      if (!attested.identityKey().equals(named.identityKey())) {
        return Optional.of("HSM " + id + ": the bundle's identity key is not the attested one");
      }
      if (!attested.opaqueServerKey().equals(named.opaqueServerKey())) {
        return Optional.of("HSM " + id + ": the bundle's OPAQUE server key is not the attested one");
      }
    }
    return Optional.empty();
  }
}
