package dev.bkv.crypto.opaque;

import java.security.SecureRandom;
import java.util.Random;

/**
 * One complete registration and login with the Identity KSF, from a seeded source, so tests
 * have a full set of valid messages to start from.
 */
final class OpaqueTestRun {
  final ServerSetup setup;
  final OpaqueConfig config;
  final CredentialIdentifier credentialIdentifier;
  final RegistrationRequest registrationRequest;
  final RegistrationResponse registrationResponse;
  final RegistrationRecord record;
  final ExportKey exportKey;
  final KE1 ke1;
  final KE2 ke2;
  final KE3 ke3;
  final ServerLoginState serverState;
  final SessionKey clientSessionKey;

  private OpaqueTestRun(SecureRandom random) {
    config = OpaqueConfig.builder().ksf(Ksf.identity()).build();
    setup = ServerSetup.generate(random);
    credentialIdentifier = CredentialIdentifier.utf8("user-1");
    OpaqueServer server = new OpaqueServer(config, setup);
    OpaqueClient client = new OpaqueClient(config);
    Password password = Password.utf8("password");
    ClientRegistrationStart start = client.startRegistration(password, random);
    registrationRequest = start.request();
    registrationResponse = server.createRegistrationResponse(registrationRequest, credentialIdentifier);
    ClientRegistrationResult registered = client.finalizeRegistration(start.state(), registrationResponse);
    record = registered.record();
    exportKey = registered.exportKey();
    ClientLoginStart login = client.startLogin(password, random);
    ke1 = login.ke1();
    ServerLoginStart serverStart = server.startLogin(record, credentialIdentifier, ke1, random);
    ke2 = serverStart.ke2();
    serverState = serverStart.state();
    ClientLoginResult.ClientLoginSucceeded finished = (ClientLoginResult.ClientLoginSucceeded) client.finishLogin(login.state(), ke2);
    ke3 = finished.ke3();
    clientSessionKey = finished.sessionKey();
  }

  static OpaqueTestRun complete(Random seed) {
    return new OpaqueTestRun(seededRandom(seed.nextLong()));
  }

  /** A deterministic SecureRandom (SHA1PRNG seeded before first use), for reproducible tests only. */
  static SecureRandom seededRandom(long seed) {
    try {
      SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
      random.setSeed(seed);
      return random;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError("SHA1PRNG is in every Java 17 runtime", e);
    }
  }
}
