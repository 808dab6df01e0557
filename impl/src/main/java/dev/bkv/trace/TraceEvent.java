package dev.bkv.trace;

import dev.bkv.consensus.Message;
import dev.bkv.vault.UserId;
import java.util.List;

/** One event of a trace: the header, a step of one HSM, or the loss of a datacenter. */
public sealed interface TraceEvent permits TraceEvent.Init, TraceEvent.Step, TraceEvent.LoseDatacenter {

  /** The header: the fleet, its placement (HSMs per non-empty datacenter), the users, and what was run. */
  record Init(int hsms, List<List<Integer>> sites, List<UserId> users, String seed, String schedule)
      implements TraceEvent {
    public Init {
      sites = sites.stream().map(List::copyOf).toList();
      users = List.copyOf(users);
    }
  }

  /** The simulator destroyed the HSMs of one datacenter. */
  record LoseDatacenter(List<Integer> hsms) implements TraceEvent {
    public LoseDatacenter {
      hsms = List.copyOf(hsms);
    }
  }

  /** A received peer message, with its entries (if any) in the spec's vocabulary. */
  record Received(Message message, List<Post.LogEntry> entries) {
    public Received {
      entries = List.copyOf(entries);
    }
  }

  /**
   * One step of HSM {@code node}. {@code received} is set for the receive actions, {@code cmd}
   * and {@code refused} for client actions, {@code session} for a finish that found its
   * session. A finish refused for want of a session carries the login id the client named
   * ({@code loginId}, else -1) and a cmd with the op only: the recorder resolves them from the
   * answer it saw released. {@code right} is the client's, set by the recorder on ClientGuess.
   */
  record Step(TraceAction action, int node, Received received, Cmd cmd, Post.EntryId session, long loginId,
      boolean refused, boolean right, Post post) implements TraceEvent {
    public Step {
      if (action == null || post == null) {
        throw new IllegalArgumentException("trace step needs an action and a post-state");
      }
      if (action.isClient() != (cmd != null)) {
        throw new IllegalArgumentException(action.specName + ": a command exactly on client actions");
      }
    }

    /** A step of the core (receives, timeouts, heartbeats, persists, restarts). */
    public static Step core(TraceAction action, int node, Received received, Post post) {
      return new Step(action, node, received, null, null, -1, false, false, post);
    }

    /** A client step. */
    public static Step client(TraceAction action, int node, Cmd cmd, Post.EntryId session, long loginId,
        boolean refused, Post post) {
      return new Step(action, node, null, cmd, session, loginId, refused, false, post);
    }

    Step withRight(boolean value) {
      return new Step(action, node, received, cmd, session, loginId, refused, value, post);
    }
  }
}
