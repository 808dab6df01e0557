package dev.bkv.trace;

import dev.bkv.consensus.Message;
import dev.bkv.consensus.ReplicaCore;
import dev.bkv.vault.Phase;
import dev.bkv.vault.RegistrationId;
import dev.bkv.vault.UserId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders one trace's events as JSON values, in one pass: registrations get small numbers
 * in order of first appearance, and a finish refused for want of a session is resolved to
 * the guess answer released earlier under the login id it names.
 */
final class TraceJson {
  /**
   * How registrations and vault views are written: numbered within this trace with every
   * user of its Init header, or (one node's lines, merged later with the others) named by
   * their id in hex with the users the node's vault holds, so the merge can number them
   * across the fleet and fill in the rest.
   */
  enum Naming {
    TRACE,
    NODE
  }

  private final Naming naming;
  private final Map<RegistrationId, Integer> regs = new HashMap<>();
  private final Map<Long, Post.Answer> answers = new HashMap<>();
  private List<UserId> users = List.of();

  TraceJson() {
    this(Naming.TRACE);
  }

  TraceJson(Naming naming) {
    this.naming = naming;
  }

  List<Object> render(List<TraceEvent> events) {
    List<Object> out = new ArrayList<>(events.size());
    for (TraceEvent e : events) {
      if (e instanceof TraceEvent.Init) {
        out.add(init((TraceEvent.Init) e));
      } else if (e instanceof TraceEvent.LoseDatacenter) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("action", "LoseDatacenter");
        m.put("node", -1);
        m.put("dc", ((TraceEvent.LoseDatacenter) e).hsms());
        out.add(m);
      } else {
        out.add(step((TraceEvent.Step) e));
      }
    }
    return out;
  }

  private Map<String, Object> init(TraceEvent.Init e) {
    users = e.users();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("action", "Init");
    m.put("hsms", e.hsms());
    m.put("sites", e.sites());
    List<Object> names = new ArrayList<>();
    for (UserId u : e.users()) {
      names.add(user(u));
    }
    m.put("users", names);
    m.put("seed", e.seed());
    m.put("schedule", e.schedule());
    return m;
  }

  private Map<String, Object> step(TraceEvent.Step e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("action", e.action().specName);
    m.put("node", e.node());
    if (e.received() != null) {
      m.put("msg", message(e.received()));
    }
    if (e.action().isClient()) {
      Post.EntryId session = e.session();
      Cmd cmd = e.cmd();
      if (e.action().isFinish() && session == null) {
        Post.Answer asked = answers.get(e.loginId());
        if (asked == null) {
          throw new IllegalStateException("a finish of login " + e.loginId() + " whose guess answer is not in this trace");
        }
        session = asked.id();
        cmd = new Cmd(cmd.op(), asked.user(), null, 0);
      }
      m.put("cmd", cmd(cmd));
      if (e.action().isFinish()) {
        m.put("session", id(session));
      }
      if (e.action() == TraceAction.CLIENT_GUESS) {
        m.put("right", e.right());
      }
      m.put("refused", e.refused());
    }
    m.put("post", post(e.post()));
    return m;
  }

  private Map<String, Object> post(Post p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("term", p.term());
    m.put("vote", p.vote());
    m.put("role", role(p.role()));
    m.put("log", entries(p.log()));
    m.put("commit", p.commit());
    m.put("nvHead", List.of(p.nvHead().term(), p.nvHead().index()));
    m.put("catchUp", p.catchUp());
    m.put("writing", p.writing());
    Map<String, Object> vault = new LinkedHashMap<>();
    for (UserId u : naming == Naming.TRACE ? users : sorted(p.vault().keySet())) {
      Post.UserView v = p.vault().get(u);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("reg", v == null ? 0 : reg(v.reg()));
      r.put("phase", v == null ? "None" : phase(v.phase()));
      r.put("used", v == null ? 0 : v.used());
      vault.put(user(u), r);
    }
    m.put("vault", vault);
    List<Object> released = new ArrayList<>();
    for (Post.Answer a : p.released()) {
      answers.put(a.requestId(), a);
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("user", user(a.user()));
      r.put("reg", reg(a.reg()));
      r.put("phase", phase(a.phase()));
      r.put("id", id(a.id()));
      released.add(r);
    }
    m.put("released", released);
    List<Object> sessions = new ArrayList<>();
    for (Post.EntryId s : p.sessions()) {
      sessions.add(id(s));
    }
    m.put("sessions", sessions);
    return m;
  }

  private Map<String, Object> message(TraceEvent.Received r) {
    Message msg = r.message();
    Map<String, Object> m = new LinkedHashMap<>();
    if (msg instanceof Message.RequestVote) {
      Message.RequestVote v = (Message.RequestVote) msg;
      m.put("mtype", "RequestVote");
      m.put("mterm", v.term());
      m.put("msource", v.source());
      m.put("mlastLogTerm", v.lastLogTerm());
      m.put("mlastLogIndex", v.lastLogIndex());
    } else if (msg instanceof Message.Vote) {
      head(m, "Vote", msg);
    } else if (msg instanceof Message.AppendEntries) {
      Message.AppendEntries a = (Message.AppendEntries) msg;
      head(m, "AppendEntries", msg);
      m.put("mprevLogIndex", a.prevLogIndex());
      m.put("mprevLogTerm", a.prevLogTerm());
      m.put("mentries", entries(r.entries()));
      m.put("mcommitIndex", a.commitIndex());
    } else if (msg instanceof Message.AppendAck) {
      Message.AppendAck a = (Message.AppendAck) msg;
      head(m, "AppendAck", msg);
      m.put("msuccess", a.success());
      m.put("mmatchIndex", a.matchIndex());
    } else {
      throw new IllegalStateException("a snapshot message is not a spec message: trace runs take no snapshots");
    }
    return m;
  }

  private static void head(Map<String, Object> m, String type, Message msg) {
    m.put("mtype", type);
    m.put("mterm", msg.term());
    m.put("msource", msg.source());
    m.put("mdest", msg.dest());
  }

  private List<Object> entries(List<Post.LogEntry> log) {
    List<Object> out = new ArrayList<>(log.size());
    for (Post.LogEntry e : log) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("term", e.term());
      m.putAll(cmd(e.cmd()));
      out.add(m);
    }
    return out;
  }

  /** Only the fields the op has, in the format's order. */
  private Map<String, Object> cmd(Cmd c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("op", c.op().specName);
    if (c.user() != null) {
      m.put("user", user(c.user()));
    }
    if (c.reg() != null) {
      m.put("reg", reg(c.reg()));
    }
    if (c.op() == Cmd.Op.STORE) {
      m.put("max", c.max());
    }
    if (c.login() != null) {
      m.put("login", c.login().toHex());
    }
    return m;
  }

  private Object reg(RegistrationId reg) {
    return naming == Naming.NODE ? reg.toHex() : regs.computeIfAbsent(reg, r -> regs.size() + 1);
  }

  private static List<UserId> sorted(Collection<UserId> users) {
    List<UserId> list = new ArrayList<>(users);
    list.sort(Comparator.comparing(TraceJson::user));
    return list;
  }

  private static List<Object> id(Post.EntryId id) {
    return List.of(id.term(), id.index());
  }

  private static String user(UserId u) {
    return new String(u.toBytes(), StandardCharsets.UTF_8);
  }

  private static String role(ReplicaCore.Role role) {
    switch (role) {
      case FOLLOWER:
        return "Follower";
      case CANDIDATE:
        return "Candidate";
      default:
        return "Leader";
    }
  }

  /** MIGRATED is not a phase of spec/QuorumVault (it has no fleet rotation): its name makes TLC reject the trace. */
  private static String phase(Phase phase) {
    switch (phase) {
      case STORED:
        return "Stored";
      case EXPOSED:
        return "Exposed";
      case MIGRATED:
        return "Migrated";
      default:
        throw new AssertionError(phase);
    }
  }
}
