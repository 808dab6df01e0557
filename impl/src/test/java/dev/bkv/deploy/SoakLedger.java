package dev.bkv.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a soak's clients were told, per user, and the guesses remaining the fleet may report
 * for it. A client's operation ends one of three ways: acknowledged (the answer came back),
 * refused (for a wrong password: the answer "not recovered", which exists only after its guess
 * was committed, G1), or lost (no answer: the client failed, timed out or saw an error; the
 * request may or may not have been committed, and may still be).
 *
 * <p>Counted, per user with an acknowledged registration:
 * <ul>
 *   <li>{@code wrongSinceReset}: wrong guesses answered "not recovered" since the last
 *       recovery that certainly reset the count (one whose key came back);
 *   <li>{@code wrongSincePossibleReset}: the same, since the last recovery that may have reset
 *       it (one whose answer was lost);
 *   <li>{@code lost}: every guess that may have been counted without its answer reaching the
 *       client, ever: one per wrong guess whose answer was lost, and {@code
 *       loginsPerRecoveryMax} per recovery whose answer was lost (each login it made may have
 *       been counted, none reset); one may commit after a later reset, so they are never cleared.
 * </ul>
 * The fleet's count used ({@code maxAttempts - remaining}) must lie in
 * [{@code wrongSincePossibleReset}, {@code wrongSinceReset + lost}]: below it, a guess whose
 * answer the client saw was not counted (an extra guess); above it, the fleet counted guesses
 * no client made.
 */
final class SoakLedger {
  /** How one client operation ended. */
  enum Outcome {
    ACKNOWLEDGED,
    REFUSED,
    LOST
  }

  /** One user's tallies; see the class comment. */
  static final class Account {
    boolean registered;
    int wrongSinceReset;
    int wrongSincePossibleReset;
    int lost;
    int recoveries;
  }

  final int maxAttempts;
  /** Logins one recovery call may make (a client starts over when the leader holding its login is gone). */
  final int loginsPerRecoveryMax;
  private final Map<String, Account> accounts = new TreeMap<>();
  private final Map<Outcome, Integer> wrongGuesses = new TreeMap<>();
  private int registrationsLost;

  SoakLedger(int maxAttempts, int loginsPerRecoveryMax) {
    this.maxAttempts = maxAttempts;
    this.loginsPerRecoveryMax = loginsPerRecoveryMax;
  }

  synchronized void registration(String user, Outcome outcome) {
    if (outcome == Outcome.ACKNOWLEDGED) {
      Account a = new Account();
      a.registered = true;
      accounts.put(user, a);
    } else {
      registrationsLost++;
    }
  }

  synchronized void wrongGuess(String user, Outcome outcome) {
    Account a = account(user);
    wrongGuesses.merge(outcome, 1, Integer::sum);
    if (outcome == Outcome.REFUSED) {
      a.wrongSinceReset++;
      a.wrongSincePossibleReset++;
    } else {
      // A wrong guess is never acknowledged; a lost answer is the other ending.
      a.lost++;
    }
  }

  /** A recovery with the right password; ACKNOWLEDGED means the registered key came back. */
  synchronized void recovery(String user, Outcome outcome) {
    Account a = account(user);
    if (outcome == Outcome.ACKNOWLEDGED) {
      a.wrongSinceReset = 0;
      a.wrongSincePossibleReset = 0;
      a.recoveries++;
    } else {
      a.wrongSincePossibleReset = 0;
      a.lost += loginsPerRecoveryMax;
    }
  }

  /** Guesses a user may still be sent without any chance of reaching {@code maxAttempts}. */
  synchronized int guessesLeft(String user) {
    Account a = account(user);
    return maxAttempts - 1 - a.wrongSinceReset - a.lost;
  }

  synchronized List<String> registeredUsers() {
    return new ArrayList<>(accounts.keySet());
  }

  synchronized int registrationsAcknowledged() {
    return accounts.size();
  }

  synchronized int registrationsLost() {
    return registrationsLost;
  }

  synchronized int wrongGuesses(Outcome outcome) {
    return wrongGuesses.getOrDefault(outcome, 0);
  }

  /** Why {@code remaining}, as the fleet reports it for {@code user} (-1: no record), is wrong; empty if it is not. */
  synchronized String countProblem(String user, int remaining) {
    Account a = account(user);
    if (remaining < 0) {
      return user + ": no record, but its registration was acknowledged";
    }
    int used = maxAttempts - remaining;
    if (used < a.wrongSincePossibleReset) {
      return user + ": " + used + " guesses counted, but " + a.wrongSincePossibleReset
          + " wrong guesses were answered since its last recovery (extra guesses)";
    }
    if (used > a.wrongSinceReset + a.lost) {
      return user + ": over-counted: " + used + " guesses counted, but only " + a.wrongSinceReset + " answered and "
          + a.lost + " unanswered ones could count";
    }
    return "";
  }

  private Account account(String user) {
    Account a = accounts.get(user);
    if (a == null) {
      throw new IllegalStateException(user + " has no acknowledged registration");
    }
    return a;
  }
}
