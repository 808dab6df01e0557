-------------------------- MODULE MCFleetRotation --------------------------
(* Model-checking harness for FleetRotation: the symmetry sets that the     *)
(* MCFleetRotation*.cfg models refer to.                                    *)
EXTENDS FleetRotation

\* User names and registration ids carry no meaning in the spec.
UserRegSymmetry == Permutations(User) \cup Permutations(RegIds)

=============================================================================
