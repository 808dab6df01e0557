package dev.bkv.consensus;

/** Why the core dropped a peer message without acting on it. Counted per reason. */
public enum DropReason {
  TOO_LARGE("larger than MESSAGE_BYTES_MAX"),
  UNDECODABLE("does not decode as a peer message"),
  BAD_MAC("MAC does not verify (tampered, or another fleet's)"),
  MISDIRECTED("addressed to another HSM"),
  UNKNOWN_MEMBER("names an HSM that is not a member, or this HSM as its source"),
  EARLIER_TERM("of an earlier term than this HSM's (a late or replayed message)"),
  NOT_APPLICABLE("not for this HSM's role now (a vote to a non-candidate, an ack to a non-leader)"),
  IMPOSSIBLE_TERM("an acknowledgement of a later term than this HSM has led");

  public final String meaning;

  DropReason(String meaning) {
    this.meaning = meaning;
  }
}
