package dev.bkv.crypto.opaque;

import static dev.bkv.testsupport.FuzzSelector.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.EcdhP256;
import dev.bkv.crypto.EcdsaP256;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.P256Curve;
import dev.bkv.crypto.P256Group;
import dev.bkv.testsupport.FuzzSelector;
import java.util.Arrays;
import java.util.Random;

/**
 * The fuzz target of the crypto area: every decoder of a primitive (group elements,
 * scalars, ECDH, ECDSA and Ed25519 keys and signatures) and of an OPAQUE message, and the two
 * protocol steps that take a peer's message. A decoder may only return a value whose encoding
 * is its input, or throw {@link DecodeException} naming a field of what it decodes; a
 * verifier returns a verdict for any bytes. Anything else is a finding.
 *
 * <p>The first input byte picks the decoder ({@link FuzzSelector}). In the normal build the
 * seeds in {@code src/test/resources/dev/bkv/crypto/opaque/CryptoFuzzTestInputs/fuzz/} are
 * replayed; {@code impl/fuzz/campaign.sh} fuzzes for real.
 */
public class CryptoFuzzTest {
  private static final OpaqueTestRun RUN = OpaqueTestRun.complete(new Random(5));
  private static final OpaqueServer SERVER = new OpaqueServer(RUN.config, RUN.setup);
  private static final OpaqueClient CLIENT = new OpaqueClient(RUN.config);

  /** Append only: a seed's first byte is its decoder's position here. */
  static final FuzzSelector TARGETS = FuzzSelector.of(
      bytes("element", CryptoFuzzTest::element),
      bytes("elementSec1", CryptoFuzzTest::elementSec1),
      bytes("scalar", CryptoFuzzTest::scalar),
      bytes("ecdhSubjectPublicKeyInfo", CryptoFuzzTest::ecdhSubjectPublicKeyInfo),
      bytes("ecdhAgreement", CryptoFuzzTest::ecdhAgreement),
      bytes("ecdsaDerSignature", CryptoFuzzTest::ecdsaDerSignature),
      bytes("ecdsaVerification", CryptoFuzzTest::ecdsaVerification),
      bytes("ed25519Verification", CryptoFuzzTest::ed25519Verification),
      bytes("registrationRequest", b -> check("RegistrationRequest", b, x -> RegistrationRequest.decode(x).encode())),
      bytes("registrationResponse", b -> check("RegistrationResponse", b, x -> RegistrationResponse.decode(x).encode())),
      bytes("registrationRecord", b -> check("RegistrationRecord", b, x -> RegistrationRecord.decode(x).encode())),
      bytes("envelope", b -> check("Envelope", b, x -> Envelope.decode(x).encode())),
      bytes("credentialRequest", b -> check("CredentialRequest", b, x -> CredentialRequest.decode(x).encode())),
      bytes("credentialResponse", b -> check("CredentialResponse", b, x -> CredentialResponse.decode(x).encode())),
      bytes("authRequest", b -> check("AuthRequest", b, x -> AuthRequest.decode(x).encode())),
      bytes("authResponse", b -> check("AuthResponse", b, x -> AuthResponse.decode(x).encode())),
      bytes("ke1", b -> check("KE1", b, x -> KE1.decode(x).encode())),
      bytes("ke2", b -> check("KE2", b, x -> KE2.decode(x).encode())),
      bytes("ke3", b -> check("KE3", b, x -> KE3.decode(x).encode())),
      bytes("serverSetup", b -> check("ServerSetup", b, x -> ServerSetup.decode(x).encode())),
      bytes("serverLoginState", b -> check("ServerLoginState", b, x -> ServerLoginState.decode(x).encode())),
      bytes("serverAnswersAnyDecodableKe1", CryptoFuzzTest::serverAnswersAnyDecodableKe1),
      bytes("clientJudgesAnyDecodableKe2", CryptoFuzzTest::clientJudgesAnyDecodableKe2));

