package dev.bkv.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/**
 * Known-answer and round-trip checks of the typed primitives, with RFC test cases
 * transcribed from the RFC text. The Wycheproof suites exercise the edge cases.
 */
class PrimitivesTest {
  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void hkdfMatchesRfc5869TestCase1() {
    byte[] ikm = Hex.decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    byte[] salt = Hex.decode("000102030405060708090a0b0c");
    byte[] info = Hex.decode("f0f1f2f3f4f5f6f7f8f9");
    HkdfSha256.Prk prk = HkdfSha256.extract(salt, ikm);
    assertEquals("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", Hex.encode(prk.toBytes()));
    assertEquals(
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
        Hex.encode(HkdfSha256.expand(prk, info, 42)));
  }

  @Test
  void hkdfWithEmptySaltMatchesRfc5869TestCase3() {
    byte[] ikm = Hex.decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    assertEquals(
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
        Hex.encode(HkdfSha256.derive(new byte[0], ikm, new byte[0], 42)));
    assertThrows(IllegalArgumentException.class, () -> HkdfSha256.expand(HkdfSha256.extract(new byte[0], ikm), new byte[0], 255 * 32 + 1));
  }

  @Test
  void hmacMatchesRfc4231TestCase2() {
    HmacSha256.Key key = new HmacSha256.Key("Jefe".getBytes(StandardCharsets.US_ASCII));
    byte[] message = "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII);
    byte[] tag = HmacSha256.mac(key, message);
    assertEquals("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", Hex.encode(tag));
    assertTrue(HmacSha256.verify(key, message, tag));
    tag[31] ^= 1;
    assertFalse(HmacSha256.verify(key, message, tag));
  }

  /** Cached primitives give what fresh ones did: keys in turn, a repeated (key, nonce), a MAC after a failed call. */
  @Test
  void cachedPrimitivesAgreeWithFreshOnes() throws Exception {
    Aes256Gcm.Key a = Aes256Gcm.Key.generate(RANDOM);
    Aes256Gcm.Key b = Aes256Gcm.Key.generate(RANDOM);
    Aes256Gcm.Nonce nonce = Aes256Gcm.Nonce.random(RANDOM);
    byte[] aad = {1, 2, 3};
    byte[] plaintext = "guess".getBytes(StandardCharsets.US_ASCII);
    byte[] sealedA = Aes256Gcm.seal(a, nonce, aad, plaintext);
    byte[] sealedB = Aes256Gcm.seal(b, nonce, aad, plaintext);
    // The JDK refuses a second encryption with one key and nonce on one cipher object; the old
    // code made a cipher per call, so this call succeeded and must still (nonce reuse is the caller's to avoid).
    assertArrayEquals(sealedA, Aes256Gcm.seal(a, nonce, aad, plaintext));
    javax.crypto.Cipher fresh = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
    fresh.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(b.toBytes(), "AES"),
        new javax.crypto.spec.GCMParameterSpec(128, nonce.toBytes()));
    fresh.updateAAD(aad);
    assertArrayEquals(fresh.doFinal(plaintext), sealedB);
    assertArrayEquals(plaintext, Aes256Gcm.open(a, nonce, aad, sealedA).orElseThrow());
    assertTrue(Aes256Gcm.open(b, nonce, aad, sealedA).isEmpty());
    assertArrayEquals(plaintext, Aes256Gcm.open(b, nonce, aad, sealedB).orElseThrow());

