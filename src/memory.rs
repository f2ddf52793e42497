//! How much memory this process may still use, so that a network or an array that cannot fit is refused
//! with a message before it is allocated, instead of the kernel killing the process without one.

/// Bytes this process can still allocate: the kernel's `MemAvailable`, lowered to what the cgroup
/// (a container or a batch job's limit) leaves. `None` where neither can be read (not Linux).
pub fn available() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| mem_available(&s));
    let cgroup = cgroup_room();
    match (meminfo, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// What the cgroup v2 limit leaves (`memory.max` − `memory.current`); `None` without a limit.
fn cgroup_room() -> Option<u64> {
    let rel = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = rel.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(path.trim_start_matches('/'));
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok()?.trim().parse::<u64>().ok();
    let max = read("memory.max")?; // "max" (no limit) does not parse
    Some(max.saturating_sub(read("memory.current").unwrap_or(0)))
}

/// A byte count for people: `1.5 GB`, `800 MB`, `12 kB`.
pub fn human(bytes: u64) -> String {
    let b = bytes as f64;
    match bytes {
        0..1_000 => format!("{bytes} B"),
        1_000..1_000_000 => format!("{:.0} kB", b / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b / 1e6),
        1_000_000_000..1_000_000_000_000 => format!("{:.1} GB", b / 1e9),
        _ => format!("{:.1} TB", b / 1e12),
    }
}

/// Refuses `need` bytes for `what` when they exceed the memory available, with both numbers.
pub fn check(need: u64, what: &str) -> Result<(), String> {
    check_against(need, available(), what)
}

fn check_against(need: u64, available: Option<u64>, what: &str) -> Result<(), String> {
    match available {
        Some(avail) if need > avail => Err(format!(
            "{what} needs about {} of memory, but only {} is available",
            human(need),
            human(avail)
        )),
        _ => Ok(()),
    }
}

/// Refuses a network whose expected footprint exceeds the memory available, naming its size, the
/// matrix that dominates it, and how to thin it.
pub fn check_network(params: &sorn_core::CheckedNetworkParams) -> Result<(), String> {
    check_network_against(params, available())
}

fn check_network_against(params: &sorn_core::CheckedNetworkParams, avail: Option<u64>) -> Result<(), String> {
    let f = params.footprint();
    let total: f64 = f.synapses.iter().sum();
    let what = format!(
        "a network of N_E = {}, N_I = {} with {total:.2e} synapses (E←E {:.1e}, E←I {:.1e}, I←E {:.1e})",
        params.ne,
        params.n_i(),
        f.synapses[0],
        f.synapses[1],
        f.synapses[2]
    );
    check_against(f.bytes as u64, avail, &what).map_err(|e| {
        format!(
            "{e}; thin the wiring (e.g. --set network.w_ie.kind=fixed-in-degree --set network.w_ie.k=100, \
             likewise w_ei and w_ee), store weights as f32 (--set network.precision=f32), or start from the \
             `large` preset, which is wired for 10⁶ units"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_meminfo() {
        let text = "MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   23000000 kB\n";
        assert_eq!(mem_available(text), Some(23_000_000 * 1024));
        assert_eq!(mem_available("MemTotal: 5 kB\n"), None);
        assert!(available().is_some_and(|a| a > 0), "Linux exposes /proc/meminfo");
    }

    #[test]
    fn refuses_with_both_numbers() {
        let e = check_against(80_000_000_000, Some(2_000_000_000), "the array").unwrap_err();
        assert_eq!(e, "the array needs about 80.0 GB of memory, but only 2.0 GB is available");
        assert!(check_against(1, Some(2), "x").is_ok());
        assert!(check_against(u64::MAX, None, "x").is_ok());
        assert_eq!(human(999), "999 B");
        assert_eq!(human(1_500_000), "1.5 MB");
    }

    #[test]
    fn an_all_to_all_network_of_a_hundred_thousand_units_is_refused() {
        let mut c = crate::Config::from_toml("").unwrap();
        c.network.ne = 100_000;
        let cfg = c.check().unwrap();
        let e = check_network_against(cfg.network(), Some(16_000_000_000)).unwrap_err();
        assert!(e.contains("N_E = 100000, N_I = 20000"), "{e}");
        assert!(e.contains("I←E 2.0e9"), "{e}");
        assert!(e.contains("only 16.0 GB is available") && e.contains("`large` preset"), "{e}");
        let small = crate::Config::from_toml("").unwrap().check().unwrap();
        assert!(check_network_against(small.network(), Some(16_000_000_000)).is_ok());
    }
}
