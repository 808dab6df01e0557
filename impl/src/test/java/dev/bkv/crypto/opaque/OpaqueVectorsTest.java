package dev.bkv.crypto.opaque;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.base.Json;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group;
import dev.bkv.crypto.P256Group.Element;
import dev.bkv.crypto.P256Group.Scalar;
import dev.bkv.testsupport.Vectors;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * RFC 9807 Appendix C: OPAQUE-3DH Real Test Vectors 5 and 6 and Fake Test Vector 3 (the
 * P256-SHA256 configuration), from the RFC text and from the CFRG proof-of-concept file.
 * Every value a vector gives is checked against our code path, and a vector field this test
 * does not know fails it, so nothing is silently skipped.
 */
class OpaqueVectorsTest {
  private static final Set<String> KNOWN_FIELDS = Set.of(
      // inputs
      "oprf_seed", "credential_identifier", "password", "envelope_nonce", "masking_nonce", "server_private_key",
      "server_public_key", "server_nonce", "client_nonce", "client_keyshare_seed", "server_keyshare_seed",
      "blind_registration", "blind_login", "client_identity", "server_identity", "client_private_key",
      "client_public_key", "masking_key", "KE1",
      // intermediates
      "auth_key", "randomized_password", "envelope", "handshake_secret", "server_mac_key", "client_mac_key", "oprf_key",
      // outputs
      "registration_request", "registration_response", "registration_upload", "KE2", "KE3", "export_key", "session_key");

  @Test
  void p256VectorsFromRfcTextPass() throws DecodeException {
    String file = "rfc9807/rfc9807-P256-SHA256-from-text.json";
    List<?> vectors = (List<?>) Vectors.readJsonObject(file).get("p256_vectors");
    int passed = 0;
    int values = 0;
    for (Object o : vectors) {
      Map<?, ?> v = (Map<?, ?>) o;
      String title = (String) v.get("title");
      Map<?, ?> configuration = (Map<?, ?>) v.get("configuration");
      checkConfiguration(configuration);
      values += run(title, title.contains("Fake"), (String) configuration.get("Context"), v);
      passed++;
    }
    assertEquals(3, passed, "Real Test Vectors 5 and 6, Fake Test Vector 3");
    Vectors.report(file, passed, 0, vectors.size());
    System.out.println("[vectors] " + file + ": " + values + " values checked");
  }

  @Test
  void p256EntriesOfPocVectorsPass() throws DecodeException {
    String file = "rfc9807/cfrg-opaque-poc_vectors.json";
    List<?> all = (List<?>) Json.parse(Vectors.readString(file));
    int passed = 0;
    int total = 0;
    int values = 0;
    for (Object o : all) {
      Map<?, ?> v = (Map<?, ?>) o;
      Map<?, ?> configuration = (Map<?, ?>) v.get("config");
      if (!"P256_XMD:SHA-256_SSWU_RO_".equals(configuration.get("Group"))) {
        continue;
      }
      total++;
      checkConfiguration(configuration);
      assertEquals("3DH", configuration.get("Name"));
      boolean fake = "True".equals(configuration.get("Fake"));
      values += run("poc P256 entry " + total, fake, (String) configuration.get("Context"), v);
      passed++;
    }
    assertEquals(3, total, "two real and one fake P256 entry");
    Vectors.report(file, passed, 0, total);
    System.out.println("[vectors] " + file + ": " + values + " values checked; "
        + (all.size() - total) + " entries for other groups not applicable");
  }

  private static void checkConfiguration(Map<?, ?> c) {
    assertEquals("P256-SHA256", c.get("OPRF"));
    assertEquals("SHA256", c.get("Hash"));
    assertEquals("Identity", c.get("KSF"));
    assertEquals("HKDF-SHA256", c.get("KDF"));
    assertEquals("HMAC-SHA256", c.get("MAC"));
    assertEquals(String.valueOf(OpaqueSuite.HASH_BYTES), c.get("Nh"));
    assertEquals(String.valueOf(OpaqueSuite.PUBLIC_KEY_BYTES), c.get("Npk"));
    assertEquals(String.valueOf(OpaqueSuite.PRIVATE_KEY_BYTES), c.get("Nsk"));
    assertEquals(String.valueOf(OpaqueSuite.MAC_BYTES), c.get("Nm"));
    assertEquals(String.valueOf(OpaqueSuite.KDF_BYTES), c.get("Nx"));
    assertEquals(String.valueOf(OpaqueSuite.OPRF_KEY_BYTES), c.get("Nok"));
  }

