package dev.bkv.crypto.opaque;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.Generate.byteArrays;
import static org.quicktheories.generators.Generate.bytes;
import static org.quicktheories.generators.Generate.longRange;
import static org.quicktheories.generators.Generate.range;

import dev.bkv.crypto.DecodeException;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

/**
 * Protocol properties over generated passwords, identities and contexts (Identity KSF, so
 * each example is a handful of scalar multiplications): registration then login succeeds
 * with agreeing keys; any other password fails; a mismatched context or identity fails;
 * KE2 for an unknown user looks like a real one.
 */
class OpaquePropertiesTest {
  private static final Gen<Byte> ANY_BYTE = bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0);
  private static final Gen<byte[]> PASSWORDS = byteArrays(range(0, 48), ANY_BYTE);
  /** Empty means "no identity configured" (the public key stands in). */
  private static final Gen<byte[]> IDENTITIES = byteArrays(range(0, 24), ANY_BYTE);
  private static final Gen<byte[]> CONTEXTS = byteArrays(range(0, 24), ANY_BYTE);
  private static final Gen<Long> SEEDS = longRange(Long.MIN_VALUE, Long.MAX_VALUE);

  /** A deployment: config, server, and one user's identifier. */
  private record Deployment(OpaqueConfig config, OpaqueServer server, CredentialIdentifier user, SecureRandom random) {}

  private static final Gen<Deployment> DEPLOYMENTS = IDENTITIES.zip(IDENTITIES, CONTEXTS, SEEDS, (client, server, context, seed) -> {
    OpaqueConfig.Builder b = OpaqueConfig.builder().ksf(Ksf.identity()).context(context);
    if (client.length > 0) {
      b.clientIdentity(client);
    }
    if (server.length > 0) {
      b.serverIdentity(server);
    }
    SecureRandom random = OpaqueTestRun.seededRandom(seed);
    OpaqueConfig config = b.build();
    return new Deployment(config, new OpaqueServer(config, ServerSetup.generate(random)),
        CredentialIdentifier.utf8("user-" + Long.toHexString(seed)), random);
  });

  @Test
  void registrationThenLoginSucceedsWithAgreeingKeys() {
    qt().withExamples(40).forAll(DEPLOYMENTS, PASSWORDS).checkAssert((d, password) -> {
      OpaqueClient client = new OpaqueClient(d.config);
      ClientRegistrationResult registered = register(d, client, new Password(password));
      ClientLoginStart login = client.startLogin(new Password(password), d.random);
      ServerLoginStart ke2 = d.server.startLogin(roundTrip(registered.record()), d.user, roundTrip(login.ke1()), d.random);
      ClientLoginResult.ClientLoginSucceeded ok = assertInstanceOf(
          ClientLoginResult.ClientLoginSucceeded.class, client.finishLogin(login.state(), roundTrip(ke2.ke2())));
      ServerLoginResult.LoginSucceeded serverOk = assertInstanceOf(
          ServerLoginResult.LoginSucceeded.class, d.server.finishLogin(ke2.state(), roundTrip(ok.ke3())));
      assertTrue(ok.sessionKey().sameAs(serverOk.sessionKey()), "session keys agree");
      assertTrue(ok.exportKey().sameAs(registered.exportKey()), "export key stable across registration and login");
    });
  }

  @Test
  void anyOtherPasswordFailsAtEnvelopeRecovery() {
    qt().withExamples(40).forAll(DEPLOYMENTS, PASSWORDS, range(0, 255))
        .checkAssert((d, right, tweak) -> {
          // Another password: one byte appended, or (when there is one) the first byte changed.
          byte[] wrong = Arrays.copyOf(right, right.length + (right.length == 0 || tweak % 2 == 0 ? 1 : 0));
          wrong[tweak % 2 == 0 ? wrong.length - 1 : 0] ^= (byte) (1 + tweak / 2);
          assertFalse(Arrays.equals(right, wrong));
          OpaqueClient client = new OpaqueClient(d.config);
          ClientRegistrationResult registered = register(d, client, new Password(right));
          ClientLoginStart login = client.startLogin(new Password(wrong), d.random);
          ServerLoginStart ke2 = d.server.startLogin(registered.record(), d.user, login.ke1(), d.random);
          ClientLoginResult.ClientLoginFailed failed = assertInstanceOf(
              ClientLoginResult.ClientLoginFailed.class, client.finishLogin(login.state(), ke2.ke2()));
          assertEquals(ClientLoginResult.Reason.ENVELOPE_RECOVERY_FAILED, failed.reason());
        });
  }

  @Test
  void aClientWithAnotherContextOrIdentityIsRefused() {
    qt().withExamples(25).forAll(DEPLOYMENTS, PASSWORDS, range(0, 2)).checkAssert((d, password, change) -> {
      OpaqueClient client = new OpaqueClient(d.config);
      ClientRegistrationResult registered = register(d, client, new Password(password));
      OpaqueConfig.Builder other = d.config.toBuilder();
      if (change == 0) {
        other.context(concat(d.config.context(), new byte[] {1}));
      } else if (change == 1) {
        other.serverIdentity(concat(d.config.serverIdentity().orElse(new byte[0]), new byte[] {2}));
      } else {
        other.clientIdentity(concat(d.config.clientIdentity().orElse(new byte[0]), new byte[] {3}));
      }
      OpaqueClient misconfigured = new OpaqueClient(other.build());
      ClientLoginStart login = misconfigured.startLogin(new Password(password), d.random);
      ServerLoginStart ke2 = d.server.startLogin(registered.record(), d.user, login.ke1(), d.random);
      // Identities are sealed in the envelope; the context only enters the transcript, so it
      // fails one step later, at the server's MAC.
      ClientLoginResult.Reason expected = change == 0
          ? ClientLoginResult.Reason.SERVER_AUTHENTICATION_FAILED : ClientLoginResult.Reason.ENVELOPE_RECOVERY_FAILED;
      assertEquals(expected, assertInstanceOf(
          ClientLoginResult.ClientLoginFailed.class, misconfigured.finishLogin(login.state(), ke2.ke2())).reason());
    });
  }

  @Test
  void ke2ForAnUnknownUserHasTheSameShapeAsARealOne() {
    qt().withExamples(30).forAll(DEPLOYMENTS, PASSWORDS).checkAssert((d, password) -> {
      OpaqueClient client = new OpaqueClient(d.config);
      ClientRegistrationResult registered = register(d, client, new Password(password));
      ClientLoginStart real = client.startLogin(new Password(password), d.random);
      ClientLoginStart probe = client.startLogin(new Password(password), d.random);
      byte[] realKe2 = d.server.startLogin(registered.record(), d.user, real.ke1(), d.random).ke2().encode();
      ServerLoginStart fake = d.server.startLogin(null, CredentialIdentifier.utf8("unknown"), probe.ke1(), d.random);
      byte[] fakeKe2 = fake.ke2().encode();
      assertEquals(realKe2.length, fakeKe2.length);
      assertArrayEquals(fakeKe2, roundTrip(fake.ke2()).encode(), "a fake KE2 decodes like a real one");
      assertFalse(Arrays.equals(realKe2, fakeKe2));
      // The prober learns only that its password "failed", exactly as a wrong password would.
      assertEquals(ClientLoginResult.Reason.ENVELOPE_RECOVERY_FAILED, assertInstanceOf(
          ClientLoginResult.ClientLoginFailed.class, client.finishLogin(probe.state(), fake.ke2())).reason());
      assertInstanceOf(ServerLoginResult.LoginFailed.class, d.server.finishLogin(fake.state(), new KE3(new Mac(new byte[32]))));
    });
  }

  private static ClientRegistrationResult register(Deployment d, OpaqueClient client, Password password) {
    ClientRegistrationStart start = client.startRegistration(password, d.random);
    RegistrationResponse response = d.server.createRegistrationResponse(roundTrip(start.request()), d.user);
    return client.finalizeRegistration(start.state(), roundTrip(response));
  }

  // Messages cross the wire in these tests: encode, then decode.
  private static RegistrationRequest roundTrip(RegistrationRequest m) {
    return decode(() -> RegistrationRequest.decode(m.encode()));
  }

  private static RegistrationResponse roundTrip(RegistrationResponse m) {
    return decode(() -> RegistrationResponse.decode(m.encode()));
  }

  private static RegistrationRecord roundTrip(RegistrationRecord m) {
    return decode(() -> RegistrationRecord.decode(m.encode()));
  }

  private static KE1 roundTrip(KE1 m) {
    return decode(() -> KE1.decode(m.encode()));
  }

  private static KE2 roundTrip(KE2 m) {
    return decode(() -> KE2.decode(m.encode()));
  }

  private static KE3 roundTrip(KE3 m) {
    return decode(() -> KE3.decode(m.encode()));
  }

  @FunctionalInterface
  private interface Decoding<T> {
    T run() throws DecodeException;
  }

  private static <T> T decode(Decoding<T> decoding) {
    try {
      return decoding.run();
    } catch (DecodeException e) {
      throw new AssertionError("our own encoding did not decode: " + e.getMessage(), e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return dev.bkv.base.Bytes.concat(a, b);
  }
}
