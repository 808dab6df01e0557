package dev.bkv.hsm;

import dev.bkv.base.Bytes;
import dev.bkv.base.Hex;
import dev.bkv.base.LineCursor;
import dev.bkv.crypto.Aes256Gcm;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.crypto.opaque.ServerSetup;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fleet secrets (the OPAQUE {@link ServerSetup}) on their way from the HSM that generated
 * them to one other HSM of the fleet, encrypted to that HSM's transport offer and signed by
 * the sender's identity key over every byte before the {@code signature} line
 * (spec/FORMATS.md, "Deployment evidence"):
 *
 * <pre>
 * BKV fleet secrets v1
 * sender &lt;32 hex: HSM id&gt;
 * recipient &lt;32 hex: HSM id&gt;
 * context &lt;64 hex: the ceremony's transport context&gt;
 * ephemeral-key &lt;66 hex: the sender's one-time ECDH P-256 key&gt;
 * opaque-server-key &lt;66 hex: public key of the setup inside&gt;
 * ciphertext &lt;250 hex: nonce (12) || AES-256-GCM(ServerSetup, 97) || tag (16)&gt;
 * signature &lt;128 hex&gt;
 * </pre>
 *
 * Parsing checks syntax only; the recipient HSM checks everything else when it imports.
 */
public final class WrappedFleetSecrets {
  public static final String HEADER = "BKV fleet secrets v1";
  public static final int LINES = 8;
  public static final int CIPHERTEXT_BYTES = Aes256Gcm.NONCE_BYTES + ServerSetup.ENCODED_BYTES + Aes256Gcm.TAG_BYTES;
  public static final int ENCODED_BYTES_MAX = 1024;

  private final HsmId sender;
  private final HsmId recipient;
  private final Sha256Digest context;
  private final EcdhP256.PublicKey ephemeralKey;
  private final P256Group.Element opaqueServerKey;
  private final byte[] ciphertext;
  private final EcdsaP256.Signature signature;

  WrappedFleetSecrets(HsmId sender, HsmId recipient, Sha256Digest context, EcdhP256.PublicKey ephemeralKey,
      P256Group.Element opaqueServerKey, byte[] ciphertext, EcdsaP256.Signature signature) {
    if (ciphertext.length != CIPHERTEXT_BYTES) {
      throw new IllegalArgumentException("wrapped fleet secrets ciphertext must be " + CIPHERTEXT_BYTES + " bytes");
    }
    this.sender = sender;
    this.recipient = recipient;
    this.context = context;
    this.ephemeralKey = ephemeralKey;
    this.opaqueServerKey = opaqueServerKey;
    this.ciphertext = ciphertext.clone();
    this.signature = signature;
  }

  public HsmId sender() {
    return sender;
  }

  public HsmId recipient() {
    return recipient;
  }

  public Sha256Digest context() {
    return context;
  }

  public EcdhP256.PublicKey ephemeralKey() {
    return ephemeralKey;
  }

  public P256Group.Element opaqueServerKey() {
    return opaqueServerKey;
  }

  byte[] ciphertext() {
    return ciphertext.clone();
  }

  EcdsaP256.Signature signature() {
    return signature;
  }

  /** The AEAD's associated data: every line before {@code ciphertext}. */
  static byte[] header(HsmId sender, HsmId recipient, Sha256Digest context, EcdhP256.PublicKey ephemeral,
      P256Group.Element opaqueKey) {
    return (HEADER + "\n"
        + "sender " + sender.toHex() + "\n"
        + "recipient " + recipient.toHex() + "\n"
        + "context " + context.toHex() + "\n"
        + "ephemeral-key " + Hex.encode(ephemeral.encodeCompressed()) + "\n"
        + "opaque-server-key " + Hex.encode(opaqueKey.encode()) + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The signed bytes: every line before {@code signature}. */
  byte[] signedBody() {
    return signedBody(header(sender, recipient, context, ephemeralKey, opaqueServerKey), ciphertext);
  }

  static byte[] signedBody(byte[] header, byte[] ciphertext) {
    return Bytes.concat(header, ("ciphertext " + Hex.encode(ciphertext) + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  public byte[] encode() {
    return Bytes.concat(signedBody(), ("signature " + signature.toHex() + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  public Sha256Digest digest() {
    return Sha256Digest.of(encode());
  }

  /** Parses the canonical text (syntax and key encodings only). */
  public static WrappedFleetSecrets parse(byte[] encoded) throws DecodeException {
    if (encoded.length > ENCODED_BYTES_MAX) {
      throw new DecodeException("wrapped fleet secrets", encoded.length + " bytes exceed " + ENCODED_BYTES_MAX);
    }
    LineCursor<DecodeException> in = SignedLines.open("wrapped fleet secrets", encoded, LINES);
    in.expectLine(HEADER);
    HsmId sender = new HsmId(SignedLines.hex(in, "sender", HsmId.BYTES));
    HsmId recipient = new HsmId(SignedLines.hex(in, "recipient", HsmId.BYTES));
    Sha256Digest context = new Sha256Digest(SignedLines.hex(in, "context", 32));
    EcdhP256.PublicKey ephemeral = EcdhP256.PublicKey.decodeSec1(SignedLines.hex(in, "ephemeral-key", 33));
    P256Group.Element opaque = P256Group.Element.decode("opaque-server-key", SignedLines.hex(in, "opaque-server-key", 33));
    byte[] ciphertext = SignedLines.hex(in, "ciphertext", CIPHERTEXT_BYTES);
    EcdsaP256.Signature signature = new EcdsaP256.Signature(SignedLines.hex(in, "signature", EcdsaP256.SIGNATURE_P1363_BYTES));
    in.expectEnd();
    WrappedFleetSecrets wrapped = new WrappedFleetSecrets(sender, recipient, context, ephemeral, opaque, ciphertext, signature);
    if (!Arrays.equals(wrapped.encode(), encoded)) {
      throw new DecodeException("wrapped fleet secrets", "not in canonical form");
    }
    return wrapped;
  }

  @Override
  public String toString() {
    return "WrappedFleetSecrets(" + sender.toHex() + " -> " + recipient.toHex() + ")";
  }
}