  /** Runs one vector; returns how many of its values were compared. */
  private static int run(String title, boolean fake, String contextHex, Map<?, ?> v) throws DecodeException {
    Values values = new Values(title, v);
    OpaqueConfig.Builder builder = OpaqueConfig.builder().context(Hex.decode(contextHex)).ksf(Ksf.identity());
    values.optional("client_identity").ifPresent(builder::clientIdentity);
    values.optional("server_identity").ifPresent(builder::serverIdentity);
    OpaqueConfig config = builder.build();
    if (fake) {
      runFake(config, values);
    } else {
      runReal(config, values);
    }
    values.assertAllUsed();
    return values.used.size();
  }

  private static void runReal(OpaqueConfig config, Values v) throws DecodeException {
    Scalar serverPrivateKey = Scalar.decode("server_private_key", v.bytes("server_private_key"));
    // The fake key is irrelevant to a real login; any valid point will do.
    ServerSetup setup = ServerSetup.restore(new OprfSeed(v.bytes("oprf_seed")), serverPrivateKey, P256Group.multiplyGenerator(serverPrivateKey));
    v.check("server_public_key", setup.serverPublicKey().encode());
    OpaqueServer server = new OpaqueServer(config, setup);
    OpaqueClient client = new OpaqueClient(config);
    CredentialIdentifier credentialIdentifier = CredentialIdentifier.of(v.bytes("credential_identifier"));
    Password password = new Password(v.bytes("password"));
    v.check("oprf_key", KeySchedule.deriveOprfKey(setup.oprfSeed(), credentialIdentifier).encode());

    // Registration
    ClientRegistrationStart registration = client.startRegistration(password,
        new ClientRegistrationRandomness(v.scalar("blind_registration"), new Nonce(v.bytes("envelope_nonce"))));
    v.check("registration_request", registration.request().encode());
    RegistrationResponse response = server.createRegistrationResponse(
        RegistrationRequest.decode(registration.request().encode()), credentialIdentifier);
    v.check("registration_response", response.encode());
    OpaqueClient.Finalized finalized =
        client.finalizeRequest(registration.state(), RegistrationResponse.decode(response.encode()));
    v.check("randomized_password", finalized.randomizedPassword().toBytes());
    v.check("auth_key", finalized.authKey().toBytes());
    v.check("client_public_key", finalized.record().clientPublicKey().encode());
    v.checkIfPresent("masking_key", finalized.record().maskingKey().toBytes());
    v.check("envelope", finalized.record().envelope().encode());
    v.check("registration_upload", finalized.record().encode());
    byte[] registrationExportKey = finalized.exportKey().toBytes();

    // Login
    ClientLoginStart login = client.startLogin(password, new ClientLoginRandomness(
        v.scalar("blind_login"), new Nonce(v.bytes("client_nonce")), new KeyshareSeed(v.bytes("client_keyshare_seed"))));
    v.check("KE1", login.ke1().encode());
    OpaqueServer.Ke2Output init = server.generateKe2(
        RegistrationRecord.decode(finalized.record().encode()), credentialIdentifier, KE1.decode(login.ke1().encode()),
        new ServerLoginRandomness(new Nonce(v.bytes("masking_nonce")), new Nonce(v.bytes("server_nonce")),
            new KeyshareSeed(v.bytes("server_keyshare_seed")), new MaskingKey(new byte[OpaqueSuite.HASH_BYTES])));
    v.check("KE2", init.ke2().encode());
    v.check("oprf_key", init.oprfKey().encode());
    v.check("handshake_secret", init.auth().keys().handshakeSecret().toBytes());
    v.check("server_mac_key", init.auth().keys().km2().toBytes());
    v.check("client_mac_key", init.auth().keys().km3().toBytes());
    OpaqueClient.Finished finished = client.generateKe3(login.state(), KE2.decode(init.ke2().encode()));
    assertNull(finished.failure(), "client finishes");
    v.check("randomized_password", finished.recovered().randomizedPassword().toBytes());
    v.checkIfPresent("masking_key", finished.recovered().maskingKey().toBytes());
    v.check("auth_key", finished.recovered().envelope().authKey().toBytes());
    v.check("handshake_secret", finished.auth().keys().handshakeSecret().toBytes());
    v.check("server_mac_key", finished.auth().keys().km2().toBytes());
    v.check("client_mac_key", finished.auth().keys().km3().toBytes());
    v.check("KE3", finished.auth().ke3().encode());
    v.check("session_key", finished.auth().keys().sessionKey().toBytes());
    v.check("export_key", finished.recovered().envelope().exportKey().toBytes());
    v.check("export_key", registrationExportKey);
    ServerLoginResult result = server.finishLogin(init.state(), KE3.decode(finished.auth().ke3().encode()));
    ServerLoginResult.LoginSucceeded succeeded = assertInstanceOf(ServerLoginResult.LoginSucceeded.class, result);
    v.check("session_key", succeeded.sessionKey().toBytes());
  }

