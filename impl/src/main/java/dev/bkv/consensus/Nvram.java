package dev.bkv.consensus;

/**
 * What the spec keeps in an HSM's NVRAM ({@code nvramVars}): {@code currentTerm},
 * {@code votedFor}, {@code nvHead} and {@code catchUp}. Replaced as one value, atomically,
 * by the host shell's NVRAM write; the host can neither forge nor roll it back.
 */
public record Nvram(long currentTerm, int votedFor, LogHead head, long catchUp) {
  /** The spec's {@code Nil}. */
  public static final int NO_VOTE = -1;

  public static final Nvram INITIAL = new Nvram(0, NO_VOTE, LogHead.EMPTY, 0);

  public Nvram {
    if (currentTerm < 0 || catchUp < 0 || votedFor < NO_VOTE) {
      throw new IllegalArgumentException("NVRAM fields out of range: term " + currentTerm + ", vote " + votedFor
          + ", catchUp " + catchUp);
    }
    if (head == null) {
      throw new IllegalArgumentException("NVRAM head missing");
    }
  }
}
