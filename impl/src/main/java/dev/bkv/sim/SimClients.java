package dev.bkv.sim;

import dev.bkv.base.Bytes;
import dev.bkv.crypto.DecodeException;
import dev.bkv.crypto.Sha256Digest;
import dev.bkv.firmware.ReplicatedVault;
import dev.bkv.vault.BackupKey;
import dev.bkv.vault.Command;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.Response;
import dev.bkv.vault.UserId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The users of one simulation, each running one operation at a time (two-phase
 * registration as the fleet firmware does it: store, log in with the right password, expose
 * at the HSM that answered; a login with the right or a wrong password finished at the HSM that answered,
 * a status read), retrying on Dropped and Refused and following leader hints; and an attacker
 * who guesses wrong repeatedly and replays finished logins.
 */
final class SimClients {
  /** Operations a client may have queued; more are dropped. */
  static final int QUEUE_MAX = 16;
  /** A client waits this long before retrying a dropped or refused request. */
  static final int RETRY_TICKS = 4;
  /** With no outcome after this long, a client sends its request again (to another HSM). */
  static final int ANSWER_TIMEOUT_TICKS = 120;
  /** Finished logins the attacker remembers for replay. */
  static final int FINISHED_LOGINS_MAX = 64;
  static final int RECORD_BYTES_MIN = 64;
  static final int RECORD_BYTES_MAX = 200;
  static final int ATTEMPTS_MIN = 3;
  static final int ATTEMPTS_MAX = 5;
  static final int BACKUP_KEY_BYTES = 32;

  /** What the clients need from the host. */
  interface Host {
    boolean up(int hsm);

    /** A random HSM that is up, or -1. */
    int anyUp();

    void submit(int hsm, ReplicatedVault.Request request);

    void finishLogin(int hsm, long requestId, long loginId, ReplicatedVault.LoginEnd end);

    /** Whether the guess about to be submitted uses the right password (for traces). */
    void nextGuessRight(boolean right);

    Optional<Response> status(int hsm, UserId user);

    long newRequestId();

    void noteRegistration(RegistrationId reg, int maxAttempts);
  }

  enum OpKind { REGISTER, LOGIN_RIGHT, LOGIN_WRONG, STATUS }

  private record Op(OpKind kind, int user) {}

  private record Finished(int hsm, long loginId, ReplicatedVault.LoginEnd end) {}

  private final class Client {
    final String name;
    final ArrayDeque<Op> queue = new ArrayDeque<>();
    Op op;
    int stage;
    Command command;
    long requestId = -1;
    long sentAt;
    long retryAt;
    int target = -1;
    long loginId;
    int loginHsm;
    BackupKey backupKey;

    Client(String name) {
      this.name = name;
    }
  }

  private final SplittableRandom random;
  private final Host host;
  private final UserId[] users;
  private final List<Client> clients = new ArrayList<>();
  private final List<Finished> finished = new ArrayList<>();
  private int replaysDue;
  /** Logins begun so far: names each new login's KE1 (a resent command keeps its name: a retry, R15). */
  private long loginsBegun;

  SimClients(SplittableRandom random, Host host, int userCount) {
    this.random = random;
    this.host = host;
    this.users = new UserId[userCount];
    for (int u = 0; u < userCount; u++) {
      try {
        users[u] = UserId.ofUtf8("user" + u);
      } catch (DecodeException e) {
        throw new IllegalStateException(e);
      }
      clients.add(new Client("user" + u));
    }
    clients.add(new Client("attacker"));
  }

  /** The users, in order. */
  List<UserId> users() {
    return List.of(users);
  }

  /** A registration's stages: store, log in (count a guess), expose at the HSM that answered. */
  private static final int STAGE_LOGIN = 1;
  private static final int STAGE_EXPOSE = 2;

  /** Whether the client's next request finishes a login at the HSM that answered it. */
  private static boolean finishing(Client c) {
    return c.stage == (c.op.kind() == OpKind.REGISTER ? STAGE_EXPOSE : 1);
  }

