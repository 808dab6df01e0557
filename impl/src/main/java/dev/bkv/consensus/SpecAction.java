package dev.bkv.consensus;

/**
 * The spec/QuorumVault action a step of the core took, recorded on its {@link Output} so that
 * the layer above can emit trace events named after the spec. An enum constant, so recording
 * it is a field write and costs nothing when nobody traces.
 */
public enum SpecAction {
  TIMEOUT("Timeout"),
  HANDLE_REQUEST_VOTE("HandleRequestVote"),
  HANDLE_VOTE("HandleVote"),
  /** Also the catch-up from a snapshot, which stands for an AppendEntries from index 0. */
  HANDLE_APPEND_ENTRIES("HandleAppendEntries"),
  HANDLE_APPEND_ACK("HandleAppendAck"),
  PERSIST_HEAD("PersistHead"),
  SEND_APPEND_ENTRIES("SendAppendEntries"),
  CLIENT_REQUEST("ClientRequest"),
  RESTART("Restart");

  /** The action's name in the spec. */
  public final String specName;

  SpecAction(String specName) {
    this.specName = specName;
  }
}
