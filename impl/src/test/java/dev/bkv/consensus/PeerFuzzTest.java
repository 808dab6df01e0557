package dev.bkv.consensus;

import static dev.bkv.testsupport.FuzzSelector.bytes;
import static dev.bkv.testsupport.FuzzSelector.provider;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bkv.testsupport.FuzzSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fuzz target of the messages HSMs exchange for consensus. The codec: whatever decodes is
 * the encoding of the message it decodes to (with the MAC checked, and with it skipped so the
 * fuzzer reaches the bodies). The replicas: three cores driven by fuzzed timeouts, client
 * requests and a network that replays, reorders and duplicates every message ever sent and
 * injects unauthenticated bytes; an injected message is dropped and changes nothing, at most
 * one leader is elected per term (ElectionSafety) and no two cores commit different entries at
 * one index (G3).
 *
 * <p>The first input byte picks the target ({@link FuzzSelector}); the normal build replays
 * {@code src/test/resources/dev/bkv/consensus/PeerFuzzTestInputs/fuzz/}; {@code
 * impl/fuzz/campaign.sh} fuzzes for real.
 */
public class PeerFuzzTest {
  static final int MEMBERS = 3;
  static final PeerKeys KEYS = PeerKeys.derive(new byte[32], "fuzz fleet".getBytes(), MEMBERS);
  private static final Membership DCS = Membership.of(List.of("a", "b", "c"));
  /** Steps of one replica run, and messages the network remembers for replays. */
  static final int STEPS_MAX = 64;
  static final int POOL_MAX = 256;

  /** Append only: a seed's first byte is its target's position here. */
  static final FuzzSelector TARGETS = FuzzSelector.of(
      bytes("wire", PeerFuzzTest::wire),
      bytes("body", PeerFuzzTest::body),
      provider("replicas", PeerFuzzTest::replicas));

  @FuzzTest(maxDuration = "10m")
  void fuzz(FuzzedDataProvider data) throws Exception {
    fuzzerTestOneInput(data);
  }

