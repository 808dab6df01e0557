package dev.bkv.crypto.opaque;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Bytes;
import dev.bkv.base.Check;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.HkdfSha256;
import dev.bkv.crypto.HmacSha256;
import dev.bkv.crypto.P256Group.KeyPair;
import dev.bkv.crypto.oprf.Oprf;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Failure paths of the OPAQUE API and the limits and secret handling of its types. */
class OpaqueProtocolTest {
  private final OpaqueTestRun run = OpaqueTestRun.complete(new Random(11));
  private final SecureRandom random = OpaqueTestRun.seededRandom(12);

  @Test
  void aTamperedServerMacFailsServerAuthentication() {
    ClientLoginResult result = loginWithTamperedKe2(KE2.BYTES - 1);
    assertEquals(ClientLoginResult.Reason.SERVER_AUTHENTICATION_FAILED,
        assertInstanceOf(ClientLoginResult.ClientLoginFailed.class, result).reason());
  }

  @Test
  void aTamperedMaskedResponseFailsEnvelopeRecovery() {
    ClientLoginResult result = loginWithTamperedKe2(CredentialResponse.BYTES - 1);
    assertEquals(ClientLoginResult.Reason.ENVELOPE_RECOVERY_FAILED,
        assertInstanceOf(ClientLoginResult.ClientLoginFailed.class, result).reason());
  }

  @Test
  void aTamperedOrForeignKe3FailsClientAuthentication() {
    OpaqueServer server = new OpaqueServer(run.config, run.setup);
    ServerLoginStart start = server.startLogin(run.record, run.credentialIdentifier, run.ke1, random);
    byte[] ke3 = run.ke3.encode();
    ke3[0] ^= 1;
    assertEquals(ServerLoginResult.Reason.CLIENT_AUTHENTICATION_FAILED, assertInstanceOf(
        ServerLoginResult.LoginFailed.class, server.finishLogin(start.state(), new KE3(new Mac(ke3)))).reason());
    // The original run's KE3 belongs to another server nonce and key share.
    assertFalse(server.finishLogin(start.state(), run.ke3).succeeded());
  }

  @Test
  void theServerStateSurvivesSealing() throws DecodeException {
    OpaqueServer server = new OpaqueServer(run.config, run.setup);
    ServerLoginState restored = ServerLoginState.decode(run.serverState.encode());
    ServerLoginResult.LoginSucceeded ok =
        assertInstanceOf(ServerLoginResult.LoginSucceeded.class, server.finishLogin(restored, run.ke3));
    assertTrue(ok.sessionKey().sameAs(run.clientSessionKey));
    restored.destroy();
    assertTrue(ok.sessionKey().sameAs(run.clientSessionKey), "destroying the state leaves the returned key intact");
  }

  @Test
  void theServerSetupRoundTripsAndIsDestroyable() throws DecodeException {
    ServerSetup copy = ServerSetup.decode(run.setup.encode());
    assertEquals(run.setup.serverPublicKey(), copy.serverPublicKey());
    assertEquals(run.setup.fakeClientPublicKey(), copy.fakeClientPublicKey());
    assertFalse(copy.toString().contains(dev.bkv.base.Hex.encode(run.setup.encode()).substring(0, 16)), "seed never printed");
    copy.destroy();
    assertTrue(copy.isDestroyed());
    OpaqueServer server = new OpaqueServer(run.config, copy);
    assertThrows(Check.InvariantViolation.class, () -> server.createRegistrationResponse(run.registrationRequest, run.credentialIdentifier));
  }

  @Test
  void aRegistrationResponseIsTheSameEveryTimeForOneUser() {
    OpaqueServer server = new OpaqueServer(run.config, run.setup);
    assertEquals(run.registrationResponse, server.createRegistrationResponse(run.registrationRequest, run.credentialIdentifier));
    assertFalse(run.registrationResponse.equals(
        server.createRegistrationResponse(run.registrationRequest, CredentialIdentifier.utf8("user-2"))), "per-user OPRF keys");
  }

