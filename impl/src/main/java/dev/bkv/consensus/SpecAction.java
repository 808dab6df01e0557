package dev.bkv.consensus;

/**
 * The spec/QuorumVault action a step of the core took (the constants are the spec's action
 * names), recorded on its {@link Output} so that the layer above can emit trace events named
 * after the spec. An enum constant, so recording it is a field write and costs nothing when
 * nobody traces.
 */
public enum SpecAction {
  TIMEOUT,
  HANDLE_REQUEST_VOTE,
  HANDLE_VOTE,
  /** Also the catch-up from a snapshot, which stands for an AppendEntries from index 0. */
  HANDLE_APPEND_ENTRIES,
  HANDLE_APPEND_ACK,
  PERSIST_HEAD,
  SEND_APPEND_ENTRIES,
  /** {@code ClientRequest}: which client action (or a leader's no-op) only the layer above knows. */
  CLIENT_REQUEST,
  RESTART
}
