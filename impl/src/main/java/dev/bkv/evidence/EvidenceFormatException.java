package dev.bkv.evidence;

/** Deployment evidence (or a part of it) that does not follow its format; the message names what was wrong. */
public final class EvidenceFormatException extends Exception {
  public EvidenceFormatException(String message) {
    super(message);
  }
}
