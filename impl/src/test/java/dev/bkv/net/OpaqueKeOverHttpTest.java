package dev.bkv.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.bkv.client.VaultTransport;
import dev.bkv.crypto.opaque.KE1;
import dev.bkv.crypto.opaque.KE3;
import dev.bkv.crypto.opaque.OpaqueKePeer;
import dev.bkv.crypto.opaque.RegistrationRecord;
import dev.bkv.crypto.opaque.RegistrationRequest;
import dev.bkv.crypto.opaque.SessionKey;
import dev.bkv.hsm.FirmwareCodec;
import dev.bkv.hsm.FirmwareRequest;
import dev.bkv.hsm.FirmwareResponse;
import dev.bkv.hsm.LoginId;
import dev.bkv.hsm.LoginPurpose;
import dev.bkv.hsm.OpaqueContext;
import dev.bkv.hsm.SoftHsm;
import dev.bkv.hsm.VaultProtocol;
import dev.bkv.node.NodeConfig;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.UserId;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Meta's opaque-ke (the Node.js peer) as the phone's OPAQUE client, its messages carried in
 * FirmwareCodec requests over HTTP to BKV's frontend in front of three node servers (the
 * replicated fleet, on loopback): it registers with the fleet's key, uploads a backup key and
 * recovers it. Its logins name
 * the empty OPAQUE context profile (spec/FORMATS.md, "Protocol"), since the package
 * ({@code @serenity-kit/opaque-p256@1.1.0}) takes no context and so binds the empty one. The
 * sealing of the backup key under the session key is BKV's (VaultProtocol), done here with
 * the session key opaque-ke derived. Skips, with a message, where node or npm is missing.
 */
class OpaqueKeOverHttpTest {
  static final SecureRandom RANDOM = new SecureRandom();
  static final int MAX_ATTEMPTS = 10;
  /** A cheap Argon2id, set identically on both sides (the KSF is not what this test is about). */
  static final Map<String, Object> LIGHT_KSF_THEIRS =
      Map.of("argon2id-custom", Map.of("memory", 1024, "iterations", 1, "parallelism", 1));
  static OpaqueKePeer peer;
  static LoopbackFleet fleet;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    Optional<String> unavailable = OpaqueKePeer.unavailableReason();
    if (unavailable.isPresent()) {
      System.out.println("[interop] SKIPPED: opaque-ke over HTTP needs Node.js and npm: " + unavailable.get());
    }
    assumeTrue(unavailable.isEmpty(), "opaque-ke interop needs Node.js and npm");
    peer = OpaqueKePeer.start();
    // The real thing: three node servers and the frontend on loopback, default node timers.
    fleet = LoopbackFleet.start(dir, 3, 3, false, NodeConfig.Timing.DEFAULTS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (fleet != null) {
      fleet.close();
    }
    if (peer != null) {
      peer.close();
    }
  }

