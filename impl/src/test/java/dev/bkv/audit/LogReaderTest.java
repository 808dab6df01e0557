package dev.bkv.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.crypto.Ed25519;
import dev.bkv.tlog.Checkpoint;
import dev.bkv.tlog.CheckpointPolicy;
import dev.bkv.tlog.Ed25519Note;
import dev.bkv.tlog.Hash;
import dev.bkv.tlog.SignedNote;
import dev.bkv.tlog.TileFetcher;
import dev.bkv.tlog.Verdict;
import dev.bkv.witness.CrashPoints;
import dev.bkv.witness.Witness;
import dev.bkv.witness.WitnessService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor reads a witness's whole bundle log through tiles (audit step 2): every entry
 * comes back in order, proved against the signed checkpoint; a tampered tile, an entry the
 * tree does not hold or a checkpoint by another key is refused with its reason.
 */
public class LogReaderTest {
  @TempDir Path temp;

  /** Serves a witness's tiles in process, with per-path overrides to tamper with. */
  public static final class ServiceFetcher implements TileFetcher {
    final WitnessService service;
    public final Map<String, byte[]> overrides = new ConcurrentHashMap<>();

    public ServiceFetcher(WitnessService service) {
      this.service = service;
    }

    @Override
    public byte[] fetch(String path, int bytesMax) throws IOException {
      byte[] override = overrides.get(path);
      if (override != null) {
        return override;
      }
      WitnessService.Reply reply = service.handle("GET", "/" + path, new byte[0]);
      if (reply.status() != 200) {
        throw new IOException("GET " + path + ": " + reply.status());
      }
      return reply.body();
    }
  }

  /** Copies a log's checkpoint and every tile it has into {@code dir}, as a static mirror. */
  public static void mirror(Witness witness, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.write(dir.resolve("checkpoint"), witness.log().checkpoint().toBytes());
    long size = witness.log().size();
    for (long bundle = 0; bundle * 256 < size; bundle++) {
      int width = (int) Math.min(256, size - bundle * 256);
      dev.bkv.tlog.TilePath entries = dev.bkv.tlog.TilePath.entryBundle(bundle, width);
      write(dir, entries.format(), witness.log().tile(entries).orElseThrow());
      for (int level = 0; level < 3; level++) {
        long hashes = size >> (8 * level);
        for (long index = 0; index * 256 < hashes; index++) {
          int w = (int) Math.min(256, hashes - index * 256);
          if (w == 0) {
            continue;
          }
          dev.bkv.tlog.TilePath tile = dev.bkv.tlog.TilePath.hashes(level, index, w);
          write(dir, tile.format(), witness.log().tile(tile).orElseThrow());
        }
      }
    }
  }

  private static void write(Path dir, String relative, byte[] bytes) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  Witness witness(String name, int entries) throws Exception {
    Witness.init(temp.resolve(name), name, name + "/bundles", new SecureRandom());
    Witness w = Witness.open(temp.resolve(name), () -> 1_750_000_000L, CrashPoints.NONE);
    for (int i = 0; i < entries; i++) {
      w.log().append(("bundle " + i + "\n").getBytes(StandardCharsets.UTF_8));
    }
    return w;
  }

  static CheckpointPolicy policy(Witness w) {
    return CheckpointPolicy.logOnly(w.keys().origin(), w.keys().log().verifier());
  }

  @Test
  void whenTheLogIsHonest_thenEveryEntryIsReadInOrder() throws Exception {
    try (Witness w = witness("w.test", 7)) {
      Verdict<LogReader.LogSnapshot> read = LogReader.read(new ServiceFetcher(w.service()), policy(w));
      assertTrue(read.isVerified(), read.reasonOrEmpty());
      assertEquals(7, read.value().size());
      for (int i = 0; i < 7; i++) {
        assertArrayEquals(("bundle " + i + "\n").getBytes(StandardCharsets.UTF_8), read.value().entries().get(i));
      }
      Path dir = temp.resolve("mirror");
      mirror(w, dir);
      Verdict<LogReader.LogSnapshot> fromDir = LogReader.read(new DirectoryTileFetcher(dir), policy(w));
      assertTrue(fromDir.isVerified(), fromDir.reasonOrEmpty());
      assertEquals(7, fromDir.value().entries().size());
    }
  }

