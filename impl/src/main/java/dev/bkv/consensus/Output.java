package dev.bkv.consensus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * What one step of the core asks of the host shell, in this order:
 * <ol>
 *   <li>write {@link #nvram()} to NVRAM, when present (term and vote before anything leaves);
 *   <li>perform {@link #logWrite()} durably, when present, then call
 *       {@link ReplicaCore#onLogWritten()} before any other input: its output carries the
 *       NVRAM head and the messages this step held back;
 *   <li>otherwise send {@link #messages()}.
 * </ol>
 * Independently of the writes, {@link #installed()} then {@link #committed()} are what the
 * state machine applies, in this order, and {@link #leadershipLost()} tells the layer above
 * to drop every response it was holding for this HSM's entries.
 */
public final class Output {
  /** An entry newly known committed on this HSM: apply it. */
  public record Committed(long index, Entry entry) {}

  /** The client request was appended at indexes first..first+count-1 in {@code term}. */
  public record Appended(long firstIndex, int count, long term) {}

  /** Why a client request was not appended, and which HSM leads as far as this one knows (-1: none known). */
  public record Refusal(String reason, int leaderHint) {}

  Nvram nvram;
  LogWrite logWrite;
  final List<Message> messages = new ArrayList<>();
  final List<Committed> committed = new ArrayList<>();
  Snapshot installed;
  Appended appended;
  Refusal refusal;
  boolean leadershipLost;
  DropReason dropped;
  SpecAction action;
  Message received;

  public Output() {}

  /** The output of a step that handles {@code m}: the action is recorded even if the handler drops it. */
  Output(SpecAction action, Message received) {
    this.action = action;
    this.received = received;
  }

  public Optional<Nvram> nvram() {
    return Optional.ofNullable(nvram);
  }

  public Optional<LogWrite> logWrite() {
    return Optional.ofNullable(logWrite);
  }

  public List<Message> messages() {
    return Collections.unmodifiableList(messages);
  }

  public List<Committed> committed() {
    return Collections.unmodifiableList(committed);
  }

  public Optional<Snapshot> installed() {
    return Optional.ofNullable(installed);
  }

  public Optional<Appended> appended() {
    return Optional.ofNullable(appended);
  }

  public Optional<Refusal> refusal() {
    return Optional.ofNullable(refusal);
  }

  public boolean leadershipLost() {
    return leadershipLost;
  }

  /** Set when the input was a peer message the core dropped; the count is also kept in the core. */
  public Optional<DropReason> dropped() {
    return Optional.ofNullable(dropped);
  }

  /** The spec action this step took; empty when the input did nothing (or was dropped undecoded). */
  public Optional<SpecAction> action() {
    return Optional.ofNullable(action);
  }

  /** The peer message this step handled, when its action is a receive. */
  public Optional<Message> received() {
    return Optional.ofNullable(received);
  }

  @Override
  public String toString() {
    return "Output[nvram=" + nvram + ", logWrite=" + (logWrite == null ? null : logWrite.getClass().getSimpleName())
        + ", messages=" + messages.size() + ", committed=" + committed.size() + ", appended=" + appended
        + ", refusal=" + refusal + ", leadershipLost=" + leadershipLost + ", dropped=" + dropped
        + ", action=" + action + "]";
  }
}
