package dev.bkv.witness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.bundle.ValidationBundle;
import dev.bkv.crypto.Ed25519;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Ed25519Note;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * POST /bkv/add-bundle logs a bundle only for a registered operator: the request is signed by
 * its submission key for this witness's origin, the bundle parses, is of the key's namespace
 * and is the next epoch; each operator is rate-limited.
 */
class WitnessSubmissionTest {
  private static final String ADD = "/bkv/add-bundle";

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong(1_767_225_600L);
  private final Ed25519Note.Signer operator = key(BundleFixtures.NAMESPACE, 1);

  private static Ed25519Note.Signer key(String name, int seed) {
    byte[] bytes = new byte[32];
    bytes[0] = (byte) seed;
    return new Ed25519Note.Signer(name, Ed25519.PrivateKey.fromSeed(bytes));
  }

  private static byte[] bundle(long epoch) throws Exception {
    return bundle("fleet-1", epoch);
  }

  /** A real bundle; past epoch 1 it names a stand-in previous digest (the witness does not follow the chain). */
  private static byte[] bundle(String fleet, long epoch) throws Exception {
    Optional<Sha256Digest> previous = epoch == 1 ? Optional.empty()
        : Optional.of(Sha256Digest.of(("epoch " + (epoch - 1)).getBytes(StandardCharsets.US_ASCII)));
    return BundleFixtures.bundle(fleet, epoch, previous).toBytes();
  }

  /** A witness with {@link #operator} registered. */
  private Witness open() throws Exception {
    WitnessFixtures.init(dir);
    Witness witness = WitnessFixtures.open(dir, clock);
    witness.operators().add(operator.verifier().vkey());
    return witness;
  }

  private static WitnessService.Reply post(Witness w, byte[] body) {
    return w.service().handle("POST", ADD, body);
  }

  private static byte[] signed(Witness w, byte[] bundle, Ed25519Note.Signer key) {
    return BundleSubmission.sign(bundle, w.keys().origin(), key);
  }

  @Test
  void whenTheOperatorSignsEachNextEpoch_thenEachGetsAReceiptAndARetryGetsTheSameOne() throws Exception {
    try (Witness w = open()) {
      for (long epoch = 1; epoch <= 3; epoch++) {
        byte[] bundle = bundle(epoch);
        WitnessService.Reply reply = post(w, signed(w, bundle, operator));
        assertEquals(200, reply.status(), reply.bodyText());
        BundleReceipt receipt = BundleReceipt.parse(reply.body());
        assertEquals(epoch - 1, receipt.index());
        assertTrue(receipt.verify(bundle, w.keys().bundle().verifier(),
            CheckpointPolicy.logOnly(w.keys().origin(), w.keys().log().verifier())).isVerified());
      }
      WitnessService.Reply retried = post(w, signed(w, bundle(2), operator));
      assertEquals(200, retried.status(), "a client retrying after a lost reply gets the existing receipt");
      assertEquals(1, BundleReceipt.parse(retried.body()).index());
      assertEquals(3, w.log().size());
    }
  }

  @Test
  void whenACopyOfARealBundleAtTheNextEpochIsSentUnsigned_then403AndNothingIsLogged() throws Exception {
    try (Witness w = open()) {
      assertEquals(200, post(w, signed(w, bundle(1), operator)).status());
      WitnessService.Reply reply = post(w, bundle(2));
      assertEquals(403, reply.status(), reply.bodyText());
      assertEquals(1, reply.bodyText().lines().count(), "one line says why");
      assertEquals(1, w.log().size());
    }
  }

  @Test
  void whenRandomBytesArrive_thenUnsignedIs403AndSignedByTheOperatorIs400() throws Exception {
    try (Witness w = open()) {
      byte[] noise = new byte[500];
      new Random(7).nextBytes(noise);
      assertEquals(403, post(w, noise).status());
      WitnessService.Reply signedNoise = post(w, signed(w, noise, operator));
      assertEquals(400, signedNoise.status(), signedNoise.bodyText());
      assertTrue(signedNoise.bodyText().startsWith("not a validation bundle"), signedNoise.bodyText());
      assertEquals(0, w.log().size());
    }
  }

  @Test
  void whenASignedBundleSkipsOrRepeatsAnEpoch_then409() throws Exception {
    try (Witness w = open()) {
      assertEquals(200, post(w, signed(w, bundle(5), operator)).status(), "the first bundle may have any epoch");
      WitnessService.Reply skip = post(w, signed(w, bundle(7), operator));
      assertEquals(409, skip.status(), skip.bodyText());
      assertTrue(skip.bodyText().contains("expected 6"), skip.bodyText());
      byte[] sameEpochOtherFleet = bundle("fleet-2", 5);
      assertEquals(409, post(w, signed(w, sameEpochOtherFleet, operator)).status());
      assertEquals(1, w.log().size());
    }
  }

