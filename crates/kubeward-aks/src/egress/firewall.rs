//! The plan as Azure Firewall rules: `az network firewall` commands, or the rule collections of
//! an ARM `Microsoft.Network/azureFirewalls` resource.

use kubeward_core::escape::shell_comment;

use super::model::EgressPlan;

/// Where the firewall rules go.
#[derive(Debug, Clone)]
pub struct FirewallTarget {
    pub resource_group: String,
    pub firewall: String,
    /// Source addresses of the rules (the node subnet).
    pub source: String,
}

impl Default for FirewallTarget {
    fn default() -> Self {
        FirewallTarget {
            resource_group: "<firewall-resource-group>".into(),
            firewall: "<firewall-name>".into(),
            source: "<node-subnet-cidr>".into(),
        }
    }
}

fn shell_quote(s: &str) -> String {
    kubeward_core::escape::shell(s).into_owned()
}

/// `--source-addresses` takes a list: accept CIDRs separated by commas or spaces.
fn source_addresses(s: &str) -> Vec<String> {
    let list: Vec<String> = s
        .split([',', ' ', '\t'])
        .filter(|a| !a.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        vec![s.to_string()]
    } else {
        list
    }
}

/// Each argument shell-quoted, joined by spaces.
fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|a| shell_quote(a.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Collection priorities, required rules first: application (FQDN) rules, then network rules.
const APP_PRIORITIES: [(bool, u16); 2] = [(true, 200), (false, 300)];
const NET_PRIORITIES: [(bool, u16); 2] = [(true, 100), (false, 150)];

/// The CLI's collection settings, given only by the first rule of a collection.
fn first_rule_priority(first: bool, priority: u16) -> String {
    if first {
        format!(" --priority {priority} --action Allow")
    } else {
        String::new()
    }
}

/// ARM rule collections of one kind: the required rules, then the optional ones, each at its
/// priority; an empty collection is left out.
fn rule_collections<R>(
    p: &EgressPlan,
    kind: &str,
    priorities: [(bool, u16); 2],
    rules: &[R],
    is_required: impl Fn(&R) -> bool,
    to_json: impl Fn(&R) -> serde_json::Value,
) -> Vec<serde_json::Value> {
    let mut collections = Vec::new();
    for (required, priority) in priorities {
        let rules: Vec<serde_json::Value> = rules
            .iter()
            .filter(|r| is_required(r) == required)
            .map(&to_json)
            .collect();
        if !rules.is_empty() {
            collections.push(serde_json::json!({
                "name": collection(p, kind, required),
                "properties": {"priority": priority, "action": {"type": "Allow"}, "rules": rules}
            }));
        }
    }
    collections
}

fn collection(p: &EgressPlan, kind: &str, required: bool) -> String {
    format!(
        "aks-{}-{kind}{}",
        p.cluster,
        if required { "" } else { "-optional" }
    )
}

/// The plan as `az network firewall` commands, required collections first.
pub fn render_firewall_cli(p: &EgressPlan, t: &FirewallTarget) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "# Azure Firewall rules for AKS cluster {} ({}); outbound type {}.\n",
        // A comment ends at a newline: the input's names are kept on this line.
        shell_comment(&p.cluster),
        shell_comment(&p.location),
        shell_comment(&p.outbound_type)
    ));
    s.push_str("# The az network firewall commands come from the azure-firewall CLI extension: az extension add --name azure-firewall\n");
    let rg = shell_quote(&t.resource_group);
    let fw = shell_quote(&t.firewall);
    let src = quoted_list(&source_addresses(&t.source));
    for (required, priority) in APP_PRIORITIES {
        let mut first = true;
        for r in p
            .application_rules
            .iter()
            .filter(|r| r.required == required)
        {
            s.push_str(&format!(
                "az network firewall application-rule create -g {rg} -f {fw} --collection-name {} -n {}{} --source-addresses {src} --protocols {}={} --target-fqdns {}\n",
                shell_quote(&collection(p, "fqdn", required)),
                shell_quote(&r.name),
                first_rule_priority(first, priority),
                shell_quote(r.protocol),
                r.port,
                quoted_list(&r.fqdns)
            ));
            first = false;
        }
    }
    for (required, priority) in NET_PRIORITIES {
        let mut first = true;
        for r in p.network_rules.iter().filter(|r| r.required == required) {
            let ports: Vec<String> = r.ports.iter().map(u16::to_string).collect();
            let dest = if r.destination_fqdns.is_empty() {
                format!("--destination-addresses {}", quoted_list(&r.destinations))
            } else {
                format!("--destination-fqdns {}", quoted_list(&r.destination_fqdns))
            };
            s.push_str(&format!(
                "az network firewall network-rule create -g {rg} -f {fw} --collection-name {} -n {}{} --protocols {} --source-addresses {src} {dest} --destination-ports {}\n",
                shell_quote(&collection(p, "net", required)),
                shell_quote(&r.name),
                first_rule_priority(first, priority),
                shell_quote(r.protocol),
                ports.join(" ")
            ));
            first = false;
        }
    }
    s
}

/// The `applicationRuleCollections` and `networkRuleCollections` of an ARM
/// `Microsoft.Network/azureFirewalls` resource (classic rules).
pub fn firewall_json(p: &EgressPlan, t: &FirewallTarget) -> serde_json::Value {
    let app_cols = rule_collections(
        p,
        "fqdn",
        APP_PRIORITIES,
        &p.application_rules,
        |r| r.required,
        |r| {
            serde_json::json!({
                "name": r.name,
                "description": r.why,
                "sourceAddresses": source_addresses(&t.source),
                "protocols": [{"protocolType": r.protocol, "port": r.port}],
                "targetFqdns": r.fqdns,
            })
        },
    );
    let net_cols = rule_collections(
        p,
        "net",
        NET_PRIORITIES,
        &p.network_rules,
        |r| r.required,
        |r| {
            serde_json::json!({
                "name": r.name,
                "description": r.why,
                "protocols": [r.protocol],
                "sourceAddresses": source_addresses(&t.source),
                "destinationAddresses": r.destinations,
                "destinationFqdns": r.destination_fqdns,
                "destinationPorts": r.ports.iter().map(u16::to_string).collect::<Vec<_>>(),
            })
        },
    );
    serde_json::json!({
        "cluster": p.cluster,
        "applicationRuleCollections": app_cols,
        "networkRuleCollections": net_cols,
    })
}
