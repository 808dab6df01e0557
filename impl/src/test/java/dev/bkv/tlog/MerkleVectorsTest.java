package dev.bkv.tlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.base.Hex;
import dev.bkv.base.Json;
import dev.bkv.testsupport.Vectors;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * RFC 9162 proofs against the transparency-dev/merkle probe files (merkle/ in the vectors):
 * every happy path verifies, every probe marked wantErr is rejected. One probe is decided
 * differently on purpose and is listed in {@link #DELIBERATE}: its "hashes" are 12 bytes,
 * and BKV rejects any Merkle hash that is not 32 bytes where it is decoded.
 */
class MerkleVectorsTest {
  private static final String ROOT = "merkle/transparency-dev-merkle/testdata";

  /** Probe file -> why BKV rejects it although the probe expects success. */
  private static final Map<String, String> DELIBERATE =
      Map.of(
          "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json",
          "roots are 12 bytes; a Merkle hash is 32 bytes (hash length decided at decode)");

  @Test
  void whenEveryProbeIsChecked_thenHappyPathsVerifyAndWantErrProbesAreRejected() throws IOException {
    Path root = Vectors.require(ROOT);
    Map<String, int[]> tallies = new TreeMap<>(); // dir -> {passed, invalidRejected, total}
    List<String> failures = new ArrayList<>();
    int deliberate = 0;
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        String relative = root.relativize(file).toString().replace('\\', '/');
        Map<String, Object> probe = Json.parseObject(Files.readString(file));
        boolean wantErr = (Boolean) probe.get("wantErr");
        Verdict<Hash> verdict = relative.startsWith("inclusion/") ? inclusion(probe) : consistency(probe);
        int[] tally = tallies.computeIfAbsent(relative.substring(0, relative.lastIndexOf('/')), k -> new int[3]);
        tally[2]++;
        boolean expectedVerified = !wantErr && !DELIBERATE.containsKey(relative);
        if (DELIBERATE.containsKey(relative)) {
          deliberate++;
        }
        if (verdict.isVerified() == expectedVerified) {
          tally[0]++;
          if (!verdict.isVerified()) {
            tally[1]++;
          }
        } else {
          failures.add(relative + " (" + probe.get("desc") + "): " + (verdict.isVerified() ? "verified" : verdict.reasonOrEmpty()));
        }
      }
    }
    tallies.forEach((dir, t) -> Vectors.report(ROOT + "/" + dir, t[0], t[1], t[2]));
    assertEquals(List.of(), failures);
    assertEquals(DELIBERATE.size(), deliberate, "every deliberate divergence is still present in the vectors");
    assertEquals(196, tallies.values().stream().mapToInt(t -> t[2]).sum(), "all 196 probe files were read");
  }

  @Test
  void whenReferenceHashesAreRecomputed_thenTheyMatchRfc6962() {
    String file = "merkle/rfc6962-reference-hashes.json";
    Map<String, Object> vectors = Vectors.readJsonObject(file);
    int passed = 0;
    int total = 0;
    for (Object item : (List<?>) vectors.get("hasher")) {
      Map<?, ?> c = (Map<?, ?>) item;
      byte[] expected = Hex.decode((String) c.get("expected"));
      byte[] actual;
      if (c.containsKey("leaf_hex")) {
        actual = Rfc6962.leafHash(Hex.decode((String) c.get("leaf_hex"))).toBytes();
      } else if (c.containsKey("left_hex")) {
        actual = Rfc6962.nodeHashBytes(Hex.decode((String) c.get("left_hex")), Hex.decode((String) c.get("right_hex")));
      } else {
        actual = Rfc6962.EMPTY_ROOT.toBytes();
      }
      total++;
      assertEquals(Hex.encode(expected), Hex.encode(actual), (String) c.get("desc"));
      passed++;
    }
    List<?> leaves = (List<?>) vectors.get("leaf_inputs_hex");
    List<?> roots = (List<?>) vectors.get("root_hex_by_size");
    MerkleTree tree = new MerkleTree();
    assertEquals(roots.get(0), tree.root().toHex());
    for (int size = 1; size < roots.size(); size++) {
      tree.appendEntry(Hex.decode((String) leaves.get(size - 1)));
      total++;
      assertEquals(roots.get(size), tree.root().toHex(), "root of size " + size);
      passed++;
    }
    Vectors.report(file, passed, 0, total);
    assertTrue(total > 10);
  }

  private static Verdict<Hash> inclusion(Map<String, Object> probe) {
    try {
      long index = toLong(probe.get("leafIdx"));
      long size = toLong(probe.get("treeSize"));
      InclusionProof proof = new InclusionProof(index, size, hashes(probe.get("proof")));
      return proof.verify(Hash.fromBase64((String) probe.get("leafHash")), Hash.fromBase64((String) probe.get("root")));
    } catch (FormatException e) {
      return Verdict.rejected("decode: " + e.getMessage());
    }
  }

  private static Verdict<Hash> consistency(Map<String, Object> probe) {
    try {
      long size1 = toLong(probe.get("size1"));
      long size2 = toLong(probe.get("size2"));
      ConsistencyProof proof = new ConsistencyProof(size1, size2, hashes(probe.get("proof")));
      return proof.verify(Hash.fromBase64((String) probe.get("root1")), Hash.fromBase64((String) probe.get("root2")));
    } catch (FormatException e) {
      return Verdict.rejected("decode: " + e.getMessage());
    }
  }

  /** Tree sizes and indices are Java longs: values of 2^63 and above cannot name a leaf. */
  private static long toLong(Object number) throws FormatException {
    BigInteger value = (BigInteger) number;
    if (value.signum() < 0 || value.bitLength() > 63) {
      throw new FormatException("size or index " + value + " is outside [0, 2^63 - 1]");
    }
    return value.longValueExact();
  }

  private static List<Hash> hashes(Object proof) throws FormatException {
    List<Hash> out = new ArrayList<>();
    if (proof instanceof List<?> list) {
      for (Object h : list) {
        out.add(Hash.fromBase64((String) h));
      }
    }
    return out;
  }
}
