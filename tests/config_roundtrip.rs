//! A config survives its text forms exactly: the TOML of `config.toml` for every preset, and the
//! snapshot for any config at all (a resumed run must continue bit for bit with the same parameters).

use sorn::io::snapshot;
use sorn::prelude::*;
use std::path::Path;

#[test]
fn every_preset_round_trips_through_toml_and_carries_its_name() {
    for &(name, _) in sorn::presets::PRESETS {
        let c = sorn::presets::preset(name).unwrap();
        assert_eq!(c.preset.as_deref(), Some(name));
        let back = Config::from_toml(&c.to_toml()).unwrap();
        assert_eq!(back, c, "{name}: TOML round trip changed the config");
    }
    // The functions themselves name their preset (a config built in Rust and saved as TOML would otherwise
    // be completed from the default preset on reading).
    assert_eq!(sorn::presets::large().preset.as_deref(), Some("large"));
    assert_eq!(sorn::presets::delpapa2017().preset.as_deref(), Some("delpapa2017"));
}

#[test]
fn a_snapshot_keeps_optional_fields_that_toml_would_fill_from_a_preset() {
    // sorn-py caps STDP at 1 and clips T^E to [0, 1]; switching both off leaves fields absent that the
    // sorn-py base has, and no preset name at all.
    let mut c = sorn::presets::sorn_py();
    c.preset = None;
    c.plasticity.stdp.as_mut().unwrap().upper = None;
    c.plasticity.ip.as_mut().unwrap().bounds = None;
    c.network.ne = 60;
    let cfg = c.clone().check().unwrap();
    let mut sim = Sorn::new(&cfg);
    sim.run(50, &mut UniformRandom, &mut ());
    let bytes = snapshot::to_bytes(&sim).unwrap();
    let mut back = snapshot::from_bytes(&bytes, Path::new("mem")).unwrap();
    assert_eq!(back.config().config(), &c, "the snapshot must give back the config exactly");
    // And the two continue identically.
    let (mut ra, mut rb) = (Raster::new(Population::Excitatory, 1), Raster::new(Population::Excitatory, 1));
    sim.run(300, &mut UniformRandom, &mut ra);
    back.run(300, &mut UniformRandom, &mut rb);
    assert_eq!(ra.data, rb.data);
    assert_eq!(sim.network().t_e, back.network().t_e);
}