  @FuzzTest(maxDuration = "10m")
  void fuzz(FuzzedDataProvider data) throws Exception {
    fuzzerTestOneInput(data);
  }

  /** Jazzer's entry point when the campaign runs this target outside JUnit. */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
    TARGETS.run(data);
  }

  /** Jazzer calls this once before a campaign starts: see {@link FuzzSelector#warmUp}. */
  public static void fuzzerInitialize() throws Exception {
    TARGETS.warmUp();
  }

  @FunctionalInterface
  private interface Codec {
    byte[] roundTrip(byte[] input) throws DecodeException;
  }

  private static void check(String message, byte[] input, Codec codec) {
    try {
      assertArrayEquals(input, codec.roundTrip(input), message + " decodes only its canonical encoding");
    } catch (DecodeException e) {
      assertTrue(e.field().startsWith(message), "error names a field of " + message + ": " + e.field());
    }
  }

  static void element(byte[] input) {
    try {
      assertArrayEquals(input, P256Group.Element.decode("element", input).encode());
    } catch (DecodeException expected) {
      assertEquals("element", expected.field());
    }
  }

  static void elementSec1(byte[] input) {
    try {
      P256Group.Element e = P256Group.Element.decodeSec1("point", input);
      byte[] canonical = input.length == P256Curve.COMPRESSED_POINT_BYTES ? e.encode() : e.encodeUncompressed();
      assertArrayEquals(input, canonical);
    } catch (DecodeException expected) {
      assertEquals("point", expected.field());
    }
  }

  static void scalar(byte[] input) {
    try {
      assertArrayEquals(input, P256Group.Scalar.decode("scalar", input).encode());
    } catch (DecodeException expected) {
      assertEquals("scalar", expected.field());
    }
  }

  static void ecdhSubjectPublicKeyInfo(byte[] input) {
    try {
      EcdhP256.PublicKey key = EcdhP256.PublicKey.decodeSpki(input);
      assertEquals(key, EcdhP256.PublicKey.decodeSpki(key.encodeSpki()));
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  /** Private scalar (32) || SEC1 public key (rest). */
  static void ecdhAgreement(byte[] input) {
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

  static void ecdsaDerSignature(byte[] input) {
    try {
      assertArrayEquals(input, EcdsaP256.Signature.fromDer(input).toDer());
    } catch (DecodeException expected) {
      // typed rejection
    }
  }

  /** SEC1 public key (65) || P1363 signature (64) || message (rest): verify is total. */
  static void ecdsaVerification(byte[] input) {
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

  /** Public key (32) || signature (64) || message (rest): verify is total. */
  static void ed25519Verification(byte[] input) {
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

  /** Whatever KE1 decodes, the server answers it (known or unknown user) without throwing. */
  static void serverAnswersAnyDecodableKe1(byte[] input) {
    KE1 ke1;
    try {
      ke1 = KE1.decode(input);
    } catch (DecodeException e) {
      return;
    }
    RegistrationRecord record = input.length > 0 && (input[input.length - 1] & 1) == 0 ? RUN.record : null;
    ServerLoginStart start = SERVER.startLogin(record, RUN.credentialIdentifier, ke1, OpaqueTestRun.seededRandom(input.length));
    assertEquals(KE2.BYTES, start.ke2().encode().length);
    assertTrue(!SERVER.finishLogin(start.state(), RUN.ke3).succeeded(), "a stale KE3 never finishes a new login");
  }

  /** Whatever KE2 decodes, the client reaches a verdict without throwing. */
  static void clientJudgesAnyDecodableKe2(byte[] input) {
    KE2 ke2;
    try {
      ke2 = KE2.decode(input);
    } catch (DecodeException e) {
      return;
    }
    ClientLoginStart login = CLIENT.startLogin(Password.utf8("password"), OpaqueTestRun.seededRandom(input.length));
    assertNotNull(CLIENT.finishLogin(login.state(), ke2));
  }
}
