package dev.bkv.evidence;

import dev.bkv.base.Bytes;
import dev.bkv.base.Hex;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetMember;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.hsm.HsmId;
import dev.bkv.tlog.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides whether published deployment evidence holds (G7). Total and pure: any input gives
 * Verified with the facts it establishes, or Rejected with the first reason found. In order:
 *
 * <ol>
 *   <li>size and syntax (canonical form);
 *   <li>the evidence names the trusted vendor root and the expected vault jar;
 *   <li>the transcript hashes to the stated digest;
 *   <li>the operator's certificate chains to the root;
 *   <li>for every HSM of the config, in order: its statement names this fleet, config digest,
 *       HSM, datacenter and jar; its device certificate chains to the root for the identity key
 *       the statement names; the statement's signature verifies under that key;
 *   <li>the statements agree with each other: one OPAQUE server key, one transport context, and
 *       only the lowest-id HSM (the source) without a transport key;
 *   <li>the transcript is exactly the ceremony those facts describe ({@link TranscriptCheck}).
 * </ol>
 */
public final class EvidenceVerifier {
  private EvidenceVerifier() {}

  public static Verdict<EvidenceFacts> verify(byte[] evidenceBytes, VendorRoot root, Sha256Digest expectedVaultJar) {
    DeploymentEvidence evidence;
    try {
      evidence = DeploymentEvidence.parse(evidenceBytes);
    } catch (EvidenceFormatException e) {
      return Verdict.rejected("malformed evidence: " + e.getMessage());
    }
    if (!Bytes.constantTimeEquals(evidence.vendorRootDer(), root.der())) {
      return Verdict.rejected("the evidence names another vendor root (SHA-256 "
          + Sha256Digest.of(evidence.vendorRootDer()).toHex() + ", trusted " + root.rootFingerprint().toHex() + ")");
    }
    if (!evidence.vaultJar().equals(expectedVaultJar)) {
      return Verdict.rejected("the evidence names vault jar " + evidence.vaultJar().toHex() + ", expected "
          + expectedVaultJar.toHex());
    }
    if (!evidence.transcript().digest().equals(evidence.transcriptDigest())) {
      return Verdict.rejected("the transcript does not hash to transcript-sha256");
    }
    long time = evidence.ceremonyTimeSeconds();
    Verdict<DeviceCertificate> operator = root.verifyDevice(evidence.operatorCertificateDer(), time);
    if (!operator.isVerified()) {
      return Verdict.rejected("operator certificate: " + operator.reasonOrEmpty());
    }
    List<MemberKeys> members = new ArrayList<>();
    for (int i = 0; i < evidence.hsms().size(); i++) {
      Verdict<MemberKeys> member = checkHsm(evidence, i, root);
      if (!member.isVerified()) {
        return Verdict.rejected(member.reasonOrEmpty());
      }
      members.add(member.value());
    }
    Optional<String> disagreement = disagreement(evidence);
    if (disagreement.isPresent()) {
      return Verdict.rejected(disagreement.get());
    }
    Optional<String> transcript = TranscriptCheck.problem(evidence, operator.value());
    if (transcript.isPresent()) {
      return Verdict.rejected("transcript: " + transcript.get());
    }
    HsmStatement first = evidence.hsms().get(0).statement();
    return Verdict.verified(new EvidenceFacts(Sha256Digest.of(evidenceBytes), evidence.config(), members,
        first.opaqueServerKey(), first.hsmId(), evidence.vaultJar(), time, evidence.transcriptDigest(),
        operator.value().identityKey()));
  }

  /** One HSM's block against the config entry at the same position. */
  private static Verdict<MemberKeys> checkHsm(DeploymentEvidence evidence, int index, VendorRoot root) {
    FleetConfig config = evidence.config();
    FleetMember member = config.members().get(index);
    DeploymentEvidence.HsmEvidence block = evidence.hsms().get(index);
    HsmStatement s = block.statement();
    String where = "HSM " + member.hsmId().toHex() + ": ";
    if (!s.hsmId().equals(member.hsmId()) || !s.datacenter().equals(member.datacenter())) {
      return Verdict.rejected(where + "statement names HSM " + s.hsmId().toHex() + " in " + s.datacenter()
          + ", the fleet config places " + member.hsmId().toHex() + " in " + member.datacenter());
    }
    if (!s.namespace().equals(config.namespace()) || !s.fleetId().equals(config.fleetId())) {
      return Verdict.rejected(where + "statement names fleet " + s.namespace() + " " + s.fleetId());
    }
    if (!s.fleetConfigDigest().equals(config.digest())) {
      return Verdict.rejected(where + "statement names another fleet config");
    }
    if (!s.vaultJar().equals(evidence.vaultJar())) {
      return Verdict.rejected(where + "statement names vault jar " + s.vaultJar().toHex());
    }
    if (!HsmId.of(s.identityKey()).equals(s.hsmId())) {
      return Verdict.rejected(where + "hsm-id is not derived from the statement's identity key");
    }
    Verdict<DeviceCertificate> device = root.verifyDevice(block.deviceCertificateDer(), s.identityKey(),
        evidence.ceremonyTimeSeconds());
    if (!device.isVerified()) {
      return Verdict.rejected(where + device.reasonOrEmpty());
    }
    if (!s.signatureVerifies()) {
      return Verdict.rejected(where + "statement signature does not verify under its identity key");
    }
    return Verdict.verified(new MemberKeys(s.hsmId(), s.datacenter(), s.identityKey(), s.opaqueServerKey()));
  }

  /** How the statements disagree with each other, or empty. */
  private static Optional<String> disagreement(DeploymentEvidence evidence) {
    HsmStatement first = evidence.hsms().get(0).statement();
    P256Group.Element fleetKey = first.opaqueServerKey();
    for (int i = 0; i < evidence.hsms().size(); i++) {
      HsmStatement s = evidence.hsms().get(i).statement();
      if (!s.opaqueServerKey().equals(fleetKey)) {
        return Optional.of("HSM " + s.hsmId().toHex() + " answers OPAQUE with " + Hex.encode(s.opaqueServerKey().encode())
            + ", HSM " + first.hsmId().toHex() + " with " + Hex.encode(fleetKey.encode()));
      }
      if (!s.transportContext().equals(first.transportContext())) {
        return Optional.of("HSM " + s.hsmId().toHex() + " names another transport context");
      }
      if (s.transportKey().isPresent() != (i > 0)) {
        return Optional.of("HSM " + s.hsmId().toHex() + (i == 0
            ? " is the source (lowest id) and received no secrets, so it names no transport key"
            : " received the fleet secrets, so it names its transport key"));
      }
    }
    return Optional.empty();
  }
}
