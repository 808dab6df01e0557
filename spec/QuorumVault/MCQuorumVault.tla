--------------------------- MODULE MCQuorumVault ---------------------------
(* Model-checking harness for QuorumVault: the symmetry sets and state      *)
(* constraints that the MCQuorumVault*.cfg models refer to.                 *)
EXTENDS QuorumVault

\* Bound on the messages in the network, for models that would not fit the
\* build otherwise.  Every message sent stays deliverable; a behaviour that
\* would send more is cut off (a state constraint, not a change to the spec).
CONSTANT MaxMessages

MessageBound == Cardinality(msgs) <= MaxMessages

\* HSM names and user names carry no meaning in the spec.
ServerSymmetry == Permutations(Server)
ServerUserSymmetry == Permutations(Server) \cup Permutations(User)

\* Directed models: at most one HSM stands for election in each term (split
\* votes are left to the models without this constraint).  Old messages still
\* stay in the network and may be replayed; only how many elections are
\* started is bounded.
OneCandidatePerTerm ==
    \A t \in 1..MaxTerm :
        Cardinality({m \in msgs : m.mtype = "RequestVote" /\ m.mterm = t}) <= 1

\* Directed models: one client request in flight at a time (a leader appends
\* a request only once everything before it is committed), as one user's
\* phone does.  Leaders of earlier terms may still hold uncommitted entries.
OneRequestInFlight ==
    \A i \in Server : role[i] = "Leader" => Len(log[i]) <= commitIndex[i] + 1

\* Directed models of the vault's logic: one HSM never replicates (its log
\* stays empty), so the leader and one follower make every quorum of three and
\* the interleavings of a second follower are cut off.
OneFollowerReplicates == \E s \in Server : log[s] = <<>>

=============================================================================
