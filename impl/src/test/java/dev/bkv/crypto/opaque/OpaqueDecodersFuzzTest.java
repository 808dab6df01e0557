package dev.bkv.crypto.opaque;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.crypto.DecodeException;
import java.util.Random;

/**
 * Jazzer fuzz targets for every OPAQUE decoder, and for the two protocol steps that take a
 * peer's message. A decoder may only return a value whose encoding is the input, or throw
 * {@link DecodeException} naming a field of that message; anything else is a finding.
 *
 * <p>In a normal build these run in regression mode: each target runs once on the empty
 * input and on each seed in {@code src/test/resources/dev/bkv/crypto/opaque/OpaqueDecodersFuzzTestInputs/<target>/}.
 * To fuzz for real, set {@code JAZZER_FUZZ=1} and select one target, e.g.
 * {@code JAZZER_FUZZ=1 mvn -o -pl impl test -Dtest='OpaqueDecodersFuzzTest#ke2' -Dsurefire.failIfNoSpecifiedTests=false};
 * findings and new corpus entries are written under {@code impl/.cifuzz-corpus/}
 * and the inputs directory.
 */
class OpaqueDecodersFuzzTest {
  private static final OpaqueTestRun RUN = OpaqueTestRun.complete(new Random(5));
  private static final OpaqueServer SERVER = new OpaqueServer(RUN.config, RUN.setup);
  private static final OpaqueClient CLIENT = new OpaqueClient(RUN.config);

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

  @FuzzTest
  void registrationRequest(byte[] input) {
    check("RegistrationRequest", input, b -> RegistrationRequest.decode(b).encode());
  }

  @FuzzTest
  void registrationResponse(byte[] input) {
    check("RegistrationResponse", input, b -> RegistrationResponse.decode(b).encode());
  }

  @FuzzTest
  void registrationRecord(byte[] input) {
    check("RegistrationRecord", input, b -> RegistrationRecord.decode(b).encode());
  }

  @FuzzTest
  void envelope(byte[] input) {
    check("Envelope", input, b -> Envelope.decode(b).encode());
  }

  @FuzzTest
  void credentialRequest(byte[] input) {
    check("CredentialRequest", input, b -> CredentialRequest.decode(b).encode());
  }

  @FuzzTest
  void credentialResponse(byte[] input) {
    check("CredentialResponse", input, b -> CredentialResponse.decode(b).encode());
  }

  @FuzzTest
  void authRequest(byte[] input) {
    check("AuthRequest", input, b -> AuthRequest.decode(b).encode());
  }

  @FuzzTest
  void authResponse(byte[] input) {
    check("AuthResponse", input, b -> AuthResponse.decode(b).encode());
  }

  @FuzzTest
  void ke1(byte[] input) {
    check("KE1", input, b -> KE1.decode(b).encode());
  }

  @FuzzTest
  void ke2(byte[] input) {
    check("KE2", input, b -> KE2.decode(b).encode());
  }

  @FuzzTest
  void ke3(byte[] input) {
    check("KE3", input, b -> KE3.decode(b).encode());
  }

  @FuzzTest
  void serverSetup(byte[] input) {
    check("ServerSetup", input, b -> ServerSetup.decode(b).encode());
  }

  @FuzzTest
  void serverLoginState(byte[] input) {
    check("ServerLoginState", input, b -> ServerLoginState.decode(b).encode());
  }

  /** Whatever KE1 decodes, the server answers it (known or unknown user) without throwing. */
  @FuzzTest
  void serverAnswersAnyDecodableKe1(byte[] input) {
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
  @FuzzTest
  void clientJudgesAnyDecodableKe2(byte[] input) {
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
