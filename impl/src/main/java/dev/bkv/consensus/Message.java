package dev.bkv.consensus;

import java.util.List;

/**
 * The closed set of messages between HSMs, named and shaped as the spec's records
 * ({@code mtype}, {@code mterm}, {@code msource}, {@code mdest}, ...). HSMs are numbered
 * 0..n-1 in the fleet's member order. Every message names its destination, even a vote
 * request that the spec broadcasts, so that its MAC binds the link it travels on.
 */
public sealed interface Message
    permits Message.RequestVote, Message.Vote, Message.AppendEntries, Message.AppendAck, Message.InstallSnapshot {

  /** One byte on the wire. */
  enum Kind {
    REQUEST_VOTE(1),
    VOTE(2),
    APPEND_ENTRIES(3),
    APPEND_ACK(4),
    INSTALL_SNAPSHOT(5);

    public final int code;

    Kind(int code) {
      this.code = code;
    }

    static Kind fromCode(int code) {
      for (Kind kind : values()) {
        if (kind.code == code) {
          return kind;
        }
      }
      return null;
    }
  }

  Kind kind();

  long term();

  int source();

  int dest();

  /** {@code RequestVoteMsg(i, term)}: a candidate asks for a vote. */
  record RequestVote(long term, int source, int dest, long lastLogTerm, long lastLogIndex) implements Message {
    @Override
    public Kind kind() {
      return Kind.REQUEST_VOTE;
    }

    public LogHead lastLogHead() {
      return new LogHead(lastLogTerm, lastLogIndex);
    }
  }

  /** A granted vote (refusals are not sent; the spec's modelling choice, kept). */
  record Vote(long term, int source, int dest) implements Message {
    @Override
    public Kind kind() {
      return Kind.VOTE;
    }
  }

  /**
   * {@code AppendEntriesMsg(i, j)}. Beyond the spec, which sends at most one entry, this
   * carries up to {@link ReplicaCore.Limits#entriesPerAppendMax} consecutive entries: one
   * message stands for that many spec steps, each of which the follower could have taken.
   */
  record AppendEntries(long term, int source, int dest, long prevLogIndex, long prevLogTerm, List<Entry> entries,
      long commitIndex) implements Message {
    public AppendEntries {
      entries = List.copyOf(entries);
    }

    @Override
    public Kind kind() {
      return Kind.APPEND_ENTRIES;
    }
  }

  /** The follower's answer; its term is the term of the AppendEntries it answers. */
  record AppendAck(long term, int source, int dest, boolean success, long matchIndex) implements Message {
    @Override
    public Kind kind() {
      return Kind.APPEND_ACK;
    }
  }

  /**
   * Beyond the spec: catch-up from the leader's snapshot when the entries a follower lacks
   * were compacted away. It stands for an AppendEntries with {@code prevLogIndex = 0}
   * carrying the whole committed prefix the snapshot replaced, and is answered by an
   * {@link AppendAck} matching up to {@code snapshot.lastIndex()}.
   */
  record InstallSnapshot(long term, int source, int dest, Snapshot snapshot) implements Message {
    @Override
    public Kind kind() {
      return Kind.INSTALL_SNAPSHOT;
    }
  }
}
