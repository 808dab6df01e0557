package dev.bkv.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bkv.crypto.Sha256Digest;
import dev.bkv.hsm.HsmId;
import dev.bkv.hsm.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The limits of the evidence formats at exactly the bound and one past it, and the refusals
 * that EvidenceFormatTest only checks by the part they name, here by their whole message.
 */
class EvidenceBoundsTest {
  static String refusal(String text) {
    return assertThrows(EvidenceFormatException.class,
        () -> DeploymentEvidence.parse(text.getBytes(StandardCharsets.US_ASCII))).getMessage();
  }

  static String statementRefusal(String text) {
    return assertThrows(EvidenceFormatException.class,
        () -> HsmStatement.parse(text.getBytes(StandardCharsets.US_ASCII))).getMessage();
  }

  static DeploymentEvidence withCertificates(DeploymentEvidence e, byte[] root, byte[] operator) {
    return new DeploymentEvidence(e.ceremonyTimeSeconds(), e.vaultJar(), e.transcriptDigest(), root, operator, e.config(),
        e.hsms(), e.transcript());
  }

  @Test
  void evidenceHasOneBlockPerHsm_andCertificatesOfAtMostTheLimit() throws Exception {
    DeploymentEvidence sample = EvidenceFormatTest.sample();
    IllegalArgumentException blocks = assertThrows(IllegalArgumentException.class,
        () -> new DeploymentEvidence(0, sample.vaultJar(), sample.transcriptDigest(), sample.vendorRootDer(),
            sample.operatorCertificateDer(), sample.config(), sample.hsms().subList(0, 2), sample.transcript()));
    assertEquals("evidence has one block per HSM of the fleet", blocks.getMessage());

    byte[] atLimit = new byte[DeploymentEvidence.CERTIFICATE_BYTES_MAX];
    byte[] over = new byte[DeploymentEvidence.CERTIFICATE_BYTES_MAX + 1];
    DeploymentEvidence big = withCertificates(sample, atLimit, atLimit);
    assertEquals(big, DeploymentEvidence.parse(big.toBytes()));
    for (byte[][] pair : List.of(new byte[][] {over, new byte[1]}, new byte[][] {new byte[1], over})) {
      IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
          () -> withCertificates(sample, pair[0], pair[1]));
      assertEquals("certificates are at most 2048 bytes", tooBig.getMessage());
    }
  }

  @Test
  void aCeremonyAtTimeZeroRoundTrips_andEqualityIsByTheBytes() throws Exception {
    DeploymentEvidence sample = EvidenceFormatTest.sample();
    DeploymentEvidence zero = new DeploymentEvidence(0, sample.vaultJar(), sample.transcriptDigest(), sample.vendorRootDer(),
        sample.operatorCertificateDer(), sample.config(), sample.hsms(), sample.transcript());
    assertEquals(zero, DeploymentEvidence.parse(zero.toBytes()));
    assertNotEquals(sample, zero);
    assertNotEquals(sample, "not evidence");
    assertEquals(sample.hashCode(), DeploymentEvidence.parse(sample.toBytes()).hashCode());
    assertEquals(Arrays.hashCode(sample.toBytes()), sample.hashCode());
    assertEquals("DeploymentEvidence(" + sample.config().namespace() + " fleet-1, 3 HSMs)", sample.toString());
  }

  @Test
  void theEvidenceBlockCountsAreReportedExactly() throws Exception {
    String text = new String(EvidenceFormatTest.sample().toBytes(), StandardCharsets.US_ASCII);
    String[] blocks = text.split("\n\n");
    assertEquals(6, blocks.length);
    String header = blocks[0];
    String config = blocks[1];
    String transcript = blocks[5];
    assertEquals("evidence needs a header, a fleet config, HSM blocks and a transcript, separated by blank lines; found 3 blocks",
        refusal(header + "\n\n" + config + "\n\n" + transcript));
    assertEquals("the fleet has 3 HSMs but the evidence has 1 HSM blocks",
        refusal(header + "\n\n" + config + "\n\n" + blocks[2] + "\n\n" + transcript));
    // An HSM block of one line: no statement follows its certificate.
    String firstLine = blocks[2].substring(0, blocks[2].indexOf('\n'));
    assertEquals("HSM block 1: statement: empty",
        refusal(header + "\n\n" + config + "\n\n" + firstLine + "\n\n" + blocks[3] + "\n\n" + blocks[4] + "\n\n" + transcript));
    assertEquals("HSM block 2 must start with \"device-certificate <base64 DER>\"",
        refusal(header + "\n\n" + config + "\n\n" + blocks[2] + "\n\n" + blocks[3].replaceFirst("device-certificate", "device")
            + "\n\n" + blocks[4] + "\n\n" + transcript));
  }

  @Test
  void theSizeLimitsAreInclusive() throws Exception {
    String exactly = "x".repeat(DeploymentEvidence.EVIDENCE_BYTES_MAX - 1) + "\n";
    assertEquals("evidence needs a header, a fleet config, HSM blocks and a transcript, separated by blank lines; found 1 blocks",
        refusal(exactly));
    assertEquals("evidence of 524289 bytes exceeds 524288", refusal(exactly + "x"));

    String statement = "y".repeat(HsmStatement.TEXT_BYTES_MAX);
    assertFalse(statementRefusal(statement).contains("exceeds"), statementRefusal(statement));
    assertEquals("statement of 2049 bytes exceeds 2048", statementRefusal(statement + "y"));
  }

  @Test
  void statementFieldsAreRefusedByTheirWholeReason() throws Exception {
    String text = new String(EvidenceFormatTest.sample().hsms().get(0).statement().toBytes(), StandardCharsets.US_ASCII);
    String id = EvidenceFormatTest.sample().hsms().get(0).statement().hsmId().toHex();
    assertEquals("hsm-id must be " + 2 * HsmId.BYTES + " lower-case hex digits",
        statementRefusal(text.replace("hsm-id " + id, "hsm-id " + id + "00")));
    assertEquals("statement: fleet id \"fleet 1\" has a character not allowed at position 5 (letters, digits, '.', '_', '-'; "
        + "first a letter or digit)", statementRefusal(text.replace("fleet-id fleet-1", "fleet-id fleet 1")));
    assertEquals("statement: datacenter \"dc 1\" has a character not allowed at position 2 (letters, digits, '.', '_', '-'; "
        + "first a letter or digit)", statementRefusal(text.replaceFirst("datacenter dc-\\d", "datacenter dc 1")));
    assertEquals(EvidenceFormatTest.sample().hsms().get(0).statement(),
        HsmStatement.parse(text.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void anHsmSignsOnlyAStatementNamingItsIdAndIdentityKey() throws Exception {
    SoftHsm hsm = SoftHsm.inMemory(FleetRun.RANDOM);
    SoftHsm other = SoftHsm.inMemory(FleetRun.RANDOM);
    HsmStatement.Claims template = EvidenceFormatTest.sample().hsms().get(0).statement().claims();
    HsmStatement.Claims own = claims(template, hsm.id(), hsm.identityPublicKey());
    HsmStatement signed = HsmStatement.sign(hsm, own);
    assertEquals(hsm.id(), signed.hsmId());
    for (HsmStatement.Claims wrong : List.of(claims(template, other.id(), hsm.identityPublicKey()),
        claims(template, hsm.id(), other.identityPublicKey()))) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> HsmStatement.sign(hsm, wrong));
      assertEquals("a statement is signed by the HSM it names", refused.getMessage());
    }
  }

  static HsmStatement.Claims claims(HsmStatement.Claims c, HsmId id, dev.bkv.crypto.EcdsaP256.PublicKey identity) {
    return new HsmStatement.Claims(c.namespace(), c.fleetId(), c.fleetConfigDigest(), id, c.datacenter(), identity,
        c.opaqueServerKey(), c.transportKey(), c.vaultJar(), c.transportContext());
  }

  @Test
  void pemIsStrict_andItsLinesAre64Characters() {
    byte[] der = new byte[48];
    der[0] = 0x30;
    String pem = new String(Pem.encodeCertificate(der), StandardCharsets.US_ASCII);
    assertEquals(3, pem.split("\n").length, pem);
    assertEquals(pem.length(), pem.strip().length() + 1, "a single final newline");
    byte[] longer = new byte[49];
    assertEquals(4, new String(Pem.encodeCertificate(longer), StandardCharsets.US_ASCII).split("\n").length);
    assertArrayEquals(der, Pem.decodeCertificate(Pem.encodeCertificate(der)).orElseThrow());

    assertEquals(Optional.empty(), Pem.decodeCertificate(new byte[0]));
    String begin = "-----BEGIN CERTIFICATE-----\n";
    String end = "-----END CERTIFICATE-----\n";
    assertEquals(Optional.empty(), Pem.decodeCertificate(begin.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(Optional.empty(), Pem.decodeCertificate(end.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(Optional.empty(), Pem.decodeCertificate((begin + "MAAA\n").getBytes(StandardCharsets.US_ASCII)));
    assertEquals(Optional.empty(), Pem.decodeCertificate(("MAAA\n" + end).getBytes(StandardCharsets.US_ASCII)));
    // The same bytes wrapped at 60 characters: decodable, but not the canonical form.
    String body = pem.substring(begin.length(), pem.length() - end.length()).replace("\n", "");
    String rewrapped = begin + body.substring(0, 60) + "\n" + body.substring(60) + "\n" + end;
    assertEquals(Optional.empty(), Pem.decodeCertificate(rewrapped.getBytes(StandardCharsets.US_ASCII)));
    assertEquals(Optional.empty(), Pem.decodeCertificate((begin + "!!!!\n" + end).getBytes(StandardCharsets.US_ASCII)));
    assertEquals(Sha256Digest.of(der), Sha256Digest.of(Pem.decodeCertificate(der).orElseThrow()), "DER is taken as is");
  }
}
