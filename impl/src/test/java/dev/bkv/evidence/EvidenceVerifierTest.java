package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Check;
import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.CeremonyTranscript;
import dev.bkv.fleet.KeyCeremony;
import dev.bkv.hsm.Hsm;
import dev.bkv.tlog.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * G7: published evidence verifies only when every certificate chains to the trusted vendor
 * root, every statement is signed by the HSM it names and agrees with the fleet config and the
 * other statements, the jar is the expected one, and the transcript is the ceremony that the
 * rest describes. Each broken rule gives its own reason; nothing throws.
 */
class EvidenceVerifierTest {
  static FleetRun run;
  static KeyCeremony.Result ceremony;
  static DeploymentEvidence evidence;

  @BeforeAll
  static void ceremony() throws Exception {
    run = new FleetRun(3, 3);
    ceremony = run.ceremony();
    evidence = EvidenceBuilder.build(ceremony, run.vendor.root(), run.operator, run.operatorCertificate);
  }

  private static Verdict<EvidenceFacts> verify(byte[] bytes) {
    return EvidenceVerifier.verify(bytes, run.vendor.root(), FleetRun.JAR);
  }

  private static String rejection(DeploymentEvidence altered) {
    Verdict<EvidenceFacts> verdict = verify(altered.toBytes());
    assertFalse(verdict.isVerified(), "should be rejected");
    return verdict.reasonOrEmpty();
  }

  /** The evidence with HSM {@code index}'s statement re-signed by that HSM over altered claims. */
  private static DeploymentEvidence resigned(int index, UnaryOperator<HsmStatement.Claims> change) throws Exception {
    List<DeploymentEvidence.HsmEvidence> hsms = new ArrayList<>(evidence.hsms());
    DeploymentEvidence.HsmEvidence block = hsms.get(index);
    Hsm hsm = ceremony.participants().get(index).hsm();
    hsms.set(index, new DeploymentEvidence.HsmEvidence(block.deviceCertificateDer(),
        HsmStatement.sign(hsm, change.apply(block.statement().claims()))));
    return with(hsms, evidence.transcript(), evidence.operatorCertificateDer());
  }

  private static DeploymentEvidence with(List<DeploymentEvidence.HsmEvidence> hsms, CeremonyTranscript transcript,
      byte[] operatorCertificate) {
    return new DeploymentEvidence(evidence.ceremonyTimeSeconds(), evidence.vaultJar(), transcript.digest(),
        evidence.vendorRootDer(), operatorCertificate, evidence.config(), hsms, transcript);
  }

  @Test
  void evidence_from_a_ceremony_verifies_and_states_the_fleet() throws Exception {
    Verdict<EvidenceFacts> verdict = verify(evidence.toBytes());
    assertTrue(verdict.isVerified(), verdict.reasonOrEmpty());
    EvidenceFacts facts = verdict.value();
    assertEquals(ceremony.config(), facts.config());
    assertEquals(ceremony.members(), facts.members());
    assertEquals(ceremony.opaqueServerKey(), facts.opaqueServerKey());
    assertEquals(Sha256Digest.of(evidence.toBytes()), facts.evidenceDigest());
    assertEquals(FleetRun.JAR, facts.vaultJar());
    assertEquals(run.operator.identityPublicKey(), facts.operatorKey());
    assertEquals(ceremony.members().get(0).hsmId(), facts.sourceHsm());
  }

