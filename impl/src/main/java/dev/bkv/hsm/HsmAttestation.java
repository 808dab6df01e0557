package dev.bkv.hsm;

import dev.bkv.base.Hex;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import java.nio.charset.StandardCharsets;

/**
 * An HSM's statement of who it is, signed by its identity key (format in spec/FORMATS.md,
 * "Vault and HSM"). Line-oriented text; the signature covers every byte before the
 * {@code signature} line:
 * <pre>
 * BKV HSM attestation v1
 * hsm-id &lt;32 hex&gt;
 * identity-key &lt;66 hex: SEC1 compressed P-256&gt;
 * opaque-server-key &lt;66 hex: the OPAQUE AKE public key clients see in KE2&gt;
 * signature &lt;128 hex: ECDSA P-256 SHA-256, P1363 r || s&gt;
 * </pre>
 * This version is self-signed; chaining the identity key to a vendor certificate is the
 * evidence format's job. {@link #verify} is total: any input yields Verified or Rejected.
 */
public final class HsmAttestation {
  public static final String HEADER = "BKV HSM attestation v1";
  public static final int ENCODED_BYTES_MAX = 1024;

  private final HsmId hsmId;
  private final EcdsaP256.PublicKey identityKey;
  private final P256Group.Element opaqueServerKey;
  private final EcdsaP256.Signature signature;

  private HsmAttestation(HsmId hsmId, EcdsaP256.PublicKey identityKey, P256Group.Element opaqueServerKey,
      EcdsaP256.Signature signature) {
    this.hsmId = hsmId;
    this.identityKey = identityKey;
    this.opaqueServerKey = opaqueServerKey;
    this.signature = signature;
  }

  /** The verification result. */
  public sealed interface Verification permits Verified, Rejected {}

  public record Verified(HsmAttestation attestation) implements Verification {}

  public record Rejected(String reason) implements Verification {}

  static HsmAttestation sign(Hsm hsm) throws HsmException {
    EcdsaP256.PublicKey identity = hsm.identityPublicKey();
    P256Group.Element opaqueKey = hsm.opaqueServerSetup().serverPublicKey();
    HsmId id = hsm.id();
    byte[] body = body(id, identity, opaqueKey);
    return new HsmAttestation(id, identity, opaqueKey, hsm.signWithIdentity(body));
  }

  public HsmId hsmId() {
    return hsmId;
  }

  public EcdsaP256.PublicKey identityKey() {
    return identityKey;
  }

  public P256Group.Element opaqueServerKey() {
    return opaqueServerKey;
  }

  public byte[] encode() {
    String text = new String(body(hsmId, identityKey, opaqueServerKey), StandardCharsets.US_ASCII)
        + "signature " + signature.toHex() + "\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] body(HsmId id, EcdsaP256.PublicKey identity, P256Group.Element opaqueKey) {
    String text = HEADER + "\n"
        + "hsm-id " + id.toHex() + "\n"
        + "identity-key " + Hex.encode(identity.encodeCompressed()) + "\n"
        + "opaque-server-key " + Hex.encode(opaqueKey.encode()) + "\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** Parses and checks an encoded statement: sizes and syntax first, then the id, then the signature. */
  public static Verification verify(byte[] encoded) {
    if (encoded.length > ENCODED_BYTES_MAX) {
      return new Rejected("statement of " + encoded.length + " bytes exceeds " + ENCODED_BYTES_MAX);
    }
    for (byte b : encoded) {
      if (b != '\n' && (b < 0x20 || b > 0x7e)) {
        return new Rejected("statement is not printable ASCII");
      }
    }
    String text = new String(encoded, StandardCharsets.US_ASCII);
    if (!text.endsWith("\n")) {
      return new Rejected("statement does not end with a newline");
    }
    String[] lines = text.substring(0, text.length() - 1).split("\n", -1);
    if (lines.length != 5 || !lines[0].equals(HEADER)) {
      return new Rejected("expected the header line and 4 fields");
    }
    try {
      HsmId id = new HsmId(field(lines[1], "hsm-id", HsmId.BYTES));
      EcdsaP256.PublicKey identity = EcdsaP256.PublicKey.decode(field(lines[2], "identity-key", 33));
      P256Group.Element opaqueKey = P256Group.Element.decode("opaque-server-key", field(lines[3], "opaque-server-key", 33));
      EcdsaP256.Signature signature = new EcdsaP256.Signature(field(lines[4], "signature", EcdsaP256.SIGNATURE_P1363_BYTES));
      if (!HsmId.of(identity).equals(id)) {
        return new Rejected("hsm-id is not derived from identity-key");
      }
      byte[] body = body(id, identity, opaqueKey);
      if (!EcdsaP256.verify(identity, body, signature)) {
        return new Rejected("signature does not verify under identity-key");
      }
      return new Verified(new HsmAttestation(id, identity, opaqueKey, signature));
    } catch (DecodeException e) {
      return new Rejected(e.getMessage());
    }
  }

  private static byte[] field(String line, String name, int bytes) throws DecodeException {
    String prefix = name + " ";
    if (!line.startsWith(prefix)) {
      throw new DecodeException(name, "line missing or out of order");
    }
    String hex = line.substring(prefix.length());
    if (hex.length() != 2 * bytes || !hex.equals(hex.toLowerCase(java.util.Locale.ROOT))) {
      throw new DecodeException(name, "expected " + (2 * bytes) + " lower-case hex digits");
    }
    try {
      return Hex.decode(hex);
    } catch (IllegalArgumentException e) {
      throw new DecodeException(name, e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "HsmAttestation(" + hsmId.toHex() + ")";
  }
}
