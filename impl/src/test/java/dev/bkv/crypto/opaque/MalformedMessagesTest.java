package dev.bkv.crypto.opaque;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.bkv.base.Hex;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.P256Group;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every OPAQUE decoder turns bad input into a {@link DecodeException} naming the message and
 * field: wrong lengths, points off the curve, the point at infinity, x-coordinates outside
 * the field, zero and out-of-range scalars, truncated envelopes, random bytes. Valid
 * encodings come from a real protocol run and must round-trip byte for byte.
 */
class MalformedMessagesTest {
  /** P-256 field prime p. */
  private static final String P_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
  /** P-256 group order n. */
  private static final String N_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

  private static OpaqueTestRun run;
  private static byte[] offCurve;

  @BeforeAll
  static void makeValidMessages() {
    run = OpaqueTestRun.complete(new Random(7));
    offCurve = offCurveCompressedPoint();
  }

  /** A decoder under test, with the name its errors carry and where its points sit. */
  private record Decoder(String message, byte[] valid, Codec codec, List<Integer> elementOffsets, List<String> elementFields) {}

  @FunctionalInterface
  private interface Codec {
    byte[] roundTrip(byte[] encoded) throws DecodeException;
  }

  private static List<Decoder> decoders() {
    return List.of(
        new Decoder("RegistrationRequest", run.registrationRequest.encode(), b -> RegistrationRequest.decode(b).encode(),
            List.of(0), List.of("blinded_message")),
        new Decoder("RegistrationResponse", run.registrationResponse.encode(), b -> RegistrationResponse.decode(b).encode(),
            List.of(0, 33), List.of("evaluated_message", "server_public_key")),
        new Decoder("RegistrationRecord", run.record.encode(), b -> RegistrationRecord.decode(b).encode(),
            List.of(0), List.of("client_public_key")),
        new Decoder("Envelope", run.record.envelope().encode(), b -> Envelope.decode(b).encode(), List.of(), List.of()),
        new Decoder("CredentialRequest", run.ke1.credentialRequest().encode(), b -> CredentialRequest.decode(b).encode(),
            List.of(0), List.of("blinded_message")),
        new Decoder("CredentialResponse", run.ke2.credentialResponse().encode(), b -> CredentialResponse.decode(b).encode(),
            List.of(0), List.of("evaluated_message")),
        new Decoder("AuthRequest", run.ke1.authRequest().encode(), b -> AuthRequest.decode(b).encode(),
            List.of(32), List.of("client_public_keyshare")),
        new Decoder("AuthResponse", run.ke2.authResponse().encode(), b -> AuthResponse.decode(b).encode(),
            List.of(32), List.of("server_public_keyshare")),
        new Decoder("KE1", run.ke1.encode(), b -> KE1.decode(b).encode(),
            List.of(0, 65), List.of("credential_request.blinded_message", "auth_request.client_public_keyshare")),
        new Decoder("KE2", run.ke2.encode(), b -> KE2.decode(b).encode(),
            List.of(0, 194), List.of("credential_response.evaluated_message", "auth_response.server_public_keyshare")),
        new Decoder("KE3", run.ke3.encode(), b -> KE3.decode(b).encode(), List.of(), List.of()),
        new Decoder("ServerSetup", run.setup.encode(), b -> ServerSetup.decode(b).encode(),
            List.of(64), List.of("fake_client_public_key")),
        new Decoder("ServerLoginState", run.serverState.encode(), b -> ServerLoginState.decode(b).encode(), List.of(), List.of()));
  }

  @Test
  void validEncodingsRoundTripExactly() throws DecodeException {
    for (Decoder d : decoders()) {
      assertArrayEquals(d.valid, d.codec.roundTrip(d.valid.clone()), d.message);
    }
  }

  @Test
  void everyWrongLengthIsATypedErrorNamingTheMessage() {
    for (Decoder d : decoders()) {
      for (int length = 0; length <= d.valid.length + 8; length++) {
        if (length == d.valid.length) {
          continue;
        }
        byte[] input = Arrays.copyOf(d.valid, length); // truncations, and zero-padded extensions
        DecodeException e = assertThrows(DecodeException.class, () -> d.codec.roundTrip(input), d.message + " length " + length);
        assertEquals(d.message, e.field());
        assertTrue(e.getMessage().contains("expected " + d.valid.length + " bytes"), e.getMessage());
      }
      assertThrows(DecodeException.class, () -> d.codec.roundTrip(null), d.message + " null");
    }
  }