  private static ReplicatedVault.LoginEnd end(Client c) {
    switch (c.op.kind()) {
      case REGISTER:
        return new ReplicatedVault.LoginEnd.Expose(c.backupKey);
      case LOGIN_RIGHT:
        return new ReplicatedVault.LoginEnd.Recover();
      default:
        return new ReplicatedVault.LoginEnd.Fail();
    }
  }

  void enqueue(OpKind kind, int user, int times) {
    int u = user % users.length;
    Client c = kind == OpKind.LOGIN_WRONG && times > 0 ? attacker() : clients.get(u);
    for (int t = 0; t < Math.max(1, times) && c.queue.size() < QUEUE_MAX; t++) {
      c.queue.add(new Op(kind, u));
    }
  }

  void replayLogins(int count) {
    replaysDue += Math.min(count, FINISHED_LOGINS_MAX);
  }

  private Client attacker() {
    return clients.get(clients.size() - 1);
  }

  boolean idle() {
    for (Client c : clients) {
      if (c.op != null || !c.queue.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  String outstanding() {
    StringBuilder s = new StringBuilder();
    for (Client c : clients) {
      if (c.op != null || !c.queue.isEmpty()) {
        s.append(c.name).append(": ").append(c.op).append(" stage ").append(c.stage).append(" request ")
            .append(c.requestId).append(" at HSM ").append(c.target).append(", ").append(c.queue.size())
            .append(" queued; ");
      }
    }
    return s.toString();
  }

  void tick(long now) {
    for (Client c : clients) {
      act(c, now);
    }
    for (; replaysDue > 0 && !finished.isEmpty(); replaysDue--) {
      Finished f = finished.get(random.nextInt(finished.size()));
      int hsm = random.nextInt(4) == 0 ? f.hsm() : host.anyUp();
      if (hsm >= 0 && host.up(hsm)) {
        host.finishLogin(hsm, host.newRequestId(), f.loginId(), f.end());
      }
    }
    replaysDue = 0;
  }

  private void act(Client c, long now) {
    if (c.op == null) {
      if (c.queue.isEmpty()) {
        return;
      }
      start(c, c.queue.poll());
    }
    if (c.requestId >= 0) {
      if (now - c.sentAt < ANSWER_TIMEOUT_TICKS) {
        return;
      }
      // No outcome: the HSM may be cut off with the request appended. Ask elsewhere.
      c.requestId = -1;
      c.target = -1;
      if (finishing(c)) {
        if (c.op.kind() != OpKind.REGISTER) {
          done(c);
          return;
        }
        // The session may be gone with the HSM: log in again.
        c.stage = STAGE_LOGIN;
      }
    }
    if (now < c.retryAt) {
      return;
    }
    if (c.target < 0 || !host.up(c.target)) {
      c.target = host.anyUp();
      if (c.target < 0) {
        c.retryAt = now + RETRY_TICKS;
        return;
      }
    }
    send(c, now);
  }

  private void start(Client c, Op op) {
    c.op = op;
    c.stage = 0;
    c.requestId = -1;
    c.retryAt = 0;
    UserId user = users[op.user()];
    switch (op.kind()) {
      case REGISTER: {
        RegistrationId reg = new RegistrationId(bytes(RegistrationId.BYTES));
        int attempts = ATTEMPTS_MIN + random.nextInt(ATTEMPTS_MAX - ATTEMPTS_MIN + 1);
        host.noteRegistration(reg, attempts);
        c.command = new Command.RegisterStore(user, reg,
            bytes(RECORD_BYTES_MIN + random.nextInt(RECORD_BYTES_MAX - RECORD_BYTES_MIN + 1)), attempts);
        break;
      }
      case LOGIN_RIGHT:
      case LOGIN_WRONG:
        c.command = newLogin(user);
        break;
      default:
        c.command = null;
    }
  }

  private void send(Client c, long now) {
    if (c.op.kind() == OpKind.STATUS) {
      if (host.status(c.target, users[c.op.user()]).isPresent()) {
        done(c);
      } else {
        c.target = host.anyUp();
        c.retryAt = now + RETRY_TICKS;
      }
      return;
    }
    c.requestId = host.newRequestId();
    c.sentAt = now;
    long id = c.requestId;
    if (finishing(c)) {
      c.target = c.loginHsm;
      if (!host.up(c.loginHsm)) {
        if (c.op.kind() != OpKind.REGISTER) {
          done(c);
          return;
        }
        relogin(c, now);
        return;
      }
      host.finishLogin(c.loginHsm, id, c.loginId, end(c));
    } else {
      if (c.command instanceof Command.CountGuess) {
        host.nextGuessRight(c.op.kind() != OpKind.LOGIN_WRONG);
      }
      host.submit(c.target, new ReplicatedVault.Request(id, c.command));
    }
  }

  /** An outcome the HSM {@code hsm} released for some request. */
  void outcome(int hsm, ReplicatedVault.Outcome outcome, long now) {
    for (Client c : clients) {
      if (c.op != null && c.requestId == outcome.requestId()) {
        handle(c, hsm, outcome, now);
        return;
      }
    }
  }

  private void handle(Client c, int hsm, ReplicatedVault.Outcome outcome, long now) {
    c.requestId = -1;
    boolean finishing = finishing(c);
    boolean registering = c.op.kind() == OpKind.REGISTER;
    if (outcome instanceof ReplicatedVault.Released) {
      Response response = ((ReplicatedVault.Released) outcome).response();
      if (registering && c.stage == 0) {
        // Stored: now log in against the record with the right password, as the firmware's client does.
        c.command = newLogin(c.command.userId());
        c.backupKey = new BackupKey(bytes(BACKUP_KEY_BYTES));
        c.stage = STAGE_LOGIN;
        c.retryAt = now;
      } else if (!finishing && response instanceof Response.GuessCounted
          && !(registering && ((Response.GuessCounted) response).phase() == Phase.EXPOSED)) {
        c.loginId = outcome.requestId();
        c.loginHsm = hsm;
        c.stage++;
        c.retryAt = now;
      } else {
        // A finished login, or a registration already exposed (an earlier expose's answer was
        // lost), or a login that found no record.
        if (finishing && !registering) {
          remember(new Finished(c.loginHsm, c.loginId, end(c)));
        }
        done(c);
      }
    } else if (finishing && outcome instanceof ReplicatedVault.Refused) {
      if (registering) {
        relogin(c, now);
      } else {
        done(c);
      }
    } else {
      if (finishing && registering) {
        // Dropped: the session went with the leadership.
        c.stage = STAGE_LOGIN;
      }
      if (outcome instanceof ReplicatedVault.Refused) {
        int hint = ((ReplicatedVault.Refused) outcome).leaderHint();
        c.target = hint >= 0 && hint != c.target ? hint : host.anyUp();
      }
      c.retryAt = now + RETRY_TICKS;
    }
  }

  /** A registration whose expose cannot reach its session logs in again (anywhere). */
  private void relogin(Client c, long now) {
    c.stage = STAGE_LOGIN;
    c.requestId = -1;
    c.target = -1;
    c.retryAt = now + RETRY_TICKS;
  }

  private void remember(Finished f) {
    if (finished.size() >= FINISHED_LOGINS_MAX) {
      finished.remove(0);
    }
    finished.add(f);
  }

  private void done(Client c) {
    c.op = null;
    c.requestId = -1;
    c.command = null;
  }

  /**
   * A new login's CountGuess. Its KE1 digest is a counter's hash, not drawn from the schedule's
   * random stream, so that a seed replays the schedule it always did.
   */
  private Command.CountGuess newLogin(UserId user) {
    loginsBegun++;
    return new Command.CountGuess(user, Sha256Digest.of(user.toBytes(), Bytes.i2osp(loginsBegun, 8)));
  }

  private byte[] bytes(int count) {
    byte[] b = new byte[count];
    for (int k = 0; k < count; k++) {
      b[k] = (byte) random.nextInt(256);
    }
    return b;
  }
}
