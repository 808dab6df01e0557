package dev.bkv.firmware;

/**
 * Protections of the replicated vault that a seeded bug removes, for the simulator's proof
 * that its checker can fail. Package-private: only {@link FirmwareOptions} built by the test
 * tree's accessor carries them.
 */
enum FirmwareBug {
  /** {@code ReleaseBeforeCommit}: a counted guess is answered when its entry is appended, before it commits. */
  RELEASE_BEFORE_COMMIT,
  /**
   * An off-by-one in count-before-reveal: a guess is answered once the entry before it is
   * committed, so the guess itself is counted only when the next commit includes it.
   */
  RELEASE_ON_PREVIOUS_COMMIT,
}
