package dev.bkv.evidence;

import dev.bkv.base.LineCursor;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.CeremonyTranscript;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.fleet.FleetFormatException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The deployment evidence of one fleet as published: a single line-oriented text file whose
 * SHA-256 is the evidence digest a validation bundle names (spec/FORMATS.md, "Deployment
 * evidence"). Blocks are separated by one blank line and hold none themselves:
 *
 * <pre>
 * bkv.dev/deployment-evidence@v1
 * ceremony-time &lt;UTC seconds&gt;
 * vault-jar-sha256 &lt;64 hex&gt;
 * transcript-sha256 &lt;64 hex&gt;
 * vendor-root &lt;base64 DER: the vendor root certificate&gt;
 * operator-certificate &lt;base64 DER: the operator HSM's device certificate&gt;
 *
 * &lt;fleet config: bkv.dev/fleet-config@v1 ...&gt;
 *
 * device-certificate &lt;base64 DER&gt;       (one block per HSM, in the config's order)
 * &lt;statement: bkv.dev/hsm-deployment-statement@v1 ...&gt;
 *
 * &lt;transcript: bkv.dev/ceremony-transcript@v1 ...&gt;
 * </pre>
 *
 * Parsing checks syntax and canonical form only; {@link EvidenceVerifier} decides whether the
 * evidence holds.
 */
public record DeploymentEvidence(long ceremonyTimeSeconds, Sha256Digest vaultJar, Sha256Digest transcriptDigest,
    byte[] vendorRootDer, byte[] operatorCertificateDer, FleetConfig config, List<HsmEvidence> hsms,
    CeremonyTranscript transcript) {
  public static final String HEADER = "bkv.dev/deployment-evidence@v1";
  public static final int CERTIFICATE_BYTES_MAX = 2048;
  public static final int EVIDENCE_BYTES_MAX = 512 * 1024;
  private static final int HEAD_LINES = 6;

  /** One HSM's part: its vendor device certificate and its signed statement. */
  public record HsmEvidence(byte[] deviceCertificateDer, HsmStatement statement) {
    public HsmEvidence {
      deviceCertificateDer = deviceCertificateDer.clone();
    }

    @Override
    public byte[] deviceCertificateDer() {
      return deviceCertificateDer.clone();
    }
  }

  public DeploymentEvidence {
    vendorRootDer = vendorRootDer.clone();
    operatorCertificateDer = operatorCertificateDer.clone();
    hsms = List.copyOf(hsms);
    if (hsms.size() != config.members().size()) {
      throw new IllegalArgumentException("evidence has one block per HSM of the fleet");
    }
    if (vendorRootDer.length > CERTIFICATE_BYTES_MAX || operatorCertificateDer.length > CERTIFICATE_BYTES_MAX) {
      throw new IllegalArgumentException("certificates are at most " + CERTIFICATE_BYTES_MAX + " bytes");
    }
  }

  @Override
  public byte[] vendorRootDer() {
    return vendorRootDer.clone();
  }

  @Override
  public byte[] operatorCertificateDer() {
    return operatorCertificateDer.clone();
  }

  public byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String head = HEADER + "\n"
        + "ceremony-time " + ceremonyTimeSeconds + "\n"
        + "vault-jar-sha256 " + vaultJar.toHex() + "\n"
        + "transcript-sha256 " + transcriptDigest.toHex() + "\n"
        + "vendor-root " + Base64.getEncoder().encodeToString(vendorRootDer) + "\n"
        + "operator-certificate " + Base64.getEncoder().encodeToString(operatorCertificateDer) + "\n\n";
    out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(config.textBytes());
    for (HsmEvidence hsm : hsms) {
      out.write('\n');
      out.writeBytes(("device-certificate " + Base64.getEncoder().encodeToString(hsm.deviceCertificateDer) + "\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.writeBytes(hsm.statement().toBytes());
    }
    out.write('\n');
    out.writeBytes(transcript.bytes());
    return out.toByteArray();
  }

  /** SHA-256 of the published file: the evidence digest in the fleet's validation bundles. */
  public Sha256Digest digest() {
    return Sha256Digest.of(toBytes());
  }

  /** Parses a published evidence file, accepting only its canonical form. */
  public static DeploymentEvidence parse(byte[] bytes) throws EvidenceFormatException {
    if (bytes.length > EVIDENCE_BYTES_MAX) {
      throw new EvidenceFormatException("evidence of " + bytes.length + " bytes exceeds " + EVIDENCE_BYTES_MAX);
    }
    List<byte[]> blocks = blocks(bytes);
    if (blocks.size() < 4) {
      throw new EvidenceFormatException("evidence needs a header, a fleet config, HSM blocks and a transcript, "
          + "separated by blank lines; found " + blocks.size() + " blocks");
    }
    LineCursor<EvidenceFormatException> head = LineCursor.open(blocks.get(0), HEAD_LINES,
        m -> new EvidenceFormatException("evidence header: " + m), m -> new EvidenceFormatException("evidence header: " + m));
    head.expectLine(HEADER);
    long time = LineCursor.decimal(head.value("ceremony-time"));
    if (time < 0) {
      throw new EvidenceFormatException("ceremony-time must be a decimal in [0, 2^63 - 1]");
    }
    Sha256Digest jar = HsmStatement.digest(head.value("vault-jar-sha256"), "vault-jar-sha256");
    Sha256Digest transcriptDigest = HsmStatement.digest(head.value("transcript-sha256"), "transcript-sha256");
    byte[] root = certificate(head.value("vendor-root"), "vendor-root");
    byte[] operator = certificate(head.value("operator-certificate"), "operator-certificate");
    head.expectEnd();
    FleetConfig config;
    CeremonyTranscript transcript;
    try {
      config = FleetConfig.parse(blocks.get(1));
      transcript = CeremonyTranscript.parse(blocks.get(blocks.size() - 1));
    } catch (FleetFormatException e) {
      throw new EvidenceFormatException(e.getMessage());
    }
    if (blocks.size() != 3 + config.members().size()) {
      throw new EvidenceFormatException("the fleet has " + config.members().size() + " HSMs but the evidence has "
          + (blocks.size() - 3) + " HSM blocks");
    }
    List<HsmEvidence> hsms = new ArrayList<>();
    for (int i = 2; i < blocks.size() - 1; i++) {
      hsms.add(hsmBlock(blocks.get(i), i - 1));
    }
    DeploymentEvidence evidence = new DeploymentEvidence(time, jar, transcriptDigest, root, operator, config, hsms, transcript);
    if (!Arrays.equals(evidence.toBytes(), bytes)) {
      throw new EvidenceFormatException("evidence is not in canonical form");
    }
    return evidence;
  }

  private static HsmEvidence hsmBlock(byte[] block, int number) throws EvidenceFormatException {
    int newline = 0;
    while (newline < block.length && block[newline] != '\n') {
      newline++;
    }
    String first = new String(block, 0, newline, StandardCharsets.US_ASCII);
    String prefix = "device-certificate ";
    if (!first.startsWith(prefix) || newline == block.length) {
      throw new EvidenceFormatException("HSM block " + number + " must start with \"device-certificate <base64 DER>\"");
    }
    byte[] certificate = certificate(first.substring(prefix.length()), "HSM block " + number + " device-certificate");
    try {
      return new HsmEvidence(certificate, HsmStatement.parse(Arrays.copyOfRange(block, newline + 1, block.length)));
    } catch (EvidenceFormatException e) {
      throw new EvidenceFormatException("HSM block " + number + ": " + e.getMessage());
    }
  }

  private static byte[] certificate(String base64, String field) throws EvidenceFormatException {
    byte[] der = LineCursor.canonicalBase64(base64, CERTIFICATE_BYTES_MAX);
    if (der == null) {
      throw new EvidenceFormatException(field + " must be canonical base64 of at most " + CERTIFICATE_BYTES_MAX + " bytes");
    }
    return der;
  }

  /** The blocks between blank lines, each with its final newline; checks the text first. */
  private static List<byte[]> blocks(byte[] bytes) throws EvidenceFormatException {
    String problem = LineCursor.textProblem(bytes);
    if (problem != null) {
      throw new EvidenceFormatException("evidence " + problem);
    }
    List<byte[]> blocks = new ArrayList<>();
    int start = 0;
    for (int i = 0; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
        blocks.add(Arrays.copyOfRange(bytes, start, i + 1));
        start = i + 2;
        if (start < bytes.length && bytes[start] == '\n') {
          throw new EvidenceFormatException("two blank lines in a row at byte " + start);
        }
      }
    }
    blocks.add(Arrays.copyOfRange(bytes, start, bytes.length));
    return blocks;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DeploymentEvidence && Arrays.equals(((DeploymentEvidence) other).toBytes(), toBytes());
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(toBytes());
  }

  @Override
  public String toString() {
    return "DeploymentEvidence(" + config.namespace() + " " + config.fleetId() + ", " + hsms.size() + " HSMs)";
  }
}
