package dev.bkv.evidence;

import dev.bkv.base.Hex;
import dev.bkv.base.LineCursor;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.fleet.CeremonyTranscript;
import dev.bkv.fleet.FleetConfig;
import dev.bkv.hsm.HsmId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Checks that a ceremony transcript is exactly the ceremony the rest of the evidence describes
 * (spec/FORMATS.md, "Deployment evidence"): every line is rebuilt from the config, the
 * certificates and the statements and compared; the only values the evidence cannot predict
 * are the digests of the offers and wrapped secrets, which must be well formed. The transport
 * context must be the SHA-256 of every transcript byte before its line.
 */
final class TranscriptCheck {
  private final List<String> lines;
  private int next = 1; // line 0 is the header, checked by the parser

  private TranscriptCheck(List<String> lines) {
    this.lines = lines;
  }

  /** What is wrong with the transcript, or empty. */
  static Optional<String> problem(DeploymentEvidence evidence, DeviceCertificate operator) {
    try {
      new TranscriptCheck(evidence.transcript().lines()).walk(evidence, operator);
      return Optional.empty();
    } catch (Mismatch m) {
      return Optional.of(m.getMessage());
    }
  }

  private static final class Mismatch extends Exception {
    Mismatch(String message) {
      super(message);
    }
  }

  private void walk(DeploymentEvidence e, DeviceCertificate operator) throws Mismatch {
    FleetConfig config = e.config();
    List<DeploymentEvidence.HsmEvidence> hsms = e.hsms();
    HsmStatement source = hsms.get(0).statement();
    String fleetKey = Hex.encode(source.opaqueServerKey().encode());
    expect(CeremonyTranscript.FLEET_CONFIG + " " + config.digest().toHex());
    expect(CeremonyTranscript.VENDOR_ROOT + " " + Sha256Digest.of(e.vendorRootDer()).toHex());
    expect(CeremonyTranscript.VAULT_JAR + " " + e.vaultJar().toHex());
    expect(CeremonyTranscript.TIME + " " + e.ceremonyTimeSeconds());
    for (DeploymentEvidence.HsmEvidence hsm : hsms) {
      HsmStatement s = hsm.statement();
      expect(CeremonyTranscript.DEVICE + " " + s.hsmId().toHex() + " " + s.datacenter() + " "
          + Sha256Digest.of(hsm.deviceCertificateDer()).toHex() + " chain-verified");
    }
    for (int i = 0; i < hsms.size(); i++) {
      HsmStatement s = hsms.get(i).statement();
      String prefix = CeremonyTranscript.ATTESTED + " " + s.hsmId().toHex() + " " + Hex.encode(s.identityKey().encodeCompressed());
      if (i == 0) {
        expect(prefix + " " + fleetKey); // the source's own key is the fleet's
      } else {
        expectHex(prefix, 33); // a recipient's key before the import, replaced since
      }
    }
    byte[] before = String.join("\n", lines.subList(0, next)).concat("\n").getBytes(StandardCharsets.US_ASCII);
    if (!Sha256Digest.of(before).equals(source.transportContext())) {
      throw new Mismatch("the statements' transport context is not the SHA-256 of the transcript before it");
    }
    expect(CeremonyTranscript.TRANSPORT_CONTEXT + " " + source.transportContext().toHex());
    expect(CeremonyTranscript.SOURCE + " " + source.hsmId().toHex() + " " + fleetKey);
    for (DeploymentEvidence.HsmEvidence hsm : hsms.subList(1, hsms.size())) {
      HsmStatement s = hsm.statement();
      String id = s.hsmId().toHex();
      expectHex(CeremonyTranscript.OFFER + " " + id + " " + Hex.encode(s.transportKey().orElseThrow().encodeCompressed()), 32);
      expectHex(CeremonyTranscript.EXPORT + " " + source.hsmId().toHex() + " " + id, 32);
      expect(CeremonyTranscript.IMPORT + " " + id + " " + fleetKey);
    }
    for (DeploymentEvidence.HsmEvidence hsm : hsms) {
      expect(CeremonyTranscript.STATEMENT + " " + hsm.statement().hsmId().toHex() + " " + hsm.statement().digest().toHex());
    }
    expect(CeremonyTranscript.OPERATOR + " " + HsmId.of(operator.identityKey()).toHex() + " "
        + Hex.encode(operator.identityKey().encodeCompressed()) + " " + Sha256Digest.of(e.operatorCertificateDer()).toHex());
    if (next != lines.size()) {
      throw new Mismatch("unexpected line " + (next + 1) + " after the operator line");
    }
  }

  private void expect(String line) throws Mismatch {
    if (next >= lines.size() || !lines.get(next).equals(line)) {
      throw new Mismatch("line " + (next + 1) + " must be \"" + line + "\"" + found());
    }
    next++;
  }

  /** A line of {@code prefix}, a space, and exactly {@code bytes} bytes of lower-case hex. */
  private void expectHex(String prefix, int bytes) throws Mismatch {
    String line = next < lines.size() ? lines.get(next) : "";
    if (!line.startsWith(prefix + " ") || LineCursor.lowerHex(line.substring(prefix.length() + 1), bytes) == null) {
      throw new Mismatch("line " + (next + 1) + " must be \"" + prefix + " <" + (2 * bytes) + " hex>\"" + found());
    }
    next++;
  }

  private String found() {
    return next < lines.size() ? ", found \"" + lines.get(next) + "\"" : ", found the end";
  }
}
