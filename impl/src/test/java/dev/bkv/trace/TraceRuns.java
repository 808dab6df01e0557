package dev.bkv.trace;

import dev.bkv.consensus.Membership;
import dev.bkv.consensus.Message;
import dev.bkv.consensus.Nvram;
import dev.bkv.consensus.PeerKeys;
import dev.bkv.consensus.RecoveredLog;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.crypto.DecodeException;
import dev.bkv.firmware.FirmwareOptions;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.sim.Schedule;
import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Traceable schedules of about 100 ticks, and a three-HSM fleet driven by hand with a recorder. */
final class TraceRuns {
  /** Ticks within which a sample schedule's events fall. */
  static final int TICKS = 100;
  /** Events of a sample schedule besides its two registrations. */
  static final int EVENTS = 12;

  private static final Schedule.Kind[] KINDS = {
    Schedule.Kind.REGISTER, Schedule.Kind.LOGIN, Schedule.Kind.LOGIN, Schedule.Kind.ATTACK, Schedule.Kind.CRASH,
    Schedule.Kind.ISOLATE_LEADER, Schedule.Kind.HEAL, Schedule.Kind.LOSSY, Schedule.Kind.DELAY, Schedule.Kind.REPLAY,
    Schedule.Kind.REPLAY_LOGIN, Schedule.Kind.ROLLBACK, Schedule.Kind.LOSE_DC, Schedule.Kind.STATUS};

  private TraceRuns() {}

  /** A 3-HSM schedule in three datacenters, two users who both register first, then random events. */
  static Schedule schedule(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Schedule.Event> events = new ArrayList<>();
    events.add(new Schedule.Event(1, Schedule.Kind.REGISTER, 0, 0));
    events.add(new Schedule.Event(2, Schedule.Kind.REGISTER, 1, 0));
    for (int k = 0; k < EVENTS; k++) {
      events.add(new Schedule.Event(3 + r.nextInt(TICKS - 3), KINDS[r.nextInt(KINDS.length)], r.nextInt(8),
          r.nextInt(8)));
    }
    return new Schedule(3, List.of(0, 1, 2), Schedule.SNAPSHOT_NEVER, 1, 2, events);
  }

  static UserId user(int n) {
    try {
      return UserId.ofUtf8("user" + n);
    } catch (DecodeException e) {
      throw new AssertionError(e);
    }
  }

  /** Three HSMs without disks (writes complete at once), every step recorded. */
  static final class Fleet {
    final TraceRecorder recorder = new TraceRecorder();
    final ReplicatedVault[] hsms = new ReplicatedVault[3];
    final List<ReplicatedVault.Outcome> outcomes = new ArrayList<>();
    private final List<ArrayDeque<byte[]>> inbox = List.of(new ArrayDeque<>(), new ArrayDeque<>(), new ArrayDeque<>());

    Fleet() {
      this(1024);
    }

    /** {@code waitingMax}: requests in flight per HSM before it refuses as busy. */
    Fleet(int waitingMax) {
      Membership three = Membership.of(List.of("dc0", "dc1", "dc2"));
      PeerKeys keys = PeerKeys.derive(new byte[32], "trace".getBytes(StandardCharsets.US_ASCII), 3);
      ReplicatedVault.Limits limits = new ReplicatedVault.Limits(new ReplicaCore.Limits(1, 1), waitingMax,
          Schedule.SNAPSHOT_NEVER);
      recorder.record(new TraceEvent.Init(3, List.of(List.of(0), List.of(1), List.of(2)), List.of(user(0)), "0",
          "by hand"));
      for (int i = 0; i < 3; i++) {
        hsms[i] = ReplicatedVault.create(i, three, keys, limits, FirmwareOptions.PRODUCTION, Nvram.INITIAL,
            RecoveredLog.EMPTY);
        hsms[i].traceTo(recorder);
      }
    }

    /** Hosts a step: the log write completes at once, then the messages go to the inboxes. */
    void host(int i, ReplicatedVault.Step step) {
      outcomes.addAll(step.outcomes());
      if (step.output().logWrite().isPresent()) {
        host(i, hsms[i].onLogWritten());
        return;
      }
      for (Message m : step.output().messages()) {
        inbox.get(m.dest()).add(hsms[i].core().encode(m));
      }
    }

    /** Heartbeats of the leader, each delivered until the network is quiet. */
    void rounds(int leader, int n) {
      for (int r = 0; r < n; r++) {
        host(leader, hsms[leader].onHeartbeatTick());
        for (boolean any = true; any; ) {
          any = false;
          for (int i = 0; i < 3; i++) {
            byte[] bytes = inbox.get(i).poll();
            if (bytes != null) {
              host(i, hsms[i].onPeerMessage(bytes));
              any = true;
            }
          }
        }
      }
    }

    void elect(int leader) {
      host(leader, hsms[leader].onElectionTimeout());
      rounds(leader, 4);
    }
  }
}
