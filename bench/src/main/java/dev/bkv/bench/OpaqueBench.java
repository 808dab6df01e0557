package dev.bkv.bench;

import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.P256Curve;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.opaque.ClientLoginRandomness;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.ClientRegistrationStart;
import dev.bkv.crypto.opaque.CredentialIdentifier;
import dev.bkv.crypto.opaque.KE2;
import dev.bkv.crypto.opaque.KE3;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.OpaqueConfig;
import dev.bkv.crypto.opaque.OpaqueServer;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.ServerLoginRandomness;
import dev.bkv.crypto.opaque.ServerLoginResult;
import dev.bkv.crypto.opaque.ServerLoginStart;
import dev.bkv.crypto.opaque.ServerSetup;
import dev.bkv.crypto.oprf.Oprf;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.math.ec.ECPoint;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The password-protocol costs: what an HSM spends per guess (OPRF BlindEvaluate; a whole
 * server login, KE2 plus the KE3 check), what a phone spends (client login, KE1 and KE3,
 * without the KSF), and the KSF itself (Argon2id at the default cost). The {@code loginPart}
 * benchmarks are the server login's parts, which the report adds up against the whole
 * ({@link ServerLoginBreakdown}).
 *
 * <p>Logins replay one fixed set of random choices so that the KE3 matches the KE2 and
 * every invocation takes the success path (each asserts it); the arithmetic is the same as
 * with fresh randomness, which only adds a few SecureRandom reads.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class OpaqueBench {
  /** RFC 9497 DeriveKeyPair's DST for P256-SHA256, as the login's two hashToScalar calls use it. */
  private static final byte[] DERIVE_KEY_PAIR_DST =
      "DeriveKeyPairOPRFV1-\u0000-P256-SHA256".getBytes(StandardCharsets.US_ASCII);

  private OpaqueServer server;
  private OpaqueClient client;
  private CredentialIdentifier credentialIdentifier;
  private RegistrationRecord record;
  private Password password;
  private ClientLoginRandomness clientRandomness;
  private ServerLoginRandomness serverRandomness;
  private ClientLoginStart clientStart;
  private KE2 ke2;
  private KE3 ke3;
  private P256Group.Scalar oprfKey;
  private P256Group.Element blindedElement;
  private Ksf argon2idDefault;
  private byte[] ksfInput;
  // The parts of serverLogin, on inputs of the login's sizes (see the loginPart benchmarks).
  private P256Group.Scalar partScalar;
  private P256Group.Element partElement;
  private byte[] partEncodedElement;
  private ECPoint[] partProducts;
  private byte[] partDeriveInput;
  private HmacSha256.Key partHmacKey;
  private byte[] partHmacInput;

  @Setup
  public void setUp() {
    SecureRandom random = new SecureRandom(new byte[] {2});
    // The Identity KSF keeps Argon2 out of the protocol figures; it is measured on its own.
    OpaqueConfig config = OpaqueConfig.builder().ksf(Ksf.identity()).build();
    server = new OpaqueServer(config, ServerSetup.generate(random));
    client = new OpaqueClient(config);
    credentialIdentifier = CredentialIdentifier.utf8("user-0001");
    password = Password.utf8("correct horse battery staple");

    ClientRegistrationStart registration = client.startRegistration(password, random);
    record = client.finalizeRegistration(registration.state(),
        server.createRegistrationResponse(registration.request(), credentialIdentifier)).record();

    clientRandomness = ClientLoginRandomness.generate(random);
    serverRandomness = ServerLoginRandomness.generate(random);
    clientStart = client.startLogin(password, clientRandomness);
    ke2 = server.startLogin(record, credentialIdentifier, clientStart.ke1(), serverRandomness).ke2();
    ClientLoginResult finished = client.finishLogin(clientStart.state(), ke2);
    if (!(finished instanceof ClientLoginResult.ClientLoginSucceeded)) {
      throw new IllegalStateException("benchmark set-up: login did not succeed: " + finished);
    }
    ke3 = ((ClientLoginResult.ClientLoginSucceeded) finished).ke3();

    oprfKey = Oprf.deriveSecretKey(new Oprf.Seed(new byte[Oprf.SEED_BYTES]), new byte[0]);
    blindedElement = Oprf.blind("input".getBytes(StandardCharsets.US_ASCII), random).blindedElement();
    argon2idDefault = Ksf.argon2idDefault();
    ksfInput = new byte[32];

    partScalar = P256Group.Scalar.random(random);
    partEncodedElement = P256Group.multiplyGenerator(P256Group.Scalar.random(random)).encode();
    try {
      partElement = P256Group.Element.decode("element", partEncodedElement);
    } catch (DecodeException e) {
      throw new IllegalStateException("benchmark set-up: an encoded element must decode", e);
    }
    // Five products as multiplications leave them: Jacobian, Z != 1.
    partProducts = new ECPoint[5];
    for (int i = 0; i < partProducts.length; i++) {
      partProducts[i] = P256Curve.G.multiply(new BigInteger(1, P256Group.Scalar.random(random).encode()));
    }
    // seed (32) || I2OSP(len(info), 2) || "OPAQUE-DeriveDiffieHellmanKeyPair" (33) || counter (1)
    partDeriveInput = new byte[32 + 2 + 33 + 1];
    random.nextBytes(partDeriveInput);
    byte[] key = new byte[32];
    random.nextBytes(key);
    partHmacKey = new HmacSha256.Key(key);
    partHmacInput = new byte[64];
    random.nextBytes(partHmacInput);
  }

  @Benchmark
  public P256Group.Element oprfBlindEvaluate() {
    return Oprf.blindEvaluate(oprfKey, blindedElement);
  }

  /** What the HSM does per recovery attempt: GenerateKE2, then ServerFinish on the KE3. */
  @Benchmark
  public ServerLoginResult serverLogin() {
    ServerLoginStart start = server.startLogin(record, credentialIdentifier, clientStart.ke1(), serverRandomness);
    ServerLoginResult result = server.finishLogin(start.state(), ke3);
    if (!(result instanceof ServerLoginResult.LoginSucceeded)) {
      throw new IllegalStateException("server login must succeed: " + result);
    }
    return result;
  }

  /** GenerateKE1 and GenerateKE3 on the phone, with the Identity KSF. */
  @Benchmark
  public ClientLoginResult clientLogin() {
    ClientLoginStart start = client.startLogin(password, clientRandomness);
    ClientLoginResult result = client.finishLogin(start.state(), ke2);
    if (!(result instanceof ClientLoginResult.ClientLoginSucceeded)) {
      throw new IllegalStateException("client login must succeed: " + result);
    }
    return result;
  }

  /** Argon2id, m = 64 MiB, t = 3, p = 4: the phone's cost per password try. */
  @Benchmark
  public byte[] argon2idDefault() {
    return argon2idDefault.stretch(ksfInput);
  }

  // serverLogin's parts, which the report's breakdown multiplies by how often one login does
  // each (ServerLoginBreakdown).

  /**
   * k * P on a decoded element, the login's four variable-base multiplications. As in
   * serverLogin, the element is the same object every time, so BC's window table for it is
   * built once and kept.
   */
  @Benchmark
  public P256Group.Element loginPartScalarMultiply() {
    return partElement.multiply(partScalar);
  }

  /** k * G, the server's ephemeral key share. */
  @Benchmark
  public P256Group.Element loginPartGeneratorMultiply() {
    return P256Group.multiplyGenerator(partScalar);
  }

  /**
   * The five products the login sends or hashes (evaluated element, key share, three DH
   * results) to affine form together, one shared field inversion, then to 33-byte SEC1.
   */
  @Benchmark
  public byte[][] loginPartAffineEncode() {
    ECPoint[] points = partProducts.clone();
    P256Curve.CURVE.normalizeAll(points);
    byte[][] encoded = new byte[points.length][];
    for (int i = 0; i < points.length; i++) {
      encoded[i] = points[i].getEncoded(true);
    }
    return encoded;
  }

  /** RFC 9497 HashToScalar (RFC 9380 expand_message_xmd, 48 bytes, mod n): the OPRF key and the key share's key. */
  @Benchmark
  public Optional<P256Group.Scalar> loginPartHashToScalar() {
    return P256Group.hashToScalar(partDeriveInput, DERIVE_KEY_PAIR_DST);
  }

  /** One HMAC-SHA-256 with a 32-byte key over 64 bytes: every HKDF block and MAC of the login. */
  @Benchmark
  public byte[] loginPartHmacSha256() {
    return HmacSha256.mac(partHmacKey, partHmacInput);
  }

  /** Decompression and validation of a 33-byte element: KE1's two elements, which serverLogin gets decoded. */
  @Benchmark
  public P256Group.Element loginPartDecodeElement() throws DecodeException {
    return P256Group.Element.decode("element", partEncodedElement);
  }
}