  @Test
  void badPointsAreTypedErrorsNamingTheField() {
    byte[] infinity = new byte[P256Group.ELEMENT_BYTES];
    byte[] xAboveP = Hex.decode("02" + P_HEX);
    byte[] badPrefix = run.record.clientPublicKey().encode();
    badPrefix[0] = 0x04;
    for (Decoder d : decoders()) {
      for (int i = 0; i < d.elementOffsets.size(); i++) {
        String field = d.message + "." + d.elementFields.get(i);
        for (byte[] bad : List.of(offCurve, infinity, xAboveP, badPrefix)) {
          byte[] input = d.valid.clone();
          System.arraycopy(bad, 0, input, d.elementOffsets.get(i), bad.length);
          DecodeException e = assertThrows(DecodeException.class, () -> d.codec.roundTrip(input), field);
          assertEquals(field, e.field(), "error names the field");
        }
      }
    }
  }

  @Test
  void zeroAndOutOfRangeScalarsAreTypedErrors() {
    byte[] setup = run.setup.encode();
    for (String scalarHex : List.of("00".repeat(32), N_HEX, "ff".repeat(32))) {
      byte[] input = setup.clone();
      System.arraycopy(Hex.decode(scalarHex), 0, input, OpaqueSuite.HASH_BYTES, P256Group.SCALAR_BYTES);
      DecodeException e = assertThrows(DecodeException.class, () -> ServerSetup.decode(input));
      assertEquals("ServerSetup.server_private_key", e.field());
    }
    assertThrows(DecodeException.class, () -> P256Group.Scalar.decode("blind", new byte[32]));
    assertThrows(DecodeException.class, () -> P256Group.Scalar.decode("blind", Hex.decode(N_HEX)));
  }

  @Test
  void truncatedEnvelopesAreTypedErrors() {
    byte[] envelope = run.record.envelope().encode();
    assertThrows(DecodeException.class, () -> Envelope.decode(Arrays.copyOf(envelope, envelope.length - 1)));
    byte[] record = run.record.encode();
    DecodeException e = assertThrows(DecodeException.class, () -> RegistrationRecord.decode(Arrays.copyOf(record, record.length - 1)));
    assertEquals("RegistrationRecord", e.field());
  }

  @Test
  void serverLoginStateFlagIsChecked() {
    byte[] state = run.serverState.encode();
    state[0] = 2;
    DecodeException e = assertThrows(DecodeException.class, () -> ServerLoginState.decode(state));
    assertEquals("ServerLoginState.flag", e.field());
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButATypedError() {
    Random random = new Random(2026);
    for (Decoder d : decoders()) {
      for (int trial = 0; trial < 300; trial++) {
        int length = trial % 3 == 0 ? random.nextInt(d.valid.length + 40) : d.valid.length;
        byte[] input = new byte[length];
        random.nextBytes(input);
        if (trial % 2 == 0 && length == d.valid.length) {
          // Keep the valid prefix bytes so decoding reaches the later fields more often.
          for (int offset : d.elementOffsets) {
            input[offset] = (byte) (2 + random.nextInt(2));
          }
        }
        try {
          assertArrayEquals(input, d.codec.roundTrip(input), d.message + " decodes only canonical encodings");
        } catch (DecodeException expected) {
          assertTrue(expected.field().startsWith(d.message), expected.field());
        } catch (RuntimeException e) {
          fail(d.message + " threw " + e + " for " + Hex.encode(input));
        }
      }
    }
  }

  /** A compressed encoding whose x has no point on P-256 (x^3 - 3x + b is not a square). */
  private static byte[] offCurveCompressedPoint() {
    for (int x = 1; ; x++) {
      byte[] candidate = new byte[P256Group.ELEMENT_BYTES];
      candidate[0] = 0x02;
      candidate[32] = (byte) x;
      try {
        P256Group.Element.decode("probe", candidate);
      } catch (DecodeException offTheCurve) {
        return candidate;
      }
    }
  }
}
