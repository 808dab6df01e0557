package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.CeremonyTranscript;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetMember;
import dev.bkv.fleet.MemberKeys;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The published evidence file's syntax (spec/FORMATS.md, "Deployment evidence"): one
 * canonical encoding, blocks in a fixed order, and a refusal naming the part that is wrong.
 * Whether the evidence holds is EvidenceVerifierTest's subject.
 */
class EvidenceFormatTest {
  static DeploymentEvidence sample() {
    List<MemberKeys> keys = BundleFixtures.members("fleet-1", 3, 3);
    List<FleetMember> members = keys.stream().map(MemberKeys::member).toList();
    FleetConfig config = new FleetConfig(BundleFixtures.NAMESPACE, "fleet-1", List.of("dc-1", "dc-2", "dc-3"), members);
    Sha256Digest jar = Sha256Digest.of("jar".getBytes(StandardCharsets.US_ASCII));
    CeremonyTranscript transcript = CeremonyTranscript.begin();
    transcript.record(CeremonyTranscript.FLEET_CONFIG, Sha256Digest.of(config.textBytes()).toHex());
    List<DeploymentEvidence.HsmEvidence> hsms = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      MemberKeys m = keys.get(i);
      HsmStatement.Claims claims = new HsmStatement.Claims(config.namespace(), config.fleetId(),
          Sha256Digest.of(config.textBytes()), m.hsmId(), m.datacenter(), m.identityKey(), m.opaqueServerKey(),
          Optional.empty(), jar, transcript.contextDigest());
      EcdsaP256.Signature signature = new EcdsaP256.Signature(new byte[64]);
      HsmStatement s = new HsmStatement(claims.namespace(), claims.fleetId(), claims.fleetConfigDigest(), claims.hsmId(),
          claims.datacenter(), claims.identityKey(), claims.opaqueServerKey(), claims.transportKey(), claims.vaultJar(),
          claims.transportContext(), signature);
      hsms.add(new DeploymentEvidence.HsmEvidence(new byte[] {1, 2, (byte) i}, s));
    }
    return new DeploymentEvidence(1767225600L, jar, transcript.digest(), new byte[] {9, 9}, new byte[] {8}, config, hsms,
        transcript);
  }

  private static String refusal(String text) {
    return assertThrows(EvidenceFormatException.class,
        () -> DeploymentEvidence.parse(text.getBytes(StandardCharsets.ISO_8859_1))).getMessage();
  }

  @Test
  void evidence_re_encodes_to_the_same_bytes() throws Exception {
    DeploymentEvidence evidence = sample();
    byte[] bytes = evidence.toBytes();
    DeploymentEvidence parsed = DeploymentEvidence.parse(bytes);
    assertArrayEquals(bytes, parsed.toBytes());
    assertEquals(evidence, parsed);
    assertEquals(Sha256Digest.of(bytes), parsed.digest());
    assertEquals(3, parsed.hsms().size());
    assertArrayEquals(new byte[] {1, 2, 1}, parsed.hsms().get(1).deviceCertificateDer());
  }

  @Test
  void each_part_is_refused_by_name() throws Exception {
    String text = new String(sample().toBytes(), StandardCharsets.ISO_8859_1);
    assertTrue(refusal(text.replace("deployment-evidence@v1", "deployment-evidence@v2")).contains("evidence header"));
    assertTrue(refusal(text.replace("ceremony-time 1", "ceremony-time 01")).contains("ceremony-time"));
    assertTrue(refusal(text.replace("vendor-root CQk=", "vendor-root CQk")).contains("vendor-root"));
    assertTrue(refusal(text.replace("quorum 2 of 3", "quorum 3 of 3")).contains("fleet config"));
    assertTrue(refusal(text.replaceFirst("device-certificate [^\n]*\n", "")).contains("HSM block 1"));
    assertTrue(refusal(text.replaceFirst("transport-key none", "transport-key nothing")).contains("transport-key"));
    assertTrue(refusal(text.replaceFirst("\n\ndevice-certificate", "\n\n\ndevice-certificate")).contains("blank lines"));
    assertTrue(refusal(text.replace("bkv.dev/ceremony-transcript@v1", "transcript")).contains("transcript"));
    assertTrue(refusal(text.substring(0, text.lastIndexOf("\n\ndevice-certificate")) + "\n\n"
        + text.substring(text.lastIndexOf("bkv.dev/ceremony-transcript@v1"))).contains("HSM blocks"));
    assertTrue(refusal(text + "\n").contains("transcript"));
    assertTrue(refusal(text.replace("\n", "\r\n")).contains("not printable ASCII"));
    assertTrue(refusal("x".repeat(DeploymentEvidence.EVIDENCE_BYTES_MAX + 1)).contains("exceeds"));
  }
}
