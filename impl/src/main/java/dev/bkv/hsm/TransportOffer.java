package dev.bkv.hsm;

import dev.bkv.base.Bytes;
import dev.bkv.base.Hex;
import dev.bkv.base.LineCursor;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.tlog.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An HSM's offer to receive the fleet secrets: a fresh ECDH P-256 transport key, bound to one
 * key ceremony by its context digest, signed by the HSM's identity key over every byte before
 * the {@code signature} line (spec/FORMATS.md, "Deployment evidence"):
 *
 * <pre>
 * BKV HSM transport offer v1
 * hsm-id &lt;32 hex&gt;
 * identity-key &lt;66 hex&gt;
 * transport-key &lt;66 hex: SEC1 compressed P-256&gt;
 * context &lt;64 hex: the ceremony's transport context&gt;
 * signature &lt;128 hex: ECDSA P-256 SHA-256, P1363&gt;
 * </pre>
 *
 * The transport key lives in the HSM only until the import it was made for (or the next
 * offer), so a recorded transfer cannot be opened later. Instances exist only signed by an
 * HSM or verified by {@link #verify}: holding one means its signature holds.
 */
public final class TransportOffer {
  public static final String HEADER = "BKV HSM transport offer v1";
  public static final int LINES = 6;
  public static final int ENCODED_BYTES_MAX = 512;

  private final HsmId hsmId;
  private final EcdsaP256.PublicKey identityKey;
  private final EcdhP256.PublicKey transportKey;
  private final Sha256Digest context;
  private final EcdsaP256.Signature signature;

  private TransportOffer(HsmId hsmId, EcdsaP256.PublicKey identityKey, EcdhP256.PublicKey transportKey,
      Sha256Digest context, EcdsaP256.Signature signature) {
    this.hsmId = hsmId;
    this.identityKey = identityKey;
    this.transportKey = transportKey;
    this.context = context;
    this.signature = signature;
  }

  static TransportOffer sign(Hsm hsm, EcdhP256.PublicKey transportKey, Sha256Digest context) throws HsmException {
    HsmId id = hsm.id();
    EcdsaP256.PublicKey identity = hsm.identityPublicKey();
    EcdsaP256.Signature signature = hsm.signWithIdentity(body(id, identity, transportKey, context));
    return new TransportOffer(id, identity, transportKey, context, signature);
  }

  public HsmId hsmId() {
    return hsmId;
  }

  public EcdsaP256.PublicKey identityKey() {
    return identityKey;
  }

  public EcdhP256.PublicKey transportKey() {
    return transportKey;
  }

  public Sha256Digest context() {
    return context;
  }

  public byte[] encode() {
    return Bytes.concat(body(hsmId, identityKey, transportKey, context),
        ("signature " + signature.toHex() + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] body(HsmId id, EcdsaP256.PublicKey identity, EcdhP256.PublicKey transport, Sha256Digest context) {
    return (HEADER + "\n"
        + "hsm-id " + id.toHex() + "\n"
        + "identity-key " + Hex.encode(identity.encodeCompressed()) + "\n"
        + "transport-key " + Hex.encode(transport.encodeCompressed()) + "\n"
        + "context " + context.toHex() + "\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** Parses and checks an offer: size and syntax, then that the id derives from the key, then the signature. */
  public static Verdict<TransportOffer> verify(byte[] encoded) {
    if (encoded.length > ENCODED_BYTES_MAX) {
      return Verdict.rejected("transport offer of " + encoded.length + " bytes exceeds " + ENCODED_BYTES_MAX);
    }
    try {
      LineCursor<DecodeException> in = SignedLines.open("transport offer", encoded, LINES);
      in.expectLine(HEADER);
      HsmId id = new HsmId(SignedLines.hex(in, "hsm-id", HsmId.BYTES));
      EcdsaP256.PublicKey identity = EcdsaP256.PublicKey.decode(SignedLines.hex(in, "identity-key", 33));
      EcdhP256.PublicKey transport = EcdhP256.PublicKey.decodeSec1(SignedLines.hex(in, "transport-key", 33));
      Sha256Digest context = new Sha256Digest(SignedLines.hex(in, "context", 32));
      EcdsaP256.Signature signature = new EcdsaP256.Signature(SignedLines.hex(in, "signature", EcdsaP256.SIGNATURE_P1363_BYTES));
      in.expectEnd();
      if (!HsmId.of(identity).equals(id)) {
        return Verdict.rejected("transport offer: hsm-id is not derived from identity-key");
      }
      TransportOffer offer = new TransportOffer(id, identity, transport, context, signature);
      if (!Arrays.equals(offer.encode(), encoded)) {
        return Verdict.rejected("transport offer is not in canonical form");
      }
      if (!EcdsaP256.verify(identity, body(id, identity, transport, context), signature)) {
        return Verdict.rejected("transport offer: signature does not verify under identity-key");
      }
      return Verdict.verified(offer);
    } catch (DecodeException e) {
      return Verdict.rejected(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return "TransportOffer(" + hsmId.toHex() + ")";
  }
}