  @Test
  void another_vendor_another_jar_or_an_altered_transcript_is_rejected() throws Exception {
    HsmVendor rogue = HsmVendor.create(BundleFixtures.ecdsaKey("rogue vendor"), FleetRun.T0 - 60);
    assertTrue(EvidenceVerifier.verify(evidence.toBytes(), rogue.root(), FleetRun.JAR).reasonOrEmpty()
        .contains("another vendor root"));
    Sha256Digest otherJar = Sha256Digest.of("rebuilt differently".getBytes(StandardCharsets.US_ASCII));
    assertTrue(EvidenceVerifier.verify(evidence.toBytes(), run.vendor.root(), otherJar).reasonOrEmpty().contains("vault jar"));
    String text = new String(evidence.toBytes(), StandardCharsets.US_ASCII);
    String tampered = text.replaceFirst("(?m)^time [0-9]+$", "time 1");
    assertTrue(verify(tampered.getBytes(StandardCharsets.US_ASCII)).reasonOrEmpty().contains("transcript-sha256"));
    // Consistently re-hashed, the transcript still has to match the rest of the evidence.
    List<String> lines = new ArrayList<>(evidence.transcript().lines());
    lines.replaceAll(l -> l.startsWith("time ") ? "time 1" : l);
    CeremonyTranscript rewritten = CeremonyTranscript.parse((String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
    assertTrue(rejection(with(evidence.hsms(), rewritten, evidence.operatorCertificateDer())).contains("line 5 must be"));
    lines = new ArrayList<>(evidence.transcript().lines());
    lines.remove(lines.size() - 1);
    CeremonyTranscript shortened = CeremonyTranscript.parse((String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
    assertTrue(rejection(with(evidence.hsms(), shortened, evidence.operatorCertificateDer())).contains("found the end"));
  }

  @Test
  void statements_must_agree_with_the_fleet_config_and_each_other() throws Exception {
    assertTrue(rejection(resigned(1, c -> new HsmStatement.Claims(c.namespace(), c.fleetId(), c.fleetConfigDigest(), c.hsmId(),
        "dc-9", c.identityKey(), c.opaqueServerKey(), c.transportKey(), c.vaultJar(), c.transportContext())))
        .contains("the fleet config places"));
    assertTrue(rejection(resigned(1, c -> new HsmStatement.Claims(c.namespace(), "fleet-2", c.fleetConfigDigest(), c.hsmId(),
        c.datacenter(), c.identityKey(), c.opaqueServerKey(), c.transportKey(), c.vaultJar(), c.transportContext())))
        .contains("names fleet"));
    assertTrue(rejection(resigned(1, c -> new HsmStatement.Claims(c.namespace(), c.fleetId(), FleetRun.JAR, c.hsmId(),
        c.datacenter(), c.identityKey(), c.opaqueServerKey(), c.transportKey(), c.vaultJar(), c.transportContext())))
        .contains("another fleet config"));
    assertTrue(rejection(resigned(2, c -> new HsmStatement.Claims(c.namespace(), c.fleetId(), c.fleetConfigDigest(), c.hsmId(),
        c.datacenter(), c.identityKey(), c.opaqueServerKey(), c.transportKey(), Sha256Digest.of(new byte[1]),
        c.transportContext()))).contains("names vault jar"));
    assertTrue(rejection(resigned(2, c -> new HsmStatement.Claims(c.namespace(), c.fleetId(), c.fleetConfigDigest(), c.hsmId(),
        c.datacenter(), c.identityKey(), BundleFixtures.opaqueKey("other"), c.transportKey(), c.vaultJar(),
        c.transportContext()))).contains("answers OPAQUE with"));
    assertTrue(rejection(resigned(2, c -> new HsmStatement.Claims(c.namespace(), c.fleetId(), c.fleetConfigDigest(), c.hsmId(),
        c.datacenter(), c.identityKey(), c.opaqueServerKey(), c.transportKey(), c.vaultJar(), FleetRun.JAR)))
        .contains("transport context"));
    assertTrue(rejection(resigned(0, c -> new HsmStatement.Claims(c.namespace(), c.fleetId(), c.fleetConfigDigest(), c.hsmId(),
        c.datacenter(), c.identityKey(), c.opaqueServerKey(), evidence.hsms().get(1).statement().transportKey(), c.vaultJar(),
        c.transportContext()))).contains("is the source"));
  }

  @Test
  void every_certificate_and_signature_is_checked() throws Exception {
    List<DeploymentEvidence.HsmEvidence> swapped = new ArrayList<>(evidence.hsms());
    swapped.set(0, new DeploymentEvidence.HsmEvidence(evidence.hsms().get(1).deviceCertificateDer(),
        evidence.hsms().get(0).statement()));
    assertTrue(rejection(with(swapped, evidence.transcript(), evidence.operatorCertificateDer())).contains("another key"));
    HsmStatement s = evidence.hsms().get(2).statement();
    byte[] signature = s.signature().toBytes();
    signature[5] ^= 1;
    List<DeploymentEvidence.HsmEvidence> forged = new ArrayList<>(evidence.hsms());
    forged.set(2, new DeploymentEvidence.HsmEvidence(evidence.hsms().get(2).deviceCertificateDer(),
        new HsmStatement(s.namespace(), s.fleetId(), s.fleetConfigDigest(), s.hsmId(), s.datacenter(), s.identityKey(),
            s.opaqueServerKey(), s.transportKey(), s.vaultJar(), s.transportContext(),
            new dev.bkv.crypto.EcdsaP256.Signature(signature))));
    assertTrue(rejection(with(forged, evidence.transcript(), evidence.operatorCertificateDer()))
        .contains("statement signature does not verify"));
    HsmVendor rogue = HsmVendor.create(BundleFixtures.ecdsaKey("rogue vendor"), FleetRun.T0 - 60);
    byte[] rogueOperator = rogue.issueDeviceCertificate(run.operator.identityPublicKey(), FleetRun.T0 - 60);
    assertTrue(rejection(with(evidence.hsms(), evidence.transcript(), rogueOperator)).contains("operator certificate"));
  }

  @Test
  void random_damage_is_rejected_and_never_throws() {
    byte[] bytes = evidence.toBytes();
    Random random = new Random(7);
    for (int trial = 0; trial < 200; trial++) {
      byte[] damaged = bytes.clone();
      int at = random.nextInt(damaged.length);
      damaged[at] = (byte) (damaged[at] ^ (1 + random.nextInt(255)));
      assertFalse(verify(damaged).isVerified(), "byte " + at);
    }
    assertFalse(verify(new byte[0]).isVerified());
    assertFalse(verify(java.util.Arrays.copyOf(bytes, bytes.length - 1)).isVerified());
    assertTrue(verify(bytes).isVerified());
  }

  /** The evidence with its transcript lines changed by {@code change} and consistently re-hashed. */
  private static String transcriptRejection(UnaryOperator<List<String>> change) throws Exception {
    List<String> lines = change.apply(new ArrayList<>(evidence.transcript().lines()));
    CeremonyTranscript rewritten = CeremonyTranscript.parse((String.join("\n", lines) + "\n").getBytes(StandardCharsets.US_ASCII));
    return rejection(with(evidence.hsms(), rewritten, evidence.operatorCertificateDer()));
  }

  @Test
  void each_transcript_line_is_rebuilt_and_a_difference_is_named_with_its_number_and_text() throws Exception {
    List<String> lines = evidence.transcript().lines();
    int firstAttested = 0;
    while (!lines.get(firstAttested).startsWith(CeremonyTranscript.ATTESTED + " ")) {
      firstAttested++;
    }
    int source = firstAttested;
    String otherKey = "03" + "ab".repeat(32);
    // The source's attested line ends with the fleet key itself: any other key there is that line's mismatch.
    String sourceLine = lines.get(source);
    String alteredSource = sourceLine.substring(0, sourceLine.lastIndexOf(' ') + 1) + otherKey;
    assertTrue(transcriptRejection(l -> { l.set(source, alteredSource); return l; }).endsWith("transcript: line " + (source + 1)
        + " must be \"" + sourceLine + "\", found \"" + alteredSource + "\""));
    // A recipient's attested key is only checked for its form, but the transport context hashes every line before it.
    int recipient = source + 1;
    String recipientLine = lines.get(recipient);
    String alteredRecipient = recipientLine.substring(0, recipientLine.lastIndexOf(' ') + 1) + otherKey;
    assertTrue(transcriptRejection(l -> { l.set(recipient, alteredRecipient); return l; })
        .endsWith("transcript: the statements' transport context is not the SHA-256 of the transcript before it"));
    String recipientPrefix = recipientLine.substring(0, recipientLine.lastIndexOf(' '));
    assertTrue(transcriptRejection(l -> { l.set(recipient, recipientPrefix + " " + otherKey.toUpperCase(java.util.Locale.ROOT));
      return l; }).endsWith("transcript: line " + (recipient + 1) + " must be \"" + recipientPrefix + " <66 hex>\", found \""
        + recipientPrefix + " " + otherKey.toUpperCase(java.util.Locale.ROOT) + "\""));
    assertTrue(transcriptRejection(l -> new ArrayList<>(l.subList(0, recipient)))
        .endsWith("transcript: line " + (recipient + 1) + " must be \"" + recipientPrefix + " <66 hex>\", found the end"));
    assertTrue(transcriptRejection(l -> { l.add(l.get(l.size() - 1)); return l; })
        .endsWith("transcript: unexpected line " + (lines.size() + 1) + " after the operator line"));
  }

  @Test
  void a_statement_whose_identity_key_does_not_derive_its_hsm_id_is_rejected() throws Exception {
    // No HSM signs such a statement, so it keeps the signature it had: the id check comes before the signature's.
    List<DeploymentEvidence.HsmEvidence> hsms = new ArrayList<>(evidence.hsms());
    DeploymentEvidence.HsmEvidence block = hsms.get(1);
    HsmStatement s = block.statement();
    HsmStatement otherKey = new HsmStatement(s.namespace(), s.fleetId(), s.fleetConfigDigest(), s.hsmId(), s.datacenter(),
        BundleFixtures.ecdsaKey("not this HSM").publicKey(), s.opaqueServerKey(), s.transportKey(), s.vaultJar(),
        s.transportContext(), s.signature());
    hsms.set(1, new DeploymentEvidence.HsmEvidence(block.deviceCertificateDer(), otherKey));
    String reason = rejection(with(hsms, evidence.transcript(), evidence.operatorCertificateDer()));
    assertTrue(reason.endsWith("hsm-id is not derived from the statement's identity key"), reason);
  }


  @Test
  void building_evidence_from_participants_out_of_member_order_is_an_invariant_violation() {
    List<KeyCeremony.Participant> reversed = new ArrayList<>(ceremony.participants());
    java.util.Collections.reverse(reversed);
    KeyCeremony.Result shuffled = new KeyCeremony.Result(ceremony.config(), ceremony.members(), reversed,
        ceremony.transportKeys(), ceremony.transportContext(), ceremony.vaultJar(), ceremony.ceremonyTimeSeconds(),
        ceremony.transcript());
    assertThrows(Check.InvariantViolation.class,
        () -> EvidenceBuilder.build(shuffled, run.vendor.root(), run.operator, run.operatorCertificate));
  }

  @Test
  void a_header_of_more_lines_than_its_fields_is_refused_as_the_header() {
    String text = new String(evidence.toBytes(), StandardCharsets.US_ASCII);
    String longer = text.replaceFirst("\n", "\nnote an extra header line\n");
    assertEquals("evidence header: more than 6 lines", assertThrows(EvidenceFormatException.class,
        () -> DeploymentEvidence.parse(longer.getBytes(StandardCharsets.US_ASCII))).getMessage());
  }
}
