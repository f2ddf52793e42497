//! Rule names and sets of frozen rules, named as the Python package names them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A plasticity rule, by the package's `freeze` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rule {
    Stdp,
    Ip,
    /// Synaptic scaling / normalisation.
    Ss,
    Istdp,
    Sp,
}

impl Rule {
    /// All rules, in the package's order.
    pub const ALL: [Rule; 5] = [Rule::Stdp, Rule::Ip, Rule::Ss, Rule::Istdp, Rule::Sp];

    /// The package's name of the rule.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Stdp => "stdp",
            Rule::Ip => "ip",
            Rule::Ss => "ss",
            Rule::Istdp => "istdp",
            Rule::Sp => "sp",
        }
    }
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Rule {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stdp" => Ok(Rule::Stdp),
            "ip" => Ok(Rule::Ip),
            "ss" | "sn" => Ok(Rule::Ss),
            "istdp" => Ok(Rule::Istdp),
            "sp" => Ok(Rule::Sp),
            other => {
                Err(format!("unknown plasticity rule `{other}`: expected one of stdp, ip, ss, istdp, sp"))
            }
        }
    }
}

/// A set of frozen rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "Vec<Rule>", from = "Vec<Rule>")]
pub struct Freeze(u8);

impl Freeze {
    /// Nothing frozen.
    pub const NONE: Freeze = Freeze(0);
    /// Every rule frozen (the training phase).
    pub const ALL: Freeze = Freeze(0b1_1111);

    pub fn contains(self, r: Rule) -> bool {
        self.0 & r.bit() != 0
    }
    pub fn with(self, r: Rule) -> Self {
        Freeze(self.0 | r.bit())
    }
    pub fn union(self, other: Freeze) -> Self {
        Freeze(self.0 | other.0)
    }
    /// The frozen rules, in the package's order.
    pub fn rules(self) -> Vec<Rule> {
        Rule::ALL.into_iter().filter(|&r| self.contains(r)).collect()
    }
}

impl From<Vec<Rule>> for Freeze {
    fn from(v: Vec<Rule>) -> Self {
        v.into_iter().fold(Freeze::NONE, Freeze::with)
    }
}

impl From<Freeze> for Vec<Rule> {
    fn from(f: Freeze) -> Self {
        f.rules()
    }
}

impl FromStr for Freeze {
    type Err = String;
    /// Parses a comma-separated list such as `stdp,ip` (empty = nothing frozen).
    fn from_str(s: &str) -> Result<Self, String> {
        s.split(',').filter(|p| !p.trim().is_empty()).try_fold(Freeze::NONE, |f, p| Ok(f.with(p.parse()?)))
    }
}

impl fmt::Display for Freeze {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.rules().into_iter().map(Rule::name).collect();
        f.write_str(&names.join(","))
    }
}
