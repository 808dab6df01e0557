package dev.bkv.bundle;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.hsm.Hsm;
import dev.bkv.hsm.HsmException;
import java.nio.charset.StandardCharsets;

/**
 * The operator's countersignature on a logged bundle: its HSM's identity key (ECDSA P-256,
 * SHA-256, P1363) signs the witness's 64 signature bytes, as Meta's auditor checks them, after
 * a format line that keeps the signature from meaning anything else:
 *
 * <pre>
 * message = "bkv.dev/bundle-countersignature@v1\n" || witness Ed25519 signature (64 bytes)
 * </pre>
 *
 * The witness signature covers the bundle's exact bytes, so the countersignature covers them
 * too. The operator signs only after the receipt proves the bundle is in the witness's log.
 */
public final class OperatorCountersignature {
  public static final String LABEL = "bkv.dev/bundle-countersignature@v1\n";
  public static final int MESSAGE_BYTES = LABEL.length() + Ed25519.SIGNATURE_BYTES;

  private OperatorCountersignature() {}

  /** The exact bytes the operator's HSM signs. */
  public static byte[] message(Ed25519.Signature witnessSignature) {
    return Bytes.concat(LABEL.getBytes(StandardCharsets.US_ASCII), witnessSignature.toBytes());
  }

  /** Countersigns with the operator HSM's identity key. */
  public static EcdsaP256.Signature sign(Hsm operatorHsm, Ed25519.Signature witnessSignature) throws HsmException {
    return operatorHsm.signWithIdentity(message(witnessSignature));
  }

  /** Whether {@code countersignature} is the operator key's signature of {@code witnessSignature}. Total. */
  public static boolean verify(EcdsaP256.PublicKey operatorKey, Ed25519.Signature witnessSignature,
      EcdsaP256.Signature countersignature) {
    return EcdsaP256.verify(operatorKey, message(witnessSignature), countersignature);
  }
}
