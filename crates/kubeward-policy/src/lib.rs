//! Policy as code: Gatekeeper ConstraintTemplates (Rego and CEL) and their constraints, evaluated
//! offline over the objects kubeward reads, the way Gatekeeper's audit and `gator` would.

pub mod cel;
