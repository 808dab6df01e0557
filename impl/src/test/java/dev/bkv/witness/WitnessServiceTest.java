package dev.bkv.witness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.bundle.BundleFixtures;
import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Ed25519Note;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The witness's HTTP interface as a function: routes, methods, limits and error replies. */
class WitnessServiceTest {
  @TempDir Path dir;

  @Test
  void whenEachRouteIsCalled_thenTheReplyHasTheDocumentedStatusTypeAndBody() throws Exception {
    WitnessKeys keys = WitnessFixtures.init(dir);
    try (Witness witness = WitnessFixtures.open(dir, new AtomicLong(1))) {
      WitnessService service = witness.service();
      Ed25519Note.Signer operator = new Ed25519Note.Signer(BundleFixtures.NAMESPACE, Ed25519.PrivateKey.fromSeed(new byte[32]));
      witness.operators().add(operator.verifier().vkey());
      byte[] bundle = BundleFixtures.bundle("fleet-1", 1, Optional.empty()).toBytes();
      WitnessService.Reply added = service.handle("POST", "/bkv/add-bundle", BundleSubmission.sign(bundle, keys.origin(), operator));
      assertEquals(200, added.status(), added.bodyText());
      BundleReceipt receipt = BundleReceipt.parse(added.body());
      assertTrue(receipt.verify(bundle, keys.bundle().verifier(), CheckpointPolicy.logOnly(keys.origin(), keys.log().verifier()))
          .isVerified());

      WitnessService.Reply checkpoint = service.handle("GET", "/checkpoint", new byte[0]);
      assertEquals(200, checkpoint.status());
      assertEquals(WitnessService.TEXT, checkpoint.contentType());
      assertEquals(WitnessService.CACHE_MUTABLE, checkpoint.cacheControl());
      assertTrue(checkpoint.bodyText().startsWith(keys.origin() + "\n1\n"));

      WitnessService.Reply tile = service.handle("GET", "/tile/0/000.p/1", new byte[0]);
      assertEquals(200, tile.status());
      assertEquals(WitnessService.BINARY, tile.contentType());
      assertEquals(WitnessService.CACHE_IMMUTABLE, tile.cacheControl());
      assertEquals(32, tile.body().length);
      assertEquals(200, service.handle("GET", "/tile/entries/000.p/1", new byte[0]).status());
      assertEquals(keys.vkeys(), service.handle("GET", "/bkv/vkeys", new byte[0]).bodyText());

      assertEquals(404, service.handle("GET", "/tile/0/000", new byte[0]).status(), "no full tile yet");
      assertEquals(404, service.handle("GET", "/tile/0/0", new byte[0]).status(), "malformed tile path");
      assertEquals(404, service.handle("GET", "/nothing", new byte[0]).status());
      assertEquals(405, service.handle("GET", "/add-checkpoint", new byte[0]).status());
      assertEquals(405, service.handle("POST", "/checkpoint", new byte[0]).status());
      assertEquals(403, service.handle("POST", "/bkv/add-bundle", new byte[0]).status(), "an empty body is not signed");
      assertEquals(413, service.handle("POST", "/bkv/add-bundle", new byte[BundleSubmission.BODY_BYTES_MAX + 1]).status());
      assertEquals(413, service.handle("POST", "/add-checkpoint", new byte[WitnessService.REQUEST_BYTES_MAX + 1]).status());
      WitnessService.Reply malformed = service.handle("POST", "/add-checkpoint", "old x\n\n".getBytes(StandardCharsets.UTF_8));
      assertEquals(400, malformed.status());
      assertTrue(malformed.bodyText().startsWith("invalid input"), malformed.bodyText());
    }
  }

  @Test
  void whenTheSizeConflicts_thenThe409BodyIsTheKnownSizeAsTlogSize() throws Exception {
    WitnessFixtures.init(dir);
    try (Witness witness = WitnessFixtures.open(dir, new AtomicLong(1))) {
      WitnessFixtures.OtherLog log = new WitnessFixtures.OtherLog("example.com/log", 4);
      witness.checkpoints().knownLogs().addKey(log.origin, log.key.verifier().vkey());
      log.grow(3);
      assertEquals(200, witness.service().handle("POST", "/add-checkpoint", log.request(0)).status());
      WitnessService.Reply conflict = witness.service().handle("POST", "/add-checkpoint", log.request(0));
      assertEquals(409, conflict.status());
      assertEquals(WitnessService.TLOG_SIZE, conflict.contentType());
      assertEquals("3\n", conflict.bodyText());
    }
  }
}
