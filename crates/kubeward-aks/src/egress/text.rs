//! The plan as text for a person: the outbound type, then every rule with why it is needed.

use super::model::EgressPlan;

/// The plan as readable text (`kubeward aks egress`, the default output).
pub fn render_text(p: &EgressPlan) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Egress for cluster {} ({}, {})\n",
        p.cluster,
        p.location,
        p.cloud.as_str()
    ));
    s.push_str(&format!(
        "Outbound type: {}{}\n  {}\n",
        p.outbound_type,
        if p.outbound_type_defaulted {
            " (not set in the input: AKS default)"
        } else {
            ""
        },
        p.outbound_meaning
    ));
    s.push_str(&format!(
        "Features needing egress: {}\n\n",
        p.features.join(", ")
    ));
    s.push_str("Application (FQDN) rules:\n");
    for r in &p.application_rules {
        s.push_str(&format!(
            "  [{}] {:<22} {}:{:<4} {}\n      {}\n",
            if r.required { "required" } else { "optional" },
            r.name,
            r.protocol.to_ascii_uppercase(),
            r.port,
            r.fqdns.join(", "),
            r.why
        ));
    }
    s.push_str("\nNetwork rules:\n");
    for r in &p.network_rules {
        let mut dest = r.destinations.clone();
        dest.extend(r.destination_fqdns.iter().cloned());
        let ports: Vec<String> = r.ports.iter().map(u16::to_string).collect();
        s.push_str(&format!(
            "  [{}] {:<22} {} {} -> {}\n      {}\n",
            if r.required { "required" } else { "optional" },
            r.name,
            r.protocol,
            ports.join(","),
            dest.join(", "),
            r.why
        ));
    }
    if !p.notes.is_empty() {
        s.push_str("\nNotes:\n");
        for n in &p.notes {
            s.push_str(&format!("  - {n}\n"));
        }
    }
    s
}
