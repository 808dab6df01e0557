--------------------------- MODULE MCQuorumVault ---------------------------
(* Model-checking harness for QuorumVault: the symmetry sets and state      *)
(* constraints that the MCQuorumVault*.cfg models refer to.                 *)
EXTENDS QuorumVault

\* HSM names and user names carry no meaning in the spec.
ServerSymmetry == Permutations(Server)
ServerUserSymmetry == Permutations(Server) \cup Permutations(User)



=============================================================================