  @Test
  void opaqueKeRegistersAndRecoversItsBackupKeyOverHttp_andItsWrongGuessIsCounted() throws Exception {
    VaultTransport http = new VaultHttpTransport(FrontendHttpClient.to(fleet.frontend.baseUrl()));
    byte[] fleetKey = SoftHsm.open(fleet.fleetDir.resolve("hsm-1"), RANDOM).opaqueServerSetup().serverPublicKey().encode();
    UserId user = UserId.ofUtf8("opaque-ke-user");
    String password = "opaque-ke password";

    // Registration, phase 1, by opaque-ke over HTTP: the fleet answers with the key its bundle names.
    Map<?, ?> start = peer.call("client.startRegistration", params("password", password));
    FirmwareResponse.RegisterStarted started = assertInstanceOf(FirmwareResponse.RegisterStarted.class,
        call(http, new FirmwareRequest.RegisterStart(user, RegistrationRequest.decode(bytes(start, "registrationRequest")))));
    Map<?, ?> registered = peer.call("client.finishRegistration", params("clientRegistrationState",
        start.get("clientRegistrationState"), "registrationResponse", b64(started.response().encode()), "password", password,
        "keyStretching", LIGHT_KSF_THEIRS));
    assertArrayEquals(fleetKey, bytes(registered, "serverStaticPublicKey"), "the fleet answers with its key");
    assertInstanceOf(FirmwareResponse.RegisterStored.class, call(http, new FirmwareRequest.RegisterFinish(user,
        started.registrationId(), RegistrationRecord.decode(bytes(registered, "registrationRecord")), MAX_ATTEMPTS)));

    // Registration, phase 2: opaque-ke's login under the empty context, then the key sealed under its session key.
    TheirLogin expose = theirLogin(http, user, password, LoginPurpose.EXPOSE, OpaqueContext.EMPTY).orElseThrow();
    BackupKey key = new BackupKey(RANDOM.generateSeed(32));
    byte[] upload = VaultProtocol.sealExposeUpload(expose.session(), user, started.registrationId(), key, RANDOM);
    FirmwareResponse.Exposed exposed = assertInstanceOf(FirmwareResponse.Exposed.class,
        call(http, new FirmwareRequest.LoginFinish(expose.loginId(), expose.ke3(), upload)));
    assertTrue(VaultProtocol.verifyConfirmation(expose.session(), VaultProtocol.Outcome.EXPOSED, user,
        exposed.confirmation()), "opaque-ke's session key checks the fleet's confirmation");
    assertEquals(MAX_ATTEMPTS, remaining(http, user));

    // A wrong password from opaque-ke: counted before its KE2 (G1), and opaque-ke refuses the KE2.
    assertTrue(theirLogin(http, user, "not the password", LoginPurpose.RECOVER, OpaqueContext.EMPTY).isEmpty());
    assertEquals(MAX_ATTEMPTS - 1, remaining(http, user), "the wrong guess was counted");

    // Recovery by opaque-ke: the key released, sealed under its session key, is the key it uploaded.
    TheirLogin recover = theirLogin(http, user, password, LoginPurpose.RECOVER, OpaqueContext.EMPTY).orElseThrow();
    FirmwareResponse.Recovered sealed = assertInstanceOf(FirmwareResponse.Recovered.class,
        call(http, new FirmwareRequest.LoginFinish(recover.loginId(), recover.ke3(), new byte[0])));
    assertArrayEquals(key.toBytes(), VaultProtocol.openRecovered(recover.session(), user, sealed.sealedBackupKey())
        .orElseThrow().toBytes());
    assertEquals(MAX_ATTEMPTS, remaining(http, user), "a recovery resets the count");

    // Naming BKV's context instead, opaque-ke cannot finish even with the right password: the
    // profile byte is what makes the above work. That login is counted like any other.
    assertTrue(theirLogin(http, user, password, LoginPurpose.RECOVER, OpaqueContext.BKV).isEmpty());
    assertEquals(MAX_ATTEMPTS - 1, remaining(http, user));
  }

  /** An opaque-ke login that reached KE3, with the session key opaque-ke derived. */
  record TheirLogin(LoginId loginId, KE3 ke3, SessionKey session) {}

  /**
   * KE1 from opaque-ke, KE2 from the fleet over HTTP under {@code context}, opaque-ke's finish;
   * empty (after cancelling the login) when opaque-ke rejects the KE2.
   */
  static Optional<TheirLogin> theirLogin(VaultTransport http, UserId user, String password, LoginPurpose purpose,
      OpaqueContext context) throws Exception {
    Map<?, ?> login = peer.call("client.startLogin", params("password", password));
    FirmwareResponse.LoginStarted started = assertInstanceOf(FirmwareResponse.LoginStarted.class, call(http,
        new FirmwareRequest.LoginStart(user, purpose, KE1.decode(bytes(login, "startLoginRequest")), context)));
    Map<?, ?> finished = peer.call("client.finishLogin", params("clientLoginState", login.get("clientLoginState"),
        "loginResponse", b64(started.ke2().encode()), "password", password, "keyStretching", LIGHT_KSF_THEIRS));
    if (finished == null) {
      assertInstanceOf(FirmwareResponse.LoginFailed.class, call(http, new FirmwareRequest.LoginCancel(started.loginId())));
      return Optional.empty();
    }
    return Optional.of(new TheirLogin(started.loginId(), KE3.decode(bytes(finished, "finishLoginRequest")),
        new SessionKey(bytes(finished, "sessionKey"))));
  }

  static int remaining(VaultTransport http, UserId user) throws Exception {
    return assertInstanceOf(FirmwareResponse.StatusReport.class, call(http, new FirmwareRequest.Status(user)))
        .guessesRemaining();
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
