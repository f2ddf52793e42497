//! The full simulation config: plain serde data (TOML), merged from a preset, a file and `key=value`
//! overrides, and validated once into [`CheckedConfig`].

use crate::presets;
use serde::{Deserialize, Serialize};
use sorn_core::{CheckedNetworkParams, NetworkParams, ParamError};
use sorn_plasticity::{CheckedPlasticity, Freeze, PlasticityParams};
use std::path::PathBuf;
use thiserror::Error;

/// Plasticity on (minus the frozen rules), or every rule frozen, like the package's `Simulator` and
/// `Trainer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Plasticity,
    Training,
}

impl std::str::FromStr for Phase {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "plasticity" => Ok(Phase::Plasticity),
            "training" => Ok(Phase::Training),
            _ => Err(format!("unknown phase `{s}`: expected plasticity or training")),
        }
    }
}

/// Where a run's input comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum InputSpec {
    /// No input.
    None,
    /// Raw input: each of the `nu` values U[0, 1) afresh every step (the package README's
    /// `np.random.rand(nu, T)`), from the `Input` stream.
    UniformRandom,
    /// Symbol input: a uniformly random symbol every step.
    RandomSymbols,
    /// Raw input from a `.npy` file of shape nu × T (f64 or f32), column t at step t; a run longer than T
    /// cycles through the columns.
    File { path: PathBuf },
}

/// A recorded series of a run (the `.npy` files of a run directory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Record {
    /// `e_raster.npy`: x(t+1), T × N_E, uint8.
    ERaster,
    /// `i_raster.npy`: y(t+1), T × N_I, uint8.
    IRaster,
    /// `recurrent.npy`: Θ(R_x), the recurrent drive without input, thresholded, T × N_E, uint8.
    Recurrent,
    /// `connections.npy`: E←E and E←I synapses with weight > 0, T × 2, int64 (O(synapses) per step).
    Connections,
    /// `rate.npy`: mean E rate (fraction active), T, f64.
    Rate,
    /// `threshold_mean.npy`: mean T^E, T, f64.
    ThresholdMean,
}

impl Record {
    /// Every series, in file order.
    pub const ALL: [Record; 6] = [
        Record::ERaster,
        Record::IRaster,
        Record::Recurrent,
        Record::Connections,
        Record::Rate,
        Record::ThresholdMean,
    ];

    /// The name used in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Record::ERaster => "e-raster",
            Record::IRaster => "i-raster",
            Record::Recurrent => "recurrent",
            Record::Connections => "connections",
            Record::Rate => "rate",
            Record::ThresholdMean => "threshold-mean",
        }
    }

    /// Bytes this series takes per recorded step in a network of `ne` E and `ni` I units (the file's
    /// element type times its row length).
    pub fn bytes_per_step(self, ne: usize, ni: usize) -> u64 {
        match self {
            Record::ERaster | Record::Recurrent => ne as u64,
            Record::IRaster => ni as u64,
            Record::Connections => 16,
            Record::Rate | Record::ThresholdMean => 8,
        }
    }
}

impl std::str::FromStr for Record {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Record::ALL.into_iter().find(|r| r.name() == s.trim()).ok_or_else(|| {
            let names: Vec<&str> = Record::ALL.iter().map(|r| r.name()).collect();
            format!("unknown record `{s}`: expected some of {}", names.join(", "))
        })
    }
}

/// What a run records, every `stride` steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    pub what: Vec<Record>,
    pub stride: u64,
}

impl RecordSpec {
    /// Bytes the recorded series of a run of `steps` steps take on disk (without the .npy headers): a
    /// step is recorded when the step count is a multiple of the stride.
    pub fn bytes(&self, steps: u64, ne: usize, ni: usize) -> u64 {
        let rows = steps / self.stride.max(1);
        self.what.iter().map(|r| r.bytes_per_step(ne, ni)).sum::<u64>() * rows
    }
}

impl Default for RecordSpec {
    fn default() -> Self {
        RecordSpec { what: Record::ALL.to_vec(), stride: 1 }
    }
}

/// What a run does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunParams {
    /// Number of steps.
    pub steps: u64,
    pub phase: Phase,
    /// Rules frozen in the plasticity phase.
    #[serde(default)]
    pub freeze: Freeze,
    pub input: InputSpec,
    /// Network step count at which column 0 of a file input is presented.
    #[serde(default)]
    pub input_offset: u64,
    #[serde(default)]
    pub record: RecordSpec,
}

/// Everything a run needs: with the same config, the same bits come out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The preset this config started from (informational; `preset = "…"` in a file selects the base).
    #[serde(default)]
    pub preset: Option<String>,
    /// The one seed every random stream derives from.
    pub seed: u64,
    pub network: NetworkParams,
    pub plasticity: PlasticityParams,
    pub run: RunParams,
}

/// A config that passed validation. Only this type builds a simulator.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedConfig {
    pub(crate) raw: Config,
    pub(crate) network: CheckedNetworkParams,
    pub(crate) plasticity: CheckedPlasticity,
}