  @Test
  void configurationLimitsAreEnforced() {
    byte[] tooLong = new byte[OpaqueSuite.CONTEXT_BYTES_MAX + 1];
    assertThrows(IllegalArgumentException.class, () -> OpaqueConfig.builder().context(tooLong));
    assertThrows(IllegalArgumentException.class, () -> OpaqueConfig.builder().serverIdentity(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> OpaqueConfig.builder().clientIdentity(new byte[OpaqueSuite.IDENTITY_BYTES_MAX + 1]));
    OpaqueConfig.builder().context(new byte[OpaqueSuite.CONTEXT_BYTES_MAX]).serverIdentity(new byte[OpaqueSuite.IDENTITY_BYTES_MAX]).build();
    assertThrows(IllegalArgumentException.class, () -> new Password(new byte[OpaqueSuite.PASSWORD_BYTES_MAX + 1]));
    assertThrows(IllegalArgumentException.class, () -> CredentialIdentifier.of(new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> CredentialIdentifier.of(new byte[OpaqueSuite.CREDENTIAL_IDENTIFIER_BYTES_MAX + 1]));
    assertThrows(IllegalArgumentException.class, () -> Ksf.argon2id(64, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> Ksf.argon2id(31, 1, 4), "m >= 8p");
    assertThrows(IllegalArgumentException.class, () -> Ksf.argon2id(64, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Ksf.argon2id(Ksf.Argon2id.MEMORY_KIB_MAX + 1, 1, 1));
    assertEquals(new Ksf.Argon2id(65536, 3, 4), Ksf.argon2idDefault());
  }

  @Test
  void theArgon2idKsfDependsOnEveryCostParameter() {
    byte[] input = "oprf output stand-in, 32 bytes!!".getBytes(StandardCharsets.US_ASCII);
    byte[] base = Ksf.argon2id(64, 1, 1).stretch(input);
    assertEquals(input.length, base.length);
    assertArrayEquals(base, Ksf.argon2id(64, 1, 1).stretch(input), "deterministic (fixed zero salt)");
    assertFalse(java.util.Arrays.equals(base, Ksf.argon2id(72, 1, 1).stretch(input)));
    assertFalse(java.util.Arrays.equals(base, Ksf.argon2id(64, 2, 1).stretch(input)));
    assertFalse(java.util.Arrays.equals(base, Ksf.argon2id(64, 1, 2).stretch(input)));
    assertArrayEquals(input, Ksf.identity().stretch(input));
  }

  @Test
  void secretsAreNeverPrinted() {
    String seed = dev.bkv.base.Hex.encode(run.setup.encode()).substring(0, 64);
    assertFalse(run.setup.toString().contains(seed), "oprf_seed never printed");
    assertFalse(run.exportKey.toString().contains(dev.bkv.base.Hex.encode(run.exportKey.toBytes())));
    assertFalse(run.clientSessionKey.toString().contains(dev.bkv.base.Hex.encode(run.clientSessionKey.toBytes())));
    assertFalse(run.serverState.toString().contains(dev.bkv.base.Hex.encode(run.serverState.encode()).substring(2, 40)));
    assertFalse(Password.utf8("hunter2").toString().contains("hunter2"));
  }

  /**
   * A record sealed over a server key that is not a point (only a non-validating client could
   * make one) and a server that sends it: the MAC verifies, the key does not decode, and the
   * client stops with a typed reason instead of an exception.
   */
  @Test
  void anAuthenticatedButInvalidServerKeyIsATypedFailure() throws DecodeException {
    OpaqueServer server = new OpaqueServer(run.config, run.setup);
    Password password = Password.utf8("password");
    byte[] invalidServerKey = new byte[OpaqueSuite.PUBLIC_KEY_BYTES]; // prefix 0x00: not SEC1
    // What a non-validating client would have sealed at registration:
    var oprfKey = KeySchedule.deriveOprfKey(run.setup.oprfSeed(), run.credentialIdentifier);
    HkdfSha256.Prk randomizedPassword = KeySchedule.randomizedPassword(Oprf.evaluate(oprfKey, password.toBytes()), Ksf.identity());
    Nonce envelopeNonce = Nonce.random(random);
    byte[] nonce = envelopeNonce.toBytes();
    HmacSha256.Key authKey = new HmacSha256.Key(
        KeySchedule.expand(randomizedPassword, Bytes.concat(nonce, "AuthKey".getBytes(StandardCharsets.US_ASCII)), 32));
    KeyPair clientKeys = KeySchedule.deriveDiffieHellmanKeyPair(
        KeySchedule.expand(randomizedPassword, Bytes.concat(nonce, "PrivateKey".getBytes(StandardCharsets.US_ASCII)), 32));
    CleartextCredentials cleartext = CleartextCredentials.create(invalidServerKey, clientKeys.publicKey().encode(), run.config);
    Envelope envelope = new Envelope(envelopeNonce, new Mac(HmacSha256.mac(authKey, nonce, cleartext.serialize())));
    MaskingKey maskingKey = EnvelopeCrypto.maskingKey(randomizedPassword);
    // The server answers with the invalid key inside masked_response.
    OpaqueClient client = new OpaqueClient(run.config);
    ClientLoginStart login = client.startLogin(password, random);
    KE2 honest = server.startLogin(new RegistrationRecord(clientKeys.publicKey(), maskingKey, envelope),
        run.credentialIdentifier, login.ke1(), random).ke2();
    byte[] pad = KeySchedule.expand(new HkdfSha256.Prk(maskingKey.toBytes()),
        Bytes.concat(honest.credentialResponse().maskingNonce().toBytes(), "CredentialResponsePad".getBytes(StandardCharsets.US_ASCII)),
        OpaqueSuite.MASKED_RESPONSE_BYTES);
    byte[] plain = Bytes.concat(invalidServerKey, envelope.encode());
    for (int i = 0; i < pad.length; i++) {
      pad[i] ^= plain[i];
    }
    KE2 forged = new KE2(new CredentialResponse(honest.credentialResponse().evaluatedMessage(),
        honest.credentialResponse().maskingNonce(), new MaskedResponse(pad)), honest.authResponse());
    assertEquals(ClientLoginResult.Reason.INVALID_SERVER_PUBLIC_KEY, assertInstanceOf(
        ClientLoginResult.ClientLoginFailed.class, client.finishLogin(login.state(), forged)).reason());
  }

  private ClientLoginResult loginWithTamperedKe2(int byteIndex) {
    OpaqueServer server = new OpaqueServer(run.config, run.setup);
    OpaqueClient client = new OpaqueClient(run.config);
    ClientLoginStart login = client.startLogin(Password.utf8("password"), random);
    byte[] ke2 = server.startLogin(run.record, run.credentialIdentifier, login.ke1(), random).ke2().encode();
    ke2[byteIndex] ^= 0x40;
    try {
      return client.finishLogin(login.state(), KE2.decode(ke2));
    } catch (DecodeException e) {
      throw new AssertionError("flipping a MAC or mask byte keeps KE2 decodable", e);
    }
  }
}
