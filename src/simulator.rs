//! The simulator: a network, its plasticity, the random streams and the phase, stepped together.

use crate::config::{CheckedConfig, Config, Phase};
use crate::input::{InputKind, InputSource};
use crate::record::Observer;
use serde::{Deserialize, Serialize};
use sorn_core::{Input, Network, NetworkState, Parallelism, SornRng, Stream, stream_rng};
use sorn_plasticity::{Freeze, PlasticityState};

/// A running SORN. Everything needed to continue bit for bit is in here and serialisable: config,
/// weights, thresholds, the last two states, the plasticity's pending work, the step counter and the
/// states of the random streams.
#[derive(Clone, Debug)]
pub struct Sorn {
    config: CheckedConfig,
    network: Network,
    plasticity: PlasticityState,
    noise_rng: SornRng,
    sp_rng: SornRng,
    input_rng: SornRng,
    steps: u64,
    phase: Phase,
    freeze: Freeze,
    par: Parallelism,
    raw: Vec<f64>,
}

/// The serialised form of a [`Sorn`]. The config travels as JSON text (its tagged enums need a
/// self-describing format, and JSON keeps an absent optional field absent, where TOML text would be
/// completed from a preset on reading); everything else is plain data, so compact binary formats work.
/// Snapshots written before JSON hold TOML text here and are still read.
#[derive(Serialize, Deserialize)]
struct SornSnapshot {
    #[serde(deserialize_with = "bounded_string")]
    config_text: String,
    network: NetworkState,
    plasticity: PlasticityState,
    noise_rng: SornRng,
    sp_rng: SornRng,
    input_rng: SornRng,
    steps: u64,
    phase: Phase,
    freeze: Freeze,
}

impl Serialize for Sorn {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SornSnapshot {
            config_text: serde_json::to_string(self.config.config())
                .map_err(|e| serde::ser::Error::custom(format!("snapshot config: {e}")))?,
            network: self.network.to_state(),
            plasticity: self.plasticity.clone(),
            noise_rng: self.noise_rng.clone(),
            sp_rng: self.sp_rng.clone(),
            input_rng: self.input_rng.clone(),
            steps: self.steps,
            phase: self.phase,
            freeze: self.freeze,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Sorn {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let snap = SornSnapshot::deserialize(d)?;
        if snap.steps > MAX_STEPS {
            return Err(D::Error::custom(format!(
                "the step counter {} is beyond any run (at most 2^60)",
                snap.steps
            )));
        }
        let config = config_from_snapshot(&snap.config_text)
            .and_then(Config::check)
            .map_err(|e| D::Error::custom(format!("snapshot config: {e}")))?;
        let network = Network::from_state(config.network().clone(), snap.network)
            .map_err(|e| D::Error::custom(format!("snapshot network: {e}")))?;
        let (ne, ni) = (network.ne(), network.ni());
        if snap.plasticity.dirty_ee.universe() != ne || snap.plasticity.dirty_ei.universe() != ne {
            return Err(D::Error::custom(format!(
                "snapshot plasticity state does not fit {ne} E / {ni} I units"
            )));
        }
        Ok(Sorn {
            raw: vec![0.0; config.network().input_dim()],
            config,
            network,
            plasticity: snap.plasticity,
            noise_rng: snap.noise_rng,
            sp_rng: snap.sp_rng,
            input_rng: snap.input_rng,
            steps: snap.steps,
            phase: snap.phase,
            freeze: snap.freeze,
            par: Parallelism::Sequential,
        })
    }
}

/// A string read, in binary formats, as the sequence of bytes it is encoded as, so that the length a
/// (corrupt) file claims is never allocated up front: serde grows the buffer as bytes actually arrive.
/// bincode writes a string and a byte sequence alike (a length, then the bytes), so old files still read.
fn bounded_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Bytes;
    impl<'de> serde::de::Visitor<'de> for Bytes {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a UTF-8 string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
            let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
            while let Some(b) = seq.next_element::<u8>()? {
                bytes.push(b);
            }
            String::from_utf8(bytes).map_err(|_| serde::de::Error::custom("the config text is not UTF-8"))
        }
    }
    if d.is_human_readable() { d.deserialize_string(Bytes) } else { d.deserialize_seq(Bytes) }
}

/// Step counts no run reaches (10¹⁸ steps take centuries); a larger counter is a corrupt snapshot, and
/// refusing it keeps the counter from wrapping.
pub const MAX_STEPS: u64 = 1 << 60;

/// The config of a snapshot: JSON (exactly the saved config), or the TOML of older snapshots.
fn config_from_snapshot(text: &str) -> Result<Config, crate::ConfigError> {
    if text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| crate::ConfigError::Parse(e.to_string()))
    } else {
        Config::from_toml(text)
    }
}

impl Sorn {
    /// A new network drawn from the config's seed, in the config's phase and freeze set.
    pub fn new(config: &CheckedConfig) -> Self {
        let seed = config.config().seed;
        let network = Network::new(config.network(), &mut stream_rng(seed, Stream::Init));
        let plasticity = PlasticityState::new(&network, false);
        Self::with_network(config, network, plasticity)
    }

    /// A simulator around an existing network (e.g. loaded from `state.npz`); every row is renormalised at
    /// the next SN step only if `renormalise`.
    pub fn from_network(config: &CheckedConfig, network: Network, renormalise: bool) -> Self {
        let plasticity = PlasticityState::new(&network, renormalise);
        Self::with_network(config, network, plasticity)
    }