  @Test
  void whenAnEmptyLogIsRead_thenItHasNoEntries() throws Exception {
    try (Witness w = witness("empty.test", 0)) {
      Verdict<LogReader.LogSnapshot> read = LogReader.read(new ServiceFetcher(w.service()), policy(w));
      assertTrue(read.isVerified(), read.reasonOrEmpty());
      assertEquals(0, read.value().entries().size());
    }
  }

  @Test
  void whenTilesOrCheckpointAreTampered_thenTheReadIsRefusedWithItsReason() throws Exception {
    try (Witness w = witness("t.test", 5); Witness other = witness("o.test", 1)) {
      ServiceFetcher fetcher = new ServiceFetcher(w.service());
      byte[] tile = fetcher.fetch("tile/0/000.p/5", 5 * 32);
      tile[40] ^= 1;
      fetcher.overrides.put("tile/0/000.p/5", tile);
      assertTrue(LogReader.read(fetcher, policy(w)).reasonOrEmpty().startsWith("log tiles: "));

      ServiceFetcher entries = new ServiceFetcher(w.service());
      List<byte[]> swapped = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        swapped.add(("bundle " + (i == 3 ? 9 : i) + "\n").getBytes(StandardCharsets.UTF_8));
      }
      entries.overrides.put("tile/entries/000.p/5", dev.bkv.tlog.Tiles.encodeEntryBundle(swapped));
      String reason = LogReader.read(entries, policy(w)).reasonOrEmpty();
      assertTrue(reason.contains("entry 3 is not in the tree"), reason);

      ServiceFetcher foreign = new ServiceFetcher(w.service());
      foreign.overrides.put("checkpoint", other.log().checkpoint().toBytes());
      assertTrue(LogReader.read(foreign, policy(w)).reasonOrEmpty().startsWith("log checkpoint: "));
    }
  }

  @Test
  void aDirectoryMirrorRefusesPathsOutsideIt() throws Exception {
    Path dir = temp.resolve("mirror");
    Files.createDirectories(dir);
    Files.write(temp.resolve("secret"), new byte[] {1});
    DirectoryTileFetcher fetcher = new DirectoryTileFetcher(dir);
    assertTrue(assertThrows(IOException.class, () -> fetcher.fetch("../secret", 10)).getMessage().contains("escapes"));
    assertTrue(assertThrows(IOException.class, () -> fetcher.fetch("checkpoint", 10)).getMessage().contains("no checkpoint"));
    Files.write(dir.resolve("checkpoint"), new byte[11]);
    assertTrue(assertThrows(IOException.class, () -> fetcher.fetch("checkpoint", 10)).getMessage().contains("longer than 10"));
  }

  @Test
  void aLogOfMoreEntriesThanTheLimitIsRefusedBeforeAnyTileIsRead_andOneAtTheLimitIsRead() throws Exception {
    String origin = "log.test/bundles";
    Ed25519Note.Signer key = new Ed25519Note.Signer(origin, Ed25519.PrivateKey.generate(new SecureRandom()));
    CheckpointPolicy policy = CheckpointPolicy.logOnly(origin, key.verifier());
    for (long size : new long[] {LogReader.ENTRIES_MAX, LogReader.ENTRIES_MAX + 1}) {
      byte[] checkpoint = SignedNote.sign(new Checkpoint(origin, size,
          new Hash(new byte[32])).text(), List.of(key)).toBytes();
      List<String> tilesAsked = new ArrayList<>();
      TileFetcher noTiles = (path, bytesMax) -> {
        if (path.equals("checkpoint")) {
          return checkpoint;
        }
        tilesAsked.add(path);
        throw new IOException("no tile " + path);
      };
      if (size > LogReader.ENTRIES_MAX) {
        assertEquals("log has " + size + " entries, more than an audit reads (" + LogReader.ENTRIES_MAX + ")",
            LogReader.read(noTiles, policy).reasonOrEmpty());
        assertEquals(List.of(), tilesAsked);
      } else {
        assertThrows(IOException.class, () -> LogReader.read(noTiles, policy));
        assertFalse(tilesAsked.isEmpty(), "a log of exactly the limit is read");
      }
    }
  }
}
