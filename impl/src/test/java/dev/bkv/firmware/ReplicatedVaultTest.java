package dev.bkv.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bkv.consensus.LogWrite;
import dev.bkv.consensus.Membership;
import dev.bkv.consensus.Message;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.DecodeException;
import dev.bkv.storage.AesGcmSealer;
import dev.bkv.storage.MemoryDisk;
import dev.bkv.storage.StorageException;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vault on three replicas with the real sealed storage on in-memory disks: committed
 * entries are applied on every HSM; a lagging HSM catches up from a snapshot; a restarted HSM
 * boots from NVRAM and its sealed log; one handed an older copy of its disk abstains until a
 * leader has matched it again; placement refuses a datacenter holding a majority.
 */
class ReplicatedVaultTest {
  private static final Membership THREE = Membership.of(List.of("a", "b", "c"));
  private static final PeerKeys KEYS = PeerKeys.derive(new byte[32], "test".getBytes(StandardCharsets.US_ASCII), 3);
  private static final ReplicatedVault.Limits SMALL_SNAPSHOTS =
      new ReplicatedVault.Limits(ReplicaCore.Limits.defaults(), 1024, 8);

  /** One HSM's host: NVRAM cell, disk, storage and vault. */
  private static final class Host {
    final int index;
    final MemoryDisk disk = new MemoryDisk();
    final ReplicaStorage.NvramCell nvram = ReplicaStorage.NvramCell.inMemory();
    ReplicaStorage storage;
    ReplicatedVault vault;
    boolean up = true;

    Host(int index) throws StorageException {
      this.index = index;
      boot();
    }

    void boot() throws StorageException {
      storage = ReplicaStorage.open(nvram, disk, new AesGcmSealer(new byte[32], new Random(index)),
          ("hsm-" + index).getBytes(StandardCharsets.US_ASCII));
      vault = ReplicatedVault.create(index, THREE, KEYS, SMALL_SNAPSHOTS, FirmwareOptions.PRODUCTION,
          storage.readNvram(), storage.recovered());
      up = true;
    }
  }

  private final Host[] hosts = new Host[3];
  private final List<ArrayDeque<byte[]>> inbox = List.of(new ArrayDeque<>(), new ArrayDeque<>(), new ArrayDeque<>());
  private final List<ReplicatedVault.Outcome> outcomes = new ArrayList<>();
  private final List<LogWrite> writes = new ArrayList<>();

  ReplicatedVaultTest() throws StorageException {
    for (int i = 0; i < 3; i++) {
      hosts[i] = new Host(i);
    }
  }

  private void host(Host h, ReplicatedVault.Step step) throws StorageException {
    outcomes.addAll(step.outcomes());
    if (step.output().nvram().isPresent()) {
      h.storage.writeNvram(step.output().nvram().get());
    }
    if (step.output().logWrite().isPresent()) {
      writes.add(step.output().logWrite().get());
      h.storage.perform(step.output().logWrite().get());
      host(h, h.vault.onLogWritten());
      return;
    }
    for (Message m : step.output().messages()) {
      if (hosts[m.dest()].up) {
        inbox.get(m.dest()).add(h.vault.core().encode(m));
      }
    }
  }

  private void rounds(int leader, int n) throws StorageException {
    for (int r = 0; r < n; r++) {
      host(hosts[leader], hosts[leader].vault.onHeartbeatTick());
      for (boolean any = true; any; ) {
        any = false;
        for (Host h : hosts) {
          byte[] bytes = inbox.get(h.index).poll();
          if (bytes != null && h.up) {
            host(h, h.vault.onPeerMessage(bytes));
            any = true;
          }
        }
      }
    }
  }

  private void elect(int leader) throws StorageException {
    host(hosts[leader], hosts[leader].vault.onElectionTimeout());
    rounds(leader, 3);
    assertEquals(ReplicaCore.Role.LEADER, hosts[leader].vault.core().role());
  }

