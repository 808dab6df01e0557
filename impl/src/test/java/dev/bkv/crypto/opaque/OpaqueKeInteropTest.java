package dev.bkv.crypto.opaque;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bkv.crypto.DecodeException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Interop with Meta's opaque-ke 4 (RFC 9807 on P-256, compiled to wasm and published as
 * {@code @serenity-kit/opaque-p256@1.1.0}), in both directions: their client against our
 * server and our client against their server, registration and login, right and wrong
 * passwords, unknown users, custom identities, and server setups moved between the two.
 * Session and export keys must agree on success; a wrong password must fail.
 *
 * <p>What the package fixes, found here and pinned by these tests: messages are base64url
 * without padding; the context is empty; the credential identifier is the UTF-8 encoding of
 * {@code userIdentifier}, and so are passwords and identities; the server setup is
 * {@code oprf_seed || server_private_key || fake_client_public_key} (97 bytes); and the
 * default key stretching is Argon2id with m = 65536 KiB, t = 3, p = 4 (its
 * "memory-constrained" option, which matches {@link Ksf#argon2idDefault()}), not the argon2
 * crate's defaults (m = 19456, t = 2, p = 1): {@link #theDefaultKsfIsArgon2idWith64MiB3Passes4Lanes}
 * shows only the former recovers an envelope opaque-ke sealed.
 *
 * <p>Skips, with a message, where {@code node} or {@code npm} is missing; CI installs both.
 */
class OpaqueKeInteropTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** A cheap Argon2id for the scenarios that are not about the KSF, set identically on both sides. */
  private static final Ksf LIGHT_KSF = Ksf.argon2id(1024, 1, 1);
  private static final Map<String, Object> LIGHT_KSF_THEIRS =
      Map.of("argon2id-custom", Map.of("memory", 1024, "iterations", 1, "parallelism", 1));

  private static OpaqueKePeer peer;

  @BeforeAll
  static void startPeer() throws Exception {
    Optional<String> unavailable = OpaqueKePeer.unavailableReason();
    if (unavailable.isPresent()) {
      System.out.println("[interop] SKIPPED: opaque-ke interop needs Node.js and npm: " + unavailable.get());
    }
    assumeTrue(unavailable.isEmpty(), "opaque-ke interop needs Node.js and npm");
    peer = OpaqueKePeer.start();
  }

  @AfterAll
  static void stopPeer() throws InterruptedException {
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void theirClientRegistersAndLogsInWithOurServer() throws DecodeException {
    ServerSetup setup = ServerSetup.generate(RANDOM);
    OpaqueServer server = new OpaqueServer(OpaqueConfig.defaults(), setup);
    String user = "7d1e2c5a-0b7e-4f6e-9d43-interop-user";
    String password = "correct horse battery staple";

    // Registration: their client, our server, their default KSF.
    Map<?, ?> start = peer.call("client.startRegistration", params("password", password));
    RegistrationResponse response = server.createRegistrationResponse(
        RegistrationRequest.decode(bytes(start, "registrationRequest")), CredentialIdentifier.utf8(user));
    Map<?, ?> registered = peer.call("client.finishRegistration", params(
        "clientRegistrationState", start.get("clientRegistrationState"),
        "registrationResponse", b64(response.encode()), "password", password));
    assertArrayEquals(setup.serverPublicKey().encode(), bytes(registered, "serverStaticPublicKey"));
    RegistrationRecord record = RegistrationRecord.decode(bytes(registered, "registrationRecord"));

    // Login with the right password: both sides agree on the session key; the export key is stable.
    Map<?, ?> loginStart = peer.call("client.startLogin", params("password", password));
    ServerLoginStart ke2 = server.startLogin(
        record, CredentialIdentifier.utf8(user), KE1.decode(bytes(loginStart, "startLoginRequest")), RANDOM);
    Map<?, ?> finished = peer.call("client.finishLogin", params(
        "clientLoginState", loginStart.get("clientLoginState"), "loginResponse", b64(ke2.ke2().encode()), "password", password));
    assertNotNull(finished, "opaque-ke accepts our KE2");
    ServerLoginResult result = server.finishLogin(ke2.state(), KE3.decode(bytes(finished, "finishLoginRequest")));
    ServerLoginResult.LoginSucceeded succeeded = assertInstanceOf(ServerLoginResult.LoginSucceeded.class, result);
    assertArrayEquals(succeeded.sessionKey().toBytes(), bytes(finished, "sessionKey"), "session keys agree");
    assertArrayEquals(bytes(registered, "exportKey"), bytes(finished, "exportKey"), "export key stable");

    // A KE3 from that session does not finish another one.
    Map<?, ?> otherStart = peer.call("client.startLogin", params("password", password));
    ServerLoginStart other = server.startLogin(
        record, CredentialIdentifier.utf8(user), KE1.decode(bytes(otherStart, "startLoginRequest")), RANDOM);
    assertInstanceOf(ServerLoginResult.LoginFailed.class,
        server.finishLogin(other.state(), KE3.decode(bytes(finished, "finishLoginRequest"))));

    // Wrong password: opaque-ke's client refuses our KE2 (envelope recovery fails), so no KE3 exists.
    Map<?, ?> wrongStart = peer.call("client.startLogin", params("password", "correct horse battery stable"));
    ServerLoginStart wrongKe2 = server.startLogin(
        record, CredentialIdentifier.utf8(user), KE1.decode(bytes(wrongStart, "startLoginRequest")), RANDOM);
    assertNull(peer.call("client.finishLogin", params("clientLoginState", wrongStart.get("clientLoginState"),
        "loginResponse", b64(wrongKe2.ke2().encode()), "password", "correct horse battery stable")));

    // Unknown user: our fake KE2 parses on their side and fails like a wrong password.
    Map<?, ?> probe = peer.call("client.startLogin", params("password", password));
    ServerLoginStart fake = server.startLogin(
        null, CredentialIdentifier.utf8("nobody"), KE1.decode(bytes(probe, "startLoginRequest")), RANDOM);
    assertNull(peer.call("client.finishLogin", params("clientLoginState", probe.get("clientLoginState"),
        "loginResponse", b64(fake.ke2().encode()), "password", password)));
  }

  @Test
  void ourClientRegistersAndLogsInWithTheirServer() throws DecodeException {
    String setup = (String) peer.call("server.createSetup", Map.of()).get("serverSetup");
    OpaqueClient client = new OpaqueClient(OpaqueConfig.defaults());
    String user = "interop-user-2@example.com";
    Password password = Password.utf8("Tr0ub4dor&3");

    // Registration: our client (default KSF), their server.
    ClientRegistrationStart start = client.startRegistration(password, RANDOM);
    Map<?, ?> response = peer.call("server.createRegistrationResponse", params(
        "serverSetup", setup, "userIdentifier", user, "registrationRequest", b64(start.request().encode())));
    RegistrationResponse decoded = RegistrationResponse.decode(bytes(response, "registrationResponse"));
    assertArrayEquals(bytes(peer.call("server.getPublicKey", params("serverSetup", setup)), "publicKey"),
        decoded.serverPublicKey().encode());
    ClientRegistrationResult registered = client.finalizeRegistration(start.state(), decoded);
    String record = b64(registered.record().encode());

    // Login: our client, their server.
    ClientLoginStart login = client.startLogin(password, RANDOM);
    Map<?, ?> ke2 = peer.call("server.startLogin", params("serverSetup", setup, "registrationRecord", record,
        "startLoginRequest", b64(login.ke1().encode()), "userIdentifier", user));
    ClientLoginResult result = client.finishLogin(login.state(), KE2.decode(bytes(ke2, "loginResponse")));
    ClientLoginResult.ClientLoginSucceeded succeeded = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, result);
    assertArrayEquals(registered.exportKey().toBytes(), succeeded.exportKey().toBytes(), "export key stable");
    Map<?, ?> serverFinished = peer.call("server.finishLogin", params(
        "serverLoginState", ke2.get("serverLoginState"), "finishLoginRequest", b64(succeeded.ke3().encode())));
    assertArrayEquals(succeeded.sessionKey().toBytes(), bytes(serverFinished, "sessionKey"), "session keys agree");

    // Wrong password: our client cannot open the envelope opaque-ke's server returns.
    ClientLoginStart wrong = client.startLogin(Password.utf8("Tr0ub4dor&4"), RANDOM);
    Map<?, ?> wrongKe2 = peer.call("server.startLogin", params("serverSetup", setup, "registrationRecord", record,
        "startLoginRequest", b64(wrong.ke1().encode()), "userIdentifier", user));
    ClientLoginResult.ClientLoginFailed failed = assertInstanceOf(ClientLoginResult.ClientLoginFailed.class,
        client.finishLogin(wrong.state(), KE2.decode(bytes(wrongKe2, "loginResponse"))));
    assertEquals(ClientLoginResult.Reason.ENVELOPE_RECOVERY_FAILED, failed.reason());
    // ...and their server refuses a client MAC that is not the expected one.
    assertThrows(OpaqueKePeer.PeerError.class, () -> peer.call("server.finishLogin", params(
        "serverLoginState", wrongKe2.get("serverLoginState"), "finishLoginRequest", b64(new byte[OpaqueSuite.MAC_BYTES]))));
  }

  @Test
  void theDefaultKsfIsArgon2idWith64MiB3Passes4Lanes() throws DecodeException {
    // Their client and server, their default key stretching; then our client logs in.
    String setup = (String) peer.call("server.createSetup", Map.of()).get("serverSetup");
    String user = "ksf-probe";
    String password = "ksf probe password";
    Map<?, ?> start = peer.call("client.startRegistration", params("password", password));
    Map<?, ?> response = peer.call("server.createRegistrationResponse", params(
        "serverSetup", setup, "userIdentifier", user, "registrationRequest", start.get("registrationRequest")));
    Map<?, ?> registered = peer.call("client.finishRegistration", params(
        "clientRegistrationState", start.get("clientRegistrationState"),
        "registrationResponse", response.get("registrationResponse"), "password", password));

    // The argon2 crate's own defaults do not open the envelope...
    ClientLoginResult crateDefaults = loginToTheirServer(
        Ksf.argon2id(19456, 2, 1), setup, user, password, (String) registered.get("registrationRecord"));
    assertEquals(ClientLoginResult.Reason.ENVELOPE_RECOVERY_FAILED,
        assertInstanceOf(ClientLoginResult.ClientLoginFailed.class, crateDefaults).reason());
    // ...Argon2id(m = 65536 KiB, t = 3, p = 4) does, and reproduces their export key.
    ClientLoginResult ours = loginToTheirServer(
        Ksf.argon2idDefault(), setup, user, password, (String) registered.get("registrationRecord"));
    ClientLoginResult.ClientLoginSucceeded succeeded = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, ours);
    assertArrayEquals(bytes(registered, "exportKey"), succeeded.exportKey().toBytes(), "export keys agree across implementations");
  }

  @Test
  void serverSetupsMoveBetweenImplementations() throws DecodeException {
    // Their setup, restored on our side: same public key, and our server logs in a user
    // registered with their server (so both derive the same per-user OPRF key).
    String theirSetup = (String) peer.call("server.createSetup", Map.of()).get("serverSetup");
    ServerSetup restored = ServerSetup.decode(Base64.getUrlDecoder().decode(theirSetup));
    assertArrayEquals(bytes(peer.call("server.getPublicKey", params("serverSetup", theirSetup)), "publicKey"),
        restored.serverPublicKey().encode());
    assertEquals(theirSetup, b64(restored.encode()), "setup re-encodes identically");
    String user = "moved-user";
    String password = "moving day";
    Map<?, ?> start = peer.call("client.startRegistration", params("password", password));
    Map<?, ?> response = peer.call("server.createRegistrationResponse", params(
        "serverSetup", theirSetup, "userIdentifier", user, "registrationRequest", start.get("registrationRequest")));
    Map<?, ?> registered = peer.call("client.finishRegistration", params(
        "clientRegistrationState", start.get("clientRegistrationState"),
        "registrationResponse", response.get("registrationResponse"), "password", password, "keyStretching", LIGHT_KSF_THEIRS));
    OpaqueServer ourServer = new OpaqueServer(OpaqueConfig.defaults(), restored);
    Map<?, ?> loginStart = peer.call("client.startLogin", params("password", password));
    ServerLoginStart ke2 = ourServer.startLogin(RegistrationRecord.decode(bytes(registered, "registrationRecord")),
        CredentialIdentifier.utf8(user), KE1.decode(bytes(loginStart, "startLoginRequest")), RANDOM);
    Map<?, ?> finished = peer.call("client.finishLogin", params("clientLoginState", loginStart.get("clientLoginState"),
        "loginResponse", b64(ke2.ke2().encode()), "password", password, "keyStretching", LIGHT_KSF_THEIRS));
    assertNotNull(finished, "their client accepts our server running their setup");
    ServerLoginResult.LoginSucceeded succeeded = assertInstanceOf(ServerLoginResult.LoginSucceeded.class,
        ourServer.finishLogin(ke2.state(), KE3.decode(bytes(finished, "finishLoginRequest"))));
    assertArrayEquals(succeeded.sessionKey().toBytes(), bytes(finished, "sessionKey"));

    // Our setup, used by their server: a user registered with our server logs in to theirs.
    ServerSetup ourSetup = ServerSetup.generate(RANDOM);
    OpaqueClient client = new OpaqueClient(OpaqueConfig.builder().ksf(LIGHT_KSF).build());
    Password ourPassword = Password.utf8(password);
    ClientRegistrationStart ourStart = client.startRegistration(ourPassword, RANDOM);
    ClientRegistrationResult ourRecord = client.finalizeRegistration(ourStart.state(),
        new OpaqueServer(OpaqueConfig.defaults(), ourSetup).createRegistrationResponse(ourStart.request(), CredentialIdentifier.utf8(user)));
    ClientLoginResult result = loginToTheirServer(LIGHT_KSF, b64(ourSetup.encode()), user, password, b64(ourRecord.record().encode()));
    assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class, result);
  }

  @Test
  void identitiesAreBoundTheSameWayOnBothSides() throws DecodeException {
    Map<String, Object> identifiers = Map.of("client", "alice@example.com", "server", "vault.example");
    OpaqueConfig config = OpaqueConfig.builder().ksf(LIGHT_KSF)
        .clientIdentity("alice@example.com".getBytes(StandardCharsets.UTF_8))
        .serverIdentity("vault.example".getBytes(StandardCharsets.UTF_8)).build();
    String user = "alice";
    String password = "alice's password";

    // Their client with identities registers and logs in at our server with the same identities.
    OpaqueServer server = new OpaqueServer(config, ServerSetup.generate(RANDOM));
    Map<?, ?> start = peer.call("client.startRegistration", params("password", password));
    RegistrationResponse response = server.createRegistrationResponse(
        RegistrationRequest.decode(bytes(start, "registrationRequest")), CredentialIdentifier.utf8(user));
    Map<?, ?> registered = peer.call("client.finishRegistration", params(
        "clientRegistrationState", start.get("clientRegistrationState"), "registrationResponse", b64(response.encode()),
        "password", password, "identifiers", identifiers, "keyStretching", LIGHT_KSF_THEIRS));
    RegistrationRecord record = RegistrationRecord.decode(bytes(registered, "registrationRecord"));
    Map<?, ?> loginStart = peer.call("client.startLogin", params("password", password));
    ServerLoginStart ke2 = server.startLogin(
        record, CredentialIdentifier.utf8(user), KE1.decode(bytes(loginStart, "startLoginRequest")), RANDOM);
    Map<?, ?> finished = peer.call("client.finishLogin", params("clientLoginState", loginStart.get("clientLoginState"),
        "loginResponse", b64(ke2.ke2().encode()), "password", password, "identifiers", identifiers,
        "keyStretching", LIGHT_KSF_THEIRS));
    assertNotNull(finished);
    assertInstanceOf(ServerLoginResult.LoginSucceeded.class,
        server.finishLogin(ke2.state(), KE3.decode(bytes(finished, "finishLoginRequest"))));
    // Without the identities the envelope does not verify: they are bound into it.
    Map<?, ?> bare = peer.call("client.startLogin", params("password", password));
    ServerLoginStart bareKe2 = server.startLogin(
        record, CredentialIdentifier.utf8(user), KE1.decode(bytes(bare, "startLoginRequest")), RANDOM);
    assertNull(peer.call("client.finishLogin", params("clientLoginState", bare.get("clientLoginState"),
        "loginResponse", b64(bareKe2.ke2().encode()), "password", password, "keyStretching", LIGHT_KSF_THEIRS)));

    // Our client with identities, their server with the same identities.
    String setup = (String) peer.call("server.createSetup", Map.of()).get("serverSetup");
    OpaqueClient client = new OpaqueClient(config);
    ClientRegistrationStart ourStart = client.startRegistration(Password.utf8(password), RANDOM);
    Map<?, ?> theirResponse = peer.call("server.createRegistrationResponse", params(
        "serverSetup", setup, "userIdentifier", user, "registrationRequest", b64(ourStart.request().encode())));
    ClientRegistrationResult ourRecord = client.finalizeRegistration(
        ourStart.state(), RegistrationResponse.decode(bytes(theirResponse, "registrationResponse")));
    ClientLoginStart login = client.startLogin(Password.utf8(password), RANDOM);
    Map<?, ?> theirKe2 = peer.call("server.startLogin", params("serverSetup", setup,
        "registrationRecord", b64(ourRecord.record().encode()), "startLoginRequest", b64(login.ke1().encode()),
        "userIdentifier", user, "identifiers", identifiers));
    ClientLoginResult.ClientLoginSucceeded succeeded = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        client.finishLogin(login.state(), KE2.decode(bytes(theirKe2, "loginResponse"))));
    Map<?, ?> serverFinished = peer.call("server.finishLogin", params("serverLoginState", theirKe2.get("serverLoginState"),
        "finishLoginRequest", b64(succeeded.ke3().encode()), "identifiers", identifiers));
    assertArrayEquals(succeeded.sessionKey().toBytes(), bytes(serverFinished, "sessionKey"));
  }

  /** Our client (with {@code ksf}) logs in to opaque-ke's server holding {@code record}. */
  private static ClientLoginResult loginToTheirServer(Ksf ksf, String setup, String user, String password, String record)
      throws DecodeException {
    OpaqueClient client = new OpaqueClient(OpaqueConfig.builder().ksf(ksf).build());
    ClientLoginStart login = client.startLogin(Password.utf8(password), RANDOM);
    Map<?, ?> ke2 = peer.call("server.startLogin", params("serverSetup", setup, "registrationRecord", record,
        "startLoginRequest", b64(login.ke1().encode()), "userIdentifier", user));
    ClientLoginResult result = client.finishLogin(login.state(), KE2.decode(bytes(ke2, "loginResponse")));
    if (result instanceof ClientLoginResult.ClientLoginSucceeded) {
      ClientLoginResult.ClientLoginSucceeded ok = (ClientLoginResult.ClientLoginSucceeded) result;
      Map<?, ?> finished = peer.call("server.finishLogin", params(
          "serverLoginState", ke2.get("serverLoginState"), "finishLoginRequest", b64(ok.ke3().encode())));
      assertArrayEquals(ok.sessionKey().toBytes(), bytes(finished, "sessionKey"), "session keys agree");
    }
    return result;
  }

  private static Map<String, Object> params(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  private static byte[] bytes(Map<?, ?> result, String key) {
    Object value = result.get(key);
    assertNotNull(value, "peer result has " + key);
    return Base64.getUrlDecoder().decode((String) value);
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