  private static void runFake(OpaqueConfig config, Values v) throws DecodeException {
    Element fakeClientPublicKey = Element.decode("client_public_key", v.bytes("client_public_key"));
    v.check("client_public_key", P256Group.multiplyGenerator(v.scalar("client_private_key")).encode());
    ServerSetup setup = ServerSetup.restore(
        new OprfSeed(v.bytes("oprf_seed")), v.scalar("server_private_key"), fakeClientPublicKey);
    v.check("server_public_key", setup.serverPublicKey().encode());
    KE1 ke1 = KE1.decode(v.bytes("KE1"));
    // KE1 was made with client_keyshare_seed: its key share must be that seed's public key.
    v.checkEquals(ke1.authRequest().clientPublicKeyshare().encode(),
        KeySchedule.deriveDiffieHellmanKeyPair(v.bytes("client_keyshare_seed")).publicKey().encode(), "client_keyshare_seed");
    OpaqueServer server = new OpaqueServer(config, setup);
    ServerLoginStart start = server.startLogin(null, CredentialIdentifier.of(v.bytes("credential_identifier")), ke1,
        new ServerLoginRandomness(new Nonce(v.bytes("masking_nonce")), new Nonce(v.bytes("server_nonce")),
            new KeyshareSeed(v.bytes("server_keyshare_seed")), new MaskingKey(v.bytes("masking_key"))));
    v.check("KE2", start.ke2().encode());
    assertTrue(start.state().forUnknownUser());
    assertInstanceOf(ServerLoginResult.LoginFailed.class,
        server.finishLogin(start.state(), new KE3(new Mac(new byte[OpaqueSuite.MAC_BYTES]))));
  }

  /** A vector's hex values, remembering which were compared. */
  private static final class Values {
    private final String title;
    private final Map<String, String> all = new java.util.HashMap<>();
    private final Set<String> used = new HashSet<>();

    Values(String title, Map<?, ?> vector) {
      this.title = title;
      for (String section : List.of("inputs", "intermediates", "outputs")) {
        Map<?, ?> values = (Map<?, ?>) vector.get(section);
        for (Map.Entry<?, ?> e : values.entrySet()) {
          String key = (String) e.getKey();
          assertTrue(KNOWN_FIELDS.contains(key), title + ": unknown vector field " + key);
          all.put(key, (String) e.getValue());
        }
      }
    }

    byte[] bytes(String key) {
      String hex = all.get(key);
      assertTrue(hex != null, title + ": missing " + key);
      used.add(key);
      return Hex.decode(hex);
    }

    java.util.Optional<byte[]> optional(String key) {
      return all.containsKey(key) ? java.util.Optional.of(bytes(key)) : java.util.Optional.empty();
    }

    Scalar scalar(String key) throws DecodeException {
      return Scalar.decode(key, bytes(key));
    }

    void check(String key, byte[] actual) {
      checkEquals(bytes(key), actual, key);
    }

    void checkIfPresent(String key, byte[] actual) {
      if (all.containsKey(key)) {
        check(key, actual);
      }
    }

    void checkEquals(byte[] expected, byte[] actual, String what) {
      assertEquals(Hex.encode(expected), Hex.encode(actual), title + ": " + what);
    }

    void assertAllUsed() {
      Set<String> unused = new HashSet<>(all.keySet());
      unused.removeAll(used);
      assertTrue(unused.isEmpty(), title + ": values not checked: " + unused);
    }
  }
}
