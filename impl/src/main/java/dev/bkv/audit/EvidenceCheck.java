package dev.bkv.audit;

import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.evidence.DeploymentEvidence;
import dev.bkv.evidence.HsmStatement;
import dev.bkv.fleet.FleetMember;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.tlog.Verdict;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.cert.X509CertificateHolder;

/**
 * Audit step 4: the fleet a bundle names is the fleet the published evidence describes.
 * The evidence is the one whose SHA-256 the bundle names; its configuration names the same
 * namespace, fleet id, HSMs, datacenters and quorum; every HSM's statement is signed by
 * that HSM and lists exactly the keys the bundle gives it; every HSM ran the vault jar the
 * evidence names, which is the jar the auditor rebuilt (when it says which). Verified
 * carries the operator HSM's key from the evidence, which countersigns the bundles.
 */
public final class EvidenceCheck {
  private EvidenceCheck() {}

  public static Verdict<EcdsaP256.PublicKey> check(
      ValidationBundle bundle, DeploymentEvidence evidence, Optional<Sha256Digest> expectedJar) {
    if (!evidence.digest().equals(bundle.evidenceDigest())) {
      return Verdict.rejected("the evidence's SHA-256 is not the digest the bundle names");
    }
    var config = evidence.config();
    if (!config.namespace().equals(bundle.namespace()) || !config.fleetId().equals(bundle.fleetId())) {
      return Verdict.rejected("evidence is for " + config.namespace() + " fleet " + config.fleetId() + ", the bundle for "
          + bundle.namespace() + " fleet " + bundle.fleetId());
    }
    List<FleetMember> bundleMembers = new ArrayList<>();
    for (MemberKeys m : bundle.members()) {
      bundleMembers.add(m.member());
    }
    if (!config.members().equals(bundleMembers)) {
      return Verdict.rejected("the evidence's HSMs and datacenters differ from the bundle's");
    }
    if (config.quorum() != bundle.quorum()) {
      return Verdict.rejected("evidence quorum " + config.quorum() + " differs from the bundle's " + bundle.quorum());
    }
    for (int i = 0; i < bundle.members().size(); i++) {
      Optional<String> problem = statementProblem(bundle, bundle.members().get(i), evidence.hsms().get(i).statement(), evidence);
      if (problem.isPresent()) {
        return Verdict.rejected("HSM " + bundle.members().get(i).hsmId().toHex() + ": " + problem.get());
      }
    }
    if (expectedJar.isPresent() && !expectedJar.get().equals(evidence.vaultJar())) {
      return Verdict.rejected("the fleet runs vault jar " + evidence.vaultJar().toHex() + ", the rebuilt jar is "
          + expectedJar.get().toHex());
    }
    return operatorKey(evidence);
  }

  private static Optional<String> statementProblem(
      ValidationBundle bundle, MemberKeys member, HsmStatement statement, DeploymentEvidence evidence) {
    if (!statement.signatureVerifies()) {
      return Optional.of("its deployment statement's signature does not verify");
    }
    if (!statement.hsmId().equals(member.hsmId()) || !statement.datacenter().equals(member.datacenter())) {
      return Optional.of("its statement names another HSM or datacenter");
    }
    if (!statement.identityKey().equals(member.identityKey())) {
      return Optional.of("its statement's identity key differs from the bundle's");
    }
    if (!statement.opaqueServerKey().equals(member.opaqueServerKey())) {
      return Optional.of("its statement's OPAQUE server key differs from the bundle's");
    }
    if (!statement.namespace().equals(bundle.namespace()) || !statement.fleetId().equals(bundle.fleetId())) {
      return Optional.of("its statement is for another fleet");
    }
    if (!statement.vaultJar().equals(evidence.vaultJar())) {
      return Optional.of("it ran vault jar " + statement.vaultJar().toHex() + ", not the one the evidence names");
    }
    return Optional.empty();
  }

  /** The operator HSM's public key, from its certificate in the evidence. */
  static Verdict<EcdsaP256.PublicKey> operatorKey(DeploymentEvidence evidence) {
    try {
      byte[] point = new X509CertificateHolder(evidence.operatorCertificateDer()).getSubjectPublicKeyInfo()
          .getPublicKeyData().getBytes();
      return Verdict.verified(EcdsaP256.PublicKey.decode(point));
    } catch (IOException | DecodeException | RuntimeException e) {
      return Verdict.rejected("the operator certificate does not hold a P-256 key: " + e.getMessage());
    }
  }
}