  /** Jazzer's entry point when the campaign runs this target outside JUnit. */
  public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
    TARGETS.run(data);
  }

  /** Jazzer calls this once before a campaign starts: see {@link FuzzSelector#warmUp}. */
  public static void fuzzerInitialize() throws Exception {
    TARGETS.warmUp();
  }

  /** With the MAC checked, at every member: an accepted message is exactly its encoding. */
  static void wire(byte[] input) {
    for (int self = 0; self < MEMBERS; self++) {
      PeerCodec.Decoded decoded = PeerCodec.decode(input, self, KEYS, true);
      if (decoded instanceof PeerCodec.Decoded.Accepted accepted) {
        assertEquals(self, accepted.message().dest());
        assertArrayEquals(input, PeerCodec.encode(accepted.message(), KEYS), "only canonical encodings decode");
      }
    }
  }

  /** With the MAC skipped: an accepted body re-encodes to the input's bytes before the MAC. */
  static void body(byte[] input) {
    int self = input.length >= 6 ? ((input[4] & 0xff) << 8 | (input[5] & 0xff)) % MEMBERS : 0;
    PeerCodec.Decoded decoded = PeerCodec.decode(input, self, KEYS, false);
    if (decoded instanceof PeerCodec.Decoded.Accepted accepted) {
      Message m = accepted.message();
      byte[] again = PeerCodec.encodeWithKey(m, KEYS.key(m.source(), m.dest()));
      assertEquals(input.length, again.length, "only canonical encodings decode");
      int macStart = input.length - 32;
      assertArrayEquals(Arrays.copyOf(input, macStart), Arrays.copyOf(again, macStart), "only canonical encodings decode");
    }
  }

  /** Three replicas and an adversarial network, checked after every step. */
  static Replicas replicas(FuzzedDataProvider data) {
    Replicas replicas = new Replicas();
    replicas.run(data);
    return replicas;
  }

  static final class Replicas {
    final ReplicaCore[] cores = new ReplicaCore[MEMBERS];
    final List<byte[]> pool = new ArrayList<>();
    final Set<String> sent = new HashSet<>();
    final Map<Long, Integer> leaderOfTerm = new HashMap<>();
    final Map<Long, Entry> committedAt = new HashMap<>();

    Replicas() {
      for (int i = 0; i < MEMBERS; i++) {
        cores[i] = ReplicaCore.create(i, DCS, KEYS, ReplicaCore.Limits.defaults(), CoreOptions.PRODUCTION,
            Nvram.INITIAL, RecoveredLog.EMPTY);
      }
    }

    void run(FuzzedDataProvider data) {
      for (int step = 0; step < STEPS_MAX && data.remainingBytes() > 0; step++) {
        int i = data.consumeInt(0, MEMBERS - 1);
        switch (data.consumeInt(0, 5)) {
          case 0 -> host(i, cores[i].onElectionTimeout());
          case 1 -> host(i, cores[i].onHeartbeatTick());
          case 2 -> host(i, cores[i].onClientRequest(List.of(data.consumeBytes(16))));
          case 3 -> {
            if (!pool.isEmpty()) {
              byte[] replayed = pool.get(data.consumeInt(0, pool.size() - 1));
              host(dest(replayed), cores[dest(replayed)].onPeerMessage(replayed));
            }
          }
          case 4 -> inject(i, data.consumeBytes(data.consumeInt(0, 600)));
          default -> {
            if (!pool.isEmpty()) {
              byte[] tampered = pool.get(data.consumeInt(0, pool.size() - 1)).clone();
              tampered[data.consumeInt(0, tampered.length - 1)] ^= (byte) data.consumeInt(1, 255);
              inject(dest(tampered), tampered);
            }
          }
        }
        check();
      }
    }

    static int dest(byte[] wire) {
      return ((wire[4] & 0xff) << 8 | (wire[5] & 0xff)) % MEMBERS;
    }

    /** Bytes no HSM sent: dropped, and the core is as it was. */
    void inject(int i, byte[] bytes) {
      if (sent.contains(Arrays.toString(bytes))) {
        return; // a tampering that happened to give back a genuine message
      }
      assertDroppedAndUnchanged(i, bytes);
    }

    void assertDroppedAndUnchanged(int i, byte[] bytes) {
      ReplicaCore core = cores[i];
      String before = state(core);
      Output out = core.onPeerMessage(bytes);
      assertTrue(out.dropped().isPresent(), "unauthenticated bytes accepted: " + out);
      assertTrue(out.messages().isEmpty() && out.logWrite().isEmpty() && out.committed().isEmpty(), out.toString());
      assertEquals(before, state(core), "a dropped message changed the core");
    }

    static String state(ReplicaCore core) {
      return core.nvram() + " " + core.role() + " commit " + core.commitIndex() + " last " + core.lastIndex()
          + " leader " + core.leaderHint();
    }

    /** The host of ReplicaCoreTest: performs the write before anything else, then sends. */
    void host(int i, Output out) {
      for (Output.Committed c : out.committed()) {
        Entry before = committedAt.putIfAbsent(c.index(), c.entry());
        assertTrue(before == null || before.equals(c.entry()), "G3: two entries committed at index " + c.index());
      }
      if (out.logWrite().isPresent()) {
        host(i, cores[i].onLogWritten());
        return;
      }
      for (Message m : out.messages()) {
        byte[] wire = cores[i].encode(m);
        if (sent.add(Arrays.toString(wire)) && pool.size() < POOL_MAX) {
          pool.add(wire);
        }
      }
    }

    void check() {
      for (int i = 0; i < MEMBERS; i++) {
        if (cores[i].role() == ReplicaCore.Role.LEADER) {
          Integer other = leaderOfTerm.putIfAbsent(cores[i].currentTerm(), i);
          assertTrue(other == null || other == i, "ElectionSafety: two leaders in term " + cores[i].currentTerm());
        }
      }
    }
  }
}
