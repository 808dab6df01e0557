package dev.bkv.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Jazzer fuzz targets for the decoders of the primitives: group elements (compressed and
 * SEC1), scalars, ECDH keys (SEC1 and SubjectPublicKeyInfo), ECDSA keys and signatures (DER
 * and P1363), Ed25519 keys and signatures. Each may return a value or throw
 * {@link DecodeException}; any other exception is a finding. See
 * {@code dev.bkv.crypto.opaque.OpaqueDecodersFuzzTest} for how to fuzz for real
 * ({@code JAZZER_FUZZ=1}).
 */
class PrimitiveDecodersFuzzTest {

  @FuzzTest
  void element(byte[] input) {
    try {
      assertArrayEquals(input, P256Group.Element.decode("element", input).encode());
    } catch (DecodeException expected) {
      assertEquals("element", expected.field());
    }
  }

  @FuzzTest
  void elementSec1(byte[] input) {
    try {
      P256Group.Element e = P256Group.Element.decodeSec1("point", input);
      byte[] canonical = input.length == P256Curve.COMPRESSED_POINT_BYTES ? e.encode() : e.encodeUncompressed();
      assertArrayEquals(input, canonical);
    } catch (DecodeException expected) {
      assertEquals("point", expected.field());
    }
  }

  @FuzzTest
  void scalar(byte[] input) {
    try {
      assertArrayEquals(input, P256Group.Scalar.decode("scalar", input).encode());
    } catch (DecodeException expected) {
      assertEquals("scalar", expected.field());
    }
  }

  @FuzzTest
  void ecdhSubjectPublicKeyInfo(byte[] input) {
    try {
      EcdhP256.PublicKey key = EcdhP256.PublicKey.decodeSpki(input);
      assertEquals(key, EcdhP256.PublicKey.decodeSpki(key.encodeSpki()));
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  @FuzzTest
  void ecdhAgreement(byte[] input) {
    // private scalar (32) || SEC1 public key (rest)
    if (input.length < 32) {
      return;
    }
    try {
      EcdhP256.PrivateKey privateKey = EcdhP256.PrivateKey.decode(Arrays.copyOf(input, 32));
      EcdhP256.PublicKey publicKey = EcdhP256.PublicKey.decodeSec1(Arrays.copyOfRange(input, 32, input.length));
      assertEquals(EcdhP256.SHARED_SECRET_BYTES, EcdhP256.agree(privateKey, publicKey).length());
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  @FuzzTest
  void ecdsaDerSignature(byte[] input) {
    try {
      assertArrayEquals(input, EcdsaP256.Signature.fromDer(input).toDer());
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  @FuzzTest
  void ecdsaVerification(byte[] input) {
    // SEC1 public key (65) || P1363 signature (64) || message (rest): verify is total.
    if (input.length < 65) {
      return;
    }
    try {
      EcdsaP256.PublicKey key = EcdsaP256.PublicKey.decode(Arrays.copyOf(input, 65));
      EcdsaP256.Signature signature = EcdsaP256.Signature.fromP1363(Arrays.copyOfRange(input, 65, Math.min(input.length, 129)));
      EcdsaP256.verify(key, Arrays.copyOfRange(input, Math.min(input.length, 129), input.length), signature);
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  @FuzzTest
  void ed25519Verification(byte[] input) {
    // public key (32) || signature (64) || message (rest): verify is total.
    if (input.length < 32) {
      return;
    }
    try {
      Ed25519.PublicKey key = Ed25519.PublicKey.decode(Arrays.copyOf(input, 32));
      Ed25519.Signature signature = Ed25519.Signature.decode(Arrays.copyOfRange(input, 32, Math.min(input.length, 96)));
      Ed25519.verify(key, Arrays.copyOfRange(input, Math.min(input.length, 96), input.length), signature);
    } catch (DecodeException expected) {
      // typed rejection
    }
  }
}