    HmacSha256.Key key = new HmacSha256.Key(new byte[] {9, 9, 9});
    byte[] tag = HmacSha256.mac(key, plaintext);
    assertArrayEquals(tag, HmacSha256.mac(key, plaintext), "the same tag from the thread's cached Mac");
    assertArrayEquals(tag, HmacSha256.mac(key, new byte[] {0, 'g', 'u', 'e', 's', 's', 0}, 1, 5));
    assertThrows(NullPointerException.class, () -> Sha256.hash(plaintext, null));
    assertArrayEquals(Sha256.newDigest().digest(plaintext), Sha256.hash(plaintext), "a call that threw leaves nothing behind");
  }

  @Test
  void aesGcmRoundTripsAndRejectsAnyTamperedByte() {
    Aes256Gcm.Key key = Aes256Gcm.Key.generate(RANDOM);
    Aes256Gcm.Nonce nonce = Aes256Gcm.Nonce.random(RANDOM);
    byte[] aad = "record 7".getBytes(StandardCharsets.US_ASCII);
    byte[] plaintext = "backup key".getBytes(StandardCharsets.US_ASCII);
    byte[] sealed = Aes256Gcm.seal(key, nonce, aad, plaintext);
    assertArrayEquals(plaintext, Aes256Gcm.open(key, nonce, aad, sealed).orElseThrow());
    for (int i = 0; i < sealed.length; i++) {
      byte[] tampered = sealed.clone();
      tampered[i] ^= 0x01;
      assertTrue(Aes256Gcm.open(key, nonce, aad, tampered).isEmpty(), "tampered byte " + i);
    }
    assertTrue(Aes256Gcm.open(key, nonce, "record 8".getBytes(StandardCharsets.US_ASCII), sealed).isEmpty());
    assertTrue(Aes256Gcm.open(key, nonce, aad, new byte[15]).isEmpty());
  }

  @Test
  void ecdsaSignsDeterministicallyVerifiesAndRoundTripsDer() throws DecodeException {
    EcdsaP256.PrivateKey key = EcdsaP256.PrivateKey.generate(RANDOM);
    byte[] message = "statement".getBytes(StandardCharsets.US_ASCII);
    EcdsaP256.Signature signature = key.sign(message);
    assertEquals(signature, key.sign(message), "RFC 6979 nonces are deterministic");
    assertTrue(EcdsaP256.verify(key.publicKey(), message, signature));
    assertFalse(EcdsaP256.verify(key.publicKey(), "statemenT".getBytes(StandardCharsets.US_ASCII), signature));
    assertEquals(signature, EcdsaP256.Signature.fromDer(signature.toDer()));
    assertEquals(key.publicKey(), EcdsaP256.PublicKey.decode(key.publicKey().encodeUncompressed()));
    assertEquals(key.publicKey(), EcdsaP256.PublicKey.decode(key.publicKey().encodeCompressed()));
    assertFalse(EcdsaP256.verify(key.publicKey(), message, new EcdsaP256.Signature(new byte[64])), "r = s = 0");
  }

  /** RFC 6979 A.2.5, P-256 with SHA-256: the deterministic nonce and the signature it makes. */
  @Test
  void ecdsaMatchesRfc6979P256Sha256() throws DecodeException {
    EcdsaP256.PrivateKey key = EcdsaP256.PrivateKey.decode(
        Hex.decode("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721"));
    assertEquals(
        "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6"
            + "7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299",
        Hex.encode(key.publicKey().encodeUncompressed()));
    assertEquals(
        "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
            + "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
        Hex.encode(key.sign("sample".getBytes(StandardCharsets.US_ASCII)).toBytes()));
    assertEquals(
        "f1abb023518351cd71d881567b1ea663ed3efcf6c5132b354f28d3b0b7d38367"
            + "019f4113742a2b14bd25926b49c649155f267e60d3814b4c0cc84250e46f0083",
        Hex.encode(key.sign("test".getBytes(StandardCharsets.US_ASCII)).toBytes()));
  }

  @Test
  void ecdsaRejectsMalformedKeysAndDer() {
    assertThrows(DecodeException.class, () -> EcdsaP256.PublicKey.decode(new byte[] {0}));
    byte[] offCurve = new byte[65];
    offCurve[0] = 4;
    offCurve[64] = 1;
    assertThrows(DecodeException.class, () -> EcdsaP256.PublicKey.decode(offCurve));
    assertThrows(DecodeException.class, () -> EcdsaP256.Signature.fromDer(new byte[] {0x30, 0x00, 0x00}));
    assertThrows(DecodeException.class, () -> EcdsaP256.PrivateKey.decode(new byte[32]));
    // SEQUENCE { NULL, INTEGER 1 }: BC fails with a ClassCastException, which must come out typed.
    assertThrows(DecodeException.class, () -> EcdsaP256.Signature.fromDer(Hex.decode("300505000201" + "01")));
    assertThrows(DecodeException.class, () -> EcdsaP256.Signature.fromP1363(new byte[63]));
    assertThrows(DecodeException.class, () -> Ed25519.Signature.decode(new byte[65]));
    assertThrows(DecodeException.class, () -> Ed25519.PublicKey.decode(new byte[31]));
  }

  @Test
  void ed25519MatchesRfc8032TestVector1() {
    Ed25519.PrivateKey key =
        Ed25519.PrivateKey.fromSeed(Hex.decode("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"));
    assertEquals("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", key.publicKey().toHex());
    Ed25519.Signature signature = key.sign(new byte[0]);
    assertEquals(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
        signature.toHex());
    assertTrue(Ed25519.verify(key.publicKey(), new byte[0], signature));
    assertFalse(Ed25519.verify(key.publicKey(), new byte[1], signature));
    assertFalse(key.toString().contains("9d61b19d"), "private key never printed");
  }
}