impl Serialize for CheckedConfig {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for CheckedConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Config::deserialize(d)?.check().map_err(serde::de::Error::custom)
    }
}

/// Why a config could not be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("unknown preset `{0}`: expected one of {list}", list = preset_list())]
    UnknownPreset(String),
    #[error("{0}")]
    Param(#[from] ParamError),
    #[error("config: {0}")]
    Parse(String),
    #[error("--set {0}: expected key=value, e.g. network.ne=400 or eta_stdp=0.002")]
    BadSet(String),
}

/// Folds a multi-line parser message (TOML errors quote the offending line) into one line.
fn one_line(msg: &str) -> String {
    msg.lines().map(str::trim).filter(|l| !l.is_empty() && !l.contains('|')).collect::<Vec<_>>().join(": ")
}

fn preset_list() -> String {
    presets::PRESETS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
}

impl Config {
    /// Validates the config.
    pub fn check(self) -> Result<CheckedConfig, ConfigError> {
        let network = self.network.clone().check()?;
        let plasticity = self.plasticity.clone().check()?;
        if matches!(self.run.input, InputSpec::UniformRandom | InputSpec::File { .. })
            && !matches!(self.network.input, sorn_core::InputParams::Raw { .. })
        {
            return Err(ParamError::new(
                "run.input.kind",
                "raw input",
                "`random-symbols` or `none`, since network.input is not `raw`",
            )
            .into());
        }
        if matches!(self.run.input, InputSpec::RandomSymbols)
            && !matches!(self.network.input, sorn_core::InputParams::Pools { .. })
        {
            return Err(ParamError::new(
                "run.input.kind",
                "random-symbols",
                "`uniform-random`, `file` or `none`, since network.input is not `pools`",
            )
            .into());
        }
        if self.run.record.stride == 0 {
            return Err(ParamError::new("run.record.stride", 0, "an integer ≥ 1").into());
        }
        if self.run.steps > crate::simulator::MAX_STEPS {
            return Err(ParamError::new("run.steps", self.run.steps, "at most 2^60").into());
        }
        Ok(CheckedConfig { raw: self, network, plasticity })
    }

    /// Builds a config from TOML text: `preset = "NAME"` (default `sorn-py`) gives the base, every other
    /// key overrides it. Unknown keys are errors.
    pub fn from_toml(text: &str) -> Result<Config, ConfigError> {
        let user: toml::Table =
            toml::from_str(text).map_err(|e| ConfigError::Parse(one_line(&e.to_string())))?;
        let base_name = match user.get("preset") {
            Some(toml::Value::String(s)) => s.clone(),
            Some(v) => return Err(ParamError::new("preset", v, "a preset name in quotes").into()),
            None => "sorn-py".to_string(),
        };
        let base = presets::preset(&base_name).ok_or(ConfigError::UnknownPreset(base_name))?;
        let mut table = to_table(&base)?;
        merge(&mut table, user);
        from_table(table)
    }

    /// The config as TOML text (what `config.toml` of a run holds).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# could not serialise config: {e}\n"))
    }

    /// Applies `key=value` overrides. Keys are dotted paths (`network.noise.std`) or the Python package's
    /// keyword names (`ne`, `nu`, `eta_stdp`, `eta_inhib`, `eta_ip`, `mu_ip`, `lambda_ee`, `lambda_ei`,
    /// `lambda_ie`, `te_min`, `te_max`, `ti_min`, `ti_max`). Values are TOML (`0.5`, `true`, `"gt"`,
    /// `{ kind = "full" }`); a bare word is taken as a string.
    pub fn with_overrides(&self, sets: &[String]) -> Result<Config, ConfigError> {
        let mut table = to_table(self)?;
        for s in sets {
            let (key, value) = s.split_once('=').ok_or_else(|| ConfigError::BadSet(s.clone()))?;
            let key = key.trim();
            if key.is_empty() {
                return Err(ConfigError::BadSet(s.clone()));
            }
            let value = parse_value(value.trim());
            let path = alias(key).unwrap_or(key);
            set_path(&mut table, path, value).map_err(|e| ConfigError::Parse(format!("--set {s}: {e}")))?;
        }
        from_table(table).map_err(|e| self.with_key_hint(e, sets))
    }

    /// Adds "did you mean" to an unknown-field error caused by one of `sets`.
    fn with_key_hint(&self, e: ConfigError, sets: &[String]) -> ConfigError {
        let mut known = Vec::new();
        if let Ok(t) = to_table(self) {
            flatten("", &toml::Value::Table(t), &mut known);
        }
        let known: Vec<String> = known.into_iter().map(|(k, _)| k).collect();
        let hint = sets.iter().filter_map(|s| s.split_once('=')).map(|(k, _)| k.trim()).find_map(|k| {
            let unknown = alias(k).is_none() && !known.iter().any(|n| n == k);
            unknown.then(|| {
                nearest_key(k, &known).map(|n| format!("--set {k}: unknown key; did you mean `{n}`?"))
            })?
        });
        match (e, hint) {
            (ConfigError::Parse(msg), Some(h)) => ConfigError::Parse(format!("{h} ({msg})")),
            (e, _) => e,
        }
    }
}

