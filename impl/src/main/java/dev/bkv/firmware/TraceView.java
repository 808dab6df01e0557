package dev.bkv.firmware;

import dev.bkv.base.Check;
import dev.bkv.consensus.Message;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.trace.Cmd;
import dev.bkv.trace.Post;
import dev.bkv.trace.TraceEvent;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import dev.bkv.vault.VaultRecord;
import dev.bkv.vault.VaultState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One HSM's state in the spec's vocabulary, for trace events; built only when a trace is on. */
final class TraceView {
  private TraceView() {}

  static Post post(ReplicaCore core, VaultState state, Collection<Post.EntryId> sessions,
      List<ReplicatedVault.Outcome> outcomes) {
    if (core.snapshotIndex() > 0) {
      throw new IllegalStateException("HSM " + core.self() + " holds a snapshot: trace runs take no snapshots");
    }
    List<Post.LogEntry> log = new ArrayList<>((int) core.lastIndex());
    for (long k = 1; k <= core.lastIndex(); k++) {
      log.add(entry(core.entryAt(k).term(), core.entryAt(k).payload()));
    }
    Map<UserId, Post.UserView> vault = new HashMap<>();
    for (UserId u : state.users()) {
      VaultRecord r = state.record(u).orElseThrow();
      vault.put(u, new Post.UserView(r.registrationId(), r.phase(), r.guessesUsed()));
    }
    List<Post.Answer> released = new ArrayList<>();
    for (ReplicatedVault.Outcome o : outcomes) {
      if (o instanceof ReplicatedVault.Released && ((ReplicatedVault.Released) o).response() instanceof Response.GuessCounted) {
        ReplicatedVault.Released r = (ReplicatedVault.Released) o;
        Response.GuessCounted g = (Response.GuessCounted) r.response();
        released.add(new Post.Answer(r.requestId(), r.command().userId(), g.registrationId(), g.phase(),
            new Post.EntryId(r.term(), r.index())));
      }
    }
    List<Post.EntryId> open = new ArrayList<>(sessions);
    open.sort(null);
    return new Post(core.currentTerm(), core.votedFor(), core.role(), log, core.commitIndex(), core.nvram().head(),
        core.nvram().catchUp(), core.writing(), vault, released, open);
  }

  static TraceEvent.Received received(Message m) {
    List<Post.LogEntry> entries = new ArrayList<>();
    if (m instanceof Message.AppendEntries) {
      for (var e : ((Message.AppendEntries) m).entries()) {
        entries.add(entry(e.term(), e.payload()));
      }
    }
    return new TraceEvent.Received(m, entries);
  }

  /** An entry as the spec names it; a payload that decodes to no command is shown as such, not thrown on. */
  private static Post.LogEntry entry(long term, byte[] payload) {
    try {
      return new Post.LogEntry(term, ReplicatedVault.command(payload).map(Cmd::of).orElse(Cmd.NOOP));
    } catch (Check.InvariantViolation e) {
      return new Post.LogEntry(term, Cmd.UNDECODABLE);
    }
  }
}
