package dev.bkv.evidence;

import dev.bkv.crypto.EcdsaP256;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.ContentSigner;

/**
 * Lets Bouncy Castle's certificate builder sign with BKV's ECDSA P-256 (RFC 6979 nonces), so a
 * certificate built twice from the same inputs is the same bytes. Algorithm
 * ecdsa-with-SHA256 with absent parameters (RFC 5758 §3.2); the signature is DER.
 */
final class EcdsaContentSigner implements ContentSigner {
  private final EcdsaP256.PrivateKey key;
  private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

  EcdsaContentSigner(EcdsaP256.PrivateKey key) {
    this.key = key;
  }

  static AlgorithmIdentifier algorithm() {
    return new AlgorithmIdentifier(X9ObjectIdentifiers.ecdsa_with_SHA256);
  }

  @Override
  public AlgorithmIdentifier getAlgorithmIdentifier() {
    return algorithm();
  }

  @Override
  public OutputStream getOutputStream() {
    return buffer;
  }

  @Override
  public byte[] getSignature() {
    return key.sign(buffer.toByteArray()).toDer();
  }
}