    fn with_network(config: &CheckedConfig, network: Network, plasticity: PlasticityState) -> Self {
        let seed = config.config().seed;
        let run = &config.config().run;
        Sorn {
            raw: vec![0.0; config.network().input_dim()],
            config: config.clone(),
            network,
            plasticity,
            noise_rng: stream_rng(seed, Stream::Noise),
            sp_rng: stream_rng(seed, Stream::Structural),
            input_rng: stream_rng(seed, Stream::Input),
            steps: 0,
            phase: run.phase,
            freeze: run.freeze,
            par: Parallelism::Sequential,
        }
    }

    /// Replaces the run settings (steps, phase, freeze, input, recording) of the config, e.g. to continue
    /// a snapshot in the training phase. The network and plasticity settings must stay as they are.
    pub fn reconfigure_run(&mut self, cfg: &CheckedConfig) -> Result<(), String> {
        let (old, new) = (self.config.config(), cfg.config());
        if old.network != new.network || old.plasticity != new.plasticity || old.seed != new.seed {
            return Err(
                "only the run settings of a snapshot's config can change (network, plasticity and seed \
                        are fixed)"
                    .into(),
            );
        }
        self.config = cfg.clone();
        self.phase = new.run.phase;
        self.freeze = new.run.freeze;
        Ok(())
    }

    /// Replaces the membrane noise from the next step on, e.g. `Noise::None` for the readout phases of
    /// DP17's counting task and frozen-plasticity experiment, which switch noise off after the plastic
    /// phase (SPEC §5.2, §5.6). Everything else (weights, thresholds, states, plasticity state, random
    /// streams, parallelism) carries over; the config reports the new noise.
    pub fn set_noise(&mut self, noise: sorn_core::Noise) -> Result<(), crate::ConfigError> {
        let mut cfg = self.config.config().clone();
        cfg.network.noise = noise.clone();
        let checked = cfg.check()?;
        self.network.set_noise(noise)?;
        self.config = checked;
        Ok(())
    }

    /// Stores the network's weights in precision `p` from now on (see
    /// [`Network::set_precision`]); the config reports the new precision.
    pub fn set_precision(&mut self, p: sorn_core::Precision) -> Result<(), crate::ConfigError> {
        let mut cfg = self.config.config().clone();
        cfg.network.precision = p;
        let checked = cfg.check()?;
        self.network.set_precision(p);
        self.config = checked;
        Ok(())
    }

    /// The config this simulator was built with.
    pub fn config(&self) -> &CheckedConfig {
        &self.config
    }
    /// The network (weights, thresholds, states).
    pub fn network(&self) -> &Network {
        &self.network
    }
    /// Mutable network, e.g. to set weights by hand before a run.
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.network
    }
    /// The plasticity's state and event counters.
    pub fn plasticity(&self) -> &PlasticityState {
        &self.plasticity
    }
    /// Steps taken since the network was created.
    pub fn steps(&self) -> u64 {
        self.steps
    }
    /// The current phase.
    pub fn phase(&self) -> Phase {
        self.phase
    }
    /// The rules frozen in the plasticity phase.
    pub fn freeze(&self) -> Freeze {
        self.freeze
    }
    /// Switches between the plasticity phase (the package's `Simulator`) and the training phase (its
    /// `Trainer`: every rule frozen), between any two steps.
    pub fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
    }
    /// Sets the rules frozen in the plasticity phase.
    pub fn set_freeze(&mut self, freeze: Freeze) {
        self.freeze = freeze;
    }
    /// How row kernels run; results are bitwise identical for every choice.
    pub fn set_parallelism(&mut self, par: Parallelism) {
        self.par = par;
        self.network.set_parallelism(par);
    }
    /// Rules that are frozen right now (all of them in the training phase).
    pub fn frozen(&self) -> Freeze {
        match self.phase {
            Phase::Plasticity => self.freeze,
            Phase::Training => Freeze::ALL,
        }
    }

    /// One step: state update, then plasticity unless frozen.
    pub fn step(&mut self, input: Input<'_>) {
        self.network.step(input, &mut self.noise_rng);
        let frozen = self.frozen();
        if frozen != Freeze::ALL {
            sorn_plasticity::apply(
                self.config.plasticity(),
                &mut self.network,
                &mut self.plasticity,
                frozen,
                &mut self.sp_rng,
                self.par,
            );
        }
        self.steps += 1;
    }

    /// `steps` steps with inputs from `source`; `observer` sees the simulator after every step.
    pub fn run<S: InputSource + ?Sized, O: Observer + ?Sized>(
        &mut self,
        steps: u64,
        source: &mut S,
        observer: &mut O,
    ) {
        if self.raw.len() != self.config.network().input_dim() {
            self.raw = vec![0.0; self.config.network().input_dim()];
        }
        for _ in 0..steps {
            let kind = source.next(self.steps, &mut self.input_rng, &mut self.raw);
            let raw = std::mem::take(&mut self.raw);
            let input = match kind {
                InputKind::None => Input::None,
                InputKind::Raw => Input::Raw(&raw),
                InputKind::Symbol(s) => Input::Symbol(s),
            };
            self.step(input);
            self.raw = raw;
            observer.observe(self);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_config_reads_json_and_the_toml_of_older_snapshots() {
        let c = crate::presets::zheng2013();
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(config_from_snapshot(&json).unwrap(), c);
        assert_eq!(config_from_snapshot(&c.to_toml()).unwrap(), c);
        assert!(config_from_snapshot("{ not json").is_err());
    }
}
