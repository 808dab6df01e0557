package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bkv.bundle.WitnessedBundle;
import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.opaque.ClientLoginResult;
import dev.bkv.crypto.opaque.ClientLoginStart;
import dev.bkv.crypto.opaque.KE1;
import dev.bkv.crypto.opaque.Ksf;
import dev.bkv.crypto.opaque.OpaqueClient;
import dev.bkv.crypto.opaque.OpaqueConfig;
import dev.bkv.crypto.opaque.OpaqueKePeer;
import dev.bkv.crypto.opaque.Password;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.RegistrationRequest;
import dev.bkv.hsm.LoginId;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.LoginPurpose;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Meta's opaque-ke (the Node.js peer) as the phone's OPAQUE client, its messages carried in
 * FirmwareCodec requests over HTTP to a frontend in front of an in-process fleet. It registers
 * with the key the served bundle names. Its login cannot finish: the package
 * ({@code @serenity-kit/opaque-p256@1.1.0}) takes no OPAQUE context and the vault binds
 * {@code VaultProtocol.OPAQUE_CONTEXT} (spec/FORMATS.md, "Vault and HSM"); the test pins that
 * this is the only obstacle, by exposing and recovering a key under opaque-ke's record with our
 * client given the context. Skips, with a message, where node or npm is missing.
 */
class OpaqueKeOverHttpTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final int MAX_ATTEMPTS = 10;
  /** A cheap Argon2id, set identically on both sides (the KSF is not what this test is about). */
  static final Ksf LIGHT_KSF = Ksf.argon2id(1024, 1, 1);
  static final Map<String, Object> LIGHT_KSF_THEIRS =
      Map.of("argon2id-custom", Map.of("memory", 1024, "iterations", 1, "parallelism", 1));
  static OpaqueKePeer peer;
  static TestFrontend frontend;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> unavailable = OpaqueKePeer.unavailableReason();
    if (unavailable.isPresent()) {
      System.out.println("[interop] SKIPPED: opaque-ke over HTTP needs Node.js and npm: " + unavailable.get());
    }
    assumeTrue(unavailable.isEmpty(), "opaque-ke interop needs Node.js and npm");
    peer = OpaqueKePeer.start();
    frontend = new TestFrontend(RANDOM);
  }

  @AfterAll
  static void stop() throws Exception {
    if (frontend != null) {
      frontend.close();
    }
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void opaqueKeRegistersThroughTheFrontend_andItsLoginFailsOnlyOnTheVaultsOpaqueContext() throws Exception {
    VaultTransport http = new VaultHttpTransport(FrontendHttpClient.to(frontend.url()));
    byte[] fleetKey = WitnessedBundle.parse(frontend.servedBundle).bundle().opaqueServerKey().encode();
    UserId user = UserId.ofUtf8("opaque-ke-user");
    String password = "opaque-ke password";

    // Registration, phase 1, by opaque-ke over HTTP: the fleet answers with the key its bundle names.
    Map<?, ?> start = peer.call("client.startRegistration", params("password", password));
    FirmwareResponse.RegisterStarted started = assertInstanceOf(FirmwareResponse.RegisterStarted.class,
        call(http, new FirmwareRequest.RegisterStart(user, RegistrationRequest.decode(bytes(start, "registrationRequest")))));
    Map<?, ?> registered = peer.call("client.finishRegistration", params("clientRegistrationState",
        start.get("clientRegistrationState"), "registrationResponse", b64(started.response().encode()), "password", password,
        "keyStretching", LIGHT_KSF_THEIRS));
    assertArrayEquals(fleetKey, bytes(registered, "serverStaticPublicKey"), "the fleet answers with the bundle's key");
    assertInstanceOf(FirmwareResponse.RegisterStored.class, call(http, new FirmwareRequest.RegisterFinish(user,
        started.registrationId(), RegistrationRecord.decode(bytes(registered, "registrationRecord")), MAX_ATTEMPTS)));

    // opaque-ke's login: the package takes no OPAQUE context, the vault binds "BKV vault v1" into
    // the 3DH preamble, so opaque-ke rejects the vault's KE2 (server MAC); the attempt is counted.
    Map<?, ?> login = peer.call("client.startLogin", params("password", password));
    FirmwareResponse.LoginStarted theirs = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        call(http, new FirmwareRequest.LoginStart(user, LoginPurpose.EXPOSE, KE1.decode(bytes(login, "startLoginRequest")))));
    assertNull(peer.call("client.finishLogin", params("clientLoginState", login.get("clientLoginState"),
        "loginResponse", b64(theirs.ke2().encode()), "password", password, "keyStretching", LIGHT_KSF_THEIRS)),
        "opaque-ke cannot finish a login bound to the vault's context");
    assertInstanceOf(FirmwareResponse.LoginFailed.class, call(http, new FirmwareRequest.LoginCancel(theirs.loginId())));

    // The cause is the context alone: our client without it fails the same way (server MAC),
    // and with it exposes and recovers a key under the record opaque-ke made, over HTTP.
    ClientLoginResult.ClientLoginFailed noContext = assertInstanceOf(ClientLoginResult.ClientLoginFailed.class,
        loginWith(http, user, password, OpaqueConfig.builder().ksf(LIGHT_KSF).build(), LoginPurpose.EXPOSE).result());
    assertEquals(ClientLoginResult.Reason.SERVER_AUTHENTICATION_FAILED, noContext.reason());
    assertEquals(MAX_ATTEMPTS - 2, assertInstanceOf(FirmwareResponse.StatusReport.class,
        call(http, new FirmwareRequest.Status(user))).guessesRemaining(), "both failed logins were counted (G1)");
    Login expose = loginWith(http, user, password, VaultProtocol.opaqueConfig(LIGHT_KSF), LoginPurpose.EXPOSE);
    ClientLoginResult.ClientLoginSucceeded exposed = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        expose.result());
    BackupKey key = new BackupKey(RANDOM.generateSeed(32));
    byte[] upload = VaultProtocol.sealExposeUpload(exposed.sessionKey(), user, started.registrationId(), key, RANDOM);
    assertInstanceOf(FirmwareResponse.Exposed.class,
        call(http, new FirmwareRequest.LoginFinish(expose.loginId(), exposed.ke3(), upload)));
    Login recover = loginWith(http, user, password, VaultProtocol.opaqueConfig(LIGHT_KSF), LoginPurpose.RECOVER);
    ClientLoginResult.ClientLoginSucceeded recovered = assertInstanceOf(ClientLoginResult.ClientLoginSucceeded.class,
        recover.result());
    FirmwareResponse.Recovered sealed = assertInstanceOf(FirmwareResponse.Recovered.class,
        call(http, new FirmwareRequest.LoginFinish(recover.loginId(), recovered.ke3(), new byte[0])));
    assertArrayEquals(key.toBytes(), VaultProtocol.openRecovered(recovered.sessionKey(), user, sealed.sealedBackupKey())
        .orElseThrow().toBytes());
  }

  record Login(LoginId loginId, ClientLoginResult result) {}

  /** KE1 and KE2 over HTTP with our OPAQUE client under {@code config}; a failed login is cancelled. */
  static Login loginWith(VaultTransport http, UserId user, String password, OpaqueConfig config, LoginPurpose purpose)
      throws Exception {
    OpaqueClient client = new OpaqueClient(config);
    ClientLoginStart start = client.startLogin(Password.utf8(password), RANDOM);
    FirmwareResponse.LoginStarted started = assertInstanceOf(FirmwareResponse.LoginStarted.class,
        call(http, new FirmwareRequest.LoginStart(user, purpose, start.ke1())));
    ClientLoginResult result = client.finishLogin(start.state(), started.ke2());
    if (!(result instanceof ClientLoginResult.ClientLoginSucceeded)) {
      assertInstanceOf(FirmwareResponse.LoginFailed.class, call(http, new FirmwareRequest.LoginCancel(started.loginId())));
    }
    return new Login(started.loginId(), result);
  }

  static FirmwareResponse call(VaultTransport transport, FirmwareRequest request) throws Exception {
    return FirmwareCodec.decodeResponse(transport.exchange(FirmwareCodec.encode(request)));
  }

  static Map<String, Object> params(Object... keysAndValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      map.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return map;
  }

  static byte[] bytes(Map<?, ?> result, String key) {
    return Base64.getUrlDecoder().decode((String) result.get(key));
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