  private static UserId user(int n) {
    try {
      return UserId.ofUtf8("user-" + n);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  private void registerUsers(int leader, int from, int to) throws StorageException {
    long id = 1000L * from;
    for (int n = from; n < to; n++) {
      RegistrationId reg = new RegistrationId(new byte[] {(byte) n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
      byte[] record = new byte[96];
      record[0] = (byte) n;
      host(hosts[leader], hosts[leader].vault.submit(List.of(
          new ReplicatedVault.Request(id++, new Command.RegisterStore(user(n), reg, record, 5)))));
      rounds(leader, 2);
      host(hosts[leader], hosts[leader].vault.submit(List.of(
          new ReplicatedVault.Request(id++, new Command.RegisterExpose(user(n), reg, new BackupKey(new byte[32]))))));
      rounds(leader, 2);
    }
  }

  @Test
  void committed_entries_are_applied_on_every_hsm_in_log_order() throws StorageException {
    elect(0);
    registerUsers(0, 0, 3);
    rounds(0, 2);
    for (Host h : hosts) {
      assertEquals(3, h.vault.recordCount(), "HSM " + h.index);
      assertEquals(hosts[0].vault.core().commitIndex(), h.vault.appliedIndex(), "HSM " + h.index);
    }
    assertEquals(6, outcomes.stream().filter(o -> o instanceof ReplicatedVault.Released).count());
  }

  @Test
  void a_lagging_hsm_catches_up_from_the_leaders_snapshot() throws StorageException {
    elect(0);
    hosts[2].up = false;
    registerUsers(0, 0, 10);
    assertTrue(hosts[0].vault.core().snapshotIndex() > 0, "the leader compacted its log");
    hosts[2].up = true;
    rounds(0, 4);
    assertTrue(writes.stream().anyMatch(w -> w instanceof LogWrite.InstallSnapshot), "catch-up used a snapshot");
    assertEquals(10, hosts[2].vault.recordCount());
    assertEquals(hosts[0].vault.core().commitIndex(), hosts[2].vault.core().commitIndex());
  }

  @Test
  void a_restarted_hsm_boots_from_nvram_and_its_sealed_log() throws StorageException {
    elect(0);
    registerUsers(0, 0, 3);
    long lastIndex = hosts[1].vault.core().lastIndex();
    hosts[1].disk.crash();
    hosts[1].boot();
    assertEquals(lastIndex, hosts[1].vault.core().lastIndex());
    assertFalse(hosts[1].vault.core().abstains());
    rounds(0, 3);
    assertEquals(3, hosts[1].vault.recordCount(), "re-applied from its log once the commit index came back");
  }

  @Test
  void an_hsm_handed_an_older_copy_of_its_disk_abstains_until_a_leader_matched_it() throws StorageException {
    elect(0);
    registerUsers(0, 0, 1);
    MemoryDisk.Image old = hosts[1].disk.copy();
    registerUsers(0, 1, 3);
    hosts[1].disk.restore(old);
    hosts[1].boot();
    assertTrue(hosts[1].vault.core().foreign(), "the sealed log is not the one NVRAM names");
    assertTrue(hosts[1].vault.core().abstains());
    assertTrue(hosts[1].vault.onElectionTimeout().output().messages().isEmpty(), "no election while abstaining");
    rounds(0, 6);
    assertFalse(hosts[1].vault.core().abstains(), "caught up once the leader matched it past catchUp");
    assertEquals(3, hosts[1].vault.recordCount());
  }

  @Test
  void placement_refuses_a_datacenter_holding_a_majority() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Membership.of(List.of("a", "a", "a", "b", "c")));
    assertTrue(e.getMessage().contains("datacenter a holds 3 of 5 HSMs"), e.getMessage());
    assertEquals(5, Membership.of(List.of("a", "a", "b", "b", "c")).size());
  }
}
