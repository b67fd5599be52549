//! The egress plan: the rules a cluster needs, with where they come from, as the renderers and
//! the JSON output show them.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Cloud {
    AzurePublic,
    AzureChina,
    AzureUsGovernment,
}

impl Cloud {
    /// The cloud a location belongs to (sovereign clouds have their own region names).
    pub(super) fn from_location(location: &str) -> Cloud {
        let l = location.to_ascii_lowercase();
        if l.starts_with("china") {
            Cloud::AzureChina
        } else if l.starts_with("usgov") || l.starts_with("usdod") {
            Cloud::AzureUsGovernment
        } else {
            Cloud::AzurePublic
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Cloud::AzurePublic => "Azure public cloud",
            Cloud::AzureChina => "Microsoft Azure operated by 21Vianet",
            Cloud::AzureUsGovernment => "Azure US Government",
        }
    }
}

/// An application (FQDN) rule: HTTP or HTTPS to host names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FqdnRule {
    pub name: String,
    pub feature: String,
    pub required: bool,
    pub protocol: &'static str,
    pub port: u16,
    pub fqdns: Vec<String>,
    pub why: String,
}

/// A network rule: TCP/UDP to service tags, addresses or FQDNs.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkRule {
    pub name: String,
    pub feature: String,
    pub required: bool,
    pub protocol: &'static str,
    pub destinations: Vec<String>,
    /// Destinations that are host names (need DNS proxy on Azure Firewall).
    pub destination_fqdns: Vec<String>,
    pub ports: Vec<u16>,
    pub why: String,
}

/// What one cluster needs to reach, and what its outbound type means for it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EgressPlan {
    pub cluster: String,
    pub location: String,
    pub cloud: Cloud,
    pub outbound_type: String,
    /// `true` when the outbound type was not in the input and AKS's default was assumed.
    pub outbound_type_defaulted: bool,
    pub outbound_meaning: String,
    pub private_cluster: bool,
    pub features: Vec<String>,
    pub application_rules: Vec<FqdnRule>,
    pub network_rules: Vec<NetworkRule>,
    pub notes: Vec<String>,
}