impl Config {
    /// The settings in which `other` differs from `self`: (dotted key, value here, value there), in key
    /// order, e.g. `("network.ne", "200", "300")`.
    pub fn differences(&self, other: &Config) -> Vec<(String, String, String)> {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        if let (Ok(ta), Ok(tb)) = (to_table(self), to_table(other)) {
            flatten("", &toml::Value::Table(ta), &mut a);
            flatten("", &toml::Value::Table(tb), &mut b);
        }
        let value = |v: &[(String, String)], k: &str| {
            v.iter().find(|(key, _)| key == k).map_or_else(|| "(absent)".to_string(), |(_, x)| x.clone())
        };
        let mut keys: Vec<&String> = a.iter().chain(b.iter()).map(|(k, _)| k).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .filter_map(|k| {
                let (x, y) = (value(&a, k), value(&b, k));
                (x != y).then(|| (k.clone(), x, y))
            })
            .collect()
    }
}

/// Every leaf of a TOML value as (dotted key, value text).
fn flatten(prefix: &str, v: &toml::Value, out: &mut Vec<(String, String)>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                flatten(&key, v, out);
            }
        }
        leaf => out.push((prefix.to_string(), leaf.to_string())),
    }
}

fn to_table(c: &Config) -> Result<toml::Table, ConfigError> {
    toml::Table::try_from(c).map_err(|e| ConfigError::Parse(e.to_string()))
}

fn from_table(t: toml::Table) -> Result<Config, ConfigError> {
    toml::Value::Table(t)
        .try_into()
        .map_err(|e: toml::de::Error| ConfigError::Parse(in_words(&one_line(&e.to_string()))))
}

/// serde's Rust type names in a message, as a researcher would say them.
fn in_words(msg: &str) -> String {
    [
        ("expected usize", "expected a whole number ≥ 0"),
        ("expected u64", "expected a whole number ≥ 0"),
        ("expected u32", "expected a whole number ≥ 0"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ]
    .iter()
    .fold(msg.to_string(), |m, (rust, words)| m.replace(rust, words))
}

/// Maps the Python package's keyword names to config paths (SPEC §8.0).
const ALIASES: [(&str, &str); 17] = [
    ("ne", "network.ne"),
    ("ni", "network.ni"),
    ("nu", "network.input.nu"),
    ("seed", "seed"),
    ("steps", "run.steps"),
    ("eta_stdp", "plasticity.stdp.eta"),
    ("eta_inhib", "plasticity.istdp.eta"),
    ("eta_ip", "plasticity.ip.eta"),
    ("mu_ip", "plasticity.istdp.mu"),
    ("h_ip", "plasticity.ip.h_ip"),
    ("lambda_ee", "network.w_ee.lambda"),
    ("lambda_ei", "network.w_ei.lambda"),
    ("lambda_ie", "network.w_ie.lambda"),
    ("te_min", "network.t_e.min"),
    ("te_max", "network.t_e.max"),
    ("ti_min", "network.t_i.min"),
    ("ti_max", "network.t_i.max"),
];

fn alias(key: &str) -> Option<&'static str> {
    ALIASES.iter().find(|(k, _)| *k == key).map(|(_, path)| *path)
}

/// The known key nearest to `key` (the package's keywords and this config's dotted keys), if one is
/// within two edits: the hint after an unknown `--set` key.
fn nearest_key(key: &str, known: &[String]) -> Option<String> {
    let candidates = ALIASES.iter().map(|(k, _)| k.to_string()).chain(known.iter().cloned());
    candidates
        .map(|c| (edit_distance(key, &c), c))
        .filter(|(d, c)| *d <= 2 && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

fn parse_value(v: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {v}")) {
        Ok(mut t) => t.remove("v").unwrap_or(toml::Value::String(v.to_string())),
        Err(_) => toml::Value::String(v.to_string()),
    }
}

fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().ok_or("empty key")?;
    let mut cur = table;
    let mut walked = String::new();
    for p in parts {
        walked = if walked.is_empty() { p.to_string() } else { format!("{walked}.{p}") };
        let entry = cur.entry(p.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = entry.as_table_mut().ok_or_else(|| format!("`{walked}` is a value, not a table"))?;
    }
    cur.insert(last.to_string(), value);
    Ok(())
}

/// Deep merge: tables merge key by key; a table that changes `kind` replaces the old one whole.
fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o))
                if b.get("kind") == o.get("kind") || !o.contains_key("kind") =>
            {
                merge(b, o)
            }
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

impl CheckedConfig {
    /// The config as data.
    pub fn config(&self) -> &Config {
        &self.raw
    }
    /// The checked network parameters.
    pub fn network(&self) -> &CheckedNetworkParams {
        &self.network
    }
    /// The checked plasticity parameters.
    pub fn plasticity(&self) -> &CheckedPlasticity {
        &self.plasticity
    }
    /// A preset, checked.
    pub fn preset(name: &str) -> Result<CheckedConfig, ConfigError> {
        presets::preset(name).ok_or_else(|| ConfigError::UnknownPreset(name.to_string()))?.check()
    }
}
