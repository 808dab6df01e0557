package dev.bkv.evidence;

import dev.bkv.base.Check;
import dev.bkv.base.Hex;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.CeremonyTranscript;
import dev.bkv.fleet.KeyCeremony;
import dev.bkv.fleet.MemberKeys;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmException;
import dev.bkv.hsm.HsmId;
import java.util.ArrayList;
import java.util.List;

/**
 * Completes a key ceremony into published deployment evidence: each HSM signs its deployment
 * statement (fleet config, its place and keys, the vault jar, the transport context), the
 * transcript records each statement's digest and the operator's key, and the evidence file
 * gathers the vendor root, the certificates, the statements and the transcript.
 */
public final class EvidenceBuilder {
  private EvidenceBuilder() {}

  /**
   * @param operatorHsm the operator's HSM, whose identity key countersigns bundles
   * @param operatorCertificate its device certificate from the same vendor
   */
  public static DeploymentEvidence build(KeyCeremony.Result ceremony, VendorRoot root, Hsm operatorHsm,
      byte[] operatorCertificate) throws HsmException {
    CeremonyTranscript transcript = ceremony.transcript();
    List<DeploymentEvidence.HsmEvidence> blocks = new ArrayList<>();
    for (int i = 0; i < ceremony.members().size(); i++) {
      MemberKeys member = ceremony.members().get(i);
      KeyCeremony.Participant participant = ceremony.participants().get(i);
      Check.that(participant.hsm().id().equals(member.hsmId()), "ceremony participants and members are in the same order");
      HsmStatement.Claims claims = new HsmStatement.Claims(ceremony.config().namespace(), ceremony.config().fleetId(),
          ceremony.config().digest(), member.hsmId(), member.datacenter(), member.identityKey(), member.opaqueServerKey(),
          ceremony.transportKeys().get(member.hsmId()), ceremony.vaultJar(), ceremony.transportContext());
      HsmStatement statement = HsmStatement.sign(participant.hsm(), claims);
      transcript.record(CeremonyTranscript.STATEMENT, member.hsmId().toHex(), statement.digest().toHex());
      blocks.add(new DeploymentEvidence.HsmEvidence(participant.deviceCertificate(), statement));
    }
    HsmId operator = operatorHsm.id();
    transcript.record(CeremonyTranscript.OPERATOR, operator.toHex(),
        Hex.encode(operatorHsm.identityPublicKey().encodeCompressed()), Sha256Digest.of(operatorCertificate).toHex());
    return new DeploymentEvidence(ceremony.ceremonyTimeSeconds(), ceremony.vaultJar(), transcript.digest(), root.der(),
        operatorCertificate, ceremony.config(), blocks, transcript);
  }
}