  @Test
  void whenTheWitnessRestarts_thenTheLastEpochIsReadBackFromTheLog() throws Exception {
    try (Witness w = open()) {
      assertEquals(200, post(w, signed(w, bundle(1), operator)).status());
      assertEquals(200, post(w, signed(w, bundle(2), operator)).status());
    }
    try (Witness w = WitnessFixtures.open(dir, clock)) {
      assertEquals(409, post(w, signed(w, bundle(4), operator)).status());
      assertEquals(200, post(w, signed(w, bundle(3), operator)).status(), "the registration survived the restart");
    }
  }

  @Test
  void whenTheSignerIsNotRegisteredOrNamedAfterAnotherNamespace_then403() throws Exception {
    try (Witness w = open()) {
      Ed25519Note.Signer stranger = key(BundleFixtures.NAMESPACE, 2);
      WitnessService.Reply unknown = post(w, signed(w, bundle(1), stranger));
      assertEquals(403, unknown.status());
      assertTrue(unknown.bodyText().contains("not signed by a registered operator"), unknown.bodyText());

      Ed25519Note.Signer other = key("other.example/backup", 3);
      w.operators().add(other.verifier().vkey());
      WitnessService.Reply foreign = post(w, signed(w, bundle(1), other));
      assertEquals(403, foreign.status(), "a registered operator cannot publish another's namespace");
      assertTrue(foreign.bodyText().contains("may only publish namespace other.example/backup"), foreign.bodyText());
      assertEquals(0, w.log().size());
    }
  }

  @Test
  void whenTheSignedBytesAreAlteredOrTheBundleSwapped_then403() throws Exception {
    try (Witness w = open()) {
      byte[] request = signed(w, bundle(1), operator);
      byte[] swapped = BundleSubmission.sign(bundle(1), w.keys().origin(), operator);
      byte[] two = bundle(2);
      byte[] head = java.util.Arrays.copyOf(swapped, swapped.length - bundle(1).length);
      assertEquals(403, post(w, dev.bkv.base.Bytes.concat(head, two)).status(), "the note signs the bundle's SHA-256");
      request[10] ^= 1;
      assertEquals(403, post(w, request).status());
      assertEquals(0, w.log().size());
    }
  }

  @Test
  void whenARequestSignedForAnotherWitnessIsReplayedHere_then403() throws Exception {
    Path otherDir = dir.resolve("other");
    Witness.init(otherDir, "other.example/w", "other.example/w/bundles", new java.security.SecureRandom());
    try (Witness w = open(); Witness other = WitnessFixtures.open(otherDir, clock)) {
      other.operators().add(operator.verifier().vkey());
      byte[] forW = signed(w, bundle(1), operator);
      assertEquals(200, post(w, forW).status());
      WitnessService.Reply replayed = post(other, forW);
      assertEquals(403, replayed.status(), replayed.bodyText());
      assertTrue(replayed.bodyText().contains("signed for another witness"), replayed.bodyText());
      assertEquals(0, other.log().size());
    }
  }

  @Test
  void whenAnOperatorExceedsItsRate_then429WithRetryAfterUntilTheBucketRefills() throws Exception {
    try (Witness w = open()) {
      byte[] request = signed(w, bundle(1), operator);
      for (int i = 0; i < OperatorRateLimit.BUNDLES_PER_MINUTE_MAX; i++) {
        assertEquals(200, post(w, request).status());
      }
      WitnessService.Reply limited = post(w, request);
      assertEquals(429, limited.status(), limited.bodyText());
      assertEquals(Long.toString(OperatorRateLimit.REFILL_SECONDS), limited.retryAfter());
      Ed25519Note.Signer other = key("other.example/backup", 3);
      w.operators().add(other.verifier().vkey());
      byte[] othersBundle = ValidationBundle.of("other.example/backup", "fleet-1", 1, BundleFixtures.NOT_BEFORE,
          BundleFixtures.NOT_AFTER, BundleFixtures.members("fleet-1", 3, 3), BundleFixtures.evidenceDigest("fleet-1"),
          Optional.empty()).toBytes();
      assertEquals(200, post(w, signed(w, othersBundle, other)).status(), "the limit is per operator");
      clock.addAndGet(OperatorRateLimit.REFILL_SECONDS);
      assertEquals(200, post(w, request).status(), "one token refilled");
      assertEquals(429, post(w, request).status());
    }
  }

  @Test
  void whenTheRequestIsFormatted_thenItIsTheNoteThenTheBundle() throws Exception {
    byte[] bundle = bundle(1);
    byte[] body = BundleSubmission.sign(bundle, "witness.example/w1/bundles", operator);
    String text = new String(body, StandardCharsets.UTF_8);
    assertTrue(text.startsWith("bkv.dev/add-bundle@v1\nwitness witness.example/w1/bundles\nbundle "
        + Sha256Digest.of(bundle).toHex() + "\n\n\u2014 " + BundleFixtures.NAMESPACE + " "), text);
    assertArrayEquals(bundle, java.util.Arrays.copyOfRange(body, body.length - bundle.length, body.length));
  }
}
