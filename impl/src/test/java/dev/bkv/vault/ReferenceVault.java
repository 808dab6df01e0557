package dev.bkv.vault;

import dev.bkv.base.Hex;
import java.util.HashMap;
import java.util.Map;

/**
 * The oracle: the vault rules written as plainly as possible, with no shared code, so that
 * the real {@link VaultState} can be compared against it step by step. Answers are
 * canonical strings (see {@link #describe}).
 */
final class ReferenceVault {
  private static final class Rec {
    String rid;
    String record;
    int max;
    int used;
    boolean exposed;
    String key;
    /** R15: the hex KE1 digest of the guess counted last since the count was last set. */
    String lastKe1;
  }

  private final Map<UserId, Rec> recs = new HashMap<>();
  /** The last registration id destroyed or deleted per user, until a new one is stored. */
  private final Map<UserId, String> retired = new HashMap<>();

  String apply(Command c) {
    Rec r = recs.get(c.userId());
    if (c instanceof Command.RegisterStore) {
      Command.RegisterStore s = (Command.RegisterStore) c;
      String rid = s.registrationId().toHex();
      String record = Hex.encode(s.registrationRecord());
      if (r == null) {
        if (rid.equals(retired.get(c.userId()))) {
          return "Refused REGISTRATION_RETIRED";
        }
        retired.remove(c.userId());
        Rec n = new Rec();
        n.rid = rid;
        n.record = record;
        n.max = s.maxAttempts();
        recs.put(c.userId(), n);
        return "Stored " + rid + " false";
      }
      if (r.rid.equals(rid)) {
        return r.record.equals(record) && r.max == s.maxAttempts() ? "Stored " + rid + " true" : "Refused REGISTRATION_CONFLICT";
      }
      r.rid = rid;
      r.record = record;
      r.max = s.maxAttempts();
      r.used = Math.min(r.used, r.max);
      r.exposed = false;
      r.key = null;
      r.lastKe1 = null;
      return "Stored " + rid + " false";
    }
    if (c instanceof Command.CountGuess) {
      if (r == null) {
        return "NotFound";
      }
      String ke1 = ((Command.CountGuess) c).ke1Digest().toHex();
      if (!ke1.equals(r.lastKe1)) {
        if (r.used == r.max) {
          retire(c.userId(), r);
          return "Destroyed";
        }
        r.used++;
        r.lastKe1 = ke1;
      }
      return "GuessCounted " + r.rid + " " + (r.exposed ? "EXPOSED" : "STORED") + " " + r.record + " " + r.used + " " + (r.max - r.used);
    }
    String rid;
    if (c instanceof Command.RegisterExpose) {
      rid = ((Command.RegisterExpose) c).registrationId().toHex();
    } else if (c instanceof Command.RecoverSucceeded) {
      rid = ((Command.RecoverSucceeded) c).registrationId().toHex();
    } else if (c instanceof Command.GuessFailed) {
      rid = ((Command.GuessFailed) c).registrationId().toHex();
    } else if (c instanceof Command.Delete) {
      rid = ((Command.Delete) c).registrationId().toHex();
    } else {
      throw new AssertionError(c);
    }
    if (r == null || !r.rid.equals(rid)) {
      return "NotFound";
    }
    if (c instanceof Command.RegisterExpose) {
      if (r.exposed) {
        return "Refused ALREADY_EXPOSED";
      }
      r.exposed = true;
      r.used = 0;
      r.lastKe1 = null;
      r.key = ((Command.RegisterExpose) c).backupKey().toString() + Hex.encode(((Command.RegisterExpose) c).backupKey().toBytes());
      return "Exposed";
    }
    if (c instanceof Command.RecoverSucceeded) {
      if (!r.exposed) {
        return "Refused NOT_EXPOSED";
      }
      r.used = 0;
      r.lastKe1 = null;
      return "Recovered " + r.key;
    }
    if (c instanceof Command.GuessFailed) {
      if (r.used == r.max) {
        retire(c.userId(), r);
        return "Destroyed";
      }
      return "FailureKept " + (r.max - r.used);
    }
    retire(c.userId(), r);
    return "Deleted";
  }

  private void retire(UserId u, Rec r) {
    recs.remove(u);
    retired.put(u, r.rid);
  }

  String status(UserId u) {
    Rec r = recs.get(u);
    return r == null ? "NotFound" : "StatusReport " + (r.exposed ? "EXPOSED" : "STORED") + " " + (r.max - r.used) + " " + r.max;
  }

  /** The canonical text of a real response, in the oracle's vocabulary. */
  static String describe(Response response) {
    if (response instanceof Response.Stored) {
      Response.Stored s = (Response.Stored) response;
      return "Stored " + s.registrationId().toHex() + " " + s.replay();
    }
    if (response instanceof Response.GuessCounted) {
      Response.GuessCounted g = (Response.GuessCounted) response;
      return "GuessCounted " + g.registrationId().toHex() + " " + g.phase() + " " + Hex.encode(g.registrationRecord())
          + " " + g.attemptNumber() + " " + g.guessesRemaining();
    }
    if (response instanceof Response.Recovered) {
      BackupKey key = ((Response.Recovered) response).backupKey();
      return "Recovered " + key + Hex.encode(key.toBytes());
    }
    if (response instanceof Response.FailureKept) {
      return "FailureKept " + ((Response.FailureKept) response).guessesRemaining();
    }
    if (response instanceof Response.Refused) {
      return "Refused " + ((Response.Refused) response).reason();
    }
    if (response instanceof Response.StatusReport) {
      Response.StatusReport s = (Response.StatusReport) response;
      return "StatusReport " + s.phase() + " " + s.guessesRemaining() + " " + s.maxAttempts();
    }
    if (response instanceof Response.Exposed) {
      return "Exposed";
    }
    if (response instanceof Response.Deleted) {
      return "Deleted";
    }
    if (response instanceof Response.Destroyed) {
      return "Destroyed";
    }
    if (response instanceof Response.NotFound) {
      return "NotFound";
    }
    throw new AssertionError(response);
  }
}
